//! The one error type of the runtime: a stable code (the engine's registry, the same codes
//! the JavaScript and Python hosts use), a message in Chinese and English, and for a case
//! the field it is about.

use std::fmt;

/// The codes the runtime reports: the engine's registry (dsl/src/diag/codes.rs) for what a
/// host can meet; docs/diagnostics.md explains each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    E0301,
    E0302,
    E0303,
    E0304,
    E0305,
    E0306,
    E0307,
    E0501,
    E0502,
    E0503,
    E0504,
    E0505,
    E0507,
    E0601,
    E0602,
    E0603,
    E0902,
}

/// Each code with its text and slug, in the registry's order.
const TABLE: &[(Code, &str, &str)] = &[
    (Code::E0301, "E0301", "case-malformed"),
    (Code::E0302, "E0302", "case-wrong-type"),
    (Code::E0303, "E0303", "case-missing-field"),
    (Code::E0304, "E0304", "case-unknown-field"),
    (Code::E0305, "E0305", "case-unknown-variant"),
    (Code::E0306, "E0306", "case-unknown-key"),
    (Code::E0307, "E0307", "case-too-large"),
    (Code::E0501, "E0501", "wasm-malformed"),
    (Code::E0502, "E0502", "wasm-foreign-abi"),
    (Code::E0503, "E0503", "wasm-input-too-large"),
    (Code::E0504, "E0504", "wasm-stopped"),
    (Code::E0505, "E0505", "wasm-bad-input"),
    (Code::E0507, "E0507", "wasm-untrusted"),
    (Code::E0601, "E0601", "eval-division-by-zero"),
    (Code::E0602, "E0602", "eval-overflow"),
    (Code::E0603, "E0603", "eval-no-rule-applies"),
    (Code::E0902, "E0902", "unknown-decision"),
];

impl Code {
    /// Every code, in the registry's order.
    pub fn all() -> impl Iterator<Item = Code> {
        TABLE.iter().map(|&(c, _, _)| c)
    }

    fn entry(self) -> (&'static str, &'static str) {
        TABLE
            .iter()
            .find(|e| e.0 == self)
            .map_or(("E0501", "wasm-malformed"), |&(_, code, slug)| (code, slug))
    }

    /// `E0501`.
    pub fn as_str(self) -> &'static str {
        self.entry().0
    }

    /// `wasm-malformed`.
    pub fn slug(self) -> &'static str {
        self.entry().1
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub zh: String,
    pub en: String,
}

pub fn message(zh: impl Into<String>, en: impl Into<String>) -> Message {
    Message { zh: zh.into(), en: en.into() }
}

/// Why the runtime could not load a module or decide a case with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: Code,
    pub message: Message,
    /// The case's field (`申请.标签[2]`), or the decision for E0603 and E0902.
    pub path: Option<String>,
}

impl Error {
    pub fn new(code: Code, message: Message) -> Error {
        Error { code, message, path: None }
    }

    /// `E0501[wasm-malformed]: …` in Chinese (`zh == true`) or English.
    pub fn render(&self, zh: bool) -> String {
        let text = if zh { &self.message.zh } else { &self.message.en };
        format!("{}[{}]: {text}", self.code, self.code.slug())
    }
}

impl std::error::Error for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}
