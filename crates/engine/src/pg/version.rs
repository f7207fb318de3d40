//! Which PostgreSQL a server runs.

use serde::Serialize;
use tokio_postgres::Client;
use ts_rs::TS;

use crate::model::{Code, Problem};

/// pg_dump of the matching major is used; servers older than this are not supported.
pub const OLDEST_SUPPORTED_MAJOR: u32 = 12;

/// A server's version, e.g. 16.4 → { version: "16.4", number: 160004, major: 16 }.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServerVersion {
    pub version: String,
    pub number: u32,
    pub major: u32,
}

/// Reads `server_version_num` and `server_version`; refuses servers older than 12.
pub async fn detect_server_version(client: &Client) -> Result<ServerVersion, Problem> {
    let query_failed = |e: tokio_postgres::Error| {
        Problem::new(
            Code::ServerVersionUnreadable,
            format!("The server's version could not be read: {e}."),
            "Check that the user may run SHOW server_version_num.",
        )
    };
    let number: String = client
        .query_one("SHOW server_version_num", &[])
        .await
        .map_err(query_failed)?
        .get(0);
    let text: String = client
        .query_one("SHOW server_version", &[])
        .await
        .map_err(query_failed)?
        .get(0);
    parse_server_version(&number, &text)
}

pub(crate) fn parse_server_version(number: &str, text: &str) -> Result<ServerVersion, Problem> {
    let number: u32 = number.trim().parse().map_err(|_| {
        Problem::new(
            Code::ServerVersionUnreadable,
            format!("The server reported a version number that is not a number: \"{number}\"."),
            "Is this a PostgreSQL server?",
        )
    })?;
    // Since 10 the number is major * 10000 + minor (9.6.24 was 90624: 9 is enough here).
    let major = number / 10_000;
    let version = text.split_whitespace().next().unwrap_or(text).to_string();
    if major < OLDEST_SUPPORTED_MAJOR {
        return Err(Problem::new(
            Code::ServerUnsupported,
            format!("The server runs PostgreSQL {version}, which is not supported (it reached its end of life)."),
            format!("Upgrade the server to PostgreSQL {OLDEST_SUPPORTED_MAJOR} or newer."),
        ));
    }
    Ok(ServerVersion {
        version,
        number,
        major,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_major_and_version_from_the_server_settings() {
        let v = parse_server_version("160004", "16.4 (Debian 16.4-1.pgdg120+1)").unwrap();
        assert_eq!(
            v,
            ServerVersion {
                version: "16.4".into(),
                number: 160004,
                major: 16
            }
        );
        assert_eq!(parse_server_version("180000", "18.0").unwrap().major, 18);
        assert_eq!(parse_server_version("120022", "12.22").unwrap().major, 12);
    }

    #[test]
    fn servers_older_than_12_are_refused_and_named() {
        for (number, text) in [("110022", "11.22"), ("90624", "9.6.24")] {
            let problem = parse_server_version(number, text).unwrap_err();
            assert_eq!(problem.code, Code::ServerUnsupported);
            assert!(problem.message.contains(text), "{problem:?}");
            assert!(problem.fix.contains("12 or newer"));
        }
    }
}
