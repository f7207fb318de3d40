//! Saved connections as the rest of the app sees them, and the rules their fields obey.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Code, ConnectionId, Problem, SslMode};

/// A saved connection. The password is not here: it lives in the OS keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: ConnectionId,
    pub name: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub username: String,
    pub sslmode: SslMode,
    /// The full version the last successful test found, e.g. "16.4".
    pub server_version: Option<String>,
    pub major_version: Option<u32>,
    pub is_active: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
    /// Set when the connection was removed with its backups kept: they stay listed under its
    /// name; it is no longer listed, tested or backed up.
    pub removed_at: Option<String>,
    /// Its one database, or every database of its server.
    pub scope: Scope,
}

/// What a connection backs up: its one database, or every database of its server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Scope {
    /// Every database that allows connections (not the templates): `database` is then the
    /// maintenance database the app connects to first.
    pub all_databases: bool,
    /// Only databases whose names match one of these glob patterns (empty: every one).
    pub include: Vec<String>,
    /// Never databases whose names match one of these.
    pub exclude: Vec<String>,
}

/// The longest glob pattern accepted, and how many of each kind.
pub const MAX_PATTERN_CHARS: usize = 200;
pub const MAX_PATTERNS: usize = 100;

impl Scope {
    /// Trimmed patterns that parse as globs; on a single-database connection, none.
    pub fn validate(&self) -> Result<Scope, Problem> {
        if !self.all_databases {
            if !self.include.is_empty() || !self.exclude.is_empty() {
                return Err(Problem::new(
                    Code::InvalidPattern,
                    "Include and exclude patterns choose among a server's databases.",
                    "Back up all databases on this server to use them, or remove them.",
                ));
            }
            return Ok(Scope::default());
        }
        let patterns = |list: &[String], which: &str| -> Result<Vec<String>, Problem> {
            if list.len() > MAX_PATTERNS {
                return Err(Problem::new(
                    Code::InvalidPattern,
                    format!("{} {which} patterns are too many.", list.len()),
                    format!("Use at most {MAX_PATTERNS}."),
                ));
            }
            list.iter()
                .map(|p| p.trim())
                .map(|p| {
                    let bad = p.is_empty()
                        || p.chars().count() > MAX_PATTERN_CHARS
                        || p.chars().any(char::is_control)
                        || glob::Pattern::new(p).is_err();
                    if bad {
                        Err(Problem::new(
                            Code::InvalidPattern,
                            format!(
                                "The {which} pattern \"{}\" is not a database name pattern.",
                                crate::model::excerpt(p)
                            ),
                            "Use a name, or * for any characters and ? for one, e.g. shop_*.",
                        ))
                    } else {
                        Ok(p.to_string())
                    }
                })
                .collect()
        };
        Ok(Scope {
            all_databases: true,
            include: patterns(&self.include, "include")?,
            exclude: patterns(&self.exclude, "exclude")?,
        })
    }

    /// Why a database is left out, if it is: an include it misses, or an exclude it matches.
    pub fn leaves_out(&self, database: &str) -> Option<String> {
        let matches = |p: &String| glob::Pattern::new(p).is_ok_and(|g| g.matches(database));
        if let Some(pattern) = self.exclude.iter().find(|p| matches(p)) {
            return Some(format!("excluded by \"{pattern}\""));
        }
        if !self.include.is_empty() && !self.include.iter().any(matches) {
            return Some("matches no include pattern".to_string());
        }
        None
    }
}

/// A connection's fields as the user typed them, before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInput {
    pub name: String,
    pub host: String,
    /// Taken as text so that "abc" or 70000 get a clear message instead of a type error.
    pub port: String,
    pub database: String,
    pub username: String,
    pub sslmode: SslMode,
    /// Absent: this one database.
    #[serde(default)]
    pub scope: Scope,
}

/// Validated fields, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionFields {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub username: String,
    pub sslmode: SslMode,
    pub scope: Scope,
}

/// Longest database or user name PostgreSQL keeps, in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 500;

impl ConnectionInput {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<ConnectionFields, Problem> {
        let scope = self.scope.validate()?;
        // A whole server is reached through its maintenance database, `postgres` unless named.
        let database = match self.database.trim() {
            "" if scope.all_databases => "postgres",
            _ => &self.database,
        };
        Ok(ConnectionFields {
            name: validate_name(&self.name)?,
            host: validate_host(&self.host)?,
            port: parse_port(&self.port)?,
            database: validate_identifier(Code::InvalidDatabase, "Database", database)?,
            username: validate_identifier(Code::InvalidUsername, "User name", &self.username)?,
            sslmode: self.sslmode,
            scope,
        })
    }
}

impl From<&Connection> for ConnectionInput {
    fn from(connection: &Connection) -> Self {
        ConnectionInput {
            name: connection.name.clone(),
            host: connection.host.clone(),
            port: connection.port.to_string(),
            database: connection.database.clone(),
            username: connection.username.clone(),
            sslmode: connection.sslmode,
            scope: connection.scope.clone(),
        }
    }
}

pub fn validate_name(name: &str) -> Result<String, Problem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Problem::new(
            Code::InvalidName,
            "The connection needs a name.",
            "Give it a name, e.g. \"production\".",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Problem::new(
            Code::InvalidName,
            format!("The name is {} characters long.", name.chars().count()),
            format!("Use at most {MAX_NAME_CHARS} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Problem::new(
            Code::InvalidName,
            "The name contains a control character (such as a line break or tab).",
            "Use letters, digits, spaces and punctuation only.",
        ));
    }
    Ok(name.to_string())
}

