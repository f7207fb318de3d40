//! What the tray icon shows, decided from what backups did and whether a connection is overdue.

/// What the tray shows: backups running, the last run failed, else a connection overdue for
/// a good backup, else idle (in that order: the most urgent wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayState {
    Idle,
    Running,
    Failed,
    Overdue,
}

/// What the tray icon shows is drawn from these two.
#[derive(Debug)]
pub struct TrayLook {
    /// Idle, running or failed: what backups last did.
    pub activity: TrayState,
    /// The overdue connections, as the menu lists them ("orders: no backup for 3 days").
    pub overdue: Vec<String>,
}

impl TrayLook {
    /// Running and a failure outrank overdue; overdue outranks idle.
    pub fn shown(&self) -> TrayState {
        match self.activity {
            TrayState::Idle | TrayState::Overdue if !self.overdue.is_empty() => TrayState::Overdue,
            TrayState::Overdue => TrayState::Idle,
            activity => activity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{TrayLook, TrayState};

    #[test]
    fn running_and_failed_outrank_overdue_which_outranks_idle() {
        let shown = |activity, overdue: bool| {
            let overdue = if overdue {
                vec!["orders: no backup for 3 days".to_string()]
            } else {
                Vec::new()
            };
            TrayLook { activity, overdue }.shown()
        };
        assert_eq!(shown(TrayState::Idle, false), TrayState::Idle);
        assert_eq!(shown(TrayState::Idle, true), TrayState::Overdue);
        assert_eq!(shown(TrayState::Running, true), TrayState::Running);
        assert_eq!(shown(TrayState::Failed, true), TrayState::Failed);
        assert_eq!(shown(TrayState::Failed, false), TrayState::Failed);
        // Overdue is drawn, never an activity: set as one it follows the overdue flag.
        assert_eq!(shown(TrayState::Overdue, false), TrayState::Idle);
    }
}
