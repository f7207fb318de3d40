//! A check that failed, told as the user needs it: a code to switch on, what is wrong, what to do.

use serde::Serialize;
use ts_rs::TS;

/// A check that failed: what is wrong and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Problem {
    pub code: String,
    pub message: String,
    pub fix: String,
}

impl Problem {
    pub fn new(
        code: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem {
            code: code.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }
}
