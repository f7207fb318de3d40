//! A server set's checks beyond its folder's: each database's archive (there, its size and
//! SHA-256, `pg_restore --list`), and, asked to restore, the whole set restored (globals first)
//! into one throwaway PostgreSQL, each database compared with that database on the source
//! server; on a chosen server instead, each database into a scratch database there. Checks are
//! named after their database ("shop: sha256").

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::counts::source_counts;
use super::restore_check::{against_source, restore_check, source_check};
use super::set_container::restore_set_in_throwaway;
use super::{file_checks, RestoreCheck};
use crate::backups::{Backup, TableCount, VerifyCheck};
use crate::library::dump_scope;
use crate::library::set_parts::{globals_file, part_view};
use crate::model::BackupStatus;
use crate::store::Store;

/// The parts' checks, and every restored table (named `database/schema.table`).
pub(super) async fn parts(
    store: &Arc<Store>,
    set: &Backup,
    folder: &Path,
    restore: RestoreCheck,
) -> (Vec<VerifyCheck>, Option<Vec<TableCount>>) {
    let mut checks = Vec::new();
    let mut intact = Vec::new();
    for part in &set.parts {
        if part.status != BackupStatus::Completed {
            checks.push(VerifyCheck::new(
                &format!("{}: dump", part.database),
                true,
                format!(
                    "not in the set (it failed when the set was made: {})",
                    part.error_message.as_deref().unwrap_or("no message")
                ),
            ));
            continue;
        }
        let view = match part_view(set, &part.database) {
            Ok(view) => view,
            Err(problem) => {
                checks.push(VerifyCheck::new(&part.database, false, problem.to_string()));
                continue;
            }
        };
        let path = view
            .file_path
            .clone()
            .map(PathBuf::from)
            .unwrap_or_default();
        let own = file_checks::checks(store, &view, &path).await;
        if own.iter().all(|c| c.ok) {
            intact.push((part.database.clone(), view, path));
        }
        checks.extend(own.into_iter().map(|c| named(&part.database, c)));
    }
    let all_intact = checks.iter().all(|c| c.ok);
    let tables = match restore {
        RestoreCheck::None => None,
        _ if !all_intact => None,
        RestoreCheck::Container => {
            Some(in_one_container(store, set, folder, &intact, &mut checks).await)
        }
        RestoreCheck::OnServer(_) => {
            let mut tables = Vec::new();
            for (database, view, path) in &intact {
                let (restored, found) =
                    restore_check(store, view, path, restore, Some(database)).await;
                checks.extend(restored.into_iter().map(|c| named(database, c)));
                tables.extend(
                    found
                        .into_iter()
                        .flatten()
                        .map(|t| in_database(database, t)),
                );
            }
            Some(tables)
        }
    };
    (checks, tables)
}

/// The whole set into one throwaway server, then each database against its source.
async fn in_one_container(
    store: &Arc<Store>,
    set: &Backup,
    folder: &Path,
    intact: &[(String, Backup, PathBuf)],
    checks: &mut Vec<VerifyCheck>,
) -> Vec<TableCount> {
    let files: Vec<(String, String)> = intact
        .iter()
        .map(|(database, _, path)| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            (database.clone(), name.unwrap_or_default())
        })
        .collect();
    let globals = globals_file(set)
        .and_then(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()));
    let with_roles = globals.is_some();
    let restored = match restore_set_in_throwaway(store, set, folder, &files, globals).await {
        Ok(restored) => restored,
        Err(problem) => {
            checks.push(VerifyCheck::new("restore", false, problem.to_string()));
            return Vec::new();
        }
    };
    checks.push(VerifyCheck::new(
        "restore",
        true,
        format!(
            "restored into one throwaway server: {} databases{}",
            restored.len(),
            if with_roles {
                ", their roles first"
            } else {
                " (no globals: without owners)"
            }
        ),
    ));
    let mut tables = Vec::new();
    for (database, view, _) in intact {
        let counts = restored.get(database).cloned().unwrap_or_default();
        let source = source_counts(store, view, Some(database)).await;
        let found = against_source(counts, &source);
        checks.push(named(
            database,
            source_check(dump_scope::scope_of(view), &found, &source),
        ));
        tables.extend(found.into_iter().map(|t| in_database(database, t)));
    }
    tables
}

fn named(database: &str, check: VerifyCheck) -> VerifyCheck {
    VerifyCheck {
        name: format!("{database}: {}", check.name),
        ..check
    }
}

fn in_database(database: &str, table: TableCount) -> TableCount {
    TableCount {
        table: format!("{database}/{}", table.table),
        ..table
    }
}
