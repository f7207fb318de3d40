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

/// A length of time in words, to the largest whole unit: "45 seconds", "3 hours", "2 days".
pub fn human_duration(seconds: u64) -> String {
    let (count, unit) = match seconds {
        s if s < 120 => (s, "second"),
        s if s < 2 * 3600 => (s / 60, "minute"),
        s if s < 2 * 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

/// A duration as a user types it: `90m`, `26h`, `3d`, `1w`, or seconds (`45s`, `45`).
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => return None,
    };
    number.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_and_say() {
        assert_eq!(super::parse_duration("26h"), Some(26 * 3600));
        assert_eq!(super::parse_duration(" 3d "), Some(3 * 86_400));
        assert_eq!(super::parse_duration("90 min"), Some(5400));
        assert_eq!(super::parse_duration("45"), Some(45));
        assert_eq!(super::parse_duration("1w"), Some(604_800));
        for bad in ["", "h", "3x", "-3h", "1.5h", "99999999999999999999d"] {
            assert_eq!(super::parse_duration(bad), None, "{bad}");
        }
        assert_eq!(super::human_duration(45), "45 seconds");
        assert_eq!(super::human_duration(3 * 3600 + 5), "3 hours");
        assert_eq!(super::human_duration(3600), "60 minutes");
        assert_eq!(super::human_duration(86_400 * 3), "3 days");
        assert_eq!(super::human_duration(60), "60 seconds");
    }
}
