//! Blocking work (SQLite, the keyring's D-Bus, file walks) off the async runtime.

use crate::model::{Code, Problem};

/// Runs blocking work on tokio's blocking pool.
pub async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        Problem::new(
            Code::InternalError,
            format!("A background task stopped unexpectedly: {e}."),
            "Try again; if it keeps happening, restart the app and report it.",
        )
    })?
}
