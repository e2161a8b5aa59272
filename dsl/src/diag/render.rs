//! Renderers: human text with source snippets (through miette, which measures CJK
//! characters as two columns wide) and JSON for tools and the playground.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::source::{Lang, LineCol, SourceFile, SourceMap, Span};

/// How to render: the language (`None`: each file's own) and whether to use colour.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    pub lang: Option<Lang>,
    pub color: bool,
}

/// The language a diagnostic is shown in.
pub fn lang_of(d: &Diagnostic, sources: &SourceMap, opts: RenderOptions) -> Lang {
    opts.lang.unwrap_or_else(|| sources.get(d.span.file).lang)
}

/// Renders diagnostics for people: code, message, the source lines with the spans marked,
/// and the help line.
pub fn human(diags: &[Diagnostic], sources: &SourceMap, opts: RenderOptions) -> String {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    for d in diags {
        let report = Report { d, sources, lang: lang_of(d, sources, opts) };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&report.to_string());
        }
        out.push('\n');
    }
    out
}

/// A one-line summary such as `2 errors, 1 warning` / `2 个错误，1 个警告`.
pub fn summary(diags: &[Diagnostic], lang: Lang) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    match lang {
        Lang::Zh => format!("{errors} 个错误，{warnings} 个警告"),
        Lang::En => format!(
            "{errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ),
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    sources: &'a SourceMap,
    lang: Lang,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.d.message.get(self.lang))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = self.d.help.as_ref().map(|h| h.get(self.lang).to_string());
        let elsewhere = self.labels_elsewhere();
        let text = match (help, elsewhere.is_empty()) {
            (None, true) => return None,
            (Some(h), true) => h,
            (h, false) => h.into_iter().chain(std::iter::once(elsewhere)).collect::<Vec<_>>().join("\n"),
        };
        Some(Box::new(text))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary_text = self.d.label.as_ref().unwrap_or(&self.d.message).get(self.lang);
        let primary =
            LabeledSpan::new_primary_with_span(Some(primary_text.to_string()), to_source_span(self.d.span));
        let secondary = self
            .d
            .secondary
            .iter()
            .filter(|l| l.span.file == self.d.span.file)
            .map(|l| LabeledSpan::at(to_source_span(l.span), l.message.get(self.lang)));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

impl Report<'_> {
    fn file(&self) -> &SourceFile {
        self.sources.get(self.d.span.file)
    }

    /// Secondary labels in other files cannot be drawn in this snippet; name them instead.
    fn labels_elsewhere(&self) -> String {
        let mut lines = Vec::new();
        for l in self.d.secondary.iter().filter(|l| l.span.file != self.d.span.file) {
            let file = self.sources.get(l.span.file);
            let at = file.line_col(l.span.start);
            lines.push(format!("{}:{}:{}: {}", file.path, at.line, at.column, l.message.get(self.lang)));
        }
        lines.join("\n")
    }
}

impl SourceCode for Report<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = self.file();
        let inner = file.text.as_str().read_span(span, before, after)?;
        // miette counts the column in bytes; the header `file:line:col` should count
        // characters, as our JSON does, so that `规则 甲` puts `甲` in column 4.
        let start = inner.span().offset();
        let line_start = file.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = file.text[line_start..start].chars().count();
        Ok(Box::new(MietteSpanContents::new_named(
            file.path.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

fn to_source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), (span.end - span.start) as usize)
}

/// The JSON form of one diagnostic; field names are part of the stable interface.
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'static str,
    pub slug: &'static str,
    pub severity: Severity,
    pub message: &'a str,
    pub file: &'a str,
    pub start: LineCol,
    pub end: LineCol,
    pub byte_range: [u32; 2],
    pub label: Option<&'a str>,
    pub help: Option<&'a str>,
    pub related: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
pub struct JsonLabel<'a> {
    pub file: &'a str,
    pub start: LineCol,
    pub end: LineCol,
    pub message: &'a str,
}

pub fn to_json<'a>(
    diags: &'a [Diagnostic],
    sources: &'a SourceMap,
    opts: RenderOptions,
) -> Vec<JsonDiagnostic<'a>> {
    diags
        .iter()
        .map(|d| {
            let lang = lang_of(d, sources, opts);
            let file = sources.get(d.span.file);
            JsonDiagnostic {
                code: d.code.as_str(),
                slug: d.code.slug(),
                severity: d.severity(),
                message: d.message.get(lang),
                file: &file.path,
                start: file.line_col(d.span.start),
                end: file.line_col(d.span.end),
                byte_range: [d.span.start, d.span.end],
                label: d.label.as_ref().map(|l| l.get(lang)),
                help: d.help.as_ref().map(|h| h.get(lang)),
                related: d
                    .secondary
                    .iter()
                    .map(|l| {
                        let f = sources.get(l.span.file);
                        JsonLabel {
                            file: &f.path,
                            start: f.line_col(l.span.start),
                            end: f.line_col(l.span.end),
                            message: l.message.get(lang),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}
