//! The bench's table: medians, ratios, sizes, peak RSS, and the targets marked PASS or MISS.
//! A report, not a test: a MISS does not fail the command; a failed run does.

use super::dataset::{DataSet, DATABASE};
use super::variants::{IdleRss, Kind, Outcome, Sample, Variant};

pub struct Input<'a> {
    /// The main server's first.
    pub data: &'a [DataSet],
    /// The main server's image.
    pub image: &'a str,
    pub reps: usize,
    pub variants: &'a [Variant],
    /// Per variant, in the order of `variants`.
    pub outcomes: &'a [Vec<Outcome>],
    pub idle: &'a IdleRss,
    /// /proc/loadavg before the first run.
    pub load_before: &'a str,
}

/// What one variant's runs add up to.
struct Row<'a> {
    variant: &'a Variant,
    /// One per repetition, in order (empty when skipped).
    outcomes: &'a [Outcome],
    samples: Vec<&'a Sample>,
    errors: Vec<&'a String>,
}

impl Row<'_> {
    /// The median over repetitions of this row's time divided by `base`'s time in the same
    /// repetition: other load on the machine drifts, and a pair measured minutes apart would
    /// carry that drift into a ratio of two medians.
    fn paired_ratio(&self, base: &Row) -> Option<f64> {
        let ratios = self
            .outcomes
            .iter()
            .zip(base.outcomes)
            .filter_map(|pair| match pair {
                (Ok(a), Ok(b)) if b.wall > 0.0 => Some(a.wall / b.wall),
                _ => None,
            })
            .collect();
        median(ratios)
    }

    fn median_wall(&self) -> Option<f64> {
        median(self.samples.iter().map(|s| s.wall).collect())
    }

    /// Sizes barely vary between runs; the median is shown.
    fn bytes(&self) -> Option<u64> {
        median(
            self.samples
                .iter()
                .filter_map(|s| s.bytes.map(|b| b as f64))
                .collect(),
        )
        .map(|b| b as u64)
    }

    /// The highest of the runs: the target is about the peak.
    fn peak_rss_kib(&self) -> Option<u64> {
        self.samples.iter().filter_map(|s| s.rss_kib).max()
    }
}

