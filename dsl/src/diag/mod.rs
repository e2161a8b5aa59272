//! Diagnostics as data. Every stage returns a list of [`Diagnostic`]s rather than stopping
//! at the first problem; renderers (in [`render`]) turn them into text or JSON.
//!
//! Message style, in both languages: lowercase English, no final full stop (。 neither),
//! names from the user's text in backticks, and a `help` line that says what to do.

pub mod cap;
pub mod codes;
pub mod render;

pub use codes::{Code, Severity};

use crate::source::{Lang, Span};

/// A message in both languages; the renderer picks one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Builds a [`Msg`] from a Chinese and an English text.
pub fn msg(zh: impl Into<String>, en: impl Into<String>) -> Msg {
    Msg { zh: zh.into(), en: en.into() }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: Msg,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: Msg,
    pub span: Span,
    /// Text under the primary span; defaults to the message.
    pub label: Option<Msg>,
    pub secondary: Vec<Label>,
    pub help: Option<Msg>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: Msg) -> Diagnostic {
        Diagnostic { code, message, span, label: None, secondary: Vec::new(), help: None }
    }

    pub fn label(mut self, label: Msg) -> Diagnostic {
        self.label = Some(label);
        self
    }

    pub fn secondary(mut self, span: Span, message: Msg) -> Diagnostic {
        self.secondary.push(Label { span, message });
        self
    }

    pub fn help(mut self, help: Msg) -> Diagnostic {
        self.help = Some(help);
        self
    }

    pub fn help_opt(self, help: Option<Msg>) -> Diagnostic {
        match help {
            Some(h) => self.help(h),
            None => self,
        }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

/// Sorts diagnostics by file and position and drops exact repeats, so output is stable.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by_key(|d| (d.span, d.code));
    diags.dedup_by(|a, b| a.span == b.span && a.code == b.code && a.message == b.message);
}
