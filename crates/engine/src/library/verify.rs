//! Proof that a backup is good: its file is there with the recorded size and SHA-256, an
//! archive reads with `pg_restore --list`, and (asked for) it restores into a throwaway
//! PostgreSQL in a `postgres:<major>` container whose per-table row counts match the source's.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::dump_scope::{self, Scope};
use crate::backups::repository;
use crate::backups::{Backup, TableCount, Verification, VerifyCheck};
use crate::blocking::run_blocking;
use crate::connections::Connections;
use crate::docker::{self, ContainerSpec};
use crate::dump::local_binaries::parse_version_line;

use crate::dump::runner;
use crate::dump::sink::hash_path;
use crate::model::{BackupId, BackupStatus, Code, ConnectionId, DumpFormat, Problem};
use crate::pg::DEFAULT_CONNECT_TIMEOUT;
use crate::settings;
use crate::store::Store;

/// Every user table with its exact row count, as `schema.table|rows` lines.
pub const COUNT_ROWS_SQL: &str = "SELECT format('%I.%I', n.nspname, c.relname), \
     (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1";

const IN_MOUNT: &str = "/dbm-in";

/// Whether and where verifying restores the backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreCheck {
    /// File checks only.
    None,
    /// Into a PostgreSQL started for the purpose in a `postgres:<major>` container.
    Container,
    /// Into a scratch database created (and dropped) on this connection's server: for machines
    /// without Docker. Needs a user who may create databases.
    OnServer(ConnectionId),
}

impl RestoreCheck {
    /// The choice as the CLI and the window ask it: restore on a chosen server's connection,
    /// else (asked to restore) in a container, else none.
    pub fn chosen(restore: bool, on: Option<ConnectionId>) -> RestoreCheck {
        match (on, restore) {
            (Some(connection), _) => RestoreCheck::OnServer(connection),
            (None, true) => RestoreCheck::Container,
            (None, false) => RestoreCheck::None,
        }
    }
}

fn check(name: &str, ok: bool, detail: impl Into<String>) -> VerifyCheck {
    VerifyCheck {
        name: name.into(),
        ok,
        detail: detail.into(),
    }
}

/// Verifies backup `id` and records the result and time on it.
pub async fn verify(
    store: Arc<Store>,
    id: BackupId,
    restore: RestoreCheck,
) -> Result<Verification, Problem> {
    let started = Instant::now();
    let lookup = store.clone();
    let backup = run_blocking(move || repository::get(&lookup.connection(), id)).await?;
    if backup.status != BackupStatus::Completed {
        return Err(Problem::new(
            Code::BackupHasNoFile,
            format!(
                "Backup {id} is {}: there is nothing to verify.",
                backup.status.as_str()
            ),
            "Choose a completed backup.",
        ));
    }
    let mut checks = Vec::new();
    let mut restored_tables = None;
    let path = backup
        .file_path
        .clone()
        .map(PathBuf::from)
        .unwrap_or_default();
    let file_ok = path.exists();
    checks.push(check(
        "file",
        file_ok,
        if file_ok {
            format!("{} is there", path.display())
        } else {
            format!("{} is missing", path.display())
        },
    ));
    if file_ok {
        let hashed = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || hash_path(&path)).await
        };
        match hashed {
            Ok(Ok(written)) => {
                let recorded_size = backup.size_bytes.map(|s| s as u64);
                checks.push(check(
                    "size",
                    recorded_size == Some(written.bytes),
                    format!(
                        "{} bytes on disk, {} recorded",
                        written.bytes,
                        recorded_size.map_or("none".into(), |s| s.to_string())
                    ),
                ));
                let sha_ok = backup.sha256.as_deref() == Some(written.sha256.as_str());
                checks.push(check(
                    "sha256",
                    sha_ok,
                    if sha_ok {
                        "matches the recorded checksum".to_string()
                    } else {
                        format!(
                            "{} on disk, {} recorded",
                            written.sha256,
                            backup.sha256.as_deref().unwrap_or("none")
                        )
                    },
                ));
            }
            _ => checks.push(check("sha256", false, "the file could not be read")),
        }
        let intact = checks.iter().all(|c| c.ok);
        if intact && backup.format.is_archive() {
            checks.push(archive_check(&store, &backup, &path).await);
        }
        if restore != RestoreCheck::None && checks.iter().all(|c| c.ok) {
            let (restore_checks, tables) = restore_check(&store, &backup, &path, restore).await;
            checks.extend(restore_checks);
            restored_tables = tables;
        }
    }
    let verification = Verification {
        ok: checks.iter().all(|c| c.ok),
        checks,
        restored_tables,
        // Whole milliseconds: the record round-trips through JSON unchanged.
        seconds: started.elapsed().as_millis() as f64 / 1000.0,
    };
    let record = verification.clone();
    run_blocking(move || repository::set_verification(&store.connection(), id, &record)).await?;
    tracing::info!(backup = id.0, ok = verification.ok, "backup verified");
    Ok(verification)
}

