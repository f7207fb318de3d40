//! The bottom layer: the values every other room passes around (ids, the kinds and states of
//! things, error codes and problems). It uses nothing else in the engine.

mod code;
mod problem;

pub use code::Code;
pub use problem::{error_chain, excerpt, Problem};
