//! App settings in the `setting` table, with their defaults.

use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::docker::DEFAULT_IMAGE_TEMPLATE;
use crate::model::{Code, Problem};
use crate::store::Store;

/// Which pg_dump runs backups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum EnginePolicy {
    /// Docker when it can serve, else a local pg_dump.
    #[default]
    Auto,
    Docker,
    Local,
}

impl std::str::FromStr for EnginePolicy {
    type Err = Problem;
    fn from_str(text: &str) -> Result<Self, Problem> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(EnginePolicy::Auto),
            "docker" => Ok(EnginePolicy::Docker),
            "local" => Ok(EnginePolicy::Local),
            _ => Err(Problem::new(
                Code::InvalidEngine,
                format!("\"{}\" is not an engine.", crate::model::excerpt(text)),
                "Use auto, docker or local.",
            )),
        }
    }
}

impl EnginePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            EnginePolicy::Auto => "auto",
            EnginePolicy::Docker => "docker",
            EnginePolicy::Local => "local",
        }
    }
}

pub const BACKUP_ROOT: &str = "backup_root";
pub const ENGINE: &str = "engine";
pub const IMAGE_TEMPLATE: &str = "image_template";
/// "true" / "false": a desktop notification when a backup fails (default true) or completes (false).
pub const NOTIFY_ON_FAILURE: &str = "notify_on_failure";
pub const NOTIFY_ON_SUCCESS: &str = "notify_on_success";
/// Hours within which a run missed while the app was closed or asleep still runs (once) on return.
pub const CATCH_UP_GRACE_HOURS: &str = "catch_up_grace_hours";
pub const DEFAULT_CATCH_UP_GRACE_HOURS: u32 = 24;
pub const MAX_CATCH_UP_GRACE_HOURS: u32 = 24 * 31;
/// "true" while every schedule is paused (the tray's Pause schedules).
pub const SCHEDULES_PAUSED: &str = "schedules_paused";

pub fn get(store: &Store, key: &str) -> Result<Option<String>, Problem> {
    Ok(store
        .connection()
        .query_row("SELECT value FROM setting WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

pub fn set(store: &Store, key: &str, value: &str) -> Result<(), Problem> {
    upsert(&store.connection(), key, value)
}

/// Writes one setting on an open connection (inside a caller's transaction).
pub(crate) fn upsert(sql: &rusqlite::Connection, key: &str, value: &str) -> Result<(), Problem> {
    sql.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// Whether failed and completed backups are announced on the desktop (defaults: yes, no).
pub fn notify_on(store: &Store) -> Result<(bool, bool), Problem> {
    Ok((
        flag(store, NOTIFY_ON_FAILURE, true)?,
        flag(store, NOTIFY_ON_SUCCESS, false)?,
    ))
}

/// The catch-up grace window.
pub fn catch_up_grace(store: &Store) -> Result<chrono::Duration, Problem> {
    let hours = get(store, CATCH_UP_GRACE_HOURS)?
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(DEFAULT_CATCH_UP_GRACE_HOURS)
        .min(MAX_CATCH_UP_GRACE_HOURS);
    Ok(chrono::Duration::hours(i64::from(hours)))
}

pub fn schedules_paused(store: &Store) -> Result<bool, Problem> {
    flag(store, SCHEDULES_PAUSED, false)
}

/// Where backups are written: the setting, else `<data dir>/backups`; always a full path
/// (Docker refuses relative bind mounts, and records must not depend on the working folder).
pub fn backup_root(store: &Store) -> Result<PathBuf, Problem> {
    let root = match get(store, BACKUP_ROOT)? {
        Some(root) if !root.trim().is_empty() => PathBuf::from(root),
        _ => default_backup_root(store.path()),
    };
    Ok(std::path::absolute(&root).unwrap_or(root))
}

/// Seconds a backup may write nothing before it is ended, explained (`stall_after_seconds`).
pub const STALL_AFTER: &str = "stall_after_seconds";
/// Ten minutes: a lock wait that long is not a slow table.
pub const DEFAULT_STALL_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// How long a backup may write nothing before it is ended (the setting, else ten minutes; a
/// value that does not read as seconds is the default).
pub fn stall_after(store: &Store) -> Result<std::time::Duration, Problem> {
    Ok(get(store, STALL_AFTER)?
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|seconds| *seconds > 0)
        .map_or(DEFAULT_STALL_AFTER, std::time::Duration::from_secs))
}

/// JSON list of the backup folders used before the current one: their backups are still ours.
pub const FORMER_BACKUP_ROOTS: &str = "former_backup_roots";

/// Every folder the app has written backups under: the current one, the default, former ones.
pub fn backup_roots(store: &Store) -> Result<Vec<PathBuf>, Problem> {
    let mut roots = vec![backup_root(store)?, default_backup_root(store.path())];
    let former: Vec<String> = get(store, FORMER_BACKUP_ROOTS)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    roots.extend(former.into_iter().map(PathBuf::from));
    let mut unique = Vec::new();
    for root in roots {
        if !unique.contains(&root) {
            unique.push(root);
        }
    }
    Ok(unique)
}

fn default_backup_root(database: &Path) -> PathBuf {
    database.parent().unwrap_or(Path::new(".")).join("backups")
}

pub fn engine(store: &Store) -> Result<EnginePolicy, Problem> {
    get(store, ENGINE)?.map_or(Ok(EnginePolicy::Auto), |v| v.parse())
}

/// The image for a server major: `postgres:{major}` unless the user chose another template.
pub fn image_template(store: &Store) -> Result<String, Problem> {
    Ok(get(store, IMAGE_TEMPLATE)?
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_IMAGE_TEMPLATE.to_string()))
}

/// Checks a template before it is saved: an image reference, `{major}` where the tag goes.
pub fn validate_image_template(template: &str) -> Result<(), Problem> {
    let probe = template.replace("{major}", "16");
    let ok = !probe.is_empty()
        && !probe.contains(char::is_whitespace)
        && !probe.contains('{')
        && probe
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/:._-@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            Code::InvalidImageTemplate,
            format!(
                "\"{}\" is not an image name.",
                crate::model::excerpt(template)
            ),
            "Use an image reference with {major} where the version goes, e.g. postgres:{major}.",
        ))
    }
}

