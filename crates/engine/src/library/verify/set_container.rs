//! Verifying a whole server set by restore: one throwaway PostgreSQL of the dump's major in a
//! container, the set's globals first (its roles, so ownership restores as it was), then each
//! database it holds, created under its own name; every database's per-table row counts read
//! back. The container is removed on every path out.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::container::throwaway_image;
use super::counts::COUNT_ROWS_SQL;
use crate::backups::Backup;
use crate::docker::{self, ContainerSpec};
use crate::model::{Code, Problem};
use crate::pg::conninfo::dbname_conninfo;
use crate::store::Store;

const IN_MOUNT: &str = "/dbm-in";

/// The script: database names and files only ever come from the environment (`eval` expands
/// variable names it builds itself; values are assigned, never parsed), names reach psql as a
/// quoted identifier (`:"db"`) and pg_restore as a quoted conninfo.
const SCRIPT: &str = r#"
set -e
cp -a "/dbm-in/." /tmp/set; chown -R postgres /tmp/set
gosu postgres initdb -D /tmp/pgdata -U postgres --auth=trust --no-locale -E UTF8 >/tmp/initdb.log 2>&1 || { cat /tmp/initdb.log >&2; exit 3; }
gosu postgres pg_ctl -D /tmp/pgdata -o "-c listen_addresses='' -c fsync=off -k /tmp" -w -l /tmp/pg.log start >/dev/null || { cat /tmp/pg.log >&2; exit 3; }
set +e
owners="--no-owner --no-privileges"
if [ -n "$DBM_GLOBALS" ]; then
  gosu postgres psql -h /tmp -U postgres -d postgres -q -f "/tmp/set/$DBM_GLOBALS" >/dev/null 2>/tmp/globals.log
  owners=""
fi
i=1
while [ "$i" -le "$DBM_COUNT" ]; do
  eval "db=\$DBM_DB_$i; file=\$DBM_FILE_$i; conninfo=\$DBM_CONNINFO_$i"
  echo 'CREATE DATABASE :"db";' | gosu postgres psql -h /tmp -U postgres -d postgres -qAt -v db="$db" || exit 4
  gosu postgres pg_restore -h /tmp -U postgres -d "$conninfo" --no-tablespaces $owners "/tmp/set/$file" 2>/tmp/restore.log
  if [ $? -ne 0 ]; then echo "database $i: $(tail -n 5 /tmp/restore.log)" >&2; exit 4; fi
  gosu postgres psql -h /tmp -U postgres -d "$conninfo" -qAt -F '|' -c "$DBM_COUNT_SQL" | sed "s/^/$i|/"
  i=$((i + 1))
done
"#;

/// Per database of the set (by name), its restored tables' row counts.
pub(super) type SetCounts = BTreeMap<String, Vec<(String, i64)>>;

/// Restores `parts` (the set's completed parts as backups of their own, with their database
/// names) and the globals into one throwaway server; answers each database's counts.
pub(super) async fn restore_set_in_throwaway(
    store: &Arc<Store>,
    set: &Backup,
    folder: &Path,
    parts: &[(String, String)],
    globals: Option<String>,
) -> Result<SetCounts, Problem> {
    let (docker, image) = throwaway_image(store, set).await?;
    let mut env = vec![
        format!("DBM_COUNT={}", parts.len()),
        format!("DBM_GLOBALS={}", globals.unwrap_or_default()),
        format!("DBM_COUNT_SQL={COUNT_ROWS_SQL}"),
    ];
    for (index, (database, file)) in parts.iter().enumerate() {
        let n = index + 1;
        env.push(format!("DBM_DB_{n}={database}"));
        env.push(format!("DBM_FILE_{n}={file}"));
        env.push(format!("DBM_CONNINFO_{n}={}", dbname_conninfo(database)));
    }
    let spec = ContainerSpec {
        image: image.clone(),
        cmd: vec!["sh".into(), "-c".into(), SCRIPT.to_string()],
        env,
        binds: vec![docker::Bind::read_only(folder, IN_MOUNT)],
        user: Some("root".into()),
    };
    let output = docker::run_spec_to_completion(&docker, &spec).await?;
    if output.exit_code != 0 {
        let stage = match output.exit_code {
            3 => "the throwaway server did not start",
            4 => "the restore failed",
            _ => "the restore check failed",
        };
        let lines: Vec<&str> = output.stderr.trim().lines().collect();
        return Err(Problem::new(
            Code::RestoreCheckFailed,
            format!(
                "{stage} ({image}): {}",
                lines[lines.len().saturating_sub(8)..].join("\n")
            ),
            "The set may be damaged, or need objects the throwaway server lacks (extensions).",
        ));
    }
    let mut counts = SetCounts::new();
    for (database, _) in parts {
        counts.insert(database.clone(), Vec::new());
    }
    for line in output.stdout.lines() {
        let Some((index, rest)) = line.split_once('|') else {
            continue;
        };
        let Some((table, rows)) = rest.rsplit_once('|') else {
            continue;
        };
        let (Ok(index), Ok(rows)) = (index.parse::<usize>(), rows.trim().parse::<i64>()) else {
            continue;
        };
        if let Some((database, _)) = index.checked_sub(1).and_then(|i| parts.get(i)) {
            counts
                .entry(database.clone())
                .or_default()
                .push((table.to_string(), rows));
        }
    }
    Ok(counts)
}
