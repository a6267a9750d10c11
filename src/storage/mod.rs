//! Object storage for every file the service keeps. This module is the only one that knows
//! `object_store`. Files are content-addressed (the key is derived from the SHA-256 of the
//! bytes) and written once: writing the same bytes again is a no-op, and nothing here
//! overwrites or deletes a stored file. The database row that points to a file is written
//! only after the object is in place.

mod keys;
mod probe;

use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};

use crate::config::{S3Target, StorageTarget};

pub use keys::{ContentHash, StorageKey};
pub use probe::StorageCapabilities;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("object {0} not found")]
    NotFound(String),
    #[error("object {key} holds different bytes than its key promises")]
    Corrupted { key: String },
    #[error("cannot configure object storage: {0}")]
    Configuration(String),
    #[error("object storage failed: {0}")]
    Backend(#[from] object_store::Error),
}

/// A stored blob: its hash (and thus its key) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub hash: ContentHash,
    pub size: u64,
}

#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    description: String,
}

impl BlobStore {
    pub fn from_target(target: &StorageTarget) -> Result<Self, StorageError> {
        match target {
            StorageTarget::Local { root } => {
                std::fs::create_dir_all(root).map_err(|e| {
                    StorageError::Configuration(format!("cannot create {}: {e}", root.display()))
                })?;
                let store = LocalFileSystem::new_with_prefix(root)?;
                Ok(Self {
                    inner: Arc::new(store),
                    description: format!("local {}", root.display()),
                })
            }
            StorageTarget::S3(s3) => Self::s3(s3),
        }
    }

    fn s3(target: &S3Target) -> Result<Self, StorageError> {
        let store = AmazonS3Builder::new()
            .with_endpoint(&target.endpoint)
            .with_bucket_name(&target.bucket)
            .with_region(&target.region)
            .with_access_key_id(target.access_key_id.expose())
            .with_secret_access_key(target.secret_access_key.expose())
            .with_virtual_hosted_style_request(!target.path_style)
            .with_allow_http(target.allow_http)
            .build()?;
        let description = format!("s3 {}/{}", target.endpoint, target.bucket);
        let inner: Arc<dyn ObjectStore> = if target.prefix.is_empty() {
            Arc::new(store)
        } else {
            Arc::new(PrefixStore::new(store, target.prefix.as_str()))
        };
        Ok(Self { inner, description })
    }

    /// Where the objects go, for logs and `/readyz` (never includes credentials).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Hashes `bytes` and stores them under their content key unless an object with that key
    /// already exists. Hashing runs on a blocking thread: PDFs can be tens of megabytes.
    pub async fn put_blob(&self, bytes: Bytes) -> Result<StoredBlob, StorageError> {
        let size = bytes.len() as u64;
        let (hash, bytes) = tokio::task::spawn_blocking(move || (ContentHash::of(&bytes), bytes))
            .await
            .map_err(|e| StorageError::Configuration(format!("hashing task failed: {e}")))?;
        let key = StorageKey::Blob(hash.clone());
        let path = key.to_path();
        match self.inner.head(&path).await {
            Ok(meta) if meta.size == size => return Ok(StoredBlob { hash, size }),
            Ok(_) => {
                return Err(StorageError::Corrupted {
                    key: path.to_string(),
                })
            }
            Err(object_store::Error::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
        self.inner.put(&path, PutPayload::from(bytes)).await?;
        Ok(StoredBlob { hash, size })
    }

    /// Reads a blob back and checks that its bytes still hash to its key.
    pub async fn get_blob(&self, hash: &ContentHash) -> Result<Bytes, StorageError> {
        let key = StorageKey::Blob(hash.clone());
        let bytes = self.get(&key).await?;
        let expected = hash.clone();
        let verified = tokio::task::spawn_blocking(move || {
            let ok = ContentHash::of(&bytes) == expected;
            (ok, bytes)
        })
        .await
        .map_err(|e| StorageError::Configuration(format!("hashing task failed: {e}")))?;
        match verified {
            (true, bytes) => Ok(bytes),
            (false, _) => Err(StorageError::Corrupted {
                key: key.to_path().to_string(),
            }),
        }
    }

    pub async fn blob_exists(&self, hash: &ContentHash) -> Result<bool, StorageError> {
        match self
            .inner
            .head(&StorageKey::Blob(hash.clone()).to_path())
            .await
        {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(other) => Err(other.into()),
        }
    }

    /// Every blob hash in the store (used by tests and consistency checks).
    pub async fn list_blobs(&self) -> Result<Vec<ContentHash>, StorageError> {
        use futures::TryStreamExt;
        let prefix = StorageKey::blob_prefix();
        let metas: Vec<_> = self.inner.list(Some(&prefix)).try_collect().await?;
        Ok(metas
            .iter()
            .filter_map(|meta| StorageKey::parse_blob_path(&meta.location))
            .collect())
    }

    async fn get(&self, key: &StorageKey) -> Result<Bytes, StorageError> {
        let path = key.to_path();
        match self.inner.get(&path).await {
            Ok(result) => Ok(result.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => {
                Err(StorageError::NotFound(path.to_string()))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Writes a small JSON document once under `key`; an existing object is left as it is.
    pub async fn put_once_json(
        &self,
        key: &StorageKey,
        value: &serde_json::Value,
    ) -> Result<(), StorageError> {
        let path = key.to_path();
        match self.inner.head(&path).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
        let bytes =
            serde_json::to_vec(value).map_err(|e| StorageError::Configuration(e.to_string()))?;
        self.inner.put(&path, PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Every JSON document under `prefix`, parsed (unparseable ones are skipped).
    pub async fn list_json(
        &self,
        prefix: &object_store::path::Path,
    ) -> Result<Vec<serde_json::Value>, StorageError> {
        use futures::TryStreamExt;
        let metas: Vec<_> = self.inner.list(Some(prefix)).try_collect().await?;
        let mut documents = Vec::with_capacity(metas.len());
        for meta in metas {
            let bytes = self.inner.get(&meta.location).await?.bytes().await?;
            if let Ok(value) = serde_json::from_slice(&bytes) {
                documents.push(value);
            }
        }
        Ok(documents)
    }

    /// Checks what the backend offers; see [`StorageCapabilities`].
    pub async fn probe(&self) -> StorageCapabilities {
        probe::probe(self.inner.as_ref(), &self.description).await
    }
}

impl ContentHash {
    pub fn of(bytes: &[u8]) -> ContentHash {
        let digest = Sha256::digest(bytes);
        ContentHash::from_digest(digest.into())
    }
}
