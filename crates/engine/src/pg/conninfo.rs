//! Values handed to libpq's tools on their command line. libpq reads a database *name* given
//! as `--dbname` as a whole connection string when it contains `=` or starts with
//! `postgres://`: a name like `x host=elsewhere` would send the connection's user and password
//! to another server. Names therefore go as a one-keyword connection string, quoted.

/// `dbname='…'`, with `'` and `\` escaped as libpq's connection-string syntax wants.
pub fn dbname_conninfo(database: &str) -> String {
    format!("dbname={}", quote_value(database))
}

/// A connection-string value in single quotes.
pub fn quote_value(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('\'');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_look_like_connection_strings_are_quoted_as_one_value() {
        assert_eq!(dbname_conninfo("app"), "dbname='app'");
        assert_eq!(dbname_conninfo("a=b"), "dbname='a=b'");
        assert_eq!(
            dbname_conninfo("x host=evil.example"),
            "dbname='x host=evil.example'"
        );
        assert_eq!(dbname_conninfo("it's"), r"dbname='it\'s'");
        assert_eq!(dbname_conninfo(r"back\slash"), r"dbname='back\\slash'");
        assert_eq!(
            dbname_conninfo("postgresql://u@h/d"),
            "dbname='postgresql://u@h/d'"
        );
    }
}
