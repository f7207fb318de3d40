//! Reading the app's own values back from SQLite. A value no version of the app wrote (edited by
//! hand, or by a newer app) is an error naming the table, row and column, never a silent default.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::Type;
use rusqlite::Row;

use crate::model::Named;

/// Where an unreadable value sits, and what it is.
#[derive(Debug)]
struct UnknownValue {
    table: &'static str,
    row_id: Option<i64>,
    column: &'static str,
    value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let row = self.row_id.map(|id| format!(" {id}")).unwrap_or_default();
        write!(
            f,
            "{} row{row} has \"{}\" in column {}, which this app does not know",
            self.table,
            crate::model::excerpt(&self.value),
            self.column
        )
    }
}

impl std::error::Error for UnknownValue {}

fn unknown(
    row: &Row<'_>,
    table: &'static str,
    index: usize,
    column: &'static str,
    value: &str,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        Type::Text,
        Box::new(UnknownValue {
            table,
            row_id: row.get::<_, i64>(0).ok(),
            column,
            value: value.to_string(),
        }),
    )
}

/// Column `index` (named `column`) of a row of `table` whose first column is its id, holding a
/// value stored by its name (`Named::name`).
pub(crate) fn named<T: Named>(
    row: &Row<'_>,
    table: &'static str,
    index: usize,
    column: &'static str,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    T::from_name(&text).ok_or_else(|| unknown(row, table, index, column, &text))
}

/// As `named`, for a column that may be NULL.
pub(crate) fn optional_named<T: Named>(
    row: &Row<'_>,
    table: &'static str,
    index: usize,
    column: &'static str,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(index)?;
    text.map(|text| T::from_name(&text).ok_or_else(|| unknown(row, table, index, column, &text)))
        .transpose()
}

/// A column that may be NULL, holding the text a `FromStr` reads back.
pub(crate) fn optional_parsed<T: FromStr>(
    row: &Row<'_>,
    table: &'static str,
    index: usize,
    column: &'static str,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = row.get(index)?;
    text.map(|text| {
        text.parse()
            .map_err(|_| unknown(row, table, index, column, &text))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use crate::backups::Backups;
    use crate::connections::{ConnectionInput, Connections};
    use crate::model::{BackupId, Code, SslMode};
    use crate::store::Store;

    #[test]
    fn a_value_the_app_never_wrote_is_an_error_naming_its_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let input = ConnectionInput {
            name: "shop".into(),
            host: "127.0.0.1".into(),
            port: "5432".into(),
            database: "shop".into(),
            username: "postgres".into(),
            sslmode: SslMode::VerifyFull,
            scope: Default::default(),
        };
        let id = Connections::new(&store).create(&input, None).unwrap().id;
        let options = crate::dump::options::DumpOptions::default();
        let backup = crate::backups::repository::insert_running(
            &store.connection(),
            id,
            None,
            crate::model::Trigger::Manual,
            &options,
            false,
        )
        .unwrap();
        assert_eq!(
            Connections::new(&store).get(id).unwrap().sslmode,
            SslMode::VerifyFull
        );

        store
            .connection()
            .execute(
                "UPDATE connection SET sslmode = 'very-secure' WHERE id = ?1",
                [id.0],
            )
            .unwrap();
        let problem = Connections::new(&store).get(id).unwrap_err();
        assert_eq!(problem.code, Code::DatabaseQueryFailed);
        assert!(
            problem.message.contains(&format!("connection row {id}"))
                && problem
                    .message
                    .contains("\"very-secure\" in column sslmode"),
            "{problem}"
        );

        // As a newer app's schema (or a hand edit) would have it: past this schema's CHECKs.
        store
            .connection()
            .execute_batch("PRAGMA ignore_check_constraints = ON")
            .unwrap();
        for (column, value) in [
            ("trigger", "cron-ish"),
            ("status", "done?"),
            ("runner", "podman"),
        ] {
            store
                .connection()
                .execute(
                    &format!("UPDATE backup SET {column} = ?1 WHERE id = ?2"),
                    rusqlite::params![value, backup.0],
                )
                .unwrap();
            let problem = Backups::new(&store).get(BackupId(backup.0)).unwrap_err();
            assert!(
                problem.message.contains(&format!("backup row {backup}"))
                    && problem
                        .message
                        .contains(&format!("\"{value}\" in column {column}")),
                "{column}: {problem}"
            );
            store
                .connection()
                .execute(
                    "UPDATE backup SET trigger = 'manual', status = 'running', runner = NULL WHERE id = ?1",
                    [backup.0],
                )
                .unwrap();
            assert!(Backups::new(&store).get(BackupId(backup.0)).is_ok());
        }
    }
}
