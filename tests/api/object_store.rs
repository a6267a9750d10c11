//! One conformance suite for object storage, run against the local filesystem store and
//! against Garage over HTTP.

use bytes::Bytes;
use vanthu::config::StorageTarget;
use vanthu::storage::{BlobStore, ContentHash, StorageError};

use crate::helpers::s3_target;

#[tokio::test]
async fn the_local_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::from_target(&StorageTarget::Local {
        root: dir.path().to_path_buf(),
    })
    .unwrap();
    run_suite(&store).await;

    // A file changed on disk behind our back is detected on read.
    let hash = store
        .put_blob(Bytes::from_static(b"original bytes"))
        .await
        .unwrap()
        .hash;
    let hex = hash.to_hex();
    let path = dir.path().join("blobs/sha256").join(&hex[..2]).join(&hex);
    std::fs::write(&path, b"tampered bytes").unwrap();
    assert!(matches!(
        store.get_blob(&hash).await,
        Err(StorageError::Corrupted { .. })
    ));
}

#[tokio::test]
async fn garage_over_http_passes_the_conformance_suite() {
    let Some(target) = s3_target() else { return };
    let store = BlobStore::from_target(&StorageTarget::S3(target)).unwrap();
    assert!(store.description().starts_with("s3 http://"));
    run_suite(&store).await;
}

async fn run_suite(store: &BlobStore) {
    let capabilities = store.probe().await;
    assert!(capabilities.is_ready(), "{capabilities:?}");
    assert!(capabilities.listable);

    let small = Bytes::from("Quyết định số 15/QĐ-UBND".as_bytes().to_vec());
    let stored = store.put_blob(small.clone()).await.unwrap();
    assert_eq!(stored.size, small.len() as u64);
    assert_eq!(stored.hash, ContentHash::of(&small));
    assert_eq!(store.get_blob(&stored.hash).await.unwrap(), small);
    assert!(store.blob_exists(&stored.hash).await.unwrap());

    // Writing the same bytes again is a no-op that returns the same key.
    assert_eq!(store.put_blob(small.clone()).await.unwrap(), stored);

    // A multi-megabyte file (S3 multipart threshold territory) round-trips byte-identical.
    let large: Vec<u8> = (0..6 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let large = Bytes::from(large);
    let large_stored = store.put_blob(large.clone()).await.unwrap();
    assert_eq!(store.get_blob(&large_stored.hash).await.unwrap(), large);

    let listed = store.list_blobs().await.unwrap();
    assert!(listed.contains(&stored.hash) && listed.contains(&large_stored.hash));
    assert_eq!(
        listed.len(),
        2,
        "the probe object is not a blob and is removed"
    );

    let missing = ContentHash::of(b"never stored");
    assert!(!store.blob_exists(&missing).await.unwrap());
    assert!(matches!(
        store.get_blob(&missing).await,
        Err(StorageError::NotFound(_))
    ));
}
