//! A set's globals (pg_dumpall's, one statement per line) narrowed to what a restore may do on
//! a server: roles it lacks are created with their attributes, memberships and settings;
//! roles it has are left as they are (unless forced), and the connecting user never changes.

use std::collections::HashSet;

/// The statements to run, and which roles they create or leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filtered {
    pub sql: String,
    pub created: Vec<String>,
    pub kept: Vec<String>,
}

/// Keeps the lines about roles the server lacks (`existing` are its roles) and everything else
/// (tablespaces, comments); drops those that would change an existing role unless `force`,
/// and always those that would change `connecting` (the user the restore runs as).
pub fn filter(
    globals: &str,
    existing: &HashSet<String>,
    connecting: &str,
    force: bool,
) -> Filtered {
    let mut created = Vec::new();
    let mut kept = Vec::new();
    let mut sql = String::new();
    for line in globals.lines() {
        let role = role_changed_by(line);
        let keep = match &role {
            None => true,
            Some(role) if role == connecting => false,
            Some(role) if existing.contains(role) => force && !line.starts_with("CREATE ROLE "),
            Some(_) => true,
        };
        if let Some(role) = role {
            if line.starts_with("CREATE ROLE ") {
                if keep {
                    created.push(role);
                } else {
                    kept.push(role);
                }
            }
        }
        if keep {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    Filtered { sql, created, kept }
}

/// The role a line changes: `CREATE ROLE r`, `ALTER ROLE r …`, `GRANT x TO r …`.
fn role_changed_by(line: &str) -> Option<String> {
    if let Some(rest) = line
        .strip_prefix("CREATE ROLE ")
        .or_else(|| line.strip_prefix("ALTER ROLE "))
    {
        return identifier(rest).map(|(name, _)| name);
    }
    let rest = line.strip_prefix("GRANT ")?;
    // GRANT <role>[, …] TO <grantee> …: the grantee is the role that changes.
    let mut at = rest;
    loop {
        let (_, after) = identifier(at)?;
        let after = after.trim_start();
        if let Some(next) = after.strip_prefix(',') {
            at = next.trim_start();
            continue;
        }
        let grantee = after.strip_prefix("TO ")?;
        return identifier(grantee.trim_start()).map(|(name, _)| name);
    }
}

/// An SQL identifier at the start of `text` (quoted, with `""` for a quote, or bare) and what
/// follows it.
fn identifier(text: &str) -> Option<(String, &str)> {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((index, c)) = chars.next() {
            if c == '"' {
                if chars.peek().is_some_and(|(_, next)| *next == '"') {
                    chars.next();
                    name.push('"');
                } else {
                    return Some((name, &quoted[index + 1..]));
                }
            } else {
                name.push(c);
            }
        }
        return None;
    }
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(text.len());
    (end > 0).then(|| (text[..end].to_string(), &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLOBALS: &str = r#"--
-- Roles
--

CREATE ROLE "app ünï";
ALTER ROLE "app ünï" WITH NOSUPERUSER INHERIT LOGIN PASSWORD 'SCRAM-SHA-256$4096:abc';
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT LOGIN PASSWORD 'SCRAM-SHA-256$4096:def';
CREATE ROLE reader;
ALTER ROLE reader WITH NOLOGIN;
CREATE ROLE "we""ird";
GRANT reader TO "app ünï" WITH INHERIT TRUE GRANTED BY postgres;
GRANT reader TO "we""ird" GRANTED BY postgres;
ALTER ROLE reader SET search_path TO 'x';
CREATE TABLESPACE fast OWNER postgres LOCATION '/srv/fast';
"#;

    #[test]
    fn only_missing_roles_are_created_and_the_connecting_user_is_never_touched() {
        let existing: HashSet<String> = ["postgres", "reader"].map(String::from).into();
        let kept = filter(GLOBALS, &existing, "postgres", false);
        assert_eq!(kept.created, ["app ünï", "we\"ird"]);
        assert_eq!(kept.kept, ["postgres", "reader"]);
        assert!(kept.sql.contains("CREATE ROLE \"app ünï\";"));
        assert!(kept.sql.contains("GRANT reader TO \"app ünï\""));
        assert!(kept.sql.contains("GRANT reader TO \"we\"\"ird\""));
        assert!(!kept.sql.contains("ALTER ROLE postgres"));
        assert!(!kept.sql.contains("ALTER ROLE reader"));
        assert!(kept.sql.contains("CREATE TABLESPACE fast"));

        let forced = filter(GLOBALS, &existing, "postgres", true);
        assert!(forced.sql.contains("ALTER ROLE reader WITH NOLOGIN;"));
        assert!(forced.sql.contains("ALTER ROLE reader SET"));
        assert!(!forced.sql.contains("CREATE ROLE reader"), "it exists");
        assert!(
            !forced.sql.contains("postgres WITH"),
            "never the connecting user"
        );
    }
}