pub fn validate_host(host: &str) -> Result<String, Problem> {
    let host = host.trim();
    if host.is_empty() {
        return Err(Problem::new(
            Code::InvalidHost,
            "The host is empty.",
            "Enter the server's host name or IP address, e.g. localhost.",
        ));
    }
    if host.len() > 255 || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Problem::new(
            Code::InvalidHost,
            format!("\"{}\" is not a host name or address.", crate::model::excerpt(host)),
            "Enter a host name (db.example.com), an IP address, or a socket folder (/var/run/postgresql).",
        ));
    }
    Ok(host.to_string())
}

pub fn parse_port(port: &str) -> Result<u16, Problem> {
    let text = port.trim();
    let fix = "Use a number from 1 to 65535 (PostgreSQL's default is 5432).";
    let number: u64 = text.parse().map_err(|_| {
        Problem::new(
            Code::InvalidPort,
            format!(
                "The port \"{}\" is not a number.",
                crate::model::excerpt(text)
            ),
            fix,
        )
    })?;
    match u16::try_from(number) {
        Ok(port) if port != 0 => Ok(port),
        _ => Err(Problem::new(
            Code::InvalidPort,
            format!("The port {number} is out of range."),
            fix,
        )),
    }
}

fn validate_identifier(field: Code, label: &str, value: &str) -> Result<String, Problem> {
    if value.trim().is_empty() {
        return Err(Problem::new(
            field,
            format!("{label} is empty."),
            format!("Enter the {}.", label.to_lowercase()),
        ));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Problem::new(
            field,
            format!("{label} contains a control character."),
            "Remove line breaks and other control characters.",
        ));
    }
    // PostgreSQL cuts names at 63 bytes (NAMEDATALEN − 1): a longer one would name another.
    if value.trim().len() > MAX_IDENTIFIER_BYTES {
        return Err(Problem::new(
            field,
            format!("{label} is {} bytes long.", value.trim().len()),
            format!("PostgreSQL names are at most {MAX_IDENTIFIER_BYTES} bytes."),
        ));
    }
    Ok(value.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ConnectionInput {
        ConnectionInput {
            name: "prod".into(),
            host: "localhost".into(),
            port: "5432".into(),
            database: "app".into(),
            username: "postgres".into(),
            sslmode: SslMode::Prefer,
            scope: Default::default(),
        }
    }

    #[test]
    fn ports_outside_1_to_65535_or_not_numbers_are_refused_with_the_range() {
        for bad in ["0", "70000", "abc", "", "-1", "5432x"] {
            let problem = parse_port(bad).unwrap_err();
            assert_eq!(problem.code, Code::InvalidPort, "{bad}");
            assert!(problem.fix.contains("1 to 65535"), "{bad}: {problem:?}");
        }
        assert_eq!(parse_port(" 5432 ").unwrap(), 5432);
        assert_eq!(parse_port("65535").unwrap(), 65535);
    }

    #[test]
    fn names_may_be_any_text_up_to_500_characters_without_control_characters() {
        for good in [
            "Prod 🐘",
            "naïve \"quoted\" 'name'",
            "ü".repeat(500).as_str(),
            "a/b\\c..d",
        ] {
            assert_eq!(validate_name(good).unwrap(), good);
        }
        assert_eq!(
            validate_name("ü".repeat(501).as_str()).unwrap_err().code,
            Code::InvalidName
        );
        assert_eq!(validate_name("   ").unwrap_err().code, Code::InvalidName);
        assert_eq!(validate_name("a\nb").unwrap_err().code, Code::InvalidName);
    }

    #[test]
    fn database_and_user_names_longer_than_postgres_keeps_are_refused_without_echoing_them() {
        let mut long = input();
        long.database = "d".repeat(64);
        assert_eq!(long.validate().unwrap_err().code, Code::InvalidDatabase);
        long.database = "é".repeat(31); // 62 bytes
        assert!(long.validate().is_ok());
        long.username = "u".repeat(10_000_000);
        let problem = long.validate().unwrap_err();
        assert_eq!(problem.code, Code::InvalidUsername);
        assert!(problem.message.len() < 200, "{}", problem.message.len());
        let mut host = input();
        host.host = "h".repeat(10_000_000);
        assert!(host.validate().unwrap_err().message.len() < 200);
        assert!(
            parse_port(&"9".repeat(10_000_000))
                .unwrap_err()
                .message
                .len()
                < 200
        );
    }

    #[test]
    fn an_empty_host_or_one_with_spaces_is_refused() {
        let mut bad = input();
        bad.host = " ".into();
        assert_eq!(bad.validate().unwrap_err().code, Code::InvalidHost);
        bad.host = "db server".into();
        assert_eq!(bad.validate().unwrap_err().code, Code::InvalidHost);
        assert!(input().validate().is_ok());
    }

    #[test]
    fn ssl_modes_parse_by_libpq_name() {
        for mode in SslMode::ALL {
            assert_eq!(mode.as_str().parse::<SslMode>().unwrap(), mode);
        }
        assert_eq!(
            "VERIFY-FULL".parse::<SslMode>().unwrap(),
            SslMode::VerifyFull
        );
        assert_eq!(
            "bogus".parse::<SslMode>().unwrap_err().code,
            Code::InvalidSslmode
        );
    }
}
