//! OS notifications. Sent off the async runtime and given up after 2 s: a frozen notification
//! daemon blocks `show()` forever (zbus has no call timeout).

use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(2);

/// Desktop daemons render a notification's body as markup (`<b>`, `<a href>`, entities): a
/// database, connection or error text must show as written, not as markup.
fn escape_markup(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Shows a notification; never blocks the caller more than the timeout; failures are logged.
pub async fn send(summary: String, body: String) -> bool {
    let body = escape_markup(&body);
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

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_a_body_shows_as_text() {
        assert_eq!(
            super::escape_markup("db <b>\"x\"</b> & 'y'"),
            "db &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; &#39;y&#39;"
        );
    }
}
