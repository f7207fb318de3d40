//! Finding `pg_dump` binaries installed on this machine, and which version each one is.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;
use ts_rs::TS;

/// A `pg_dump` found on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalPgDump {
    pub path: String,
    pub version: String,
    pub major: u32,
}

/// Every distinct pg_dump on PATH and in the usual install places, newest major first.
pub fn find_local_pg_dumps() -> Vec<LocalPgDump> {
    let mut seen = BTreeSet::new();
    let mut found: Vec<LocalPgDump> = candidate_paths()
        .into_iter()
        .filter(|path| path.is_file())
        .filter(|path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())))
        .filter_map(|path| probe(&path))
        .collect();
    found.sort_by(|a, b| b.major.cmp(&a.major).then_with(|| a.path.cmp(&b.path)));
    found
}

fn candidate_paths() -> Vec<PathBuf> {
    let exe = if cfg!(windows) {
        "pg_dump.exe"
    } else {
        "pg_dump"
    };
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    // Each of these holds one folder per version (or per formula), each with a bin/.
    let version_parents = [
        "/usr/lib/postgresql",
        "/opt/homebrew/opt",
        "/usr/local/opt",
        "/Applications/Postgres.app/Contents/Versions",
        "C:\\Program Files\\PostgreSQL",
    ];
    for parent in version_parents {
        dirs.extend(
            subdirs(Path::new(parent))
                .into_iter()
                .map(|d| d.join("bin")),
        );
    }
    // /usr/pgsql-16/bin (RHEL, Fedora) and /usr/local/pgsql/bin (source builds)
    dirs.extend(
        subdirs(Path::new("/usr"))
            .into_iter()
            .filter(|d| {
                d.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("pgsql-"))
            })
            .map(|d| d.join("bin")),
    );
    dirs.push(PathBuf::from("/usr/local/pgsql/bin"));
    dirs.into_iter().map(|dir| dir.join(exe)).collect()
}

fn subdirs(parent: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(parent)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_dir())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `pg_dump --version`; a binary that does not run (wrong architecture, missing
/// libraries) is skipped rather than offered.
fn probe(path: &Path) -> Option<LocalPgDump> {
    let output = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let (version, major) = parse_version_line(&String::from_utf8_lossy(&output.stdout))?;
    Some(LocalPgDump {
        path: path.display().to_string(),
        version,
        major,
    })
}

/// `pg_dump (PostgreSQL) 16.4 (Debian 16.4-1)` → ("16.4", 16); `… 9.6.24` → ("9.6.24", 9).
pub fn parse_version_line(line: &str) -> Option<(String, u32)> {
    let version = line
        .split_whitespace()
        .find(|word| word.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
    let version: String = version
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let major = version.split('.').next()?.parse().ok()?;
    Some((version.trim_end_matches('.').to_string(), major))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pg_dump_version_lines() {
        assert_eq!(
            parse_version_line("pg_dump (PostgreSQL) 16.4 (Debian 16.4-1.pgdg120+1)\n"),
            Some(("16.4".into(), 16))
        );
        assert_eq!(
            parse_version_line("pg_dump (PostgreSQL) 18beta1"),
            Some(("18".into(), 18))
        );
        assert_eq!(
            parse_version_line("pg_dump (PostgreSQL) 9.6.24"),
            Some(("9.6.24".into(), 9))
        );
        assert_eq!(parse_version_line("not a version"), None);
    }
}
