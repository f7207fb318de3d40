//! OS notifications. Sent off the async runtime and given up after 2 s: a frozen notification
//! daemon blocks `show()` forever (zbus has no call timeout).

use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(2);

/// Shows a notification; never blocks the caller more than the timeout; failures are logged.
pub async fn send(summary: String, body: String) -> bool {
    let shown = tokio::task::spawn_blocking(move || {
        notify_rust::Notification::new()
            .appname("DB Backup Manager")
            .summary(&summary)
            .body(&body)
            .icon("dialog-error")
            .show()
            .map(|_| ())
    });
    match tokio::time::timeout(TIMEOUT, shown).await {
        Ok(Ok(Ok(()))) => true,
        Ok(Ok(Err(error))) => {
            tracing::warn!(%error, "the notification could not be shown");
            false
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "the notification task failed");
            false
        }
        Err(_) => {
            tracing::warn!("the notification daemon did not answer within 2 s");
            false
        }
    }
}
