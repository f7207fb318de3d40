//! A finished backup against its connection's recent ones made with the same options: a size
//! or a duration far from the usual, or a table that had rows and lost most of them. A
//! shrinking dump is the earliest sign of lost data.

use std::sync::Arc;

use super::model::Backup;
use super::repository::{self, Sample};
use crate::blocking::run_blocking;
use crate::model::{BackupId, BackupStatus, Problem};
use crate::store::Store;
use crate::units::human_bytes;

/// How many earlier backups make "the usual".
const HISTORY: u32 = 5;
/// Fewer earlier backups than this say nothing yet.
const MIN_HISTORY: usize = 3;
/// How far from the median a size or a duration may be: ±50 %.
const BAND: f64 = 0.5;
/// Shorter runs vary by seconds for reasons of their own (a container's start, a busy disk).
const MIN_MEDIAN_SECONDS: f64 = 10.0;
/// Smaller tables come and go in normal use.
const MIN_TABLE_ROWS: i64 = 100;
/// A table that kept less than this share of its rows lost most of them.
const KEPT_SHARE: f64 = 0.5;

/// A finished run's record: judged when it completed, its reasons put on it. A failure to judge
/// is logged, never the run's failure.
pub(super) async fn judge_record(store: &Arc<Store>, record: &mut Backup) {
    if record.status != BackupStatus::Completed {
        return;
    }
    let (store, id) = (store.clone(), record.id);
    match run_blocking(move || flag(&store, id)).await {
        Ok(reasons) => record.unusual = reasons,
        Err(problem) => {
            tracing::warn!(backup = id.0, %problem, "could not judge whether the backup is unusual")
        }
    }
}

/// Judges completed backup `id`, records why it is unusual (if it is) and answers that.
pub fn flag(store: &Store, id: BackupId) -> Result<Vec<String>, Problem> {
    let sql = store.connection();
    let (current, history) = repository::samples(&sql, id, HISTORY)?;
    let reasons = judge(&current, &history);
    repository::set_unusual(&sql, id, &reasons)?;
    Ok(reasons)
}

/// Why `current` is unusual against `history` (newest first); empty when it is not.
pub fn judge(current: &Sample, history: &[Sample]) -> Vec<String> {
    let mut reasons = Vec::new();
    let count = history.len();
    let sizes: Vec<f64> = history
        .iter()
        .filter_map(|s| s.size_bytes.map(|b| b as f64))
        .collect();
    if let (Some(size), Some(usual)) = (current.size_bytes, median_of(&sizes)) {
        if let Some(off) = outside_band(size as f64, usual) {
            reasons.push(format!(
                "its size, {}, is {off} the median of the last {count} ({})",
                human_bytes(size as f64),
                human_bytes(usual)
            ));
        }
    }
    let durations: Vec<f64> = history.iter().filter_map(|s| s.duration_seconds).collect();
    if let (Some(took), Some(usual)) = (current.duration_seconds, median_of(&durations)) {
        if usual >= MIN_MEDIAN_SECONDS {
            if let Some(off) = outside_band(took, usual) {
                reasons.push(format!(
                    "it took {took:.0} s, {off} the median of the last {count} ({usual:.0} s)"
                ));
            }
        }
    }
    // Against the newest earlier backup that knew the tables' rows.
    let before = history.iter().find_map(|s| s.table_rows.as_ref());
    if let (Some(now), Some(before)) = (&current.table_rows, before) {
        for (table, had) in before {
            if *had < MIN_TABLE_ROWS {
                continue;
            }
            let has = now
                .iter()
                .find(|(name, _)| name == table)
                .map_or(0, |(_, rows)| *rows);
            if has == 0 {
                reasons.push(format!("table {table} had {had} rows and now has none"));
            } else if (has as f64) < *had as f64 * KEPT_SHARE {
                let lost = 100.0 - has as f64 * 100.0 / *had as f64;
                reasons.push(format!(
                    "table {table} had {had} rows and now has {has} ({lost:.0} % fewer)"
                ));
            }
        }
    }
    reasons
}

/// The median, once there is enough history to have one.
fn median_of(values: &[f64]) -> Option<f64> {
    if values.len() < MIN_HISTORY {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    })
}

/// "62 % below" or "2.4 × " when `value` is outside the band around `usual`.
fn outside_band(value: f64, usual: f64) -> Option<String> {
    if usual <= 0.0 {
        return None;
    }
    if value < usual * (1.0 - BAND) {
        Some(format!("{:.0} % below", 100.0 - value * 100.0 / usual))
    } else if value > usual * (1.0 + BAND) {
        Some(format!("{:.1} ×", value / usual))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(size: i64, seconds: f64, rows: &[(&str, i64)]) -> Sample {
        Sample {
            size_bytes: Some(size),
            duration_seconds: Some(seconds),
            table_rows: Some(rows.iter().map(|(t, n)| (t.to_string(), *n)).collect()),
        }
    }

    #[test]
    fn day_to_day_change_is_usual() {
        let history: Vec<Sample> = [1_000_000, 1_010_000, 990_000, 1_005_000, 1_000_000]
            .iter()
            .map(|&size| sample(size, 30.0, &[("public.orders", 10_000), ("public.tiny", 5)]))
            .collect();
        let today = sample(
            1_030_000,
            34.0,
            &[("public.orders", 10_250), ("public.tiny", 0)],
        );
        assert_eq!(judge(&today, &history), Vec::<String>::new());
    }

    #[test]
    fn a_shrunk_dump_a_slow_run_and_a_table_that_lost_its_rows_are_named() {
        let history: Vec<Sample> = (0..5)
            .map(|_| {
                sample(
                    1_048_576,
                    30.0,
                    &[("public.orders", 10_000), ("public.users", 800)],
                )
            })
            .collect();
        let today = sample(300_000, 95.0, &[("public.orders", 1_000)]);
        let reasons = judge(&today, &history);
        assert_eq!(
            reasons,
            vec![
                "its size, 293.0 KiB, is 71 % below the median of the last 5 (1.0 MiB)".to_string(),
                "it took 95 s, 3.2 × the median of the last 5 (30 s)".to_string(),
                "table public.orders had 10000 rows and now has 1000 (90 % fewer)".to_string(),
                "table public.users had 800 rows and now has none".to_string(),
            ]
        );
    }

    #[test]
    fn too_little_history_or_short_runs_say_nothing() {
        let history = vec![sample(1_000_000, 2.0, &[]), sample(1_000_000, 2.0, &[])];
        assert!(
            judge(&sample(10, 9.0, &[]), &history).is_empty(),
            "two earlier backups"
        );
        let history: Vec<Sample> = (0..5).map(|_| sample(1_000_000, 2.0, &[])).collect();
        assert!(
            judge(&sample(1_000_000, 9.0, &[]), &history).is_empty(),
            "2 s runs vary"
        );
    }
}
