pub mod backup;
pub mod connection;
pub mod daemon;
pub mod doctor;
pub mod restore;
pub mod schedule;
pub mod stats;
