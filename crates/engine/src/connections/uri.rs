//! `postgres://` and `postgresql://` URIs, as libpq reads them, to and from connection fields.

use super::model::ConnectionInput;
use crate::model::{Code, Problem, SslMode};
use crate::secrets::Secret;

/// A parsed URI: the fields for the form, and the password if the URI had one.
#[derive(Debug, Clone)]
pub struct ParsedUri {
    pub input: ConnectionInput,
    pub password: Option<Secret>,
}

/// Reads `postgres[ql]://[user[:password]@][host][:port][/database][?sslmode=…&host=…&port=…]`.
pub fn parse_uri(uri: &str) -> Result<ParsedUri, Problem> {
    let uri = uri.trim();
    let bad = |why: &str| {
        Problem::new(
            Code::InvalidUri,
            format!("This is not a PostgreSQL URI: {why}."),
            "Use the form postgres://user:password@host:5432/database?sslmode=require.",
        )
    };
    let rest = ["postgresql://", "postgres://"]
        .iter()
        .find_map(|scheme| {
            uri.get(..scheme.len())
                .filter(|s| s.eq_ignore_ascii_case(scheme))
                .map(|_| &uri[scheme.len()..])
        })
        .ok_or_else(|| bad("it must start with postgres:// or postgresql://"))?;

    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    // The password may contain '@' only percent-encoded, but be forgiving: split at the last '@'.
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    let (mut username, mut password) = (String::new(), None);
    if let Some(userinfo) = userinfo {
        let (user, pass) = match userinfo.split_once(':') {
            Some((user, pass)) => (user, Some(pass)),
            None => (userinfo, None),
        };
        username = decode(user).map_err(|_| bad("the user name has a broken %-escape"))?;
        if let Some(pass) = pass {
            password = Some(Secret::new(
                decode(pass).map_err(|_| bad("the password has a broken %-escape"))?,
            ));
        }
    }
    let (mut host, mut port) = split_host_port(hostport).map_err(|why| bad(&why))?;
    host = decode(&host).map_err(|_| bad("the host has a broken %-escape"))?;
    let mut database = decode(path).map_err(|_| bad("the database name has a broken %-escape"))?;
    let mut sslmode = SslMode::Prefer;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value).map_err(|_| bad("a parameter has a broken %-escape"))?;
        match key {
            "sslmode" => sslmode = value.parse()?,
            "host" => host = value,
            "port" => port = value,
            "user" => username = value,
            "password" => password = Some(Secret::new(value)),
            "dbname" => database = value,
            _ => {} // application_name, connect_timeout, …: not needed for backups
        }
    }
    if host.is_empty() {
        host = "localhost".into();
    }
    if port.is_empty() {
        port = "5432".into();
    }
    if database.is_empty() {
        database = if username.is_empty() {
            "postgres".into()
        } else {
            username.clone()
        };
    }
    let name = format!("{database}@{host}");
    Ok(ParsedUri {
        input: ConnectionInput {
            name,
            host,
            port,
            database,
            username,
            sslmode,
            scope: Default::default(),
        },
        password,
    })
}

/// Writes a URI that `parse_uri` reads back to the same fields (the name is not part of it).
pub fn to_uri(input: &ConnectionInput, password: Option<&Secret>) -> String {
    let mut uri = String::from("postgresql://");
    if !input.username.is_empty() {
        uri.push_str(&encode(&input.username));
        if let Some(password) = password {
            uri.push(':');
            uri.push_str(&encode(password.expose()));
        }
        uri.push('@');
    }
    if input.host.starts_with('/') {
        // A socket folder goes in the query, as libpq wants.
        uri.push_str(&format!(
            ":{}/{}?host={}",
            input.port.trim(),
            encode(&input.database),
            encode(&input.host)
        ));
        uri.push_str(&format!("&sslmode={}", input.sslmode));
        return uri;
    }
    if input.host.contains(':') {
        uri.push_str(&format!("[{}]", input.host));
    } else {
        uri.push_str(&encode(&input.host));
    }
    uri.push_str(&format!(
        ":{}/{}?sslmode={}",
        input.port.trim(),
        encode(&input.database),
        input.sslmode
    ));
    uri
}

fn split_host_port(hostport: &str) -> Result<(String, String), String> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address is missing its ']'")?;
        let port = after.strip_prefix(':').unwrap_or(after);
        return Ok((host.to_string(), port.to_string()));
    }
    if hostport.contains(',') {
        return Err("several hosts are not supported; give one".into());
    }
    Ok(match hostport.rsplit_once(':') {
        Some((host, port)) => (host.to_string(), port.to_string()),
        None => (hostport.to_string(), String::new()),
    })
}

fn decode(text: &str) -> Result<String, ()> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or(())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_part_with_percent_decoding() {
        let parsed = parse_uri("postgresql://b%C3%B6b:p%40ss%3Aw%2Frd%25%20x@db.example.com:6543/sales%20db?sslmode=verify-full").unwrap();
        assert_eq!(parsed.input.username, "böb");
        assert_eq!(parsed.password.unwrap().expose(), "p@ss:w/rd% x");
        assert_eq!(parsed.input.host, "db.example.com");
        assert_eq!(parsed.input.port, "6543");
        assert_eq!(parsed.input.database, "sales db");
        assert_eq!(parsed.input.sslmode, SslMode::VerifyFull);
    }

    #[test]
    fn fills_libpq_defaults() {
        let parsed = parse_uri("postgres://alice@").unwrap();
        assert_eq!(parsed.input.host, "localhost");
        assert_eq!(parsed.input.port, "5432");
        assert_eq!(parsed.input.database, "alice");
        assert!(parsed.password.is_none());
        let parsed = parse_uri("postgres://[::1]:5433/app").unwrap();
        assert_eq!(
            (parsed.input.host.as_str(), parsed.input.port.as_str()),
            ("::1", "5433")
        );
        let parsed = parse_uri("postgres:///app?host=/var/run/postgresql&port=5434").unwrap();
        assert_eq!(parsed.input.host, "/var/run/postgresql");
        assert_eq!(parsed.input.port, "5434");
    }

    #[test]
    fn round_trips_passwords_with_reserved_characters() {
        for password in [
            "p@ss",
            "a:b/c",
            "100%",
            "with space",
            "ü🐘",
            "?&=#[]",
            "+plus+",
        ] {
            for host in ["db.example.com", "::1", "/tmp/socket dir"] {
                let input = ConnectionInput {
                    name: "x".into(),
                    host: host.into(),
                    port: "5432".into(),
                    database: "my db/1".into(),
                    username: "us@er:1".into(),
                    sslmode: SslMode::Require,
                    scope: Default::default(),
                };
                let uri = to_uri(&input, Some(&Secret::new(password)));
                let parsed = parse_uri(&uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
                assert_eq!(
                    parsed.password.as_ref().map(Secret::expose),
                    Some(password),
                    "{uri}"
                );
                assert_eq!(parsed.input.host, input.host, "{uri}");
                assert_eq!(parsed.input.database, input.database, "{uri}");
                assert_eq!(parsed.input.username, input.username, "{uri}");
                assert_eq!(parsed.input.sslmode, SslMode::Require);
            }
        }
    }

    #[test]
    fn refuses_what_is_not_a_postgres_uri() {
        for bad in [
            "mysql://x@y/z",
            "localhost:5432",
            "postgres://h1,h2/db",
            "postgres://u:%zz@h/d",
            "postgres://h/d?sslmode=nope",
        ] {
            assert!(parse_uri(bad).is_err(), "{bad}");
        }
    }
}
