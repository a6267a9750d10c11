//! The clerk's daily workflow through the API: draft → personal signature (server key, or
//! prepare/complete with the signer's own token) → number and agency signature → issued PDF
//! that independent validators accept.

use base64::Engine as _;
use openssl::hash::MessageDigest;
use openssl::sign::Signer;
use serde_json::{json, Value};

use crate::helpers::*;

pub(crate) async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A draft of `file`, assigned to the chairman (demo user `chutich`).
pub(crate) async fn draft(app: &TestApp, file: &str) -> String {
    let metadata = json!({"unit": "VX", "document_type": "quyet_dinh", "subject": "Về việc phê duyệt Kế hoạch năm 2027", "signer": "chutich"}).to_string();
    let response = app
        .upload(&app.token("clerk"), &metadata, Some(fixture(file)))
        .await;
    assert_eq!(response.status().as_u16(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn sign_and_issue(app: &TestApp, id: &str) -> Value {
    let signed = post(
        app,
        &app.token("signer"),
        &format!("/api/documents/{id}/personal-signature"),
        json!({}),
    )
    .await;
    assert_eq!(
        signed.status().as_u16(),
        200,
        "{}",
        signed.text().await.unwrap()
    );
    let issued = post(
        app,
        &app.token("clerk"),
        &format!("/api/documents/{id}/issue"),
        json!({"issue_date": "2027-01-05", "location": "Bình An"}),
    )
    .await;
    assert_eq!(
        issued.status().as_u16(),
        200,
        "{}",
        issued.text().await.unwrap()
    );
    issued.json().await.unwrap()
}

#[tokio::test]
async fn a_draft_goes_through_both_layers_and_numbering_to_a_valid_issued_pdf() {
    let app = spawn_app().await;
    let id = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    let signed: Value = post(
        &app,
        &app.token("signer"),
        &format!("/api/documents/{id}/personal-signature"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(signed["status"], "signed_personal");
    assert_eq!(signed["file"]["kind"], "signed_personal");
    let issued = post(
        &app,
        &app.token("clerk"),
        &format!("/api/documents/{id}/issue"),
        json!({"issue_date": "2027-01-05"}),
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    assert_eq!(issued["number"], "01/QĐ-UBND");
    assert_eq!(issued["document"]["status"], "issued");
    assert_eq!(issued["document"]["number"], "01/QĐ-UBND");
    assert!(issued["warnings"].as_array().unwrap().is_empty());

    let pdf = app
        .get(&app.token("staff"), &format!("/api/documents/{id}/file"))
        .await
        .bytes()
        .await
        .unwrap();
    let draft_bytes = fixture("tests/fixtures/pdf/quyet-dinh.pdf");
    assert!(
        pdf.starts_with(&draft_bytes),
        "the draft's bytes are kept verbatim"
    );
    let roots = vanthu::verify::TrustAnchors::from_pem_files(&[
        app.credentials.pki.root_ca.as_path(),
        app.credentials.pki.issuing_ca.as_path(),
    ])
    .unwrap();
    let report = vanthu::verify::verify_pdf(
        &pdf,
        &vanthu::verify::VerifyOptions {
            trust: roots,
            at: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        report.valid,
        "{}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(report.signatures.len(), 2);
    if crate::signing::oracles_available() {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::signing::write_temp(dir.path(), "issued.pdf", &pdf);
        let results = crate::signing::pyhanko_with(
            &path,
            &app.credentials.pki.root_ca,
            &app.credentials.pki.issuing_ca,
        );
        assert!(
            results.iter().all(|s| s["bottom_line"] == true),
            "{results:?}"
        );
    }
    let actions: Vec<String> = app
        .services
        .store
        .list_audit_events(Some(id.parse().unwrap()))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for expected in [
        "document.registered",
        "document.signed_personal",
        "document.issued",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn numbers_follow_each_other_without_gaps_even_when_issued_concurrently() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        let id = draft(&app, "tests/fixtures/pdf/cong-van.pdf").await;
        let signed = post(
            &app,
            &app.token("signer"),
            &format!("/api/documents/{id}/personal-signature"),
            json!({}),
        )
        .await;
        assert_eq!(signed.status().as_u16(), 200);
        ids.push(id);
    }
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = ids
        .iter()
        .cloned()
        .map(|id| {
            let app = app.clone();
            tokio::spawn(async move {
                post(
                    &app,
                    &app.token("clerk"),
                    &format!("/api/documents/{id}/issue"),
                    json!({"issue_date": "2027-03-10"}),
                )
                .await
                .json::<Value>()
                .await
                .unwrap()
            })
        })
        .collect();
    let mut numbers: Vec<String> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap()["number"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    assert_eq!(
        numbers,
        [
            "01/QĐ-UBND",
            "02/QĐ-UBND",
            "03/QĐ-UBND",
            "04/QĐ-UBND",
            "05/QĐ-UBND",
            "06/QĐ-UBND"
        ]
    );
}

#[tokio::test]
async fn the_legal_order_and_the_roles_are_enforced() {
    let app = spawn_app().await;
    let id = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    let sign_path = format!("/api/documents/{id}/personal-signature");
    let issue_path = format!("/api/documents/{id}/issue");
    // Issuing before the personal signature is refused and consumes no number.
    let (status, code, _) =
        error_of(post(&app, &app.token("clerk"), &issue_path, json!({})).await).await;
    assert_eq!((status, code.as_str()), (409, "conflict"));
    for role in ["clerk", "staff", "auditor", "admin"] {
        let (status, code, _) =
            error_of(post(&app, &app.token(role), &sign_path, json!({})).await).await;
        assert_eq!(
            (status, code.as_str()),
            (403, "forbidden"),
            "{role} signing"
        );
    }
    // The vice-chairman is a signer, but this draft is assigned to the chairman.
    let vice = app
        .services
        .create_api_token("phochutich", "test", None)
        .await
        .unwrap()
        .token;
    let (status, code, _) = error_of(post(&app, &vice, &sign_path, json!({})).await).await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    assert_eq!(
        post(&app, &app.token("signer"), &sign_path, json!({}))
            .await
            .status()
            .as_u16(),
        200
    );
    let (status, code, _) =
        error_of(post(&app, &app.token("signer"), &sign_path, json!({})).await).await;
    assert_eq!(
        (status, code.as_str()),
        (409, "conflict"),
        "layer 1 only once"
    );
    let (status, code, _) =
        error_of(post(&app, &app.token("signer"), &issue_path, json!({})).await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "forbidden"),
        "only a clerk issues"
    );
    let issued: Value = post(&app, &app.token("clerk"), &issue_path, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        issued["number"], "01/QĐ-UBND",
        "the refused attempt consumed no number"
    );
    let (status, code, _) =
        error_of(post(&app, &app.token("clerk"), &issue_path, json!({})).await).await;
    assert_eq!(
        (status, code.as_str()),
        (409, "conflict"),
        "issued only once"
    );
}

#[tokio::test]
async fn a_confidential_stub_is_numbered_in_its_own_sequence_without_a_file() {
    let app = spawn_app().await;
    let regular = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    sign_and_issue(&app, &regular).await;
    let metadata = json!({"unit": "NC", "document_type": "quyet_dinh", "subject": "Nội dung mật", "confidentiality": "mat"}).to_string();
    let stub: Value = app
        .upload(&app.token("clerk"), &metadata, None)
        .await
        .json()
        .await
        .unwrap();
    let id = stub["id"].as_str().unwrap();
    let issued: Value = post(
        &app,
        &app.token("clerk"),
        &format!("/api/documents/{id}/issue"),
        json!({"issue_date": "2027-01-05"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        issued["number"], "01/QĐ-UBND",
        "the confidential sequence starts at 01 too"
    );
    assert_eq!(issued["document"]["status"], "registered_stub");
    assert!(issued["document"]["file"].is_null());
    assert!(
        !issued["warnings"].as_array().unwrap().is_empty(),
        "same number and notation as the regular 01: warned"
    );
}

#[tokio::test]
async fn a_signer_held_token_signs_through_prepare_and_complete() {
    let app = spawn_app().await;
    let id = draft(&app, "tests/fixtures/pdf/ke-hoach.pdf").await;
    let prepare = || async {
        let response = post(
            &app,
            &app.token("signer"),
            &format!("/api/documents/{id}/personal-signature/prepare"),
            json!({}),
        )
        .await;
        assert_eq!(response.status().as_u16(), 201);
        response.json::<Value>().await.unwrap()
    };
    // The "token": the chairman's key, used only here, outside the service.
    let passphrase = std::fs::read_to_string(&app.credentials.pki.passphrase_file).unwrap();
    let key = vanthu::signing::engine::SigningKey::from_pkcs12_file(
        &app.credentials.pki.signers["chutich"],
        passphrase.trim(),
    )
    .unwrap();
    let sign = |attributes_b64: &str, key: &openssl::pkey::PKey<openssl::pkey::Private>| {
        let attributes = base64::engine::general_purpose::STANDARD
            .decode(attributes_b64)
            .unwrap();
        let mut signer = Signer::new(MessageDigest::sha256(), key).unwrap();
        signer.update(&attributes).unwrap();
        base64::engine::general_purpose::STANDARD.encode(signer.sign_to_vec().unwrap())
    };
    let session = prepare().await;
    assert_eq!(session["digest_to_sign"].as_str().unwrap().len(), 64);
    let complete_path = format!(
        "/api/signing-sessions/{}/complete",
        session["id"].as_str().unwrap()
    );

    // A signature by another key is refused with a clear code and changes nothing.
    let other = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
    let wrong = sign(session["signed_attributes"].as_str().unwrap(), &other);
    let (status, code, _) = error_of(
        post(
            &app,
            &app.token("signer"),
            &complete_path,
            json!({"signature": wrong}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "signature_mismatch"));
    let (status, code, _) = error_of(
        post(
            &app,
            &app.token("signer"),
            &complete_path,
            json!({"signature": "!!"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (400, "bad_request"));
    // Someone else cannot complete the chairman's session.
    let (status, _, _) = error_of(
        post(
            &app,
            &app.token("clerk"),
            &complete_path,
            json!({"signature": wrong}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);

    let good = sign(session["signed_attributes"].as_str().unwrap(), &key.key);
    let done: Value = post(
        &app,
        &app.token("signer"),
        &complete_path,
        json!({"signature": good}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(done["status"], "signed_personal");
    let (status, code, _) = error_of(
        post(
            &app,
            &app.token("signer"),
            &complete_path,
            json!({"signature": good}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (409, "conflict"),
        "a session completes once"
    );
    let issued: Value = post(
        &app,
        &app.token("clerk"),
        &format!("/api/documents/{id}/issue"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(issued["document"]["status"], "issued");
}

#[tokio::test]
async fn an_expired_signing_session_is_refused_with_410() {
    let (mut settings, temp) = embedded_settings();
    settings.server.signing_session_seconds = 1;
    let app = spawn_with(settings.resolve().unwrap(), Some(temp)).await;
    let id = draft(&app, "tests/fixtures/pdf/quyet-dinh.pdf").await;
    let session: Value = post(
        &app,
        &app.token("signer"),
        &format!("/api/documents/{id}/personal-signature/prepare"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let path = format!(
        "/api/signing-sessions/{}/complete",
        session["id"].as_str().unwrap()
    );
    let (status, code, _) = error_of(
        post(
            &app,
            &app.token("signer"),
            &path,
            json!({"signature": "AAAA"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (410, "session_expired"));
}
