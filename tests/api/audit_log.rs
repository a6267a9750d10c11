//! The audit log is a hash chain: editing, deleting, inserting or reordering rows in the
//! database is detected by `vanthu audit-log verify`, and a consistently rewritten tail is
//! caught by the checkpoints kept in object storage.

use sqlx::Row;
use vanthu::audit;

use crate::cli::vanthu;
use crate::helpers::*;

async fn app_with_history() -> (TestApp, sqlx::SqlitePool) {
    let app = spawn_app().await;
    let response = app
        .upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(fixture(QUYET_DINH)),
        )
        .await;
    let id = response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..3 {
        app.get(&app.token("staff"), &format!("/api/documents/{id}"))
            .await;
    }
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        app.data_dir.join("vanthu.db").display()
    ))
    .await
    .unwrap();
    (app, pool)
}

async fn problems(app: &TestApp) -> Vec<(i64, &'static str)> {
    let report = app.services.verify_audit_log(None).await.unwrap();
    report.problems.iter().map(|p| (p.seq, p.kind)).collect()
}

async fn seqs(pool: &sqlx::SqlitePool) -> Vec<i64> {
    sqlx::query("SELECT seq FROM audit_events ORDER BY seq")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("seq"))
        .collect()
}

#[tokio::test]
async fn an_untouched_log_verifies_and_the_cli_says_so() {
    let (app, _) = app_with_history().await;
    assert!(problems(&app).await.is_empty());
    let checkpoint = app
        .services
        .checkpoint_audit_chain()
        .await
        .unwrap()
        .unwrap();
    assert!(checkpoint.seq >= 5);
    let output = vanthu()
        .args(["audit-log", "verify", "--data-dir"])
        .arg(&app.data_dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("intact"));
}

#[tokio::test]
async fn an_edited_event_is_found_where_it_is() {
    let (app, pool) = app_with_history().await;
    let target = seqs(&pool).await[3];
    sqlx::query("UPDATE audit_events SET details = '{\"forged\":true}' WHERE seq = ?")
        .bind(target)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(problems(&app).await, [(target, "edited")]);
    let output = vanthu()
        .args(["audit-log", "verify", "--data-dir"])
        .arg(&app.data_dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains(&format!("seq {target}")));
}

#[tokio::test]
async fn a_deleted_event_breaks_the_link_after_it() {
    let (app, pool) = app_with_history().await;
    let all = seqs(&pool).await;
    sqlx::query("DELETE FROM audit_events WHERE seq = ?")
        .bind(all[2])
        .execute(&pool)
        .await
        .unwrap();
    let found = problems(&app).await;
    assert_eq!(found, [(all[3], "link_broken")]);
    let report = app.services.verify_audit_log(None).await.unwrap();
    assert!(
        report.problems[0].message.contains("deleted"),
        "{}",
        report.problems[0].message
    );
}

#[tokio::test]
async fn an_inserted_event_is_detected() {
    let (app, pool) = app_with_history().await;
    let last: (String, String) =
        sqlx::query("SELECT hash, occurred_at FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .map(|r| (r.get("hash"), r.get("occurred_at")))
            .unwrap();
    // A forger who copies the chain format but cannot know how the hash is computed…
    sqlx::query("INSERT INTO audit_events (id, occurred_at, actor_user_id, action, document_id, details, prev_hash, hash) VALUES (?, ?, NULL, 'document.read', NULL, '{}', ?, ?)")
        .bind(uuid::Uuid::now_v7()).bind(&last.1).bind(&last.0).bind("f".repeat(64)).execute(&pool).await.unwrap();
    assert!(problems(&app)
        .await
        .iter()
        .any(|(_, kind)| *kind == "edited"));
    // …and one who leaves the chain columns empty.
    sqlx::query("INSERT INTO audit_events (id, occurred_at, actor_user_id, action, document_id, details) VALUES (?, ?, NULL, 'document.read', NULL, '{}')")
        .bind(uuid::Uuid::now_v7()).bind(&last.1).execute(&pool).await.unwrap();
    assert!(problems(&app)
        .await
        .iter()
        .any(|(_, kind)| *kind == "unchained"));
}

#[tokio::test]
async fn reordered_events_are_detected() {
    let (app, pool) = app_with_history().await;
    let all = seqs(&pool).await;
    let (a, b) = (all[1], all[2]);
    // Swap the two rows' positions: move a out of the way, b into a's place, a into b's.
    sqlx::query("UPDATE audit_events SET seq = -1 WHERE seq = ?")
        .bind(a)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET seq = ? WHERE seq = ?")
        .bind(a)
        .bind(b)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET seq = ? WHERE seq = -1")
        .bind(b)
        .execute(&pool)
        .await
        .unwrap();
    let found = problems(&app).await;
    assert!(
        found.iter().all(|(_, kind)| *kind == "link_broken") && !found.is_empty(),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_consistently_rewritten_tail_is_caught_by_the_checkpoint() {
    let (app, pool) = app_with_history().await;
    let checkpoint = app
        .services
        .checkpoint_audit_chain()
        .await
        .unwrap()
        .unwrap();
    // The attacker edits the last event and recomputes its hash (the chain alone then verifies).
    let events = app.services.store.list_audit_events(None).await.unwrap();
    let mut last = events.last().unwrap().clone();
    last.details_json = "{\"rewritten\":true}".into();
    let rehashed = audit::event_hash(last.prev_hash.as_deref().unwrap(), &last);
    sqlx::query("UPDATE audit_events SET details = ?, hash = ? WHERE seq = ?")
        .bind(&last.details_json)
        .bind(&rehashed)
        .bind(last.seq)
        .execute(&pool)
        .await
        .unwrap();
    let found = problems(&app).await;
    assert_eq!(found, [(checkpoint.seq, "checkpoint_mismatch")]);
}
