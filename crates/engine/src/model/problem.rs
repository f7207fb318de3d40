//! A check that failed, told as the user needs it: a code to switch on, what is wrong, what to do.

use serde::Serialize;
use ts_rs::TS;

use super::code::Code;

/// A check that failed: what is wrong and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Problem {
    pub code: Code,
    pub message: String,
    pub fix: String,
}

impl Problem {
    pub fn new(code: Code, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Problem {
            code,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.message, self.fix)
    }
}

/// The engine's operations fail with a `Problem`: every failure carries a code to switch on,
/// what is wrong, and what to do.
impl std::error::Error for Problem {}

/// User input as quoted back in an error: at most 60 characters (a 10 MB paste is not echoed).
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    let mut chars = text.chars();
    let shown: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        format!("{shown}…")
    } else {
        shown
    }
}

/// The error and its causes in one line: drivers' top-level messages alone are often vague.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_input_is_quoted_back_cut_short() {
        assert_eq!(super::excerpt("short"), "short");
        let long = "é".repeat(10_000_000);
        let shown = super::excerpt(&long);
        assert_eq!(shown.chars().count(), 61);
        assert!(shown.ends_with('…'));
    }
}
