//! The bottom layer: the values every other room passes around (ids, the kinds and states of
//! things, error codes and problems). It uses nothing else in the engine.

mod backup_status;
mod code;
mod compression;
mod dump_format;
mod ids;
mod named;
mod problem;
mod runner_kind;
mod ssl_mode;
mod trigger;

pub use backup_status::BackupStatus;
pub use code::Code;
pub use compression::Compression;
pub use dump_format::DumpFormat;
pub use ids::{BackupId, ConnectionId, LocationId, ScheduleId};
pub use named::Named;
pub use problem::{error_chain, excerpt, Problem};
pub use runner_kind::RunnerKind;
pub use ssl_mode::SslMode;
pub use trigger::Trigger;
