//! The one way to run CPU-heavy or blocking work (lopdf, openssl, hashing, argon2) off the
//! async runtime. The current tracing span follows the work, and a panic inside it becomes an
//! error instead of tearing down the request task.

use std::panic::AssertUnwindSafe;

#[derive(Debug, thiserror::Error)]
pub enum BlockingError {
    #[error("the blocking task panicked: {0}")]
    Panicked(String),
    #[error("the blocking task was cancelled")]
    Cancelled,
}

pub async fn run<F, T>(work: F) -> Result<T, BlockingError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    let handle = tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        std::panic::catch_unwind(AssertUnwindSafe(work))
    });
    match handle.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => Err(BlockingError::Panicked(panic_message(&panic))),
        Err(_) => Err(BlockingError::Cancelled),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_owned()
    }
}
