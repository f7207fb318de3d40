//! Running pg_dump: finding the right one, streaming its output to disk.

pub mod local_binaries;
