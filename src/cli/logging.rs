//! Logging setup: JSON lines by default (one object per event, ids as fields), or text.

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, ResolvedSettings};

/// `serve` logs at the configured level; one-shot commands only log warnings unless
/// RUST_LOG says otherwise, so their printed output stays readable.
pub fn init(settings: &ResolvedSettings, serving: bool) -> anyhow::Result<()> {
    let default_level = if serving {
        settings.log_level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default_level))
        .map_err(|e| anyhow::anyhow!("log.level '{default_level}' is not a valid filter: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match settings.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}
