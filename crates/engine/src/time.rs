//! Times are stored as UTC RFC 3339 text with milliseconds: sortable as text.

pub fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
