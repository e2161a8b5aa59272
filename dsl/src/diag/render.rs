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
        let text = &self.file().text;
        let primary = LabeledSpan::new_primary_with_span(
            Some(primary_text.to_string()),
            to_source_span(marked(text, self.d.span)),
        );
        let secondary = self
            .d
            .secondary
            .iter()
            .filter(|l| l.span.file == self.d.span.file)
            .map(|l| LabeledSpan::at(to_source_span(marked(text, l.span)), l.message.get(self.lang)));
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
            // The place on a line of its own: the help text is wrapped, and a place as long
            // as a folder's path would move every break of the words after it.
            lines.push(format!("{}:{}:{}:\n{}", file.path, at.line, at.column, l.message.get(self.lang)));
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
        let text = file.text.as_str();
        let inner = text.read_span(span, before, after)?;
        let shown = if inner.data().split(|&b| b == b'\n').all(|line| line.len() <= LONG_LINE) {
            Shown { data: inner.data(), span: *inner.span(), line: inner.line(), lines: inner.line_count() }
        } else {
            window(text, span)?
        };
        // miette counts the column in bytes; the header `file:line:col` should count
        // characters, as our JSON does, so that `规则 甲` puts `甲` in column 4.
        let start = shown.span.offset();
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..start].chars().count();
        Ok(Box::new(MietteSpanContents::new_named(
            file.path.clone(),
            shown.data,
            shown.span,
            shown.line,
            column,
            shown.lines,
        )))
    }
}

/// Lines longer than this many bytes are shown as a window around the span. miette pads
/// up to a label's column with a formatting width, which Rust caps at 65,535 (a span past
/// that column would panic), and a snippet thousands of characters wide helps no one.
const LONG_LINE: usize = 1000;
/// Characters shown on each side of a span on a long line.
const WINDOW_CHARS: usize = 40;
/// The most of a span on a long line that is underlined, in bytes.
const MARKED_BYTES: usize = 120;

/// The part of the source a snippet shows.
struct Shown<'a> {
    data: &'a [u8],
    span: SourceSpan,
    line: usize,
    lines: usize,
}

/// The start and end of the line holding byte `at`.
fn line_bounds(text: &str, at: usize) -> (usize, usize) {
    let at = text.floor_char_boundary(at);
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    (start, end)
}

/// The span as underlined: on a long line, at most [`MARKED_BYTES`] of it and never past
/// the line's end, so that the window around it stays narrow.
fn marked(text: &str, span: Span) -> Span {
    let start = text.floor_char_boundary(span.start as usize);
    let (line_start, line_end) = line_bounds(text, start);
    if line_end - line_start <= LONG_LINE {
        return span;
    }
    let end =
        (span.end as usize).min(line_end).min(text.floor_char_boundary(start + MARKED_BYTES)).max(start);
    Span { file: span.file, start: start as u32, end: end as u32 }
}

/// What to show of `span` when its neighbourhood has a long line: the lines it covers if
/// they are all short (without context lines), else the part of its one line around it.
/// A span too wide for that (miette asks when it tries to join two labels' snippets) is
/// refused, and miette then shows the labels in snippets of their own.
fn window<'a>(text: &'a str, span: &SourceSpan) -> Result<Shown<'a>, MietteError> {
    let start = text.floor_char_boundary(span.offset().min(text.len()));
    let end = text.floor_char_boundary((span.offset() + span.len()).min(text.len())).max(start);
    let (first, _) = line_bounds(text, start);
    let (_, last) = line_bounds(text, end);
    let line = text[..first].matches('\n').count();
    let covered = &text[first..last];
    if covered.split('\n').all(|l| l.len() <= LONG_LINE) {
        let lines = covered.matches('\n').count() + 1;
        let span = SourceSpan::new(first.into(), covered.len());
        return Ok(Shown { data: covered.as_bytes(), span, line, lines });
    }
    if end - start > MARKED_BYTES || covered[start - first..end - first].contains('\n') {
        return Err(MietteError::OutOfBounds);
    }
    let before =
        text[first..start].char_indices().rev().nth(WINDOW_CHARS - 1).map_or(first, |(i, _)| first + i);
    let after = text[end..last].char_indices().nth(WINDOW_CHARS).map_or(last, |(i, _)| end + i);
    let span = SourceSpan::new(before.into(), after - before);
    Ok(Shown { data: &text.as_bytes()[before..after], span, line, lines: 1 })
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::diag::{msg, Code};
    use crate::source::SourceFile;

    fn render(text: &str, spans: &[(usize, usize)]) -> String {
        let mut sources = SourceMap::default();
        let file = sources.add(SourceFile::new("long.qd", text));
        let (start, end) = spans[0];
        let mut d = Diagnostic::new(Code::E0001, Span::new(file, start, end), msg("这里", "here"));
        for &(start, end) in &spans[1..] {
            d = d.secondary(Span::new(file, start, end), msg("那里", "there"));
        }
        human(&[d], &sources, RenderOptions { lang: Some(Lang::En), color: false })
    }

    /// miette pads to a label's column with a formatting width, which panics past 65,535.
    #[test]
    fn a_span_past_column_65535_is_shown_in_a_window() {
        let text = format!("policy p\n{}let a = @\n", " ".repeat(70_000));
        let at = text.find('@').expect("the mistake");
        let shown = render(&text, &[(at, at + 1)]);
        assert!(shown.contains("[long.qd:2:70009]"), "{shown}");
        assert!(shown.contains("let a = @"), "{shown}");
        assert!(shown.len() < 2_000, "the snippet is a window, not the whole line: {} bytes", shown.len());
    }

    #[test]
    fn labels_far_apart_on_one_long_line_get_a_window_each() {
        let text = format!("甲{}乙{}丙\n", "\t".repeat(30_000), "字".repeat(30_000));
        let (b, c) = (text.find('乙').expect("乙"), text.find('丙').expect("丙"));
        let shown = render(&text, &[(c, c + 3), (0, 3), (b, text.len() - 1)]);
        for header in ["[long.qd:1:1]", "[long.qd:1:30002]", "[long.qd:1:60003]"] {
            assert!(shown.contains(header), "{header}: {shown}");
        }
        assert!(shown.contains("here") && shown.matches("there").count() == 2, "{shown}");
    }

    #[test]
    fn short_lines_are_shown_as_before() {
        let text = "policy p\nlet a = @\nlet b = 1\n";
        let at = text.find('@').expect("the mistake");
        let shown = render(text, &[(at, at + 1)]);
        assert!(shown.contains("[long.qd:2:9]") && shown.contains("let b = 1"), "{shown}");
    }

    fn char_boundary(text: &str, at: usize) -> usize {
        text.floor_char_boundary(at % (text.len() + 1))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any spans over text with long lines (spaces, tabs, CJK) render without a panic.
        #[test]
        fn any_spans_over_long_lines_render(
            pieces in prop::collection::vec((0usize..4, 0usize..40_000), 1..6),
            spans in prop::collection::vec((any::<usize>(), 0usize..300_000), 1..4),
        ) {
            let text: String = pieces
                .iter()
                .map(|&(kind, n)| match kind {
                    0 => " ".repeat(n),
                    1 => "\t".repeat(n / 4),
                    2 => "字".repeat(n / 3),
                    _ => "x\n".repeat(n / 1000),
                })
                .collect();
            let spans: Vec<(usize, usize)> = spans
                .iter()
                .map(|&(at, len)| {
                    let start = char_boundary(&text, at);
                    (start, text.floor_char_boundary((start + len).min(text.len())))
                })
                .collect();
            render(&text, &spans);
        }
    }
}