/// The settings the Settings page edits, with their current values (defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppSettings {
    pub engine: EnginePolicy,
    /// `postgres:{major}` unless changed; `{major}` becomes the server's major version.
    pub image_template: String,
    /// Where backups are written.
    pub backup_root: String,
    pub notify_on_failure: bool,
    pub notify_on_success: bool,
    /// A run missed while the app was closed or asleep runs once on return when it fell due
    /// within this many hours (0: never catch up).
    pub catch_up_grace_hours: u32,
    /// How long a backup may write nothing before it is ended, explained (a schedule may set
    /// its own).
    #[serde(default = "default_stall_after_seconds")]
    pub stall_after_seconds: u32,
}

fn default_stall_after_seconds() -> u32 {
    DEFAULT_STALL_AFTER.as_secs() as u32
}

/// The stall limit the Settings page accepts: a minute to a day.
pub const MIN_STALL_AFTER_SECONDS: u32 = 60;
pub const MAX_STALL_AFTER_SECONDS: u32 = 24 * 3600;

fn flag(store: &Store, key: &str, default: bool) -> Result<bool, Problem> {
    Ok(get(store, key)?.map_or(default, |value| value != "false"))
}

impl AppSettings {
    pub fn load(store: &Store) -> Result<AppSettings, Problem> {
        Ok(AppSettings {
            engine: engine(store)?,
            image_template: image_template(store)?,
            backup_root: backup_root(store)?.display().to_string(),
            notify_on_failure: notify_on(store)?.0,
            notify_on_success: notify_on(store)?.1,
            catch_up_grace_hours: (catch_up_grace(store)?.num_hours()) as u32,
            stall_after_seconds: u32::try_from(stall_after(store)?.as_secs()).unwrap_or(u32::MAX),
        })
    }

