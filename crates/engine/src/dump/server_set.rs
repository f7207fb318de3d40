//! A whole server's databases dumped by one shell script per group: in one `postgres:<major>`
//! container for many databases (a container start costs about half a second each), or with
//! the local tools. Each database goes through the single backup's lifecycle inside the script:
//! pg_dump into `<file>.partial`, `pg_restore --list` on it, then the rename; what happened is
//! left beside the files (`.dbm-status-<group>`: "position exit-code" per line, and each part's
//! stderr in `.dbm-<position>.log`) for the caller to read. Database names reach the tools only
//! through the environment (`PGDATABASE`, a quoted conninfo for pg_dumpall): never a shell word.

use std::path::Path;

use tokio_util::sync::CancellationToken;

use super::client_tool::{self, Folder};
use super::invocation::Exit;
use super::runner::Runner;
use crate::model::Problem;
use crate::pg::conninfo::dbname_conninfo;
use crate::pg::ConnectTarget;

/// The globals file, and what its run leaves beside it.
pub const GLOBALS_FILE: &str = "globals.sql";
pub const GLOBALS_LOG: &str = ".dbm-globals.log";
/// "yes" when the globals hold the roles' passwords, "no" when they could not be read.
pub const GLOBALS_PASSWORDS: &str = ".dbm-globals-passwords";

/// The script. `eval` only ever expands variable names the script builds itself (`DBM_DB_3`):
/// the values are assigned, never parsed.
const SCRIPT: &str = r#"
set -u
out="$DBM_OUT"
if [ "$DBM_GLOBALS" = yes ]; then
  if pg_dumpall --globals-only -d "$DBM_MAINTENANCE" --file="$out/globals.sql.partial" 2> "$out/.dbm-globals.log"; then
    echo yes > "$out/.dbm-globals-passwords"
    mv "$out/globals.sql.partial" "$out/globals.sql"
  elif pg_dumpall --globals-only --no-role-passwords -d "$DBM_MAINTENANCE" --file="$out/globals.sql.partial" 2>> "$out/.dbm-globals.log"; then
    echo no > "$out/.dbm-globals-passwords"
    mv "$out/globals.sql.partial" "$out/globals.sql"
  else
    rm -f "$out/globals.sql.partial"
  fi
fi
i=1
while [ "$i" -le "$DBM_COUNT" ]; do
  eval "pos=\$DBM_POS_$i; db=\$DBM_DB_$i; file=\$DBM_FILE_$i"
  PGDATABASE="$db" pg_dump --format=custom --file="$out/$file.partial" 2> "$out/.dbm-$pos.log"
  code=$?
  if [ "$code" -eq 0 ]; then
    pg_restore --list "$out/$file.partial" > /dev/null 2>> "$out/.dbm-$pos.log" || code=90
  fi
  if [ "$code" -eq 0 ]; then
    mv "$out/$file.partial" "$out/$file"
  else
    rm -f "$out/$file.partial"
  fi
  echo "$pos $code" >> "$out/.dbm-status-$DBM_GROUP"
  i=$((i + 1))
done
"#;

/// One database to dump: its place in the set, its name, and its file in the set's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartJob {
    pub position: u32,
    pub database: String,
    pub file_name: String,
}

/// One script's work: the globals (one group does them) and some databases, into `folder`.
pub struct Group {
    pub number: u32,
    pub globals: bool,
    pub parts: Vec<PartJob>,
}

/// Runs one group's script against `target` (its maintenance database), writing into
/// `folder`; answers how the script ended (each part's own outcome is in the files it left).
pub async fn dump_group(
    runner: &Runner,
    target: &ConnectTarget,
    folder: &Path,
    group: &Group,
    cancel: &CancellationToken,
) -> Result<Exit, Problem> {
    let env = script_env(folder, target, group);
    let args = ["-c".to_string(), SCRIPT.to_string()];
    let folder = Folder {
        path: folder,
        writable: true,
    };
    client_tool::run_in(
        runner,
        "/bin/sh",
        &args,
        target,
        folder,
        &env,
        &|_| {},
        cancel,
    )
    .await
}

fn script_env(folder: &Path, target: &ConnectTarget, group: &Group) -> Vec<(String, String)> {
    let mut env = vec![
        ("DBM_OUT".to_string(), folder.display().to_string()),
        ("DBM_GROUP".to_string(), group.number.to_string()),
        (
            "DBM_GLOBALS".to_string(),
            if group.globals { "yes" } else { "no" }.to_string(),
        ),
        (
            "DBM_MAINTENANCE".to_string(),
            dbname_conninfo(&target.database),
        ),
        ("DBM_COUNT".to_string(), group.parts.len().to_string()),
    ];
    for (index, part) in group.parts.iter().enumerate() {
        let n = index + 1;
        env.push((format!("DBM_POS_{n}"), part.position.to_string()));
        env.push((format!("DBM_DB_{n}"), part.database.clone()));
        env.push((format!("DBM_FILE_{n}"), part.file_name.clone()));
    }
    env
}
