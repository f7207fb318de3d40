//! Verifying by restore: where it restores, and what it compares with the source.

use std::path::Path;
use std::sync::Arc;

use super::container::restore_in_throwaway;
use super::counts::{source_counts, Restored};
use super::on_server::restore_on_server;
use crate::backups::{Backup, TableCount, VerifyCheck};
use crate::library::dump_scope::{self, Scope};
use crate::model::{ConnectionId, Problem};
use crate::store::Store;

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

/// Restores into a throwaway database (a container's, or a scratch one on a chosen server;
/// nothing else is touched) and compares what the dump was asked to contain with the source:
/// each table's rows, or only its presence for a schema-only dump, or only the restored tables
/// for a dump of some tables or schemas. A data-only dump is said to be unprovable this way.
pub(super) async fn restore_check(
    store: &Arc<Store>,
    backup: &Backup,
    path: &Path,
    how: RestoreCheck,
    source_database: Option<&str>,
) -> (Vec<VerifyCheck>, Option<Vec<TableCount>>) {
    let scope = dump_scope::scope_of(backup);
    if scope.data_only {
        return (
            vec![VerifyCheck::new(
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
        Err(problem) => {
            return (
                vec![VerifyCheck::new("restore", false, problem.to_string())],
                None,
            )
        }
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
    let mut checks = vec![VerifyCheck::new("restore", true, detail)];
    let source = source_counts(store, backup, source_database).await;
    let tables = against_source(counts, &source);
    checks.push(source_check(scope, &tables, &source));
    (checks, Some(tables))
}

/// The restored tables, each with the source's count (None when the source is unreachable).
pub(super) fn against_source(
    counts: Vec<(String, i64)>,
    source: &Result<Vec<(String, i64)>, Problem>,
) -> Vec<TableCount> {
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
    tables
}

/// The comparison with the source, or why there is none.
pub(super) fn source_check(
    scope: Scope,
    tables: &[TableCount],
    source: &Result<Vec<(String, i64)>, Problem>,
) -> VerifyCheck {
    match source {
        Ok(source) => compare(scope, tables, source),
        Err(problem) => VerifyCheck::new(
            "row counts",
            true,
            format!(
                "not compared: the source is not reachable ({})",
                problem.message
            ),
        ),
    }
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
        return VerifyCheck::new(
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
    VerifyCheck::new(
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
