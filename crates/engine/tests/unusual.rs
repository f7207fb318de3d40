//! Unusual backups, on a real server: a day-to-day change is not flagged; a table that lost
//! 90 % of its rows is, with its name and counts, on the backup's record.

mod support;

use dbm_engine::backups::Backups;
use dbm_engine::model::DumpFormat;
use support::backup::setup;
use support::database;

#[tokio::test(flavor = "multi_thread")]
async fn a_table_that_lost_most_of_its_rows_flags_the_next_backup_and_normal_change_does_not() {
    let name = format!("dbm_unusual_{}", std::process::id());
    database::chinook(17, &name).await;
    let db = database::client(17, &name).await;
    // The server's statistics, exact now (as autovacuum would make them).
    db.batch_execute("ANALYZE").await.unwrap();
    let setup = setup(17, &name);

    let lines: i64 = db
        .query_one("SELECT count(*) FROM invoice_line", &[])
        .await
        .unwrap()
        .get(0);
    settled(&db, lines).await;
    let first = setup.completed(DumpFormat::Custom).await;
    assert!(first.unusual.is_empty(), "{:?}", first.unusual);

    // A normal day: a few new invoice lines.
    db.batch_execute(
        "INSERT INTO invoice_line (invoice_line_id, invoice_id, track_id, unit_price, quantity)
         SELECT 100000 + g, 1, 1, 0.99, 1 FROM generate_series(1, 20) g",
    )
    .await
    .unwrap();
    let grown: i64 = db
        .query_one("SELECT count(*) FROM invoice_line", &[])
        .await
        .unwrap()
        .get(0);
    settled(&db, grown).await;
    let second = setup.completed(DumpFormat::Custom).await;
    assert!(second.unusual.is_empty(), "{:?}", second.unusual);

    // Nine in ten invoice lines gone.
    let before: i64 = db
        .query_one("SELECT count(*) FROM invoice_line", &[])
        .await
        .unwrap()
        .get(0);
    db.batch_execute("DELETE FROM invoice_line WHERE invoice_line_id % 10 <> 0")
        .await
        .unwrap();
    db.batch_execute("ANALYZE invoice_line").await.unwrap();
    let after: i64 = db
        .query_one("SELECT count(*) FROM invoice_line", &[])
        .await
        .unwrap()
        .get(0);
    settled(&db, after).await;
    let third = setup.completed(DumpFormat::Custom).await;
    let expected = format!(
        "table public.invoice_line had {before} rows and now has {after} ({:.0} % fewer)",
        100.0 - after as f64 * 100.0 / before as f64
    );
    assert_eq!(third.unusual, vec![expected.clone()]);
    // On the record, as the Backups page and `dbm backup show` read it.
    let recorded = Backups::new(&setup.store).get(third.id).unwrap();
    assert_eq!(recorded.unusual, vec![expected]);
    drop(db);
    database::drop(17, &name).await;
}

/// Waits until the server's statistics show invoice_line's `rows` (a session's counts reach
/// them when it is idle, within seconds: as they would before any real backup).
async fn settled(db: &tokio_postgres::Client, rows: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let live: i64 = db
            .query_one(
                "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'invoice_line'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if live == rows {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "statistics say {live}, not {rows}"
        );
        // A new snapshot of the statistics on the next read.
        db.batch_execute("SELECT pg_stat_clear_snapshot()")
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}
