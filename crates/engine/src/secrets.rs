//! The OS keyring: the only place a password is kept.

use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use crate::model::{Code, ConnectionId, Problem};

/// The keyring service name every entry of this app is stored under.
pub const KEYRING_SERVICE: &str = "db-backup-manager";

/// A keyring call can hang on a stuck D-Bus service; give up after this long.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether passwords can be stored and read, and in which store.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyringCheck {
    pub backend: String,
    pub problem: Option<Problem>,
}

/// The platform's store, by name, for the user.
pub fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    }
}

/// Looks up an entry that does not exist: that reaches the store and tells whether it is
/// usable, without writing anything and without asking the user to unlock it.
pub async fn check() -> KeyringCheck {
    let probe = tokio::task::spawn_blocking(|| {
        keyring::Entry::new(KEYRING_SERVICE, "dbm-keyring-probe")
            .and_then(|entry| entry.get_password())
    });
    let problem = match tokio::time::timeout(CHECK_TIMEOUT, probe).await {
        Err(_) => Some(Problem::new(
            Code::KeyringTimeout,
            format!(
                "The {} did not answer within {} s.",
                backend_name(),
                CHECK_TIMEOUT.as_secs()
            ),
            "Restart the keyring service (e.g. gnome-keyring-daemon) or log out and in again.",
        )),
        Ok(Err(join_error)) => Some(Problem::new(
            Code::KeyringUnavailable,
            format!("The keyring check stopped unexpectedly: {join_error}."),
            "Try again; if it keeps failing, restart the app.",
        )),
        Ok(Ok(Ok(_) | Err(keyring::Error::NoEntry))) => None,
        Ok(Ok(Err(error))) => Some(keyring_problem(&error)),
    };
    KeyringCheck {
        backend: backend_name().to_string(),
        problem,
    }
}

/// Turns a keyring error into what the user should know and do.
pub fn keyring_problem(error: &keyring::Error) -> Problem {
    match error {
        keyring::Error::NoStorageAccess(detail) => Problem::new(
            Code::KeyringUnavailable,
            format!("No keyring is available to store passwords ({detail})."),
            "Start a keyring such as GNOME Keyring or KWallet and unlock it (logging in to a desktop session usually does).",
        ),
        keyring::Error::PlatformFailure(detail) => {
            let detail_text = detail.to_string();
            if detail_text.to_lowercase().contains("locked") {
                locked()
            } else {
                Problem::new(
                    Code::KeyringUnavailable,
                    format!("The {} cannot be reached ({detail_text}).", backend_name()),
                    "Run the app inside a desktop session with a keyring (GNOME Keyring or KWallet) running.",
                )
            }
        }
        other if other.to_string().to_lowercase().contains("locked") => locked(),
        other => Problem::new(
            Code::KeyringError,
            format!("The {} refused the request ({other}).", backend_name()),
            "Check that the keyring is unlocked and working, then try again.",
        ),
    }
}

fn locked() -> Problem {
    Problem::new(
        Code::KeyringLocked,
        format!("The {} is locked.", backend_name()),
        "Unlock it (e.g. with Seahorse, or by logging in again), then try again.",
    )
}

/// A password. It never prints, logs or serialises; read it with `expose` where it is used.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The password itself, for the one place that hands it on (a driver, an environment).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort: overwrite the bytes so the password does not linger in freed memory.
        // SAFETY: zero bytes are valid UTF-8.
        unsafe { self.0.as_bytes_mut() }.fill(0);
    }
}

/// Named secrets of one data dir in the OS keyring (a connection's password, a storage
/// location's key, the encryption identity). Each entry's name starts with the data dir's
/// installation id so two data dirs never share entries. Calls block (D-Bus): run them off the
/// async runtime.
#[derive(Debug, Clone)]
pub struct SecretStore {
    installation_id: String,
}

impl SecretStore {
    pub fn new(installation_id: impl Into<String>) -> SecretStore {
        SecretStore {
            installation_id: installation_id.into(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, Problem> {
        let user = format!("{}/{name}", self.installation_id);
        keyring::Entry::new(KEYRING_SERVICE, &user).map_err(|e| keyring_problem(&e))
    }

    pub fn set(&self, name: &str, secret: &Secret) -> Result<(), Problem> {
        let entry = self.entry(name)?;
        let secret = secret.clone();
        bounded(move || {
            entry
                .set_password(secret.expose())
                .map_err(|e| keyring_problem(&e))
        })
    }

    /// The saved secret, or None when there is none.
    pub fn get(&self, name: &str) -> Result<Option<Secret>, Problem> {
        let entry = self.entry(name)?;
        bounded(move || match entry.get_password() {
            Ok(secret) => Ok(Some(Secret::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(keyring_problem(&error)),
        })
    }

    /// Removes the entry; one that is already gone is fine.
    pub fn delete(&self, name: &str) -> Result<(), Problem> {
        let entry = self.entry(name)?;
        bounded(move || match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(keyring_problem(&error)),
        })
    }
}

/// Connection passwords in the OS keyring, one entry per connection.
#[derive(Debug, Clone)]
pub struct PasswordStore {
    secrets: SecretStore,
}

impl PasswordStore {
    pub fn new(installation_id: impl Into<String>) -> PasswordStore {
        PasswordStore {
            secrets: SecretStore::new(installation_id),
        }
    }

    fn name(connection_id: ConnectionId) -> String {
        format!("connection/{connection_id}")
    }

    pub fn set(&self, connection_id: ConnectionId, password: &Secret) -> Result<(), Problem> {
        self.secrets.set(&Self::name(connection_id), password)
    }

    /// The saved password, or None when the connection has none.
    pub fn get(&self, connection_id: ConnectionId) -> Result<Option<Secret>, Problem> {
        self.secrets.get(&Self::name(connection_id))
    }

    /// Removes the entry; one that is already gone is fine.
    pub fn delete(&self, connection_id: ConnectionId) -> Result<(), Problem> {
        self.secrets.delete(&Self::name(connection_id))
    }
}

/// How long one keyring call may take: an unlock prompt the user answers fits; a keyring
/// service that hangs (D-Bus has no call timeout) does not stall the caller for ever.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs a keyring call on its own thread and gives up after `CALL_TIMEOUT` (the thread is left
/// to finish or hang on its own: nothing waits for it).
fn bounded<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = sender.send(call());
        })
        .map_err(|e| {
            Problem::new(
                Code::KeyringUnavailable,
                format!("The keyring could not be called: {e}."),
                "Try again.",
            )
        })?;
    receiver.recv_timeout(CALL_TIMEOUT).unwrap_or_else(|_| {
        Err(Problem::new(
            Code::KeyringTimeout,
            format!(
                "The {} did not answer within {} s (waiting for an unlock prompt, or stuck).",
                backend_name(),
                CALL_TIMEOUT.as_secs()
            ),
            "Unlock the keyring, or restart its service (e.g. gnome-keyring-daemon), then try again.",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_its_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(secret.expose(), "hunter2");
    }
}
