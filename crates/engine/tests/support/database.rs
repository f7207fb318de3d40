//! Test databases on the real servers: create, load Chinook, fingerprint every table.
#![allow(dead_code)]

use std::collections::BTreeMap;

use tokio_postgres::{Client, NoTls};

use super::{env_or, pg_port};

pub async fn client(major: u32, database: &str) -> Client {
    let mut config = tokio_postgres::Config::new();
    config
        .host("127.0.0.1")
        .port(pg_port(major))
        .user("postgres")
        .password(env_or("DBM_PG_PASSWORD", "postgres"))
        .dbname(database)
        .connect_timeout(std::time::Duration::from_secs(10));
    let (client, connection) = config
        .connect(NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to server {major}/{database}: {e}"));
    tokio::spawn(connection);
    client
}

/// Drops (forcing out sessions) and creates an empty database.
pub async fn recreate(major: u32, name: &str) {
    let admin = client(major, "postgres").await;
    let force = if major >= 13 { " WITH (FORCE)" } else { "" };
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\"{force}"))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
}

pub async fn drop(major: u32, name: &str) {
    let admin = client(major, "postgres").await;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();
}

/// A fresh database `name` holding the Chinook sample (11 tables, ~15,000 rows).
pub async fn chinook(major: u32, name: &str) {
    recreate(major, name).await;
    let sql = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/chinook/chinook.sql"
    ))
    .expect("testdata/chinook/chinook.sql");
    // The script creates its own database and \c's into it: run what follows in ours.
    let body = sql
        .split_once("\\c chinook;")
        .map(|(_, rest)| rest)
        .expect("the script's \\c line");
    client(major, name).await.batch_execute(body).await.unwrap();
}

/// Per table: row count and an md5 of all rows in order; equal maps mean equal data.
pub async fn fingerprint(major: u32, database: &str) -> BTreeMap<String, (i64, String)> {
    let db = client(major, database).await;
    let tables: Vec<String> = db
        .query(
            "SELECT quote_ident(table_name) FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = BTreeMap::new();
    for table in tables {
        let row = db
            .query_one(
                &format!("SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"),
                &[],
            )
            .await
            .unwrap();
        out.insert(table, (row.get(0), row.get(1)));
    }
    out
}

/// Waits until one of the app's tools (a backup run's pg_dump, named dbm-backup-<id>; or
/// pg_restore, named db-backup-manager) waits on a lock in database `name`.
pub async fn wait_for_blocked_tool(major: u32, name: &str) {
    let observer = client(major, "postgres").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let row = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1
                 AND (application_name LIKE 'dbm-backup-%' OR application_name = 'db-backup-manager')
                 AND wait_event_type = 'Lock'",
                &[&name],
            )
            .await
            .unwrap();
        if row.get::<_, i64>(0) > 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no tool of the app waited on {name}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
