pub mod backup;
pub mod connection;
pub mod daemon;
pub mod doctor;
pub mod schedule;
