//! Password login, sessions and admin user management over HTTP.

use crate::helpers::*;

fn password_of(app: &TestApp, username: &str) -> String {
    app.credentials
        .users
        .iter()
        .find(|u| u.username == username)
        .unwrap()
        .password
        .clone()
}

#[tokio::test]
async fn login_opens_a_session_and_logout_ends_it() {
    let app = spawn_app().await;
    let body = serde_json::json!({"username": "vanthu", "password": password_of(&app, "vanthu")});
    let session: serde_json::Value = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    assert!(session["expires_at"].is_string());
    let me: serde_json::Value = app.get(&token, "/api/me").await.json().await.unwrap();
    assert_eq!(me["username"], "vanthu");
    assert_eq!(me["role"], "clerk");
    assert_eq!(me["clearance"], "mat");

    let logout = app
        .client
        .post(app.url("/api/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status().as_u16(), 204);
    assert_eq!(app.get(&token, "/api/me").await.status().as_u16(), 401);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_get_the_same_answer() {
    let app = spawn_app().await;
    for body in [
        serde_json::json!({"username": "vanthu", "password": "wrong password"}),
        serde_json::json!({"username": "nobody", "password": "wrong password"}),
    ] {
        let response = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, code, message) = error_of(response).await;
        assert_eq!(
            (status, code.as_str(), message.as_str()),
            (
                401,
                "unauthenticated",
                "authentication required: wrong username or password"
            )
        );
    }
    let malformed = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(malformed).await.1, "bad_request");
}

#[tokio::test]
async fn only_admins_manage_users() {
    let app = spawn_app().await;
    let request = serde_json::json!({"username": "nguoi.moi", "display_name": "Người Mới", "role": "staff", "unit": "KT"});
    let (status, code, _) = error_of(
        app.client
            .post(app.url("/api/users"))
            .bearer_auth(app.token("clerk"))
            .json(&request)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let created = app
        .client
        .post(app.url("/api/users"))
        .bearer_auth(app.token("admin"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: serde_json::Value = created.json().await.unwrap();
    assert_eq!(created["user"]["unit"], "KT");
    assert!(created["password"].as_str().unwrap().len() >= 10);
    let again = app
        .client
        .post(app.url("/api/users"))
        .bearer_auth(app.token("admin"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(again).await.1, "conflict");
    let users: serde_json::Value = app
        .get(&app.token("admin"), "/api/users")
        .await
        .json()
        .await
        .unwrap();
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["username"] == "nguoi.moi"));
    let bad_unit = serde_json::json!({"username": "nguoi.khac", "display_name": "X", "role": "staff", "unit": "ZZ"});
    let response = app
        .client
        .post(app.url("/api/users"))
        .bearer_auth(app.token("admin"))
        .json(&bad_unit)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(response).await.1, "unknown_unit");
}
