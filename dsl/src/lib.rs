//! The qingdan language front end: text → AST → checked program, with diagnostics and a
//! formatter. This crate is pure: it never touches the file system or the terminal; the
//! CLI hands it file contents through [`source::SourceMap`] and a [`Loader`].

pub mod check;
pub mod diag;
pub mod fmt;
pub mod include;
pub mod program;
pub mod source;
pub mod sources;
pub mod syntax;
pub mod value;
pub mod yaml_depth;

pub use diag::{Code, Diagnostic, Severity};
pub use program::{check_files, LoadError, Loader, NoFiles, Program};
pub use source::{FileId, Lang, SourceFile, SourceMap, Span};
