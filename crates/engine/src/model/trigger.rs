//! What started a backup run.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What started a backup run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    Schedule,
    Manual,
    Tray,
    CatchUp,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
            Trigger::Tray => "tray",
            Trigger::CatchUp => "catch-up",
        }
    }
}

super::named::named!(Trigger: Trigger::Schedule, Trigger::Manual, Trigger::Tray, Trigger::CatchUp);
