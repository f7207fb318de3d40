//! Storage locations as the rest of the app sees them, and the rules their fields obey.
//! Secrets (an S3 secret key) are never here: they live in the OS keyring.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Code, LocationId, Problem};

/// A named place backups are copied to, besides the local backup root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub id: LocationId,
    pub name: String,
    pub settings: LocationSettings,
    /// Per-location retention: how many of a schedule's backups stay here (None: all).
    pub keep_last: Option<u32>,
    /// And for how many days (None: no age limit). The newest copied backup always stays.
    pub keep_days: Option<u32>,
    pub created_at: String,
}

/// Where a location is and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LocationSettings {
    /// A folder on this computer: a NAS mount, a USB disk.
    #[serde(rename_all = "camelCase")]
    Folder { path: String },
    /// An S3-compatible bucket (AWS, Backblaze B2, Cloudflare R2, MinIO, Wasabi). The secret
    /// key is in the keyring.
    #[serde(rename_all = "camelCase")]
    S3 {
        endpoint: String,
        bucket: String,
        prefix: String,
        region: String,
        path_style: bool,
        access_key_id: String,
    },
    /// An SFTP server, reached with a key file through the system's `ssh`; its host key must
    /// be in the user's known_hosts.
    #[serde(rename_all = "camelCase")]
    Sftp {
        host: String,
        port: u16,
        user: String,
        key_file: Option<String>,
        path: String,
    },
}

impl LocationSettings {
    pub fn kind(&self) -> &'static str {
        match self {
            LocationSettings::Folder { .. } => "folder",
            LocationSettings::S3 { .. } => "s3",
            LocationSettings::Sftp { .. } => "sftp",
        }
    }

    /// Where it is, in one line, for lists and messages (no secret).
    pub fn describe(&self) -> String {
        match self {
            LocationSettings::Folder { path } => path.clone(),
            LocationSettings::S3 {
                endpoint,
                bucket,
                prefix,
                ..
            } => {
                let prefix = if prefix.is_empty() {
                    String::new()
                } else {
                    format!("/{prefix}")
                };
                format!("s3://{bucket}{prefix} at {endpoint}")
            }
            LocationSettings::Sftp {
                host,
                port,
                user,
                path,
                ..
            } => format!(
                "sftp://{user}@{host}:{port}/{}",
                path.trim_start_matches('/')
            ),
        }
    }

    /// Whether this kind keeps a secret in the keyring.
    pub fn has_secret(&self) -> bool {
        matches!(self, LocationSettings::S3 { .. })
    }
}

/// What `dbm storage add` and the Storage form send.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocationInput {
    pub name: String,
    pub settings: LocationSettings,
    #[serde(default)]
    pub keep_last: Option<u32>,
    #[serde(default)]
    pub keep_days: Option<u32>,
}

pub const MAX_LOCATION_NAME_CHARS: usize = 64;

impl LocationInput {
    /// Trimmed and checked fields; the first wrong one says what to do.
    pub fn validate(&self) -> Result<LocationInput, Problem> {
        let name = validate_name(&self.name)?;
        let settings = validate_settings(&self.settings)?;
        if self.keep_last == Some(0) {
            return Err(invalid(
                "Keeping 0 backups would delete every copy.",
                "Keep at least 1, or leave it empty to keep all.",
            ));
        }
        if self.keep_days == Some(0) {
            return Err(invalid(
                "Keeping backups for 0 days would delete every copy.",
                "Keep them at least 1 day, or leave it empty.",
            ));
        }
        Ok(LocationInput {
            name,
            settings,
            keep_last: self.keep_last,
            keep_days: self.keep_days,
        })
    }
}

fn invalid(message: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem::new(Code::InvalidStorage, message, fix)
}

