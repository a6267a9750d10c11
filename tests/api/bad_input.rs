//! Every kind of bad input gets a 4xx with a stable code and a readable message, and leaves
//! nothing behind: no document row, no stored object.

use crate::helpers::*;

struct Case {
    name: &'static str,
    role: &'static str,
    metadata: Option<String>,
    file: Option<Vec<u8>>,
    status: u16,
    code: &'static str,
}

fn metadata_with(change: impl FnOnce(&mut serde_json::Value)) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(&draft_metadata("VX")).unwrap();
    change(&mut value);
    Some(value.to_string())
}

fn cases() -> Vec<Case> {
    let pdf = fixture(QUYET_DINH);
    let truncated = pdf[..pdf.len() / 2].to_vec();
    let mut garbage = b"%PDF-1.7\n".to_vec();
    garbage.extend(std::iter::repeat_n(b'<', 20_000));
    garbage.extend_from_slice(b"\n%%EOF\n");
    let good = || Some(draft_metadata("VX"));
    vec![
        Case {
            name: "not a PDF",
            role: "clerk",
            metadata: good(),
            file: Some(b"Hello, this is a Word file".to_vec()),
            status: 415,
            code: "not_pdf",
        },
        Case {
            name: "truncated PDF",
            role: "clerk",
            metadata: good(),
            file: Some(truncated),
            status: 422,
            code: "invalid_pdf",
        },
        Case {
            name: "unparseable PDF",
            role: "clerk",
            metadata: good(),
            file: Some(garbage),
            status: 422,
            code: "invalid_pdf",
        },
        Case {
            name: "encrypted PDF",
            role: "clerk",
            metadata: good(),
            file: Some(fixture("tests/fixtures/pdf/quyet-dinh.encrypted.pdf")),
            status: 422,
            code: "encrypted_pdf",
        },
        Case {
            name: "owner-password PDF",
            role: "clerk",
            metadata: good(),
            file: Some(fixture("tests/fixtures/pdf/cong-van.owner-password.pdf")),
            status: 422,
            code: "encrypted_pdf",
        },
        Case {
            name: "missing metadata",
            role: "clerk",
            metadata: None,
            file: Some(pdf.clone()),
            status: 422,
            code: "invalid_metadata",
        },
        Case {
            name: "metadata not JSON",
            role: "clerk",
            metadata: Some("{unit: VX".into()),
            file: Some(pdf.clone()),
            status: 422,
            code: "invalid_metadata",
        },
        Case {
            name: "subject too long",
            role: "clerk",
            metadata: metadata_with(|m| m["subject"] = "a".repeat(501).into()),
            file: Some(pdf.clone()),
            status: 422,
            code: "invalid_metadata",
        },
        Case {
            name: "unknown document type",
            role: "clerk",
            metadata: metadata_with(|m| m["document_type"] = "memo".into()),
            file: Some(pdf.clone()),
            status: 422,
            code: "invalid_metadata",
        },
        Case {
            name: "unknown field",
            role: "clerk",
            metadata: metadata_with(|m| m["colour"] = "red".into()),
            file: Some(pdf.clone()),
            status: 422,
            code: "invalid_metadata",
        },
        Case {
            name: "unknown signer",
            role: "clerk",
            metadata: metadata_with(|m| m["signer"] = "vanthu".into()),
            file: Some(pdf.clone()),
            status: 422,
            code: "invalid_metadata",
        },
        Case {
            name: "unknown agency",
            role: "clerk",
            metadata: metadata_with(|m| m["organ_id"] = "000.00.00.Z99".into()),
            file: Some(pdf.clone()),
            status: 422,
            code: "unknown_agency",
        },
        Case {
            name: "unknown unit",
            role: "clerk",
            metadata: metadata_with(|m| m["unit"] = "XYZ".into()),
            file: Some(pdf.clone()),
            status: 422,
            code: "unknown_unit",
        },
        Case {
            name: "missing file",
            role: "clerk",
            metadata: good(),
            file: None,
            status: 400,
            code: "bad_request",
        },
        Case {
            name: "confidential with a file",
            role: "clerk",
            metadata: metadata_with(|m| m["confidentiality"] = "mat".into()),
            file: Some(pdf.clone()),
            status: 422,
            code: "confidential_file_refused",
        },
        Case {
            name: "clearance below the level",
            role: "clerk",
            metadata: metadata_with(|m| m["confidentiality"] = "tuyet_mat".into()),
            file: None,
            status: 403,
            code: "forbidden",
        },
        Case {
            name: "wrong role (staff)",
            role: "staff",
            metadata: good(),
            file: Some(pdf.clone()),
            status: 403,
            code: "forbidden",
        },
        Case {
            name: "wrong role (admin)",
            role: "admin",
            metadata: good(),
            file: Some(pdf),
            status: 403,
            code: "forbidden",
        },
    ]
}

