//! The qingdan runtime: runs the modules `qingdan build` compiles, on wasmtime, and
//! nothing else — no parser, checker, analyser or compiler — so that a service embedding
//! policies compiles only what it runs (115 crates in its dependency tree against the
//! engine's 213; README.md).
//!
//! A module is untrusted input: it is validated, its seal (the SHA-256 of its content,
//! optionally signed) and its manifest checked before anything in it is believed; every
//! call runs on a fuel budget ([`Module::set_fuel_per_call`]) and memory is capped. Every
//! failure is an [`Error`] with a stable code — the engine's registry, the same codes the
//! JavaScript and Python hosts give — and a message in Chinese and English, never a panic.
//!
//! ```
//! use qingdan_runtime::{Module, Value};
//!
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/subsidy.wasm"))?;
//! let module = Module::load(&bytes)?;
//! let mut case = module.case();
//! case.set("申请.年龄", Value::Int(85))?
//!     .set("申请.月收入", Value::Dec(2_500 * 1_000_000))? // decimals are scaled by 10^6
//!     .set("申请.户数", Value::Int(1))?;
//! let decided = module.instantiate()?.decide_case(&case, "补贴")?;
//! assert_eq!(decided.outcomes, ["发放"]);
//! assert_eq!(decided.values, [("金额".to_string(), Value::Dec(200 * 1_000_000))]);
//! assert_eq!(decided.fired, ["高龄低收入"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Errors carry their code and the field they are about:
//!
//! ```
//! use qingdan_runtime::{Code, Module, Value};
//!
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/subsidy.wasm"))?;
//! let module = Module::load(&bytes)?;
//! let e = module.case().set("申请.年龄", Value::text("八十")).unwrap_err();
//! assert_eq!((e.code, e.path.as_deref()), (Code::E0302, Some("申请.年龄")));
//! assert_eq!(Module::load(b"\0asm\x01\0\0\0").err().map(|e| e.code), Some(Code::E0502));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A case given as JSON, answered with its line of the result model (docs/result.md) —
//! byte for byte what `qingdan eval --format json` writes for it:
//!
//! ```
//! use qingdan_runtime::{LineOptions, Module};
//!
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/subsidy.wasm"))?;
//! let module = Module::load(&bytes)?;
//! let mut inst = module.instantiate()?;
//! let options = LineOptions::default();
//! let line = inst.decide_json(&module, r#"{"年龄": 85, "月收入": "2500", "户数": 1}"#, 1, &options)?;
//! assert!(line.starts_with(r#"{"model":1,"case":1,"decisions":{"补贴":{"outcomes":[{"outcome":"发放","values":{"金额":"200"}"#));
//! // A case that cannot be read is a line too, with the engine's code and path.
//! let line = inst.decide_json(&module, r#"{"年龄": 80.0, "月收入": 1, "户数": 1}"#, 2, &options)?;
//! assert!(line.contains(r#""code":"E0302""#) && line.ends_with("\"path\":\"申请.年龄\"}}\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The stages, one module each: [`abi`] (the memory layout and result record of
//! docs/wasm-abi.md), [`manifest`] (the module's `qingdan` section), [`integrity`] (its
//! seal), [`value`] and [`words`] (values and their 64-bit words), [`host`] (wasmtime: load,
//! instantiate, place a case, call with fuel, read results back), [`decided`] (what a
//! decision or check gave), [`case`] (cases built by field name, decisions told by name),
//! [`reader`] (a JSON case read into a [`Case`], E0301–E0307), [`result`] (the result
//! model's line), [`text`] (exact decimals, dates and the words of messages, which the
//! engine's case reader uses too).
//! The engine (`qingdan-engine`) builds its own host on this one: the CLI's `eval --wasm`,
//! the decision service and the conformance tests run modules through it.

pub mod abi;
pub mod case;
mod consistency;
pub mod decided;
pub mod error;
pub mod host;
pub mod integrity;
pub mod manifest;
pub mod reader;
pub mod result;
pub mod text;
pub mod value;
pub mod words;

pub use case::{Case, Decided};
pub use error::{Code, Error, Message};
pub use host::{Instance, Module, FUEL_PER_CALL};
pub use result::{LineOptions, MODEL_VERSION};
pub use value::{Type, Value};

/// The README's example runs as a doc test.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