pub fn validate_name(name: &str) -> Result<String, Problem> {
    let name = name.trim();
    let problem = |message: String| {
        Problem::new(
            Code::InvalidStorageName,
            message,
            format!("Use up to {MAX_LOCATION_NAME_CHARS} letters, digits, '-', '_' or '.', e.g. \"nas\" or \"s3-offsite\"."),
        )
    };
    if name.is_empty() {
        return Err(problem("The location needs a name.".into()));
    }
    if name.chars().count() > MAX_LOCATION_NAME_CHARS {
        return Err(problem(format!(
            "The name is {} characters long.",
            name.chars().count()
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(problem(format!(
            "The name {name:?} has characters other than letters, digits, '-', '_' and '.'."
        )));
    }
    if name.chars().all(|c| c.is_ascii_digit()) {
        return Err(problem(format!(
            "The name {name:?} is a number, which reads as an id."
        )));
    }
    Ok(name.to_string())
}

fn text(value: &str, what: &str, example: &str) -> Result<String, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(
            format!("The {what} is empty."),
            format!("Give the {what}, e.g. {example}."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(
            format!("The {what} contains a control character."),
            format!("Give the {what} on one line, e.g. {example}."),
        ));
    }
    Ok(value.to_string())
}

fn validate_settings(settings: &LocationSettings) -> Result<LocationSettings, Problem> {
    Ok(match settings {
        LocationSettings::Folder { path } => {
            let path = text(path, "folder", "/mnt/nas/backups")?;
            if !std::path::Path::new(&path).is_absolute() {
                return Err(invalid(
                    format!("The folder {path:?} is not an absolute path."),
                    "Give the full path, e.g. /mnt/nas/backups.",
                ));
            }
            LocationSettings::Folder { path }
        }
        LocationSettings::S3 {
            endpoint,
            bucket,
            prefix,
            region,
            path_style,
            access_key_id,
        } => {
            let endpoint = text(endpoint, "endpoint", "https://s3.eu-west-1.amazonaws.com")?;
            if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
                return Err(invalid(
                    format!("The endpoint {endpoint:?} is not an http(s) URL."),
                    "Give it with its scheme, e.g. https://s3.us-west-004.backblazeb2.com.",
                ));
            }
            let bucket = text(bucket, "bucket", "my-backups")?;
            let bucket_ok = (3..=63).contains(&bucket.len())
                && bucket.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.')
                });
            if !bucket_ok {
                return Err(invalid(
                    format!("The bucket name {bucket:?} is not a valid S3 bucket name."),
                    "Use 3–63 lowercase letters, digits, '-' or '.'.",
                ));
            }
            let prefix = prefix.trim().trim_matches('/').to_string();
            if prefix.chars().any(char::is_control)
                || prefix.split('/').any(|p| p == ".." || p == ".")
            {
                return Err(invalid(
                    format!("The prefix {prefix:?} is not a plain path."),
                    "Use a path such as \"backups/laptop\".",
                ));
            }
            let region = match region.trim() {
                "" => "us-east-1".to_string(),
                r => text(r, "region", "us-east-1")?,
            };
            let access_key_id = text(access_key_id, "access key id", "AKIA…")?;
            LocationSettings::S3 {
                endpoint: endpoint.trim_end_matches('/').to_string(),
                bucket,
                prefix,
                region,
                path_style: *path_style,
                access_key_id,
            }
        }
        LocationSettings::Sftp {
            host,
            port,
            user,
            key_file,
            path,
        } => {
            let host = text(host, "host", "nas.local")?;
            if host.starts_with('-') || host.contains(char::is_whitespace) || host.contains('@') {
                return Err(invalid(
                    format!("The host {host:?} is not a host name or address."),
                    "Give a name such as nas.local, or an address.",
                ));
            }
            if *port == 0 {
                return Err(invalid(
                    "Port 0 is not a port.",
                    "Give the SSH port, usually 22.",
                ));
            }
            let user = text(user, "user", "backup")?;
            if user.starts_with('-') || user.contains(char::is_whitespace) || user.contains('@') {
                return Err(invalid(
                    format!("The user {user:?} is not a user name."),
                    "Give the SSH user name, e.g. backup.",
                ));
            }
            let key_file = match key_file.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(file) => {
                    if !std::path::Path::new(file).is_file() {
                        return Err(invalid(
                            format!("The key file {file} does not exist."),
                            "Give the path of the private key, e.g. ~/.ssh/id_ed25519 expanded.",
                        ));
                    }
                    Some(file.to_string())
                }
            };
            let path = path.trim().to_string();
            if path.chars().any(char::is_control) || path.split('/').any(|p| p == "..") {
                return Err(invalid(
                    format!("The path {path:?} is not a plain path."),
                    "Use a folder such as backups or /srv/backups.",
                ));
            }
            LocationSettings::Sftp {
                host,
                port: *port,
                user,
                key_file,
                path,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(endpoint: &str, bucket: &str) -> LocationInput {
        LocationInput {
            name: "offsite".into(),
            settings: LocationSettings::S3 {
                endpoint: endpoint.into(),
                bucket: bucket.into(),
                prefix: "/team/".into(),
                region: String::new(),
                path_style: true,
                access_key_id: "key".into(),
            },
            keep_last: None,
            keep_days: None,
        }
    }

    #[test]
    fn names_are_plain_words_and_not_numbers() {
        assert_eq!(validate_name(" nas ").unwrap(), "nas");
        for bad in ["", "a b", "12", "x/y", &"n".repeat(65)] {
            assert_eq!(
                validate_name(bad).unwrap_err().code,
                Code::InvalidStorageName,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn s3_settings_are_checked_and_tidied() {
        let ok = s3("http://127.0.0.1:9000/", "dbm-test").validate().unwrap();
        match ok.settings {
            LocationSettings::S3 {
                endpoint,
                prefix,
                region,
                ..
            } => {
                assert_eq!(endpoint, "http://127.0.0.1:9000");
                assert_eq!(prefix, "team");
                assert_eq!(region, "us-east-1");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            s3("127.0.0.1:9000", "b-ok").validate().unwrap_err().code,
            Code::InvalidStorage
        );
        assert_eq!(
            s3("http://x", "Bad_Bucket").validate().unwrap_err().code,
            Code::InvalidStorage
        );
    }

    #[test]
    fn folders_must_be_absolute_and_retention_not_zero() {
        let mut input = LocationInput {
            name: "usb".into(),
            settings: LocationSettings::Folder {
                path: "relative/dir".into(),
            },
            keep_last: None,
            keep_days: None,
        };
        assert!(input.validate().unwrap_err().message.contains("absolute"));
        input.settings = LocationSettings::Folder {
            path: "/mnt/usb".into(),
        };
        input.keep_last = Some(0);
        assert_eq!(input.validate().unwrap_err().code, Code::InvalidStorage);
    }
}
