//! The qingdan engine: a checked program is lowered to a typed IR ([`ir`]), from which the
//! dependency graph ([`graph`]) and the interpreter ([`eval`]) work. Like the front end,
//! this crate is pure: cases arrive as text or values, never from files it opens.

pub mod analyse;
pub mod cases;
pub mod eval;
pub mod graph;
pub mod ir;
pub mod result;
pub mod testing;
pub mod value;
pub mod wasm;

pub use ir::{lower, Policy};
pub use value::Value;
