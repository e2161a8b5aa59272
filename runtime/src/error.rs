//! The one error type of the runtime: a stable code (the engine's registry, the same codes
//! the JavaScript and Python hosts use), a message in Chinese and English, and for a case
//! the field it is about.

use std::fmt;

macro_rules! codes {
    ($($code:ident $slug:literal;)*) => {
        /// The codes the runtime reports (docs/diagnostics.md explains each).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $($code,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// `E0501`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            /// `wasm-malformed`.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$code => $slug,)* }
            }
        }
    };
}

codes! {
    E0301 "case-malformed";
    E0302 "case-wrong-type";
    E0303 "case-missing-field";
    E0304 "case-unknown-field";
    E0305 "case-unknown-variant";
    E0306 "case-unknown-key";
    E0307 "case-too-large";
    E0501 "wasm-malformed";
    E0502 "wasm-foreign-abi";
    E0503 "wasm-input-too-large";
    E0504 "wasm-stopped";
    E0505 "wasm-bad-input";
    E0507 "wasm-untrusted";
    E0601 "eval-division-by-zero";
    E0602 "eval-overflow";
    E0603 "eval-no-rule-applies";
    E0902 "unknown-decision";
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
