//! Start-up probe: writes, reads, lists and removes a small object to learn what the bucket
//! really offers, so problems show in `/readyz` and the log instead of at the first upload.

use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use serde::Serialize;

use super::StorageKey;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StorageCapabilities {
    pub backend: String,
    pub writable: bool,
    pub readable: bool,
    pub listable: bool,
    /// Whether "create only if absent" puts are honoured. Garage does not offer them; the
    /// service never relies on them (content-addressed keys and the database give uniqueness).
    pub conditional_put: bool,
    pub error: Option<String>,
}

impl StorageCapabilities {
    pub fn is_ready(&self) -> bool {
        self.writable && self.readable && self.error.is_none()
    }
}

pub(super) async fn probe(store: &dyn ObjectStore, description: &str) -> StorageCapabilities {
    let mut caps = StorageCapabilities {
        backend: description.to_owned(),
        writable: false,
        readable: false,
        listable: false,
        conditional_put: false,
        error: None,
    };
    let name = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7());
    let path = StorageKey::Probe(name).to_path();
    let payload = b"vanthu storage probe".to_vec();
    if let Err(error) = store.put(&path, PutPayload::from(payload.clone())).await {
        caps.error = Some(format!("write failed: {error}"));
        return caps;
    }
    caps.writable = true;
    match store.get(&path).await {
        Ok(result) => match result.bytes().await {
            Ok(bytes) => caps.readable = bytes.as_ref() == payload.as_slice(),
            Err(error) => caps.error = Some(format!("read failed: {error}")),
        },
        Err(error) => caps.error = Some(format!("read failed: {error}")),
    }
    caps.listable = store
        .list_with_delimiter(Some(&StorageKey::Probe(String::new()).to_path()))
        .await
        .is_ok();
    let create_again = PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    // A store that honours Create must refuse to overwrite the probe object.
    caps.conditional_put = matches!(
        store
            .put_opts(&path, PutPayload::from(payload), create_again)
            .await,
        Err(object_store::Error::AlreadyExists { .. })
    );
    // The probe object is ours alone and not a stored document, so removing it is allowed.
    let _ = store.delete(&path).await;
    caps
}
