//! A storage library's error in the user's words: which part failed (the name, the network,
//! TLS, the credentials, the bucket, a permission, a full disk) and what to do.

use super::model::LocationSettings;
use crate::model::{error_chain, Code, Problem};

/// What an OpenDAL error means for this location.
pub fn storage_problem(error: &opendal::Error, settings: &LocationSettings) -> Problem {
    let detail = error_chain(error);
    let lower = detail.to_lowercase();
    let place = settings.describe();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    use opendal::ErrorKind as Kind;
    if has(&[
        "nosuchbucket",
        "bucket does not exist",
        "specified bucket does not exist",
    ]) {
        return Problem::new(
            Code::StorageBucketMissing,
            format!("The bucket of {place} does not exist."),
            "Create the bucket first, or correct its name.",
        );
    }
    if has(&[
        "invalidaccesskeyid",
        "signaturedoesnotmatch",
        "access key",
        "invalid credentials",
        "authentication failed",
        "permission denied (publickey",
        "too many authentication failures",
    ]) {
        return Problem::new(
            Code::StorageCredentials,
            format!("{place} refused the credentials: {}.", short(&detail)),
            "Check the access key and secret (or the SSH user and key), then test again.",
        );
    }
    if has(&[
        "host key verification failed",
        "remote host identification has changed",
        "no matching host key",
    ]) {
        return Problem::new(
            Code::StorageHostKey,
            format!("The SSH host key of {place} is not a known one."),
            "Check the server's key fingerprint with its owner, then add it to ~/.ssh/known_hosts (for example: connect once with `sftp -P PORT USER@HOST` and answer yes).",
        );
    }
    if has(&[
        "no space left",
        "storage full",
        "entitytoolarge",
        "quotaexceeded",
        "disk quota",
    ]) {
        return Problem::new(
            Code::StorageFull,
            format!("{place} is full: {}.", short(&detail)),
            "Free space there (or raise its quota), then retry the copy.",
        );
    }
    if has(&[
        "dns error",
        "failed to lookup",
        "name or service not known",
        "could not resolve",
        "no address associated",
    ]) {
        return Problem::new(
            Code::StorageUnreachable,
            format!(
                "The name of {place} cannot be resolved (DNS): {}.",
                short(&detail)
            ),
            "Check the endpoint or host name and your network.",
        );
    }
    if has(&["certificate", "tls", "ssl", "handshake"]) {
        return Problem::new(
            Code::StorageTls,
            format!("TLS with {place} failed: {}.", short(&detail)),
            "Check the endpoint's scheme (https or http) and that its certificate is valid.",
        );
    }
    if has(&[
        "connection refused",
        "timed out",
        "connection reset",
        "unreachable",
        "error sending request",
        "connect",
        "broken pipe",
    ]) {
        return Problem::new(
            Code::StorageUnreachable,
            format!("{place} cannot be reached: {}.", short(&detail)),
            "Check that the server runs and the address and port are right; the copy is retried later.",
        );
    }
    match error.kind() {
        Kind::PermissionDenied => Problem::new(
            Code::StoragePermissionDenied,
            format!("{place} refused the operation: {}.", short(&detail)),
            "Give the user (or the key) the right to write, read, list and delete there.",
        ),
        Kind::ConfigInvalid => Problem::new(
            Code::InvalidStorage,
            format!(
                "The settings of {place} are not usable: {}.",
                short(&detail)
            ),
            "Correct the location's settings.",
        ),
        _ => Problem::new(
            Code::StorageFailed,
            format!("{place}: {}.", short(&detail)),
            "Test the location (dbm storage test NAME) to see which part fails.",
        ),
    }
}

/// Storage errors carry whole responses: the first 300 characters say what happened.
fn short(detail: &str) -> String {
    let one_line = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = one_line.chars().take(300).collect();
    if cut.len() < one_line.len() {
        cut.push('…');
    }
    cut.trim_end_matches('.').to_string()
}

/// A local file operation's failure while copying, in the same words.
pub fn io_problem(error: &std::io::Error, what: &str) -> Problem {
    if error.raw_os_error() == Some(28) {
        return Problem::new(
            Code::DiskFull,
            format!("The disk is full while {what}."),
            "Free space, then try again.",
        );
    }
    Problem::new(
        Code::StorageFailed,
        format!("{what}: {error}."),
        "Check the file and folder permissions, then try again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3() -> LocationSettings {
        LocationSettings::S3 {
            endpoint: "https://s3.example.com".into(),
            bucket: "backups".into(),
            prefix: String::new(),
            region: "us-east-1".into(),
            path_style: true,
            access_key_id: "id".into(),
        }
    }

    // The loopback S3 server creates a missing bucket on write, so it cannot show this answer
    // of AWS, B2 or MinIO: the words are checked on the error as those servers send it.
    #[test]
    fn a_missing_bucket_and_a_full_disk_are_named() {
        let missing = opendal::Error::new(
            opendal::ErrorKind::NotFound,
            "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>",
        );
        assert_eq!(
            storage_problem(&missing, &s3()).code,
            Code::StorageBucketMissing
        );
        let full = opendal::Error::new(
            opendal::ErrorKind::Unexpected,
            "write failed: No space left on device (os error 28)",
        );
        assert_eq!(storage_problem(&full, &s3()).code, Code::StorageFull);
        let refused = opendal::Error::new(
            opendal::ErrorKind::Unexpected,
            "error sending request: Connection refused",
        );
        assert_eq!(
            storage_problem(&refused, &s3()).code,
            Code::StorageUnreachable
        );
    }
}
