//! Generated contracts under schemas/ must match what the code generates (run
//! `cargo run -- write-schemas` after changing the API), and the golden examples must
//! validate against them.

use crate::helpers::*;

#[test]
fn committed_schemas_match_the_generated_ones() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for (relative, generated) in vanthu::cli::generated_schema_files() {
        let committed = std::fs::read_to_string(root.join(relative)).unwrap_or_default();
        assert!(
            committed == generated,
            "schemas/{relative} is stale: run `cargo run -- write-schemas`"
        );
    }
}

#[test]
fn golden_metadata_examples_validate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/examples");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("schemas/json/draft-metadata.v1.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let instance: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let valid = validator.is_valid(&instance);
        if name.starts_with("draft-metadata.valid") {
            assert!(valid, "{name} must validate");
            seen += 1;
        } else if name.starts_with("draft-metadata.invalid") {
            assert!(!valid, "{name} must not validate");
            seen += 1;
        }
    }
    assert!(seen >= 3);
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let app = spawn_app().await;
    let served = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);
    let served: serde_json::Value = served.json().await.unwrap();
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/openapi/vanthu.v1.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(served, committed);
    assert_eq!(served["openapi"], "3.1.0");
    for path in [
        "/api/documents",
        "/api/documents/{id}",
        "/api/documents/{id}/file",
        "/healthz",
        "/readyz",
    ] {
        assert!(served["paths"][path].is_object(), "{path} documented");
    }
}
