//! Opening a session with the libpq meaning of each sslmode.

use native_tls::{Certificate, TlsConnector};
use postgres_native_tls::MakeTlsConnector;
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres::Client;

use super::errors::connect_problem;
use super::target::ConnectTarget;

use crate::model::{Code, Problem, SslMode};

/// Connects and returns a client whose connection runs on its own task.
pub async fn connect(target: &ConnectTarget) -> Result<Client, Problem> {
    let attempt = connect_once(target, target.sslmode).await;
    match attempt {
        // libpq's `prefer` retries without TLS when the TLS handshake itself fails.
        Err(ref problem) if target.sslmode == SslMode::Prefer && problem.code.is_tls() => {
            tracing::info!(host = %target.host, "TLS handshake failed with sslmode=prefer; retrying without TLS");
            connect_once(target, SslMode::Disable).await
        }
        other => other,
    }
}

async fn connect_once(target: &ConnectTarget, sslmode: SslMode) -> Result<Client, Problem> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&target.host)
        .port(target.port)
        .user(&target.username)
        .dbname(&target.database)
        .application_name(&target.application_name)
        .connect_timeout(target.timeout)
        .ssl_mode(match sslmode {
            SslMode::Disable => PgSslMode::Disable,
            SslMode::Prefer => PgSslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => PgSslMode::Require,
        });
    if let Some(password) = &target.password {
        config.password(password.expose());
    }
    let tls = tls_connector(sslmode)?;
    let connecting = config.connect(tls);
    let (client, connection) = match tokio::time::timeout(target.timeout, connecting).await {
        Ok(Ok(pair)) => pair,
        Ok(Err(error)) => return Err(connect_problem(&error, target)),
        Err(_) => return Err(super::errors::timed_out(target)),
    };
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "a PostgreSQL session ended with an error");
        }
    });
    Ok(client)
}

/// `require` encrypts without checking the certificate (as libpq does without a root
/// certificate); `verify-ca` checks the chain; `verify-full` the chain and the host name.
fn tls_connector(sslmode: SslMode) -> Result<MakeTlsConnector, Problem> {
    let mut builder = TlsConnector::builder();
    match sslmode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            builder.danger_accept_invalid_certs(true);
            builder.danger_accept_invalid_hostnames(true);
        }
        SslMode::VerifyCa => {
            builder.danger_accept_invalid_hostnames(true);
        }
        SslMode::VerifyFull => {}
    }
    if matches!(sslmode, SslMode::VerifyCa | SslMode::VerifyFull) {
        if let Some(path) = super::root_certificate_path() {
            let pem = std::fs::read(&path).map_err(|e| {
                Problem::new(
                    Code::TlsRootCertificateUnreadable,
                    format!(
                        "The root certificate {} cannot be read: {e}.",
                        path.display()
                    ),
                    "Fix the file, or unset PGSSLROOTCERT to use the system's trusted CAs.",
                )
            })?;
            let certificate = Certificate::from_pem(&pem).map_err(|e| {
                Problem::new(
                    Code::TlsRootCertificateInvalid,
                    format!(
                        "The root certificate {} is not a PEM certificate: {e}.",
                        path.display()
                    ),
                    "Point PGSSLROOTCERT at the CA certificate in PEM format.",
                )
            })?;
            builder.add_root_certificate(certificate);
        }
    }
    let connector = builder.build().map_err(|e| {
        Problem::new(
            Code::TlsUnavailable,
            format!("TLS could not be set up on this machine: {e}."),
            "Check the system's OpenSSL installation, or use sslmode=disable for a trusted network.",
        )
    })?;
    Ok(MakeTlsConnector::new(connector))
}
