//! Where a backup run stands.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a backup run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum BackupStatus {
    Pending,
    Running,
    Completed,
    /// A set (a whole server's backup) some of whose databases could not be dumped.
    Partial,
    Failed,
    Cancelled,
    Interrupted,
}

impl BackupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupStatus::Pending => "pending",
            BackupStatus::Running => "running",
            BackupStatus::Completed => "completed",
            BackupStatus::Partial => "partial",
            BackupStatus::Failed => "failed",
            BackupStatus::Cancelled => "cancelled",
            BackupStatus::Interrupted => "interrupted",
        }
    }
}

super::named::named!(
    BackupStatus: BackupStatus::Pending,
    BackupStatus::Running,
    BackupStatus::Completed,
    BackupStatus::Partial,
    BackupStatus::Failed,
    BackupStatus::Cancelled,
    BackupStatus::Interrupted,
);
