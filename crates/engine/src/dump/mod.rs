//! Running pg_dump: finding the right one, streaming its output to disk.

mod docker_dump;
pub mod local_binaries;
mod local_dump;
pub mod options;
pub mod runner;
pub mod sink;
