//! Encryption of copies with age: one X25519 identity per installation, kept in the keyring,
//! plus any extra recipients the user adds (a colleague's or a server's public key). Files are
//! standard age files: `age -d -i key.txt FILE.age > FILE` reads them without this app.

use std::io::{self, BufReader, Read, Write};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use rusqlite::OptionalExtension;

use crate::model::{Code, Problem};
use crate::secrets::{Secret, SecretStore};
use crate::store::Store;
use crate::time::now_utc;

const IDENTITY_ENTRY: &str = "age-identity";
const RECIPIENTS_SETTING: &str = "encryption_recipients";
const EXPORTED_SETTING: &str = "encryption_key_exported_at";

/// This installation's key as the user sees it (never the secret part).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    /// This installation's public key (`age1…`).
    pub recipient: String,
    /// Extra public keys every encrypted copy is also readable with.
    pub extra_recipients: Vec<String>,
    /// When the user last exported the identity; None: never (copies encrypted now could not
    /// be read on another computer).
    pub exported_at: Option<String>,
}

fn secrets(store: &Store) -> Result<SecretStore, Problem> {
    Ok(SecretStore::new(store.installation_id()?))
}

/// The installation's identity, made and stored in the keyring the first time it is needed.
pub fn identity(store: &Store) -> Result<age::x25519::Identity, Problem> {
    let secrets = secrets(store)?;
    if let Some(saved) = secrets.get(IDENTITY_ENTRY)? {
        return age::x25519::Identity::from_str(saved.expose()).map_err(|e| {
            Problem::new(
                Code::KeyMissing,
                format!("The encryption key in the keyring is not readable: {e}."),
                "Import your exported key again (dbm key import), or remove the entry to make a new one.",
            )
        });
    }
    let made = age::x25519::Identity::generate();
    secrets.set(
        IDENTITY_ENTRY,
        &Secret::new(made.to_string().expose_secret().to_string()),
    )?;
    tracing::info!("made this installation's encryption key");
    Ok(made)
}

/// Replaces the installation's identity with an exported one (a new computer reading an old
/// one's copies). Its text is what `dbm key export` printed; comment lines are skipped.
pub fn import(store: &Store, exported: &Secret) -> Result<KeyInfo, Problem> {
    let line = exported
        .expose()
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .ok_or_else(|| {
            Problem::new(
                Code::KeyMissing,
                "The text has no age identity (a line starting AGE-SECRET-KEY-).",
                "Give the file dbm key export wrote on the other computer.",
            )
        })?;
    age::x25519::Identity::from_str(line).map_err(|e| {
        Problem::new(
            Code::KeyMissing,
            format!("The identity is not readable: {e}."),
            "Give the file dbm key export wrote, unchanged.",
        )
    })?;
    secrets(store)?.set(IDENTITY_ENTRY, &Secret::new(line))?;
    set_setting(store, EXPORTED_SETTING, Some(&now_utc()))?;
    info(store)
}

/// The identity as a key file for `age -d -i`, and notes that the user has it now.
pub fn export(store: &Store) -> Result<Secret, Problem> {
    let identity = identity(store)?;
    let text = format!(
        "# DB Backup Manager encryption key, exported {}\n# public key: {}\n# decrypt a copy by hand: age -d -i THIS-FILE BACKUP.age > BACKUP\n{}\n",
        now_utc(),
        identity.to_public(),
        identity.to_string().expose_secret()
    );
    set_setting(store, EXPORTED_SETTING, Some(&now_utc()))?;
    Ok(Secret::new(text))
}

/// `export` into a new file only the user can read (0600); an existing file is never replaced.
pub fn export_to_file(store: &Store, path: &std::path::Path) -> Result<(), Problem> {
    let exported = export(store)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(path)
        .and_then(|mut file| file.write_all(exported.expose().as_bytes()));
    written.map_err(|e| {
        Problem::new(
            Code::InvalidBackupPath,
            format!("The key cannot be written to {}: {e}.", path.display()),
            "Choose a new file in a folder you can write to (an existing file is never replaced).",
        )
    })
}

