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
    /// A scheduled connection is overdue for a good backup.
    pub overdue: bool,
}

impl TrayLook {
    /// Running and a failure outrank overdue; overdue outranks idle.
    pub fn shown(&self) -> TrayState {
        match self.activity {
            TrayState::Idle | TrayState::Overdue if self.overdue => TrayState::Overdue,
            TrayState::Overdue => TrayState::Idle,
            activity => activity,
        }
    }
}