#[tokio::test]
async fn each_bad_upload_gets_its_code_and_writes_nothing() {
    let app = spawn_app().await;
    for case in cases() {
        let token = app.token(case.role);
        let response = match &case.metadata {
            Some(metadata) => app.upload(&token, metadata, case.file.clone()).await,
            None => {
                let part =
                    reqwest::multipart::Part::bytes(case.file.clone().unwrap()).file_name("a.pdf");
                let form = reqwest::multipart::Form::new().part("file", part);
                app.client
                    .post(app.url("/api/documents"))
                    .bearer_auth(&token)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let (status, code, message) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (case.status, case.code),
            "{}: {message}",
            case.name
        );
        assert_eq!(
            app.document_count().await,
            0,
            "{}: no document row",
            case.name
        );
        assert_eq!(app.blob_count().await, 0, "{}: no stored object", case.name);
    }
}

#[tokio::test]
async fn unknown_or_missing_tokens_are_refused() {
    let app = spawn_app().await;
    let metadata = draft_metadata("VX");
    let (status, code, _) = error_of(
        app.upload("vt_0000", &metadata, Some(fixture(QUYET_DINH)))
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (401, "unauthenticated"));
    let anonymous = app
        .client
        .get(app.url("/api/documents"))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_of(anonymous).await;
    assert_eq!((status, code.as_str()), (401, "unauthenticated"));
    let malformed = app
        .client
        .get(app.url("/api/documents"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(malformed).await.0, 401);
    assert_eq!(app.document_count().await, 0);
}

#[tokio::test]
async fn an_upload_over_the_size_limit_is_refused_with_413() {
    let (mut settings, temp) = embedded_settings();
    settings.server.max_upload_bytes = 20 * 1024;
    let app = spawn_with(settings.resolve().unwrap(), Some(temp)).await;
    let (status, code, _) = error_of(
        app.upload(
            &app.token("clerk"),
            &draft_metadata("VX"),
            Some(fixture(QUYET_DINH)),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (413, "payload_too_large"));
    assert_eq!(app.document_count().await, 0);
    assert_eq!(app.blob_count().await, 0);
}

#[tokio::test]
async fn a_json_body_instead_of_multipart_is_a_bad_request() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/documents"))
        .bearer_auth(app.token("clerk"))
        .json(&serde_json::json!({"unit": "VX"}))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_of(response).await;
    assert_eq!((status, code.as_str()), (400, "bad_request"));
}

#[tokio::test]
async fn hostile_pdfs_are_refused_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let hostile: Vec<(&str, Vec<u8>)> = vec![
        (
            "deeply nested arrays",
            hostile_pdf(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))),
        ),
        ("page tree cycle", cyclic_page_tree()),
        (
            "huge object number",
            hostile_pdf("<< /Type /Catalog /Pages 999999999 0 R >>"),
        ),
    ];
    for (name, bytes) in hostile {
        let response = app
            .upload(&app.token("clerk"), &draft_metadata("VX"), Some(bytes))
            .await;
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{name}: got {status}");
    }
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(app.document_count().await, 0);
}

/// A one-object PDF whose catalog body is `body`, with a correct xref table.
fn hostile_pdf(body: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let offset = out.len();
    out.extend_from_slice(format!("1 0 obj\n{body}\nendobj\n").as_bytes());
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 2\n0000000000 65535 f \n{offset:010} 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

/// Pages whose /Kids point back to themselves.
fn cyclic_page_tree() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Pages /Kids [2 0 R 3 0 R] /Parent 2 0 R /Count 1 >>",
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (index, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", index + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
