//! A location as an OpenDAL operator: one API over folders, S3-compatible buckets and SFTP,
//! with retries (backoff) on temporary failures and a timeout on each call.

use std::time::Duration;

use opendal::layers::{RetryLayer, TimeoutLayer};
use opendal::{services, Operator};

use super::model::LocationSettings;
use super::problems::storage_problem;
use crate::model::Problem;
use crate::secrets::Secret;

/// Retries of one call (a part of an upload, a read): with a doubling delay up to 30 s, a
/// server away for a few minutes is waited for; one gone for good fails within ~7 minutes.
const RETRIES: usize = 16;
const MAX_DELAY: Duration = Duration::from_secs(30);
/// One call (a part's upload, a list page) may take this long before it counts as failed.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// How patient the operator is: copies wait out a server's restart, a `test` answers quickly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patience {
    Copy,
    Probe,
}

/// The operator for a location, rooted where its backups go.
pub fn operator(
    settings: &LocationSettings,
    secret: Option<&Secret>,
    patience: Patience,
) -> Result<Operator, Problem> {
    // The HTTP transport (reqwest over the system's TLS) is installed once per process; the
    // services are compiled in, not registered by a constructor.
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(opendal_http_transport_reqwest::install_default);
    let built = match settings {
        LocationSettings::Folder { path } => Operator::new(services::Fs::default().root(path)),
        LocationSettings::S3 {
            endpoint,
            bucket,
            prefix,
            region,
            path_style,
            access_key_id,
        } => {
            let mut builder = services::S3::default()
                .endpoint(endpoint)
                .bucket(bucket)
                .region(region)
                .root(&format!("/{prefix}"))
                .access_key_id(access_key_id)
                .secret_access_key(secret.map(Secret::expose).unwrap_or_default())
                // Only what the location says: never the user's ~/.aws or an instance's role.
                .disable_config_load()
                .disable_ec2_metadata();
            if !path_style {
                builder = builder.enable_virtual_host_style();
            }
            Operator::new(builder)
        }
        LocationSettings::Sftp {
            host,
            port,
            user,
            key_file,
            path,
        } => {
            let mut builder = services::Sftp::default()
                .endpoint(&format!("ssh://{host}:{port}"))
                .user(user)
                // Empty: the folder the server starts the user in (the home folder).
                .root(path)
                // The host key must be known already: never trusted silently.
                .known_hosts_strategy("strict");
            if let Some(key) = key_file {
                builder = builder.key(key);
            }
            Operator::new(builder)
        }
    }
    .map_err(|e| storage_problem(&e, settings))?;
    let (retries, max_delay, timeout) = match patience {
        Patience::Copy => (RETRIES, MAX_DELAY, CALL_TIMEOUT),
        Patience::Probe => (1, Duration::from_secs(1), Duration::from_secs(20)),
    };
    let built = built.layer(
        TimeoutLayer::new()
            .with_timeout(timeout)
            .with_io_timeout(timeout),
    );
    // A folder is a local disk: OpenDAL counts every other file error (a full disk, say) as
    // temporary, and waiting minutes for it would only hide the answer.
    if matches!(settings, LocationSettings::Folder { .. }) {
        return Ok(built);
    }
    Ok(built.layer(
        RetryLayer::new()
            .with_jitter()
            .with_max_times(retries)
            .with_max_delay(max_delay),
    ))
}
