//! What the engine's tests need to find the real test environment (scripts/testenv/up.sh
//! writes it; scripts/testenv/session.sh exports it).
#![allow(dead_code)] // each test binary uses a part

use std::path::PathBuf;

pub const MAJORS: [u32; 6] = [13, 14, 15, 16, 17, 18];

/// The TCP port of the test server of `major`.
pub fn pg_port(major: u32) -> u16 {
    std::env::var(format!("DBM_PG{major}_PORT"))
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(54300 + major as u16)
}

pub fn testenv_dir() -> PathBuf {
    std::env::var_os("DBM_TESTENV_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/dbm-testenv"))
}

/// The folder of the servers' unix sockets (local connections there are trusted).
pub fn socket_dir() -> PathBuf {
    testenv_dir().join("pg").join("run")
}

pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// A password no other test uses, to search for in files and output.
pub fn unique_password(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("pw-{tag}-{nanos}-{}-é🔑:@/%", std::process::id())
}

pub mod backup;
pub mod database;