/// The major of the pg_dump that wrote the backup (tools at least as new read it).
pub(super) fn dump_major(backup: &Backup) -> Result<u32, Problem> {
    backup
        .pg_dump_version
        .as_deref()
        .and_then(|v| parse_version_line(&format!("pg_dump (PostgreSQL) {v}")))
        .map(|(_, major)| major)
        .ok_or_else(|| {
            Problem::new(
                Code::UnknownDumpVersion,
                format!(
                    "Backup {} does not record which pg_dump wrote it.",
                    backup.id
                ),
                "Verify by restoring it by hand with a recent pg_restore.",
            )
        })
}

/// The pg_restore that reads `backup`: of its pg_dump's major, chosen by the engine settings.
pub(super) async fn tools_for(
    store: &Arc<Store>,
    backup: &Backup,
) -> Result<runner::Runner, Problem> {
    let major = dump_major(backup)?;
    let lookup = store.clone();
    let (policy, template) = run_blocking(move || {
        Ok((
            settings::engine(&lookup)?,
            settings::image_template(&lookup)?,
        ))
    })
    .await?;
    restore_tools(store, policy, &template, major).await
}

async fn archive_check(store: &Arc<Store>, backup: &Backup, path: &Path) -> VerifyCheck {
    let chosen = tools_for(store, backup).await;
    let runner = match chosen {
        Ok(runner) => runner,
        Err(problem) => return check("archive", false, problem.to_string()),
    };
    match runner.restore_list(path).await {
        Ok(exit) if exit.exit_code == 0 => check(
            "archive",
            true,
            format!("pg_restore --list reads it ({})", runner.detail()),
        ),
        Ok(exit) => check(
            "archive",
            false,
            format!("pg_restore --list failed: {}", exit.stderr.trim()),
        ),
        Err(problem) => check("archive", false, problem.to_string()),
    }
}

/// pg_restore and psql of at least `major` (the newer of the dump's and the target server's),
/// chosen like pg_dump is; when only older tools exist, the error says so in restore's terms.
pub(super) async fn restore_tools(
    store: &Store,
    policy: settings::EnginePolicy,
    template: &str,
    major: u32,
) -> Result<runner::Runner, Problem> {
    runner::choose(store, policy, template, major, &|_| {})
        .await
        .map_err(|problem| match problem.code {
            Code::PgDumpTooOld | Code::LocalPgDumpMissing | Code::NoPgDumpAvailable => Problem::new(
                Code::PgRestoreTooOld,
                format!(
                    "No pg_restore of version {major} or newer is available: a backup made by \
                     pg_dump {major} (or restored into a PostgreSQL {major} server) needs one. {}",
                    problem.message
                ),
                format!(
                    "Use the image template postgres:{{major}} (it picks postgres:{major}), or install the \
                     PostgreSQL {major} client tools."
                ),
            ),
            _ => problem,
        })
}

