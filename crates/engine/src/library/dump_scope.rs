//! What a backup was asked to contain, and so what restoring it can prove. A whole dump must
//! restore into an empty database with every source table's rows; a schema-only dump, with
//! every table and no rows; a dump of some tables or schemas, with the rows of what it holds
//! (it may lack functions, types or sequences its tables depend on, which then fail to create:
//! tolerated, and said); a data-only dump restores only into a database that already has its
//! tables, so an empty one cannot prove it.

use crate::backups::Backup;

/// What verifying by restore compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Rows were dumped (not schema only): counts are compared.
    pub rows: bool,
    /// Only some tables or schemas were dumped: only what was restored is compared, and errors
    /// about objects outside the dump are tolerated.
    pub partial: bool,
    /// Data only: nothing to restore into an empty database.
    pub data_only: bool,
}

impl Scope {
    pub const WHOLE: Scope = Scope {
        rows: true,
        partial: false,
        data_only: false,
    };
}

/// The scope recorded on the backup (a whole dump when the record predates options).
pub fn scope_of(backup: &Backup) -> Scope {
    let Some(options) = &backup.options else {
        return Scope::WHOLE;
    };
    Scope {
        rows: !options.schema_only,
        partial: !(options.include_schemas.is_empty()
            && options.exclude_schemas.is_empty()
            && options.include_tables.is_empty()
            && options.exclude_tables.is_empty()),
        data_only: options.data_only,
    }
}

/// The errors of a tolerant pg_restore (or psql) run, read from its messages: `Err` names the
/// first that hit a table or its rows (then the restore proves nothing), `Ok` lists the others
/// (objects the partial dump does not hold).
pub fn tolerated_errors(messages: &str) -> Result<Vec<String>, String> {
    let mut tolerated = Vec::new();
    let mut last_error: Option<String> = None;
    for line in messages.lines().map(str::trim) {
        if let Some(command) = line.strip_prefix("Command was: ") {
            let upper = command.to_ascii_uppercase();
            let error = last_error.take().unwrap_or_default();
            if upper.starts_with("CREATE TABLE") || upper.starts_with("COPY ") {
                return Err(format!("{error} ({})", first_words(command)));
            }
            tolerated.push(format!("{error} ({})", first_words(command)));
        } else if line.contains("ERROR:") {
            if let Some(previous) = last_error.replace(error_text(line)) {
                tolerated.push(previous);
            }
        }
    }
    tolerated.extend(last_error);
    Ok(tolerated)
}

fn error_text(line: &str) -> String {
    line.split_once("ERROR:")
        .map_or(line, |(_, text)| text)
        .trim()
        .to_string()
}

fn first_words(command: &str) -> String {
    command
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIGGER_WITHOUT_FUNCTION: &str = "pg_restore: error: could not execute query: ERROR:  function public.touch() does not exist\n\
        Command was: CREATE TRIGGER touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch();\n\
        pg_restore: warning: errors ignored on restore: 1\n";

    #[test]
    fn errors_outside_the_tables_are_tolerated_and_said() {
        let tolerated = tolerated_errors(TRIGGER_WITHOUT_FUNCTION).unwrap();
        assert_eq!(tolerated.len(), 1, "{tolerated:?}");
        assert!(tolerated[0].contains("function public.touch() does not exist"));
        assert!(tolerated[0].contains("CREATE TRIGGER"));
        // psql's plain-SQL errors carry no command.
        let plain = "psql:/tmp/backup:40: ERROR:  type public.mood does not exist\n";
        assert_eq!(tolerated_errors(plain).unwrap().len(), 1);
    }

    #[test]
    fn an_error_creating_a_table_or_loading_its_rows_is_not_tolerated() {
        let table =
            "pg_restore: error: could not execute query: ERROR:  type public.mood does not exist\n\
            Command was: CREATE TABLE public.people (mood public.mood);\n";
        assert!(tolerated_errors(table)
            .unwrap_err()
            .contains("type public.mood"));
        let rows = "pg_restore: error: could not execute query: ERROR:  relation \"public.people\" does not exist\n\
            Command was: COPY public.people (mood) FROM stdin;\n";
        assert!(tolerated_errors(rows).is_err());
    }
}
