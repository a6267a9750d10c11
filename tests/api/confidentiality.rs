//! Property: for every role and clearance level, no API response reveals more of a
//! confidential document than that user may see. Each user's responses from every endpoint
//! are collected and searched for the secret documents' identifiers and summaries.

use serde_json::{json, Value};
use vanthu::app::NewUserRequest;
use vanthu::domain::{Confidentiality, Role};

use crate::helpers::*;

const SECRET_SUBJECTS: [(&str, &str); 3] = [
    ("mat", "Phương án bảo vệ mục tiêu MẬT số một"),
    ("toi_mat", "Kế hoạch diễn tập TỐI MẬT số hai"),
    ("tuyet_mat", "Nội dung TUYỆT MẬT không được lưu"),
];

fn level(name: &str) -> Confidentiality {
    name.parse().unwrap()
}

#[tokio::test]
async fn no_response_reveals_more_than_the_users_clearance_allows() {
    let app = spawn_app().await;
    // One regular document and one stub per secret level (the chairman may register them all
    // through the clerk only if the clerk's clearance covers them: use a fully cleared clerk).
    let (_, password) = app
        .services
        .create_user(NewUserRequest {
            username: "vanthu.mat".into(),
            display_name: "Văn thư mật".into(),
            role: Role::Clerk,
            clearance: Confidentiality::TuyetMat,
            organ_id: None,
            unit: Some("VP".into()),
            password: None,
        })
        .await
        .unwrap();
    assert!(!password.is_empty());
    let secret_clerk = app
        .services
        .create_api_token("vanthu.mat", "test", None)
        .await
        .unwrap()
        .token;
    let mut ids = Vec::new();
    for (name, subject) in SECRET_SUBJECTS {
        let metadata = json!({"unit": "NC", "document_type": "quyet_dinh", "subject": subject, "confidentiality": name}).to_string();
        let response = app.upload(&secret_clerk, &metadata, None).await;
        assert_eq!(response.status().as_u16(), 201);
        let id = response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let issued = app
            .client
            .post(app.url(&format!("/api/documents/{id}/issue")))
            .bearer_auth(&secret_clerk)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(issued.status().as_u16(), 200);
        ids.push((name, id));
    }
    let regular = app
        .upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(fixture(QUYET_DINH)),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let regular_id = regular["id"].as_str().unwrap().to_owned();

    for role in Role::ALL {
        for clearance in Confidentiality::ALL {
            let username = format!(
                "u.{}.{}",
                role.as_str(),
                clearance.as_str().replace('_', "")
            );
            let request = NewUserRequest {
                username: username.clone(),
                display_name: username.clone(),
                role,
                clearance,
                organ_id: None,
                unit: None,
                password: None,
            };
            app.services.create_user(request).await.unwrap();
            let token = app
                .services
                .create_api_token(&username, "test", None)
                .await
                .unwrap()
                .token;
            let bodies = everything_seen_by(&app, &token, &ids, &regular_id).await;
            let reads = role.may(vanthu::domain::Action::ReadDocuments);
            for (name, id) in &ids {
                let may_see = reads && clearance.covers(level(name));
                let seen = bodies.iter().any(|b| b.contains(id.as_str()));
                assert_eq!(
                    seen, may_see,
                    "{username}: document {name} visible={seen}, expected {may_see}"
                );
                let subject = SECRET_SUBJECTS.iter().find(|(n, _)| n == name).unwrap().1;
                let subject_seen = bodies.iter().any(|b| b.contains(subject));
                let subject_allowed = may_see && *name != "tuyet_mat";
                assert!(
                    !subject_seen || subject_allowed,
                    "{username}: the summary of the {name} document leaked"
                );
            }
        }
    }
}

/// Every response body the user gets from the document endpoints.
async fn everything_seen_by(
    app: &TestApp,
    token: &str,
    secret: &[(&str, String)],
    regular: &str,
) -> Vec<String> {
    app.services.index_pending().await.unwrap();
    let mut paths = vec![
        "/api/search?q=MAT".to_owned(),
        "/api/search?q=k%E1%BA%BF+ho%E1%BA%A1ch+di%E1%BB%85n+t%E1%BA%ADp".to_owned(),
        "/api/search?q=phuong+an+bao+ve+muc+tieu".to_owned(),
        "/api/register?from=2020-01-01&to=2030-12-31&format=csv".to_owned(),
        "/api/documents".to_owned(),
        "/api/documents?status=registered_stub".to_owned(),
        "/api/me".to_owned(),
        "/api/audit-log/verification".to_owned(),
        "/api/exemption-rules".to_owned(),
    ];
    for (_, id) in secret {
        paths.push(format!("/api/documents/{id}"));
        paths.push(format!("/api/documents/{id}/file"));
        paths.push(format!("/api/documents/{id}/copies"));
        paths.push(format!("/api/documents/{id}/related"));
    }
    paths.push(format!("/api/documents/{regular}"));
    let mut bodies = Vec::new();
    for path in paths {
        let response = app.get(token, &path).await;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        if path.ends_with("/file") {
            // A stub never has a file, whoever asks (403 for roles that read no documents).
            assert!(status == 404 || status == 403, "{path}: {status}");
        }
        bodies.push(body);
    }
    bodies
}