/// Restores into a throwaway database (a container's, or a scratch one on a chosen server;
/// nothing else is touched) and compares what the dump was asked to contain with the source:
/// each table's rows, or only its presence for a schema-only dump, or only the restored tables
/// for a dump of some tables or schemas. A data-only dump is said to be unprovable this way.
async fn restore_check(
    store: &Arc<Store>,
    backup: &Backup,
    path: &Path,
    how: RestoreCheck,
) -> (Vec<VerifyCheck>, Option<Vec<TableCount>>) {
    let scope = dump_scope::scope_of(backup);
    if scope.data_only {
        return (
            vec![check(
                "restore",
                true,
                "not restored: a data-only backup restores only into a database that already has \
                 its tables (restore it into one made from the source's schema to prove it); its \
                 file checks above passed",
            )],
            None,
        );
    }
    let restored = match how {
        RestoreCheck::OnServer(connection) => {
            restore_on_server(store, backup, connection, scope).await
        }
        _ => restore_in_throwaway(store, backup, path, scope).await,
    };
    let Restored { counts, tolerated } = match restored {
        Ok(restored) => restored,
        Err(problem) => return (vec![check("restore", false, problem.to_string())], None),
    };
    let mut detail = format!(
        "restored into a throwaway database: {} tables",
        counts.len()
    );
    if !tolerated.is_empty() {
        detail.push_str(&format!(
            "; {} objects the partial backup does not hold could not be created (they need the \
             rest of the database): {}",
            tolerated.len(),
            tolerated
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let mut checks = vec![check("restore", true, detail)];
    let source = source_counts(store, backup).await;
    let mut tables: Vec<TableCount> = counts
        .into_iter()
        .map(|(table, rows)| TableCount {
            source_rows: source
                .as_ref()
                .ok()
                .map(|s| s.iter().find(|(t, _)| *t == table).map_or(0, |(_, n)| *n)),
            table,
            rows,
        })
        .collect();
    tables.sort_by(|a, b| a.table.cmp(&b.table));
    checks.push(match &source {
        Ok(source) => compare(scope, &tables, source),
        Err(problem) => check(
            "row counts",
            true,
            format!(
                "not compared: the source is not reachable ({})",
                problem.message
            ),
        ),
    });
    (checks, Some(tables))
}

/// The restored tables against the source's, within what the dump holds.
fn compare(scope: Scope, tables: &[TableCount], source: &[(String, i64)]) -> VerifyCheck {
    // A partial dump holds what it holds: source tables it left out are not missing.
    let absent: Vec<String> = if scope.partial {
        Vec::new()
    } else {
        source
            .iter()
            .filter(|(t, _)| !tables.iter().any(|r| r.table == *t))
            .map(|(t, n)| format!("{t} (absent, {n} now)"))
            .collect()
    };
    if !scope.rows {
        return check(
            "tables",
            absent.is_empty(),
            if absent.is_empty() {
                "every table of the source is there (a schema-only backup: no rows to compare)"
                    .to_string()
            } else {
                format!("missing from the backup: {}", absent.join(", "))
            },
        );
    }
    let differing: Vec<String> = tables
        .iter()
        .filter(|t| t.source_rows != Some(t.rows))
        .map(|t| {
            format!(
                "{} ({} restored, {} now)",
                t.table,
                t.rows,
                t.source_rows.unwrap_or(0)
            )
        })
        .chain(absent)
        .collect();
    check(
        "row counts",
        differing.is_empty(),
        if differing.is_empty() && scope.partial {
            format!(
                "each of the {} tables the backup holds has the source's row count",
                tables.len()
            )
        } else if differing.is_empty() {
            "every table has the source's row count".to_string()
        } else {
            format!(
                "differ from the source (it may have changed since the backup): {}",
                differing.join(", ")
            )
        },
    )
}

/// What a throwaway restore produced: row counts per table, and the errors a partial dump's
/// restore tolerated.
struct Restored {
    counts: Vec<(String, i64)>,
    tolerated: Vec<String>,
}

async fn source_counts(store: &Arc<Store>, backup: &Backup) -> Result<Vec<(String, i64)>, Problem> {
    count_rows(&connection_target(store, backup.connection_id).await?).await
}

/// A saved connection's server and database, with its password.
async fn connection_target(
    store: &Arc<Store>,
    connection_id: ConnectionId,
) -> Result<crate::pg::ConnectTarget, Problem> {
    let lookup = store.clone();
    run_blocking(move || Connections::new(&lookup).target(connection_id, DEFAULT_CONNECT_TIMEOUT))
        .await
}

/// Every user table's exact row count in the target database.
async fn count_rows(target: &crate::pg::ConnectTarget) -> Result<Vec<(String, i64)>, Problem> {
    let client = crate::pg::connect(target).await?;
    let rows = client.query(COUNT_ROWS_SQL, &[]).await.map_err(|e| {
        Problem::new(
            Code::CountFailed,
            format!("Counting rows failed: {e}."),
            "Check the connection.",
        )
    })?;
    Ok(rows
        .iter()
        .map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1)))
        .collect())
}

