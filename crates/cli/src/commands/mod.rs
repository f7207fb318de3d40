pub mod backup;
pub mod connection;
pub mod daemon;
pub mod doctor;
pub mod key;
pub mod output;
pub mod restore;
pub mod schedule;
pub mod stats;
pub mod status;
pub mod storage;

/// A token cancelled by the first Ctrl-C, saying what it stops.
pub fn cancel_on_ctrl_c(what: &'static str) -> tokio_util::sync::CancellationToken {
    let cancel = tokio_util::sync::CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\ndbm: cancelling {what}…");
            on_signal.cancel();
        }
    });
    cancel
}
