//! A server set's checks beyond its folder's: each database's archive (there, its size and
//! SHA-256, `pg_restore --list`), and, asked to restore, each database restored into a
//! throwaway PostgreSQL and compared with that database on the source server. Checks are
//! named after their database ("shop: sha256").

use std::path::PathBuf;
use std::sync::Arc;

use super::{file_checks, restore_check, RestoreCheck};
use crate::backups::{Backup, TableCount, VerifyCheck};
use crate::library::set_parts::part_view;
use crate::model::BackupStatus;
use crate::store::Store;

/// The parts' checks, and every restored table (named `database/schema.table`).
pub(super) async fn parts(
    store: &Arc<Store>,
    set: &Backup,
    restore: RestoreCheck,
) -> (Vec<VerifyCheck>, Option<Vec<TableCount>>) {
    let mut checks = Vec::new();
    let mut tables: Option<Vec<TableCount>> = None;
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
        let named = |check: VerifyCheck| VerifyCheck {
            name: format!("{}: {}", part.database, check.name),
            ..check
        };
        let own = file_checks::checks(store, &view, &path).await;
        let intact = own.iter().all(|c| c.ok);
        checks.extend(own.into_iter().map(named));
        if restore != RestoreCheck::None && intact {
            let (restored, found) =
                restore_check::restore_check(store, &view, &path, restore, Some(&part.database))
                    .await;
            checks.extend(restored.into_iter().map(named));
            if let Some(found) = found {
                tables
                    .get_or_insert_with(Vec::new)
                    .extend(found.into_iter().map(|t| TableCount {
                        table: format!("{}/{}", part.database, t.table),
                        ..t
                    }));
            }
        }
    }
    (checks, tables)
}
