//! What went wrong when connecting, in the user's words, with what to do.

use super::target::ConnectTarget;
use crate::model::{error_chain, Code, Problem};
use tokio_postgres::error::SqlState;

pub(crate) fn timed_out(target: &ConnectTarget) -> Problem {
    Problem::new(
        Code::ConnectTimeout,
        format!(
            "{}:{} did not answer within {} s.",
            target.host,
            target.port,
            target.timeout.as_secs_f32()
        ),
        "Check the host and port, that the server is running, and that no firewall drops the traffic.",
    )
}

/// Why connecting failed: the server's own answer when it gave one, else what the network or
/// TLS said.
pub(crate) fn connect_problem(error: &tokio_postgres::Error, target: &ConnectTarget) -> Problem {
    let server = format!("{}:{}", target.host, target.port);
    match error.as_db_error() {
        Some(db) => refused(db, target, &server),
        None => unreachable_problem(error, target, &server),
    }
}

/// The server answered, and refused: its SQLSTATE says why.
fn refused(db: &tokio_postgres::error::DbError, target: &ConnectTarget, server: &str) -> Problem {
    let code = db.code();
    let text = db.message();
    if *code == SqlState::INVALID_PASSWORD {
        Problem::new(
            Code::WrongPassword,
            format!(
                "{server} refused the password for user \"{}\" ({text}).",
                target.username
            ),
            "Check the user name and password (the server does not say which one is wrong).",
        )
    } else if *code == SqlState::INVALID_CATALOG_NAME {
        Problem::new(
            Code::DatabaseNotFound,
            format!("There is no database \"{}\" on {server}.", target.database),
            "Check the database name (psql -l lists them), or create it first.",
        )
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        && text.contains("does not exist")
    {
        Problem::new(
            Code::RoleNotFound,
            format!(
                "There is no user (role) \"{}\" on {server}.",
                target.username
            ),
            "Check the user name, or create the role on the server.",
        )
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        && (text.contains("no encryption")
            || text.contains("SSL off")
            || text.contains("GSS encryption"))
    {
        Problem::new(
            Code::TlsRequired,
            format!("{server} accepts this user only over TLS ({text})."),
            "Set the TLS mode to require (or verify-full with the server's CA).",
        )
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
        Problem::new(
            Code::AccessDenied,
            format!("{server} refused the connection: {text}."),
            "Ask the server's administrator to allow this user and address in pg_hba.conf.",
        )
    } else if *code == SqlState::TOO_MANY_CONNECTIONS {
        Problem::new(
            Code::TooManyConnections,
            format!("{server} has no free connection slots ({text})."),
            "Try again later, or raise max_connections on the server.",
        )
    } else if *code == SqlState::CANNOT_CONNECT_NOW {
        Problem::new(
            Code::ServerStarting,
            format!("{server} is starting up or shutting down ({text})."),
            "Wait a moment and try again.",
        )
    } else {
        Problem::new(
            Code::ServerError,
            format!(
                "{server} refused the connection: {text} (SQLSTATE {}).",
                code.code()
            ),
            "Read the server's message above; fix the settings it names and try again.",
        )
    }
}

/// No answer from the server: the network, the name lookup or TLS failed.
fn unreachable_problem(
    error: &tokio_postgres::Error,
    target: &ConnectTarget,
    server: &str,
) -> Problem {
    let chain = error_chain(error);
    let lower = chain.to_lowercase();
    if lower.contains("server does not support tls") {
        Problem::new(
            Code::TlsNotOffered,
            format!("{server} does not offer TLS, and the TLS mode {} requires it.", target.sslmode),
            "Enable ssl on the server, or set the TLS mode to prefer or disable on a trusted network.",
        )
    } else if lower.contains("certificate")
        || lower.contains("handshake")
        || lower.contains("ssl")
        || lower.contains("tls")
    {
        let hostname = lower.contains("hostname")
            || lower.contains("host name")
            || lower.contains("ip address mismatch");
        Problem::new(
            if hostname {
                Code::TlsHostnameMismatch
            } else {
                Code::TlsFailed
            },
            format!("The TLS connection to {server} failed: {chain}."),
            "For verify-ca and verify-full, give the server's CA in PGSSLROOTCERT (or ~/.postgresql/root.crt); \
             or use require, which encrypts without checking the certificate.",
        )
    } else if lower.contains("connection refused") {
        Problem::new(
            Code::ConnectionRefused,
            format!("Nothing accepts connections at {server} (connection refused)."),
            "Check that PostgreSQL is running and listens on that host and port (listen_addresses, port).",
        )
    } else if lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("nodename nor servname")
        || lower.contains("no such host")
        || lower.contains("temporary failure in name resolution")
    {
        Problem::new(
            Code::HostNotFound,
            format!("The host name \"{}\" could not be resolved.", target.host),
            "Check the spelling of the host, or use its IP address.",
        )
    } else if lower.contains("timeout") || lower.contains("timed out") {
        timed_out(target)
    } else if lower.contains("no such file") && target.host.starts_with('/') {
        Problem::new(
            Code::ConnectionRefused,
            format!("No PostgreSQL socket at {server}."),
            "Check the socket folder and port, and that the server is running.",
        )
    } else {
        Problem::new(
            Code::ConnectFailed,
            format!("Could not connect to {server}: {chain}."),
            "Check the host, port and TLS mode, and that the server is running.",
        )
    }
}
