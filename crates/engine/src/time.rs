//! Times are stored as UTC RFC 3339 text with milliseconds: sortable as text.

use chrono::{DateTime, SecondsFormat, Utc};

pub fn now_utc() -> String {
    to_text(Utc::now())
}

/// An instant as stored.
pub fn to_text(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A stored instant; None for text that is not RFC 3339.
pub fn from_text(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub type Instant = DateTime<Utc>;

/// Now, for callers that do not depend on chrono themselves.
pub fn now() -> Instant {
    Utc::now()
}
