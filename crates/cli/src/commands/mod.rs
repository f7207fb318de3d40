pub mod connection;
pub mod doctor;
