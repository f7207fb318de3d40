//! Whether protection is what the user thinks it is: each scheduled connection's last good
//! backup against what its schedules promise (overdue), and when to tell the user.

mod notices;
mod overdue;

pub use notices::notices_due;
pub use overdue::{check, ConnectionHealth};