/// Restores into `dbm_verify_<backup>_<pid>` on the connection's server, counts its rows, and
/// drops it whatever happened.
async fn restore_on_server(
    store: &Arc<Store>,
    backup: &Backup,
    connection_id: ConnectionId,
    scope: Scope,
) -> Result<Restored, Problem> {
    let scratch = format!("dbm_verify_{}_{}", backup.id, std::process::id());
    let request = super::restore::RestoreRequest {
        backup_id: backup.id,
        connection_id,
        database: Some(scratch.clone()),
        create: true,
        clean: false,
        no_owner: true,
        single_transaction: false,
        allow_non_empty: false,
    };
    let server = connection_target(store, connection_id).await?;
    let errors = if scope.partial {
        super::restore::Errors::TolerateOutsideTables
    } else {
        super::restore::Errors::Stop
    };
    let restored = super::restore::restore_with(
        store.clone(),
        &request,
        errors,
        &|_| {},
        &tokio_util::sync::CancellationToken::new(),
    )
    .await;
    let counted = match restored {
        Ok((_, tolerated)) => {
            let target = crate::pg::ConnectTarget {
                database: scratch.clone(),
                ..server.clone()
            };
            count_rows(&target)
                .await
                .map(|counts| Restored { counts, tolerated })
        }
        Err(problem) => Err(problem),
    };
    // A failed restore drops what it created; a finished one leaves the scratch database to us.
    if let Ok(admin) = crate::pg::connect(&server).await {
        let name = crate::pg::identifier::quote_ident(&scratch);
        if admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .is_err()
        {
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
                .await;
        }
    }
    counted
}

/// Starts `postgres:<major>` (major of the dump's pg_dump), restores the backup inside it,
/// answers the restored tables' row counts. The container is removed on every path out.
async fn restore_in_throwaway(
    store: &Arc<Store>,
    backup: &Backup,
    path: &Path,
    scope: Scope,
) -> Result<Restored, Problem> {
    let major = dump_major(backup)?;
    let lookup = store.clone();
    let template = run_blocking(move || settings::image_template(&lookup)).await?;
    let image = template.replace("{major}", &major.to_string());
    let docker = docker::connect().await.map_err(|problem| {
        Problem::new(
            Code::RestoreCheckNeedsDocker,
            format!(
                "Verifying by restore starts a throwaway PostgreSQL in Docker: {}",
                problem.message
            ),
            problem.fix,
        )
    })?;
    docker::ensure_image(&docker, &image, &|_| {}).await?;

    // A plain backup compressed by the app is decompressed next to it first: the image has no zstd.
    let (source, scratch) = if backup.format == DumpFormat::Plain {
        plain_sql(path, "verify.sql").await?
    } else {
        (path.to_path_buf(), None)
    };
    let result = run_restore_container(&docker, &image, backup, &source, scope).await;
    if let Some(scratch) = scratch {
        let _ = std::fs::remove_file(scratch);
    }
    result
}

/// A plain backup as SQL text: the file itself, or (for `.sql.zst`) a decompressed copy beside
/// it with the extension `scratch_extension`, returned second for the caller to remove.
pub(super) async fn plain_sql(
    file: &Path,
    scratch_extension: &str,
) -> Result<(PathBuf, Option<PathBuf>), Problem> {
    if file.extension().is_none_or(|e| e != "zst") {
        return Ok((file.to_path_buf(), None));
    }
    // Beside the backup (the restore container mounts that folder), named per call: two
    // verifies of one backup at once must not share a scratch file.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let plain = file.with_extension(format!(
        "{}-{nanos}.{scratch_extension}",
        std::process::id()
    ));
    let (from, to) = (file.to_path_buf(), plain.clone());
    let done = tokio::task::spawn_blocking(move || decompress(&from, &to))
        .await
        .map_err(|e| Problem::new(Code::Internal, e.to_string(), "Try again."))?;
    if let Err(error) = done {
        let _ = std::fs::remove_file(&plain);
        return Err(Problem::new(
            Code::DecompressFailed,
            format!("The backup could not be decompressed: {error}."),
            "Check the free space beside the backup.",
        ));
    }
    Ok((plain.clone(), Some(plain)))
}

