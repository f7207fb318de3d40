//! A data dir with a saved connection, ready to back up; restoring with the image's own tools.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use dbm_engine::backups::{run_backup, Backup, BackupRequest, NoProgress, Progress};
use dbm_engine::connections::{ConnectionInput, Connections};
use dbm_engine::dump::options::DumpOptions;
use dbm_engine::model::{BackupId, ConnectionId, DumpFormat, SslMode, Trigger};
use dbm_engine::secrets::Secret;
use dbm_engine::settings::{self, EnginePolicy};
use dbm_engine::store::Store;
use tokio_util::sync::CancellationToken;

use super::{env_or, pg_port};

pub struct Setup {
    pub dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub connection: ConnectionId,
    pub root: PathBuf,
}

/// A data dir (backups under `<dir>/backups`) with a connection to `database` on server `major`.
pub fn setup(major: u32, database: &str) -> Setup {
    setup_with_password(major, database, &env_or("DBM_PG_PASSWORD", "postgres"))
}

pub fn setup_with_password(major: u32, database: &str, password: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_in(&dir.path().join("data")).unwrap());
    let connection = add_connection_with_password(&store, major, database, password);
    let root = dir.path().join("backups");
    settings::set(&store, settings::BACKUP_ROOT, &root.display().to_string()).unwrap();
    Setup {
        dir,
        store,
        connection,
        root,
    }
}

/// Another saved connection (superuser) to `database` on server `major`.
pub fn add_connection(store: &Store, major: u32, database: &str) -> ConnectionId {
    add_connection_with_password(
        store,
        major,
        database,
        &env_or("DBM_PG_PASSWORD", "postgres"),
    )
}

fn add_connection_with_password(
    store: &Store,
    major: u32,
    database: &str,
    password: &str,
) -> ConnectionId {
    let input = ConnectionInput {
        name: format!("Server {major} / {database}"),
        host: "127.0.0.1".into(),
        port: pg_port(major).to_string(),
        database: database.into(),
        username: "postgres".into(),
        sslmode: SslMode::Prefer,
        scope: Default::default(),
    };
    Connections::new(store)
        .create(&input, Some(&Secret::new(password)))
        .unwrap()
        .id
}

impl Setup {
    pub async fn backup(&self, format: DumpFormat, engine: EnginePolicy) -> Backup {
        self.backup_with(
            DumpOptions {
                format,
                ..Default::default()
            },
            engine,
            Arc::new(NoProgress),
            CancellationToken::new(),
        )
        .await
    }

    /// A backup through Docker that must complete.
    pub async fn completed(&self, format: DumpFormat) -> Backup {
        let backup = self.backup(format, EnginePolicy::Docker).await;
        assert_eq!(
            backup.status,
            dbm_engine::model::BackupStatus::Completed,
            "{backup:?}"
        );
        backup
    }

    pub async fn backup_with(
        &self,
        options: DumpOptions,
        engine: EnginePolicy,
        progress: Arc<dyn Progress>,
        cancel: CancellationToken,
    ) -> Backup {
        let request = BackupRequest {
            connection: self.connection,
            options,
            trigger: Trigger::Manual,
            schedule: None,
            engine: Some(engine),
            stall_after: None,
            time_limit: None,
        };
        run_backup(self.store.clone(), request, progress, cancel)
            .await
            .unwrap()
    }

    /// Every file under the backup root (partials included).
    pub fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        collect(&self.root, &mut out);
        out
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        out.push(path.clone());
        if path.is_dir() {
            collect(&path, out);
        }
    }
}

/// Starts a backup of the setup's connection on a task of its own, to strike while it runs.
pub fn spawn_backup(
    setup: &Setup,
    options: DumpOptions,
    engine: EnginePolicy,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<Backup> {
    let (store, connection) = (setup.store.clone(), setup.connection);
    tokio::spawn(async move {
        let request = BackupRequest {
            connection,
            options,
            trigger: Trigger::Manual,
            schedule: None,
            engine: Some(engine),
            stall_after: None,
            time_limit: None,
        };
        run_backup(store, request, Arc::new(NoProgress), cancel)
            .await
            .unwrap()
    })
}

/// Records what the engine reports, for assertions.
#[derive(Default)]
pub struct Recorder {
    pub started: Mutex<Option<BackupId>>,
    pub stages: Mutex<Vec<String>>,
    pub bytes: Mutex<Vec<u64>>,
}

impl Progress for Recorder {
    fn started(&self, backup: BackupId, _connection: ConnectionId) {
        *self.started.lock().unwrap() = Some(backup);
    }
    fn stage(&self, _backup: BackupId, text: &str) {
        self.stages.lock().unwrap().push(text.to_string());
    }
    fn bytes(&self, _backup: BackupId, bytes: u64, _elapsed: std::time::Duration) {
        self.bytes.lock().unwrap().push(bytes);
    }
}

/// Restores a backup file into `database` on server `major` with the `postgres:<major>` image's
/// own pg_restore (archives) or psql (plain, after zstd decompression when needed).
pub fn restore_with_image(major: u32, backup: &Path, database: &str) {
    let dir = backup.parent().unwrap();
    let name = backup.file_name().unwrap().to_string_lossy().into_owned();
    let mut command = Command::new("docker");
    command
        .args([
            "run",
            "--rm",
            "-i",
            "--network",
            "host",
            "--log-driver",
            "none",
            "-e",
            "PGPASSWORD",
        ])
        .env("PGPASSWORD", env_or("DBM_PG_PASSWORD", "postgres"))
        .arg("-v")
        .arg(format!("{}:/in:ro", dir.display()))
        .arg(format!("postgres:{major}"));
    let port = pg_port(major).to_string();
    let connection = [
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-U",
        "postgres",
        "-d",
        database,
    ];
    let stdin = if name.ends_with(".sql") || name.ends_with(".sql.zst") {
        command
            .arg("psql")
            .args(connection)
            .args(["-q", "-v", "ON_ERROR_STOP=1"]);
        let bytes = std::fs::read(backup).unwrap();
        Some(if name.ends_with(".zst") {
            zstd::decode_all(&bytes[..]).unwrap()
        } else {
            bytes
        })
    } else {
        command
            .arg("pg_restore")
            .args(connection)
            .args(["--no-owner", "--exit-on-error"])
            .arg(format!("/in/{name}"));
        None
    };
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("docker run");
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(sql) = stdin {
            input.write_all(&sql).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "restore of {name} into {database} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
