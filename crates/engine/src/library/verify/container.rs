//! Verifying by restore in Docker: a throwaway PostgreSQL of the dump's major in a container,
//! the backup restored inside it, its row counts read back.

use std::path::Path;
use std::sync::Arc;

use super::counts::{Restored, COUNT_ROWS_SQL};
use crate::backups::Backup;
use crate::blocking::run_blocking;
use crate::docker::{self, ContainerSpec};
use crate::dump::tools::plain_sql;
use crate::library::dump_scope::{self, Scope};
use crate::library::tools::dump_major;
use crate::model::{Code, DumpFormat, Problem};
use crate::settings;
use crate::store::Store;

const IN_MOUNT: &str = "/dbm-in";

/// Starts `postgres:<major>` (major of the dump's pg_dump), restores the backup inside it,
/// answers the restored tables' row counts. The container is removed on every path out.
pub(super) async fn restore_in_throwaway(
    store: &Arc<Store>,
    backup: &Backup,
    path: &Path,
    scope: Scope,
) -> Result<Restored, Problem> {
    let (docker, image) = throwaway_image(store, backup).await?;

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

/// The daemon and the `postgres:<major>` image (major of the dump's pg_dump, present) a
/// throwaway server for `backup` runs in.
pub(super) async fn throwaway_image(
    store: &Arc<Store>,
    backup: &Backup,
) -> Result<(bollard::Docker, String), Problem> {
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
    Ok((docker, image))
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
