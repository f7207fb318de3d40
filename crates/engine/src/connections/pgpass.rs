//! `~/.pgpass` (or `PGPASSFILE`): entries to offer when adding a connection.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

use crate::secrets::Secret;

/// One line of the file, without its password (which is read only when it is used).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PgpassEntry {
    pub host: String,
    pub port: String,
    pub database: String,
    pub username: String,
}

/// libpq's pgpass file: `PGPASSFILE`, else `~/.pgpass` (`%APPDATA%\postgresql\pgpass.conf` on Windows).
pub fn pgpass_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if cfg!(windows) {
        std::env::var_os("APPDATA").map(|d| PathBuf::from(d).join("postgresql").join("pgpass.conf"))
    } else {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass"))
    }
}

/// The entries of the pgpass file; none when there is no file.
pub fn entries() -> Vec<PgpassEntry> {
    read().into_iter().map(|(entry, _)| entry).collect()
}

/// The password of the first line matching, with `*` as a wildcard, as libpq does.
pub fn lookup(host: &str, port: u16, database: &str, username: &str) -> Option<Secret> {
    let port = port.to_string();
    read().into_iter().find_map(|(entry, password)| {
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        (matches(&entry.host, host)
            && matches(&entry.port, &port)
            && matches(&entry.database, database)
            && matches(&entry.username, username))
        .then_some(password)
    })
}

fn read() -> Vec<(PgpassEntry, Secret)> {
    let Some(path) = pgpass_path() else {
        return Vec::new();
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text),
        Err(_) => Vec::new(),
    }
}

/// Lines of `host:port:database:username:password`; `\:` and `\\` escape; `#` starts a comment.
pub fn parse(text: &str) -> Vec<(PgpassEntry, Secret)> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let fields = split_fields(line);
            let [host, port, database, username, password] =
                <[String; 5]>::try_from(fields).ok()?;
            Some((
                PgpassEntry {
                    host,
                    port,
                    database,
                    username,
                },
                Secret::new(password),
            ))
        })
        .collect()
}

fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            // The password is the rest of the line, colons included.
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_with_escapes_and_skips_comments() {
        let text =
            "# a comment\nlocalhost:5432:app:alice:s3cr\\:et\n\n*:*:*:bob:pa:ss\\\\\nbroken:line\n";
        let parsed = parse(text);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].0.username, "alice");
        assert_eq!(parsed[0].1.expose(), "s3cr:et");
        assert_eq!(parsed[1].0.host, "*");
        assert_eq!(parsed[1].1.expose(), "pa:ss\\");
    }
}
