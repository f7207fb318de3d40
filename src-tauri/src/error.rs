//! What a command returns when it fails: a code the UI can switch on and a message to show.

use serde::Serialize;
use ts_rs::TS;

use dbm_engine::problem::Problem;
use dbm_engine::store::StoreError;

/// Every command rejects with this shape.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppError {
    pub code: String,
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
            code: "app_error".into(),
            message: error.to_string(),
        }
    }
}

impl From<&StoreError> for AppError {
    fn from(error: &StoreError) -> Self {
        AppError {
            code: error.code().to_string(),
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}
