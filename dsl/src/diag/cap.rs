//! How many diagnostics are shown: at most so many of each code in each file, and a line
//! (or, in JSON, an entry) saying how many more there were.
//!
//! One bad input can raise thousands of the same diagnostic (a CSV header of 10,000
//! unknown columns is 10,000 E0103), and human text repeats the source line for each: an
//! 80 KB file gave 1.37 GB of output. Nobody reads the 21st copy of one mistake, and the
//! counts still say how many there are.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::render::{self, lang_of, RenderOptions};
use super::{Code, Diagnostic};
use crate::source::{FileId, Lang, SourceMap};

/// Diagnostics of one code in one file shown as human text.
pub const HUMAN_PER_CODE: usize = 20;
/// Diagnostics of one code in one file in JSON and YAML output (and the playground).
pub const JSON_PER_CODE: usize = 1_000;

/// Diagnostics left out: how many of a code in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Omitted {
    pub file: String,
    pub code: &'static str,
    pub count: usize,
}

/// The first `per_code` diagnostics of each code in each file, in order, and what was
/// left out (by file, then code).
pub fn cap(diags: &[Diagnostic], sources: &SourceMap, per_code: usize) -> (Vec<Diagnostic>, Vec<Omitted>) {
    let mut seen: HashMap<(FileId, Code), usize> = HashMap::new();
    let mut left: BTreeMap<(FileId, &'static str), usize> = BTreeMap::new();
    let mut shown = Vec::new();
    for d in diags {
        let n = seen.entry((d.span.file, d.code)).or_default();
        *n += 1;
        if *n <= per_code {
            shown.push(d.clone());
        } else {
            *left.entry((d.span.file, d.code.as_str())).or_default() += 1;
        }
    }
    let omitted = left
        .into_iter()
        .map(|((file, code), count)| Omitted { file: sources.get(file).path.clone(), code, count })
        .collect();
    (shown, omitted)
}

/// Human text of at most [`HUMAN_PER_CODE`] diagnostics of each code in each file, then
/// one line per file with what was left out.
pub fn human(diags: &[Diagnostic], sources: &SourceMap, opts: RenderOptions) -> String {
    let (shown, omitted) = cap(diags, sources, HUMAN_PER_CODE);
    let mut out = render::human(&shown, sources, opts);
    let lang = |file: &str| {
        let d = diags.iter().find(|d| sources.get(d.span.file).path == file);
        d.map_or(opts.lang.unwrap_or(Lang::En), |d| lang_of(d, sources, opts))
    };
    let mut i = 0;
    while i < omitted.len() {
        let file = &omitted[i].file;
        let same = omitted[i..].iter().take_while(|o| o.file == *file).count();
        out.push_str(&omitted_line(file, &omitted[i..i + same], lang(file)));
        out.push('\n');
        i += same;
    }
    out
}

/// `d.csv: … 另有 9,980 条诊断未显示（E0103 ×9980）`, for the left-out diagnostics of one file.
fn omitted_line(file: &str, omitted: &[Omitted], lang: Lang) -> String {
    let total: usize = omitted.iter().map(|o| o.count).sum();
    let codes: Vec<String> = omitted.iter().map(|o| format!("{} ×{}", o.code, o.count)).collect();
    match lang {
        Lang::Zh => format!(
            "{file}：… 另有 {total} 条诊断未显示（{}；每个代码只显示前 {HUMAN_PER_CODE} 条，`--format json` 显示前 {JSON_PER_CODE} 条）",
            codes.join("，")
        ),
        Lang::En => format!(
            "{file}: … and {total} more not shown ({}; the first {HUMAN_PER_CODE} of each code are shown, the first {JSON_PER_CODE} with `--format json`)",
            codes.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::msg;
    use crate::source::{SourceFile, Span};

    #[test]
    fn keeps_the_first_of_each_code_in_each_file_and_counts_the_rest() {
        let mut sources = SourceMap::default();
        let a = sources.add(SourceFile::new("a.csv", "x\n"));
        let b = sources.add(SourceFile::new("b.qd", "y\n"));
        let d = |file, code| Diagnostic::new(code, Span::new(file, 0, 1), msg("甲", "a"));
        let mut diags = vec![d(a, Code::E0103); 5];
        diags.extend(vec![d(a, Code::E0119); 2]);
        diags.extend(vec![d(b, Code::E0103); 4]);
        let (shown, omitted) = cap(&diags, &sources, 3);
        assert_eq!(shown.len(), 3 + 2 + 3);
        assert_eq!(
            omitted,
            vec![
                Omitted { file: "a.csv".into(), code: "E0103", count: 2 },
                Omitted { file: "b.qd".into(), code: "E0103", count: 1 },
            ]
        );
        let text = human(&vec![d(a, Code::E0103); HUMAN_PER_CODE + 7], &sources, RenderOptions::default());
        assert!(text.ends_with("a.csv: … and 7 more not shown (E0103 ×7; the first 20 of each code are shown, the first 1000 with `--format json`)\n"), "{text}");
    }
}
