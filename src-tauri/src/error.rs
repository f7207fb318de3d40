//! What a command returns when it fails: a code the UI can switch on and a message to show.

use serde::Serialize;
use ts_rs::TS;

use dbm_engine::model::{Code, Problem};
use dbm_engine::store::StoreError;

/// Every command rejects with this shape.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppError {
    pub code: Code,
    pub message: String,
}

impl From<Problem> for AppError {
    fn from(problem: Problem) -> Self {
        AppError {
            code: problem.code,
            message: format!("{} {}", problem.message, problem.fix),
        }
    }
}

impl From<tauri::Error> for AppError {
    fn from(error: tauri::Error) -> Self {
        AppError {
            code: Code::AppError,
            message: error.to_string(),
        }
    }
}

impl From<&StoreError> for AppError {
    fn from(error: &StoreError) -> Self {
        AppError {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}
