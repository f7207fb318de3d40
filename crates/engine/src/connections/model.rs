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
}

/// Longest database or user name PostgreSQL keeps, in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 500;

impl ConnectionInput {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<ConnectionFields, Problem> {
        Ok(ConnectionFields {
            name: validate_name(&self.name)?,
            host: validate_host(&self.host)?,
            port: parse_port(&self.port)?,
            database: validate_identifier(Code::InvalidDatabase, "Database", &self.database)?,
            username: validate_identifier(Code::InvalidUsername, "User name", &self.username)?,
            sslmode: self.sslmode,
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
