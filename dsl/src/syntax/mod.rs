//! The syntax stage: bytes → text → (pre-scan) → pest parse tree → AST.

pub mod ast;
pub mod dump;
mod errors;
pub mod fullwidth;
pub mod keywords;
pub mod lex;
pub mod parse;
pub mod slips;

use crate::diag::Diagnostic;
use crate::source::FileId;
pub use lex::Comment;

/// What parsing one file yields: the tree (absent on a syntax error), its comments for
/// the formatter, and every problem found.
#[derive(Debug)]
pub struct Parsed {
    pub module: Option<ast::Module>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the text of one file.
pub fn parse(text: &str, file: FileId) -> Parsed {
    let scan = lex::scan(text, file);
    if !scan.errors.is_empty() {
        return Parsed { module: None, comments: scan.comments, diagnostics: scan.errors };
    }
    let (module, diagnostics) = parse::parse_text(text, file);
    Parsed { module, comments: scan.comments, diagnostics }
}
