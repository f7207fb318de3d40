//! How fast the Backups page pages: 100,000 backup records, a page of 50 with each filter.
//! Run with `cargo xtask bench library` (release build). Target: ≤ 10 ms per page.

use std::time::{Duration, Instant};

use dbm_engine::backups::{BackupFilter, Backups};
use dbm_engine::connections::{ConnectionInput, Connections};
use dbm_engine::model::{BackupStatus, SslMode};
use dbm_engine::store::{Store, DATABASE_FILE};

const RECORDS: i64 = 100_000;
const RUNS: usize = 50;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open_in(dir.path())?;
    let mut connections = Vec::new();
    for n in 0..5 {
        let input = ConnectionInput {
            name: format!("db{n}"),
            host: "127.0.0.1".into(),
            port: "5432".into(),
            database: format!("db{n}"),
            username: "postgres".into(),
            sslmode: SslMode::Prefer,
            scope: Default::default(),
        };
        connections.push(Connections::new(&store).create(&input, None)?.id);
    }
    // Records go in through SQL directly: the engine has no bulk import, and this is set-up.
    let mut sql = rusqlite::Connection::open(dir.path().join(DATABASE_FILE))?;
    let tx = sql.transaction()?;
    for (n, connection) in connections.iter().enumerate() {
        tx.execute(
            "INSERT INTO schedule (name, connection_id, cron, timezone, created_at, updated_at)
             VALUES (?1, ?2, '@daily', 'UTC', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
            rusqlite::params![format!("s{n}"), connection.0],
        )
        ?;
    }
    let start = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z")?;
    for i in 0..RECORDS {
        let at = (start + chrono::TimeDelta::minutes(30 * i))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let status = match i % 50 {
            0 => "failed",
            1 => "cancelled",
            _ => "completed",
        };
        tx.execute(
            "INSERT INTO backup (connection_id, schedule_id, trigger, status, file_path, size_bytes,
                                 sha256, format, started_at, completed_at)
             VALUES (?1, ?2, 'schedule', ?3, ?4, 1000, 'x', 'custom', ?5, ?5)",
            rusqlite::params![
                connections[(i % 5) as usize].0,
                (i % 5) + 1,
                status,
                format!("/backups/{i}.dump"),
                at
            ],
        )
        ?;
    }
    tx.commit()?;
    drop(sql);

    let backups = Backups::new(&store);
    let cases: Vec<(&str, BackupFilter, u32)> = vec![
        ("newest 50", BackupFilter::default(), 0),
        (
            "one connection",
            BackupFilter {
                connection: Some(connections[2]),
                ..Default::default()
            },
            0,
        ),
        (
            "one schedule",
            BackupFilter {
                schedule: Some(dbm_engine::model::ScheduleId(3)),
                ..Default::default()
            },
            0,
        ),
        (
            "failed only (2 %)",
            BackupFilter {
                status: Some(BackupStatus::Failed),
                ..Default::default()
            },
            0,
        ),
        (
            "a month",
            BackupFilter {
                from: Some("2022-03-01T00:00:00.000Z".into()),
                to: Some("2022-04-01T00:00:00.000Z".into()),
                ..Default::default()
            },
            0,
        ),
        (
            "connection + failed",
            BackupFilter {
                connection: Some(connections[1]),
                status: Some(BackupStatus::Failed),
                ..Default::default()
            },
            0,
        ),
        ("page 1000 (offset 50,000)", BackupFilter::default(), 50_000),
    ];
    println!("{RECORDS} backup records; a page of 50, {RUNS} runs each (target ≤ 10 ms)");
    println!(
        "{:<28} {:>9} {:>9} {:>7}",
        "filter", "median", "p95", "rows"
    );
    let mut worst = Duration::ZERO;
    for (name, filter, offset) in cases {
        let mut times = Vec::with_capacity(RUNS);
        let mut rows = 0;
        for _ in 0..RUNS {
            let began = Instant::now();
            rows = backups.list(&filter, 50, offset)?.len();
            times.push(began.elapsed());
        }
        times.sort();
        let (median, p95) = (times[RUNS / 2], times[RUNS * 95 / 100]);
        worst = worst.max(median);
        println!(
            "{name:<28} {:>7.2}ms {:>7.2}ms {rows:>7}",
            median.as_secs_f64() * 1000.0,
            p95.as_secs_f64() * 1000.0
        );
    }
    let pass = worst <= Duration::from_millis(10);
    println!(
        "target: a page in ≤ 10 ms {} (slowest median {:.2} ms)",
        if pass { "PASS" } else { "FAIL" },
        worst.as_secs_f64() * 1000.0
    );
    Ok(())
}
