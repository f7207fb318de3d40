pub mod backup;
pub mod connection;
pub mod doctor;
