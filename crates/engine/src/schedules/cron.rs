//! Cron patterns in a time zone: validated at the edge, next runs computed with croner in the
//! zone (DST gaps run once at the first valid instant; a fixed time in a repeated hour runs
//! once; an interval pattern runs on real time, so twice in a repeated hour), plain words.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

use crate::model::{Code, Problem};

/// A validated pattern and the zone it runs in.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    pub pattern: String,
    cron: Cron,
    pub zone: Tz,
}

/// The presets users type, as croner reads them.
pub const PRESETS: [(&str, &str); 6] = [
    ("@hourly", "0 * * * *"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@weekly", "0 0 * * 0"),
    ("@monthly", "0 0 1 * *"),
    ("@yearly", "0 0 1 1 *"),
];

impl CronSchedule {
    /// Parses a 5-field (minute) or 6-field (second first) pattern or a preset, in `zone`;
    /// refuses a pattern that never fires.
    pub fn parse(pattern: &str, zone: &str) -> Result<CronSchedule, Problem> {
        let zone = parse_zone(zone)?;
        let trimmed = pattern.trim();
        let expanded = PRESETS
            .iter()
            .find(|(preset, _)| preset.eq_ignore_ascii_case(trimmed))
            .map_or(trimmed, |(_, pattern)| pattern);
        let fields = expanded.split_whitespace().count();
        if trimmed.is_empty() {
            return Err(invalid_cron(pattern, "it is empty"));
        }
        if !(5..=6).contains(&fields) {
            return Err(invalid_cron(
                pattern,
                &format!("it has {fields} fields; a pattern has 5 (minute hour day month weekday) or 6 (seconds first)"),
            ));
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .year(Year::Disallowed)
            .build()
            .parse(expanded)
            .map_err(|e| invalid_cron(pattern, &e.to_string()))?;
        let schedule = CronSchedule {
            pattern: trimmed.to_string(),
            cron,
            zone,
        };
        // A pattern can parse and still never fire (30 February): prove one run exists.
        schedule.next_after(Utc::now()).ok_or_else(|| {
            invalid_cron(
                pattern,
                "it never fires (no date matches it, like the 30th of February)",
            )
        })?;
        Ok(schedule)
    }

    /// The first run strictly after `instant`.
    pub fn next_after(&self, instant: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = instant.with_timezone(&self.zone);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|next| next.with_timezone(&Utc))
    }

    /// The next `count` runs after `instant`.
    pub fn next_runs(&self, instant: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        let mut runs = Vec::with_capacity(count);
        let mut from = instant;
        while runs.len() < count {
            match self.next_after(from) {
                Some(next) => {
                    runs.push(next);
                    from = next;
                }
                None => break,
            }
        }
        runs
    }

    /// The pattern in plain words: "at 03:00, every day".
    pub fn describe(&self) -> String {
        describe(&self.pattern).unwrap_or_else(|| self.cron.describe())
    }
}

fn invalid_cron(pattern: &str, why: &str) -> Problem {
    Problem::new(
        Code::InvalidCron,
        format!("\"{}\" is not a usable schedule: {why}.", crate::model::excerpt(pattern.trim())),
        "Use 5 fields (minute hour day month weekday), e.g. \"30 2 * * *\" for 02:30 every day, or a preset: @hourly, @daily, @weekly, @monthly.",
    )
}

/// An IANA zone by name; an unknown one is refused with the closest names suggested.
pub fn parse_zone(name: &str) -> Result<Tz, Problem> {
    let trimmed = name.trim();
    if let Ok(zone) = Tz::from_str(trimmed) {
        return Ok(zone);
    }
    if let Some(zone) = chrono_tz::TZ_VARIANTS
        .iter()
        .find(|z| z.name().eq_ignore_ascii_case(trimmed))
    {
        return Ok(*zone);
    }
    let suggestions = closest_zones(trimmed, 3);
    Err(Problem::new(
        Code::InvalidTimezone,
        format!("\"{}\" is not a time zone.", crate::model::excerpt(trimmed)),
        if suggestions.is_empty() {
            "Use an IANA zone name such as Europe/Berlin or America/New_York.".to_string()
        } else {
            format!("Did you mean {}?", suggestions.join(", "))
        },
    ))
}

/// This machine's zone: `TZ`, else /etc/timezone, else the /etc/localtime link; UTC when
/// none names an IANA zone.
pub fn local_zone() -> Tz {
    let from_env = std::env::var("TZ")
        .ok()
        .map(|tz| tz.trim_start_matches(':').to_string());
    let from_file = || {
        std::fs::read_to_string("/etc/timezone")
            .ok()
            .map(|text| text.trim().to_string())
    };
    let from_link = || {
        std::fs::read_link("/etc/localtime")
            .ok()
            .and_then(|target| {
                let target = target.to_string_lossy().into_owned();
                target
                    .split_once("zoneinfo/")
                    .map(|(_, zone)| zone.to_string())
            })
    };
    [from_env, from_file(), from_link()]
        .into_iter()
        .flatten()
        .find_map(|name| Tz::from_str(name.trim()).ok())
        .unwrap_or(Tz::UTC)
}

fn closest_zones(name: &str, count: usize) -> Vec<&'static str> {
    let wanted = name.to_ascii_lowercase();
    let city = wanted.rsplit('/').next().unwrap_or(&wanted).to_string();
    let mut scored: Vec<(usize, &'static str)> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|zone| {
            let candidate = zone.name().to_ascii_lowercase();
            let candidate_city = candidate
                .rsplit('/')
                .next()
                .unwrap_or(&candidate)
                .to_string();
            (
                edit_distance(&wanted, &candidate).min(edit_distance(&city, &candidate_city) + 1),
                zone.name(),
            )
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(count)
        .map(|(_, name)| name)
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Plain words for the common shapes; None for the rest (croner's own text is used then).
fn describe(pattern: &str) -> Option<String> {
    let lower = pattern.trim().to_ascii_lowercase();
    let preset = match lower.as_str() {
        "@hourly" => Some("every hour, on the hour"),
        "@daily" | "@midnight" => Some("at 00:00, every day"),
        "@weekly" => Some("at 00:00, every Sunday"),
        "@monthly" => Some("at 00:00, on the 1st of every month"),
        "@yearly" => Some("at 00:00, on the 1st of January"),
        _ => None,
    };
    if let Some(text) = preset {
        return Some(text.to_string());
    }
    let fields: Vec<&str> = lower.split_whitespace().collect();
    let (seconds, rest) = match fields.len() {
        5 => (None, &fields[..]),
        6 => (Some(fields[0]), &fields[1..]),
        _ => return None,
    };
    let [minute, hour, day, month, weekday] = [rest[0], rest[1], rest[2], rest[3], rest[4]];
    if let Some(seconds) = seconds {
        if let Some(step) = seconds.strip_prefix("*/") {
            if [minute, hour, day, month, weekday]
                .iter()
                .all(|f| *f == "*")
            {
                return Some(format!("every {step} seconds"));
            }
        }
        if seconds != "0" {
            return None;
        }
    }
    if month != "*" {
        return None;
    }
    let when = match (minute.parse::<u32>(), hour.parse::<u32>()) {
        (Ok(m), Ok(h)) => format!("at {h:02}:{m:02}"),
        (Ok(m), Err(_)) if hour == "*" => format!("every hour at minute {m}"),
        (Err(_), Err(_)) if hour == "*" => match minute.strip_prefix("*/") {
            Some(step) => format!("every {step} minutes"),
            None if minute == "*" => "every minute".to_string(),
            None => return None,
        },
        _ => return None,
    };
    let days = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    let on = match (day, weekday) {
        ("*", "*") => "every day".to_string(),
        ("*", "1-5") => "Monday to Friday".to_string(),
        ("*", w) => match w.parse::<usize>() {
            Ok(n) if n <= 7 => format!("every {}", days[n % 7]),
            _ => return None,
        },
        (d, "*") => match d.parse::<u32>() {
            Ok(n) => format!("on day {n} of every month"),
            Err(_) => return None,
        },
        _ => return None,
    };
    if when.starts_with("every") && on == "every day" {
        return Some(when);
    }
    Some(format!("{when}, {on}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn runs(pattern: &str, zone: &str, from: &str, count: usize) -> Vec<String> {
        CronSchedule::parse(pattern, zone)
            .unwrap()
            .next_runs(utc(from), count)
            .iter()
            .map(|t| t.to_rfc3339())
            .collect()
    }

    #[test]
    fn berlin_spring_forward_runs_a_time_in_the_gap_once_at_the_first_valid_instant() {
        // 2026-03-29 02:00 CET → 03:00 CEST: 02:30 does not exist that day.
        assert_eq!(
            runs("30 2 * * *", "Europe/Berlin", "2026-03-28T00:00:00Z", 3),
            [
                "2026-03-28T01:30:00+00:00",
                "2026-03-29T01:00:00+00:00",
                "2026-03-30T00:30:00+00:00"
            ]
        );
    }

    #[test]
    fn berlin_fall_back_runs_a_fixed_time_once_and_an_interval_on_real_time() {
        // 2026-10-25 03:00 CEST → 02:00 CET: 02:30 happens twice; it runs once (CEST).
        assert_eq!(
            runs("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 2),
            ["2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00"]
        );
        // Every hour on the hour: 02:00 CEST, 02:00 CET are both real hours.
        assert_eq!(
            runs("0 * * * *", "Europe/Berlin", "2026-10-24T23:30:00Z", 4),
            [
                "2026-10-25T00:00:00+00:00",
                "2026-10-25T01:00:00+00:00",
                "2026-10-25T02:00:00+00:00",
                "2026-10-25T03:00:00+00:00"
            ]
        );
    }

    #[test]
    fn new_york_changes_and_lord_howes_half_hour_shift() {
        // 2026-03-08 02:00 EST → 03:00 EDT.
        assert_eq!(
            runs("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 2),
            ["2026-03-08T07:00:00+00:00", "2026-03-09T06:30:00+00:00"]
        );
        // 2026-11-01 02:00 EDT → 01:00 EST: 01:30 runs once.
        assert_eq!(
            runs("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2),
            ["2026-11-01T05:30:00+00:00", "2026-11-02T06:30:00+00:00"]
        );
        // Lord Howe moves by 30 minutes (2026-04-05 02:00 → 01:30): 01:45 happens twice, runs once.
        let lord_howe = runs(
            "45 1 * * *",
            "Australia/Lord_Howe",
            "2026-04-04T00:00:00Z",
            2,
        );
        assert_eq!(lord_howe.len(), 2);
        assert_ne!(lord_howe[0][..10], lord_howe[1][..10], "{lord_howe:?}");
    }

    #[test]
    fn seconds_and_presets_are_read() {
        assert_eq!(
            runs("*/10 * * * * *", "UTC", "2026-01-01T00:00:05Z", 2),
            ["2026-01-01T00:00:10+00:00", "2026-01-01T00:00:20+00:00"]
        );
        assert_eq!(
            runs("@daily", "UTC", "2026-01-01T05:00:00Z", 1),
            ["2026-01-02T00:00:00+00:00"]
        );
        assert_eq!(
            runs("@hourly", "UTC", "2026-01-01T05:10:00Z", 1),
            ["2026-01-01T06:00:00+00:00"]
        );
    }

    #[test]
    fn bad_patterns_and_zones_are_refused_with_what_is_wrong() {
        for (pattern, why) in [
            ("61 * * * *", "usable"),
            ("* * *", "3 fields"),
            ("", "empty"),
            ("0 0 30 2 *", "never fires"),
            ("0 0 0 1 1 * 2030", "7 fields"),
        ] {
            let problem = CronSchedule::parse(pattern, "UTC").unwrap_err();
            assert_eq!(problem.code, Code::InvalidCron, "{pattern}");
            assert!(problem.message.contains(why), "{pattern}: {problem}");
        }
        let problem = parse_zone("Mars/Olympus").unwrap_err();
        assert_eq!(problem.code, Code::InvalidTimezone);
        let problem = parse_zone("Europe/Berln").unwrap_err();
        assert!(problem.fix.contains("Europe/Berlin"), "{problem:?}");
        assert_eq!(
            parse_zone("europe/berlin").unwrap(),
            chrono_tz::Europe::Berlin
        );
    }

    #[test]
    fn common_patterns_read_as_plain_words() {
        let words = |p: &str| CronSchedule::parse(p, "UTC").unwrap().describe();
        assert_eq!(words("0 3 * * *"), "at 03:00, every day");
        assert_eq!(words("30 2 * * 1-5"), "at 02:30, Monday to Friday");
        assert_eq!(words("*/15 * * * *"), "every 15 minutes");
        assert_eq!(words("0 4 * * 0"), "at 04:00, every Sunday");
        assert_eq!(words("0 1 15 * *"), "at 01:00, on day 15 of every month");
        assert_eq!(words("*/10 * * * * *"), "every 10 seconds");
        assert_eq!(words("@weekly"), "at 00:00, every Sunday");
        assert!(!words("0 0 1,15 3 *").is_empty());
    }
}
