//! Which pg_dump ran a backup.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which pg_dump ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RunnerKind {
    Docker,
    Local,
}

impl RunnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunnerKind::Docker => "docker",
            RunnerKind::Local => "local",
        }
    }
}

super::named::named!(RunnerKind: RunnerKind::Docker, RunnerKind::Local);
