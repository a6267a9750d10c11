//! Building and running the service. `main` and every integration test go through
//! [`Application::build`], so tests exercise exactly what production runs (tests pass port 0
//! and temporary directories).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use search_index::ArchiveIndex;
use tokio::net::TcpListener;
use tokio::sync::RwLock;

use crate::app::bootstrap::{self, BootstrapOutcome, DemoCredentials};
use crate::app::{Limits, Services};
use crate::config::ResolvedSettings;
use crate::http::{self, AppState};
use crate::signing::font::FontProgram;
use crate::signing::keystore::KeyStore;
use crate::storage::{BlobStore, StorageCapabilities};

/// The service's backends, opened and checked: what `serve`, `init` and `migrate` share.
pub struct Backends {
    pub services: Services,
    pub storage_capabilities: StorageCapabilities,
    pub index: Arc<ArchiveIndex>,
    pub bootstrap: BootstrapOutcome,
}

/// Creates the data dir, opens and migrates the database, opens object storage and probes it,
/// opens (or creates) the search index, and seeds demo data into an empty database when the
/// settings ask for it.
pub async fn open_backends(settings: &ResolvedSettings) -> anyhow::Result<Backends> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("cannot create the data dir {}", settings.data_dir.display()))?;
    let store = crate::db::connect(settings).await.with_context(|| {
        format!(
            "cannot open the database ({})",
            settings.database.describe()
        )
    })?;
    let blobs = BlobStore::from_target(&settings.storage).context("cannot open object storage")?;
    let storage_capabilities = blobs.probe().await;
    if storage_capabilities.is_ready() {
        tracing::info!(capabilities = ?storage_capabilities, "object storage ready");
    } else {
        tracing::warn!(capabilities = ?storage_capabilities, "object storage is not ready");
    }
    let index_dir = settings.index_dir.clone();
    let index = crate::blocking::run(move || ArchiveIndex::open_or_create(&index_dir))
        .await?
        .with_context(|| {
            format!(
                "cannot open the search index in {}",
                settings.index_dir.display()
            )
        })?;
    tracing::info!(state = ?index.state(), dir = %settings.index_dir.display(), "search index opened");
    let limits = Limits {
        pdf_parse_timeout: Duration::from_secs(settings.pdf_parse_timeout_secs),
        session_hours: settings.session_hours,
        signing_session: chrono::Duration::seconds(i64::from(settings.signing_session_seconds)),
    };
    let keys = KeyStore::new(
        settings.pki_dir.clone(),
        settings.pki_passphrase_file.clone(),
    );
    let font = match FontProgram::system_serif() {
        Ok(font) => Some(font),
        Err(error) => {
            tracing::warn!(%error, "no serif font with Vietnamese glyphs: issuing will fail until one is installed");
            None
        }
    };
    let rules = crate::app::exemption::load_rules(settings.rules_file.as_deref())
        .context("cannot load the exemption rules")?;
    tracing::info!(rules = rules.rules.len(), file = ?settings.rules_file, "exemption rules loaded");
    let index = Arc::new(index);
    let revocation = settings
        .verify
        .revocation_options()
        .context("cannot load the [verify] CRL / OCSP files")?;
    tracing::info!(mode = ?revocation.mode, cache = %settings.verify.cache_dir.display(), "revocation checking");
    let services = Services::new(store, blobs, limits, keys, font, rules, index.clone())
        .with_revocation(revocation);
    let bootstrap = if settings.demo_data {
        bootstrap::ensure_initialized(&services, &settings.data_dir, &settings.pki_dir)
            .await
            .context("cannot create the demo data")?
    } else {
        BootstrapOutcome::AlreadyInitialized(None)
    };
    if index.state() != search_index::IndexState::Current {
        let rebuilt = services
            .rebuild_index(|_, _| {})
            .await
            .context("cannot rebuild the search index")?;
        tracing::info!(
            documents = rebuilt,
            "search index rebuilt from the database"
        );
    }
    Ok(Backends {
        services,
        storage_capabilities,
        index,
        bootstrap,
    })
}

pub struct Application {
    checkpoint_every: Duration,
    /// `None`: scheduled re-validation is off.
    revalidate_every: Option<Duration>,
    listener: TcpListener,
    router: axum::Router,
    local_addr: SocketAddr,
    services: Services,
    bootstrap: BootstrapOutcome,
}

impl Application {
    pub async fn build(settings: ResolvedSettings) -> anyhow::Result<Application> {
        let backends = open_backends(&settings).await?;
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let local_addr = listener.local_addr()?;
        let state = AppState {
            services: backends.services.clone(),
            storage_capabilities: Arc::new(RwLock::new(backends.storage_capabilities)),
            index_description: Arc::from(format!(
                "tantivy {}",
                backends.index.directory().display()
            )),
            metrics: http::prometheus_handle(),
            max_upload_bytes: settings.max_upload_bytes,
        };
        let router = http::router(state, Duration::from_secs(settings.request_timeout_secs));
        Ok(Application {
            checkpoint_every: Duration::from_secs(settings.audit_checkpoint_secs),
            revalidate_every: (settings.revalidation_interval_secs > 0)
                .then(|| Duration::from_secs(settings.revalidation_interval_secs)),
            listener,
            router,
            local_addr,
            services: backends.services,
            bootstrap: backends.bootstrap,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// The demo credentials when this data dir holds them.
    pub fn demo_credentials(&self) -> Option<&DemoCredentials> {
        match &self.bootstrap {
            BootstrapOutcome::Created(credentials) => Some(credentials),
            BootstrapOutcome::AlreadyInitialized(credentials) => credentials.as_deref(),
        }
    }

    pub fn created_demo_data(&self) -> bool {
        matches!(self.bootstrap, BootstrapOutcome::Created(_))
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting and lets running requests finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let checkpoints = tokio::spawn(checkpoint_audit_chain(
            self.services.clone(),
            self.checkpoint_every,
        ));
        let indexer = tokio::spawn(feed_search_index(self.services.clone()));
        let revalidation = self
            .revalidate_every
            .map(|every| tokio::spawn(revalidate_documents(self.services.clone(), every)));
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("the HTTP server failed");
        checkpoints.abort();
        indexer.abort();
        if let Some(task) = revalidation {
            task.abort();
        }
        served
    }
}

/// Re-validates every issued document at a fixed interval, the first run one interval after
/// start (a restart loop must not turn into a verification storm).
async fn revalidate_documents(services: Services, every: Duration) {
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticker.tick().await;
        match services.revalidate_documents().await {
            Ok(summary) => tracing::info!(
                checked = summary.checked,
                changed = summary.changed,
                non_compliant = summary.non_compliant,
                "documents re-validated"
            ),
            Err(error) => tracing::warn!(%error, "scheduled re-validation failed"),
        }
    }
}

/// This node's one index writer: follows the database's search outbox.
async fn feed_search_index(services: Services) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    loop {
        ticker.tick().await;
        if let Err(error) = services.index_pending().await {
            tracing::warn!(%error, "search indexing failed; retrying");
        }
    }
}

/// Writes the audit chain's head to object storage at a fixed interval, so a rewritten log
/// tail is detected against a record the database cannot change.
async fn checkpoint_audit_chain(services: Services, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match services.checkpoint_audit_chain().await {
            Ok(Some(checkpoint)) => {
                tracing::debug!(seq = checkpoint.seq, "audit chain checkpointed")
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "audit chain checkpoint failed"),
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing running requests");
}