/// Prints the table; true when a run failed.
pub fn print(input: &Input) -> bool {
    let rows: Vec<Row> = input
        .variants
        .iter()
        .zip(input.outcomes)
        .map(|(variant, outcomes)| Row {
            variant,
            outcomes,
            samples: outcomes.iter().filter_map(|o| o.as_ref().ok()).collect(),
            errors: outcomes.iter().filter_map(|o| o.as_ref().err()).collect(),
        })
        .collect();
    let main = input.data[0].major;
    let find = |pick: &dyn Fn(&Variant) -> bool| rows.iter().find(|r| pick(r.variant));
    // Each server's rows are compared with that server's floor.
    let floor_of = |major: u32| find(&|v| v.is_floor() && v.major == major);
    let floor = floor_of(main);
    let seed = find(&|v| v.kind == Kind::Seed);
    let seed_bytes = seed.and_then(Row::bytes);
    let default = find(&|v| v.is_default(main));

    println!();
    for (i, data) in input.data.iter().enumerate() {
        println!(
            "{} {DATABASE} ({} rows, {}) on PostgreSQL {} at port {}{}",
            if i == 0 {
                "Backup benchmark:"
            } else {
                "            also:"
            },
            thousands(data.rows),
            mb(data.bytes),
            data.server_version,
            data.port,
            if i == 0 {
                format!(", image {}", input.image)
            } else {
                format!(" (rows marked {}:)", data.major)
            }
        );
    }
    println!(
        "{} repetitions, variants interleaved; median wall time; ×floor and \"faster\" are medians of \
         ratios within one repetition",
        input.reps
    );
    println!(
        "{} CPU cores; load average {} before, {} after (other work on the machine skews every number)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        input.load_before,
        load_average()
    );
    println!();
    println!(
        "{:<46} {:>8}  {:<20} {:>7}  {:>15} {:>9}  {:>9}  compression",
        "variant", "median", "runs (s)", "×floor", "output bytes", "×-Fc def", "peak RSS"
    );
    for row in &rows {
        if let Some(reason) = &row.variant.skipped {
            println!("{:<46} {reason}", row.variant.label);
            continue;
        }
        let wall = row.median_wall();
        let runs: Vec<String> = row
            .samples
            .iter()
            .map(|s| format!("{:.1}", s.wall))
            .collect();
        let bytes = row.bytes();
        println!(
            "{:<46} {:>8}  {:<20} {:>7}  {:>15} {:>9}  {:>9}  {}",
            row.variant.label,
            wall.map_or("FAILED".into(), |w| format!("{w:.1} s")),
            runs.join(" "),
            floor_of(row.variant.major)
                .and_then(|floor| row.paired_ratio(floor))
                .map_or("—".into(), |r| format!("{r:.2}")),
            bytes.map_or("—".into(), thousands),
            ratio(bytes.map(|b| b as f64), seed_bytes.map(|b| b as f64)),
            row.peak_rss_kib().map_or("—".into(), mib),
            row.samples
                .first()
                .and_then(|s| s.compression.clone())
                .unwrap_or_default()
        );
    }
    if rows.iter().any(|r| {
        r.variant.kind
            == Kind::Dbm {
                format: "custom",
                engine: "local",
            }
            && !r.samples.is_empty()
    }) {
        println!(
            "{:<46} peak RSS of a local run is the larger of dbm's and its pg_dump child's (GNU time)",
            "(local)"
        );
    }
    let idle = input.idle;
    println!(
        "{:<46} peak RSS {} (`dbm backup list`), {} (`dbm --version`)",
        "dbm idle",
        mib(idle.backup_list),
        mib(idle.version)
    );

    println!();
    println!("Targets (the default backup is `dbm backup run` = custom format, zstd, docker)");
    let default_bytes = default.and_then(Row::bytes);
    let paired = |row: Option<&Row>, base: Option<&Row>| row?.paired_ratio(base?);
    target(
        "default backup ≤ 1.3× floor",
        paired(default, floor),
        |r| format!("{r:.2}×"),
        |r| r <= 1.3,
    );
    target(
        "output ≤ pg_dump -Fc default size",
        default_bytes
            .zip(seed_bytes)
            .map(|(d, s)| d as f64 / s as f64),
        |r| format!("{r:.3}×"),
        |r| r <= 1.0,
    );
    target(
        "≥ 3× faster than the seed's way",
        paired(seed, default),
        |r| format!("{r:.2}× faster"),
        |r| r >= 3.0,
    );
    let limit = idle.backup_list + 20 * 1024;
    let rss_verdict = |label: &str, peak: Option<u64>| {
        target(
            label,
            peak.map(|p| p as f64),
            |p| {
                format!(
                    "{} vs {} + 20 MiB = {}",
                    mib(p as u64),
                    mib(idle.backup_list),
                    mib(limit)
                )
            },
            |p| p as u64 <= limit,
        )
    };
    rss_verdict(
        "peak RSS ≤ idle + 20 MiB (default)",
        default.and_then(Row::peak_rss_kib),
    );
    let worst = rows
        .iter()
        .filter(|r| matches!(r.variant.kind, Kind::Dbm { .. }))
        .filter_map(|r| r.peak_rss_kib().map(|p| (p, r.variant.label.as_str())))
        .max();
    if let Some((peak, label)) = worst {
        rss_verdict(
            &format!("peak RSS ≤ idle + 20 MiB (worst: {})", short(label)),
            Some(peak),
        );
    }

    let failed: Vec<&Row> = rows.iter().filter(|r| !r.errors.is_empty()).collect();
    if !failed.is_empty() {
        println!();
        println!("Failed runs");
        for row in &failed {
            for error in &row.errors {
                println!("  {}: {error}", row.variant.label);
            }
        }
    }
    !failed.is_empty()
}

fn target(
    label: &str,
    value: Option<f64>,
    show: impl Fn(f64) -> String,
    pass: impl Fn(f64) -> bool,
) {
    let (shown, verdict) = match value {
        Some(v) => (show(v), if pass(v) { "PASS" } else { "MISS" }),
        None => ("no measurement".into(), "—"),
    };
    println!("  {label:<50} {shown:<44} {verdict}");
}

fn short(label: &str) -> &str {
    label.strip_prefix("dbm ").unwrap_or(label)
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// value / base, or a dash.
fn ratio(value: Option<f64>, base: Option<f64>) -> String {
    match (value, base) {
        (Some(v), Some(b)) if b > 0.0 => format!("{:.2}", v / b),
        _ => "—".into(),
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mb(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1e6)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_numbers() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
        assert_eq!(thousands(7_000_000), "7,000,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn ratios_pair_runs_of_the_same_repetition() {
        let sample = |wall: f64| {
            Ok(Sample {
                wall,
                bytes: None,
                rss_kib: None,
                compression: None,
            })
        };
        let variant = Variant {
            label: "x".into(),
            kind: Kind::Seed,
            major: 17,
            skipped: None,
        };
        // The machine slows down over the repetitions; the ratio stays 1.5 in each.
        let floor = [
            sample(4.0),
            sample(8.0),
            sample(12.0),
            Err("failed".to_string()),
        ];
        let dbm = [sample(6.0), sample(12.0), sample(18.0), sample(1.0)];
        fn row<'a>(variant: &'a Variant, outcomes: &'a [Outcome]) -> Row<'a> {
            Row {
                variant,
                outcomes,
                samples: Vec::new(),
                errors: Vec::new(),
            }
        }
        let floor = row(&variant, &floor);
        assert_eq!(row(&variant, &dbm).paired_ratio(&floor), Some(1.5));
        assert_eq!(row(&variant, &[]).paired_ratio(&floor), None);
    }
}