/// Decompresses into a new file only the owner can read (it is the database's contents).
fn decompress(from: &Path, to: &Path) -> std::io::Result<()> {
    let input = std::fs::File::open(from)?;
    let mut output = crate::dump::sink::create_private_file(to)?;
    zstd::stream::copy_decode(input, &mut output)
}

async fn run_restore_container(
    docker: &bollard::Docker,
    image: &str,
    backup: &Backup,
    file: &Path,
    scope: Scope,
) -> Result<Restored, Problem> {
    let (Some(parent), Some(name)) = (file.parent(), file.file_name()) else {
        return Err(Problem::new(
            Code::InvalidBackupPath,
            "The backup path has no file name.",
            "Choose another backup.",
        ));
    };
    let plain = backup.format == DumpFormat::Plain;
    // A partial dump's restore goes on past objects it lacks; its messages are judged below.
    let load = match (plain, scope.partial) {
        (true, false) => "gosu postgres psql -h /tmp -U postgres -d restored -q -f /tmp/backup >/dev/null 2>/tmp/load.log; \
         if grep ERROR /tmp/load.log | grep -v 'role .* does not exist' >&2; then exit 4; fi",
        (true, true) => "gosu postgres psql -h /tmp -U postgres -d restored -q -f /tmp/backup >/dev/null 2>/tmp/load.log; \
         grep ERROR /tmp/load.log | grep -v 'role .* does not exist' >&2; true",
        (false, false) => "gosu postgres pg_restore -h /tmp -U postgres -d restored --no-owner --no-privileges /tmp/backup || exit 4",
        (false, true) => "gosu postgres pg_restore -h /tmp -U postgres -d restored --no-owner --no-privileges /tmp/backup 2>/tmp/load.log; \
         cat /tmp/load.log >&2; true",
    };
    let script = format!(
        "set -e; cp -a \"{IN_MOUNT}/$DBM_FILE\" /tmp/backup; chown -R postgres /tmp/backup; \
         gosu postgres initdb -D /tmp/pgdata -U postgres --auth=trust --no-locale -E UTF8 >/tmp/initdb.log 2>&1 || {{ cat /tmp/initdb.log >&2; exit 3; }}; \
         gosu postgres pg_ctl -D /tmp/pgdata -o \"-c listen_addresses='' -c fsync=off -k /tmp\" -w -l /tmp/pg.log start >/dev/null || {{ cat /tmp/pg.log >&2; exit 3; }}; \
         gosu postgres psql -h /tmp -U postgres -d postgres -qAt -c 'CREATE DATABASE restored'; \
         set +e; {load}; set -e; \
         gosu postgres psql -h /tmp -U postgres -d restored -qAt -F '|' -c \"$DBM_COUNT_SQL\""
    );
    let spec = ContainerSpec {
        image: image.to_string(),
        cmd: vec!["sh".into(), "-c".into(), script],
        env: vec![
            format!("DBM_FILE={}", name.to_string_lossy()),
            format!("DBM_COUNT_SQL={COUNT_ROWS_SQL}"),
        ],
        binds: vec![docker::Bind::read_only(parent, IN_MOUNT)],
        user: Some("root".into()),
    };
    let output = docker::run_spec_to_completion(docker, &spec).await?;
    if output.exit_code != 0 {
        let stage = match output.exit_code {
            3 => "the throwaway server did not start",
            4 => "the restore failed",
            _ => "the restore check failed",
        };
        return Err(Problem::new(
            Code::RestoreCheckFailed,
            format!("{stage} ({image}): {}", tail(&output.stderr)),
            "The backup may be damaged or need objects the throwaway database lacks (extensions, roles).",
        ));
    }
    let tolerated = if scope.partial {
        dump_scope::tolerated_errors(&output.stderr).map_err(|first| {
            Problem::new(
                Code::RestoreCheckFailed,
                format!("the restore failed ({image}): a table of the backup could not be restored: {first}"),
                "The backup may be damaged or need objects the throwaway database lacks (extensions, roles).",
            )
        })?
    } else {
        Vec::new()
    };
    let counts = output
        .stdout
        .lines()
        .filter_map(|line| {
            let (table, rows) = line.rsplit_once('|')?;
            Some((table.to_string(), rows.trim().parse().ok()?))
        })
        .collect();
    Ok(Restored { counts, tolerated })
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.trim().lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}
