//! Running pg_dump: finding the right one, streaming its output to disk.

pub mod client_tool;
mod docker_dump;
pub mod durable;
pub mod invocation;
pub mod local_binaries;
mod local_dump;
pub mod options;
pub mod runner;
pub mod server_set;
pub mod sink;
pub mod tools;
