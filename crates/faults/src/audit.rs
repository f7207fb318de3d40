//! What a data dir looks like after an injection and the restart that followed: the figures
//! that must be zero.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::dbm::DataDir;

/// Files of the user's planted in the backup root before the campaign; none may go.
pub const FOREIGN: [&str; 4] = [
    "notes.partial",
    "big/2026/12/notes.partial",
    "big/2026/12/big_20260101T000000Z_999999.dump.partial",
    "x_20260101T000000Z_1.dump.partial",
];

pub fn plant_foreign(data: &DataDir) {
    for file in FOREIGN {
        let path = data.root.join(file);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&path, b"the user's own file");
    }
}

/// Figures of one data dir now.
#[derive(Debug, Default, Clone, Copy)]
pub struct Figures {
    pub running_after_restart: usize,
    pub partials_left: usize,
    pub foreign_removed: usize,
    pub records_lost: usize,
    pub containers_left: usize,
}

impl std::ops::AddAssign for Figures {
    fn add_assign(&mut self, other: Figures) {
        self.running_after_restart += other.running_after_restart;
        self.partials_left += other.partials_left;
        self.foreign_removed += other.foreign_removed;
        self.records_lost += other.records_lost;
        self.containers_left += other.containers_left;
    }
}

/// Each record seen before an injection: its status and schedule.
pub type Known = BTreeMap<i64, (String, Option<i64>)>;

/// Reads the figures; `known` are the records seen before the injection: none may vanish,
/// but for what retention deletes (a completed backup of a schedule keeping its last
/// `KEEP_LAST`, with that many newer completed ones of it still there).
pub fn figures(data: &DataDir, known: &Known) -> Figures {
    let backups = data.backups();
    let ids: BTreeSet<i64> = backups.iter().filter_map(|b| b["id"].as_i64()).collect();
    let pruned = |id: i64, status: &str, schedule: Option<i64>| {
        status == "completed"
            && schedule.is_some()
            && backups
                .iter()
                .filter(|b| {
                    b["status"] == "completed"
                        && b["scheduleId"].as_i64() == schedule
                        && b["id"].as_i64().is_some_and(|other| other > id)
                })
                .count()
                >= KEEP_LAST
    };
    let vanished = known
        .iter()
        .filter(|(id, _)| !ids.contains(id))
        .filter(|(id, (status, schedule))| !pruned(**id, status, *schedule))
        .count();
    let completed: BTreeSet<String> = backups
        .iter()
        .filter(|b| b["status"] == "completed")
        .filter_map(|b| b["filePath"].as_str().map(str::to_string))
        .collect();
    let files = layout_files(&data.root);
    // A finished file of ours that no completed record names is a backup the library lost.
    let unknown = files
        .iter()
        .filter(|f| !f.to_string_lossy().ends_with(".partial"))
        .filter(|f| !completed.contains(&f.display().to_string()))
        .count();
    Figures {
        running_after_restart: backups
            .iter()
            .filter(|b| b["status"] == "running" || b["status"] == "pending")
            .count(),
        partials_left: files
            .iter()
            .filter(|f| f.to_string_lossy().ends_with(".partial"))
            .filter(|f| !FOREIGN.iter().any(|n| data.root.join(n) == **f))
            .count(),
        foreign_removed: FOREIGN
            .iter()
            .filter(|n| !data.root.join(n).exists())
            .count(),
        records_lost: vanished + unknown,
        containers_left: containers_of(&data.dir, data.docker_host.as_deref()),
    }
}

/// How many completed backups the campaign's schedules keep.
pub const KEEP_LAST: usize = 3;

pub fn known(data: &DataDir) -> Known {
    data.backups()
        .iter()
        .filter_map(|b| {
            Some((
                b["id"].as_i64()?,
                (b["status"].as_str()?.to_string(), b["scheduleId"].as_i64()),
            ))
        })
        .collect()
}

/// The files and folders of the app's layout: `<root>/<slug>/<YYYY>/<MM>/<name>`.
fn layout_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let level = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect()
    };
    for slug in level(root).into_iter().filter(|p| p.is_dir()) {
        for year in level(&slug).into_iter().filter(|p| p.is_dir()) {
            for month in level(&year).into_iter().filter(|p| p.is_dir()) {
                found.extend(level(&month).into_iter().filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    // Ours: `<slug>_<stamp>_<id>.<ext>`; the planted ones are counted apart.
                    name.matches('_').count() == 2 && !name.contains("999999")
                }));
            }
        }
    }
    found
}

/// Containers of the app (any state) whose environment names the campaign's database and whose
/// bind mounts or environment point into `dir`'s backups (ours, not another run's).
pub fn containers_of(dir: &Path, docker_host: Option<&str>) -> usize {
    let docker = |args: &[&str]| {
        let mut command = Command::new("docker");
        if let Some(host) = docker_host {
            command.env("DOCKER_HOST", host);
        }
        command
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default()
    };
    let ids = docker(&["ps", "-aq", "--filter", "label=dev.dbm.role"]);
    ids.lines()
        .filter(|id| {
            let details = docker(&["inspect", id]);
            let parsed: Value = serde_json::from_str(&details).unwrap_or(Value::Null);
            let text = parsed.to_string();
            text.contains(&format!("PGPORT={}", crate::server::PORT))
                && text.contains(&dir.display().to_string())
        })
        .count()
}