pub fn info(store: &Store) -> Result<KeyInfo, Problem> {
    Ok(KeyInfo {
        recipient: identity(store)?.to_public().to_string(),
        extra_recipients: extra_recipients(store)?,
        exported_at: setting(store, EXPORTED_SETTING)?,
    })
}

fn parse_recipient(text: &str) -> Result<age::x25519::Recipient, Problem> {
    age::x25519::Recipient::from_str(text.trim()).map_err(|e| {
        Problem::new(
            Code::InvalidRecipient,
            format!("{:?} is not an age public key: {e}.", text.trim()),
            "Give a key that starts with age1 (age-keygen -y KEYFILE prints it).",
        )
    })
}

pub fn extra_recipients(store: &Store) -> Result<Vec<String>, Problem> {
    Ok(setting(store, RECIPIENTS_SETTING)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Sets the extra recipients (checked, duplicates dropped); new copies are encrypted to them too.
pub fn set_extra_recipients(store: &Store, keys: &[String]) -> Result<KeyInfo, Problem> {
    let mut checked: Vec<String> = Vec::new();
    for key in keys {
        let parsed = parse_recipient(key)?.to_string();
        if !checked.contains(&parsed) {
            checked.push(parsed);
        }
    }
    let json = serde_json::to_string(&checked).unwrap_or_default();
    set_setting(
        store,
        RECIPIENTS_SETTING,
        (!checked.is_empty()).then_some(json.as_str()),
    )?;
    info(store)
}

/// Everyone a copy made now is encrypted to: this installation first, then the extras.
pub fn recipients(store: &Store) -> Result<Vec<String>, Problem> {
    let mut all = vec![identity(store)?.to_public().to_string()];
    all.extend(extra_recipients(store)?);
    Ok(all)
}

fn setting(store: &Store, key: &str) -> Result<Option<String>, Problem> {
    Ok(store
        .connection()
        .query_row("SELECT value FROM setting WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

fn set_setting(store: &Store, key: &str, value: Option<&str>) -> Result<(), Problem> {
    let sql = store.connection();
    match value {
        Some(value) => sql.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?,
        None => sql.execute("DELETE FROM setting WHERE key = ?1", [key])?,
    };
    Ok(())
}

/// Encrypts `input` to `recipients` into `output`, as a stream.
pub fn encrypt_stream(
    recipients: &[String],
    input: impl Read,
    output: impl Write,
) -> Result<(), Problem> {
    let parsed = recipients
        .iter()
        .map(|r| parse_recipient(r))
        .collect::<Result<Vec<_>, _>>()?;
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| encrypt_failed(&e.to_string()))?;
    let mut writer = encryptor
        .wrap_output(output)
        .map_err(|e| encrypt_failed(&e.to_string()))?;
    // In 1 MiB blocks (io::copy's 8 KiB would mean many small writes into the cipher).
    let mut input = input;
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(encrypt_failed(&e.to_string())),
        };
        writer
            .write_all(&buffer[..n])
            .map_err(|e| encrypt_failed(&e.to_string()))?;
    }
    writer
        .finish()
        .map_err(|e| encrypt_failed(&e.to_string()))?;
    Ok(())
}

/// Decrypts an age stream with this installation's identity.
pub fn decrypt_stream(
    identity: &age::x25519::Identity,
    input: impl Read,
    mut output: impl Write,
) -> Result<u64, Problem> {
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, input))
        .map_err(|e| decrypt_failed(&e.to_string()))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| decrypt_failed(&e.to_string()))?;
    io::copy(&mut reader, &mut output).map_err(|e| decrypt_failed(&e.to_string()))
}

fn encrypt_failed(detail: &str) -> Problem {
    Problem::new(
        Code::EncryptFailed,
        format!("Encrypting the copy failed: {detail}."),
        "Check the recipients (dbm key show) and the disk, then retry the copy.",
    )
}

fn decrypt_failed(detail: &str) -> Problem {
    let fix = if detail.contains("No matching keys")
        || detail.to_lowercase().contains("no matching")
    {
        "This copy was encrypted to another key: import that installation's exported key (dbm key import FILE)."
    } else {
        "The file is damaged or not an age file; verify the copy."
    };
    Problem::new(
        Code::DecryptFailed,
        format!("Decrypting failed: {detail}."),
        fix,
    )
}
