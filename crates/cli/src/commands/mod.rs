pub mod backup;
pub mod connection;
pub mod doctor;
pub mod schedule;
