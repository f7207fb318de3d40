//! SQL identifiers made from names a user chose (databases created and dropped by restore and
//! verify): quoted, so any name PostgreSQL accepts is exactly that name.

/// `"name"`, with `"` doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_and_doubles_inner_quotes() {
        assert_eq!(super::quote_ident("app"), "\"app\"");
        assert_eq!(super::quote_ident("a\"b; DROP"), "\"a\"\"b; DROP\"");
    }
}