    /// Checks every value, then saves them all; nothing is saved when one is wrong.
    pub fn save(&self, store: &Store) -> Result<AppSettings, Problem> {
        validate_image_template(self.image_template.trim())?;
        let root = PathBuf::from(self.backup_root.trim());
        if !root.is_absolute() {
            return Err(Problem::new(
                Code::InvalidBackupRoot,
                format!(
                    "\"{}\" is not a full path.",
                    crate::model::excerpt(&self.backup_root)
                ),
                "Choose a folder by its full path, e.g. /home/you/Backups.",
            ));
        }
        if root.parent().is_none() {
            return Err(Problem::new(
                Code::InvalidBackupRoot,
                format!("{} is the root of the file system.", root.display()),
                "Choose a folder of its own for backups, e.g. /home/you/Backups.",
            ));
        }
        crate::store::create_private_dir(&root).map_err(|error| {
            Problem::new(
                Code::InvalidBackupRoot,
                format!(
                    "The folder {} cannot be used: {error}.",
                    crate::model::excerpt(&root.display().to_string())
                ),
                "Choose a folder you can write to.",
            )
        })?;
        if self.catch_up_grace_hours > MAX_CATCH_UP_GRACE_HOURS {
            return Err(Problem::new(
                Code::InvalidCatchUpGraceHours,
                format!(
                    "{} hours is too long a catch-up window.",
                    self.catch_up_grace_hours
                ),
                format!("Use 0 (never catch up) to {MAX_CATCH_UP_GRACE_HOURS} hours."),
            ));
        }
        if !(MIN_STALL_AFTER_SECONDS..=MAX_STALL_AFTER_SECONDS).contains(&self.stall_after_seconds)
        {
            return Err(Problem::new(
                Code::InvalidStallAfter,
                format!(
                    "A stall limit of {} is not possible.",
                    crate::time::human_duration(u64::from(self.stall_after_seconds))
                ),
                "Use between 1 minute and 24 hours.",
            ));
        }
        let previous_root = backup_root(store)?;
        let mut former: Vec<String> = get(store, FORMER_BACKUP_ROOTS)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        let previous = previous_root.display().to_string();
        if previous_root != root && !former.contains(&previous) {
            former.push(previous);
        }
        let former = serde_json::to_string(&former).unwrap_or_else(|_| "[]".into());
        let mut sql = store.connection();
        let tx = sql.transaction()?;
        upsert(&tx, FORMER_BACKUP_ROOTS, &former)?;
        for (key, value) in [
            (ENGINE, self.engine.as_str().to_string()),
            (IMAGE_TEMPLATE, self.image_template.trim().to_string()),
            (BACKUP_ROOT, root.display().to_string()),
            (NOTIFY_ON_FAILURE, self.notify_on_failure.to_string()),
            (NOTIFY_ON_SUCCESS, self.notify_on_success.to_string()),
            (CATCH_UP_GRACE_HOURS, self.catch_up_grace_hours.to_string()),
            (STALL_AFTER, self.stall_after_seconds.to_string()),
        ] {
            upsert(&tx, key, &value)?;
        }
        tx.commit()?;
        drop(sql);
        AppSettings::load(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_saved_values_and_bad_values_save_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(&dir.path().join("data")).unwrap();
        let defaults = AppSettings::load(&store).unwrap();
        assert_eq!(defaults.engine, EnginePolicy::Auto);
        assert_eq!(defaults.image_template, "postgres:{major}");
        assert!(defaults.backup_root.ends_with("backups"));
        assert!(defaults.notify_on_failure && !defaults.notify_on_success);
        assert_eq!(defaults.catch_up_grace_hours, 24);
        assert_eq!(defaults.stall_after_seconds, 600);

        let chosen = AppSettings {
            engine: EnginePolicy::Local,
            image_template: "registry.local/postgres:{major}-alpine".into(),
            backup_root: dir.path().join("elsewhere").display().to_string(),
            notify_on_failure: false,
            notify_on_success: true,
            catch_up_grace_hours: 6,
            stall_after_seconds: 1200,
        };
        assert_eq!(chosen.save(&store).unwrap(), chosen);
        assert_eq!(AppSettings::load(&store).unwrap(), chosen);

        for (bad, code) in [
            (
                AppSettings {
                    image_template: "postgres {major}".into(),
                    ..chosen.clone()
                },
                "invalid_image_template",
            ),
            (
                AppSettings {
                    backup_root: "relative/dir".into(),
                    ..chosen.clone()
                },
                "invalid_backup_root",
            ),
            (
                AppSettings {
                    catch_up_grace_hours: 10_000,
                    ..chosen.clone()
                },
                "invalid_catch_up_grace_hours",
            ),
            (
                AppSettings {
                    stall_after_seconds: 5,
                    ..chosen.clone()
                },
                "invalid_stall_after",
            ),
        ] {
            assert_eq!(bad.save(&store).unwrap_err().code.as_str(), code);
        }
        assert_eq!(
            AppSettings::load(&store).unwrap(),
            chosen,
            "nothing changed"
        );
    }
}
