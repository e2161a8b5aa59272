//! The trace report as text (in the policies' language) and as Markdown.

use std::fmt::Write as _;

use qingdan_dsl::Lang;

use super::{CiterKind, ClauseTrace, SourceTrace, Status, Trace, Wording};

/// Picks the Chinese or the English wording.
fn t<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn wording(lang: Lang, w: Wording) -> &'static str {
    let (zh, en) = match w {
        Wording::Checked => ("引文已与全文核对", "quotation checked against the text"),
        Wording::FromText => ("文字取自全文", "words taken from the text"),
        Wording::Summary => ("摘要", "summary"),
        Wording::Unverified => ("引文未核", "quotation, unverified"),
        Wording::Unmarked => ("引文无从核对且未注明", "quotation, unchecked and unmarked"),
    };
    t(lang, zh, en)
}

fn citer_kind(lang: Lang, k: CiterKind) -> &'static str {
    let (zh, en) = match k {
        CiterKind::Rule => ("规则", "rule"),
        CiterKind::Exception => ("例外", "exception"),
        CiterKind::Check => ("检查", "check"),
        CiterKind::Default => ("默认结论", "default of"),
        CiterKind::Row => ("清单行", "list row"),
    };
    t(lang, zh, en)
}

fn citers(lang: Lang, c: &ClauseTrace) -> String {
    let parts: Vec<String> =
        c.cited_by.iter().map(|x| format!("{}.{} {}", x.policy, citer_kind(lang, x.kind), x.name)).collect();
    parts.join(t(lang, "；", "; "))
}

fn counts(s: &SourceTrace) -> (usize, usize, usize) {
    let n = |st: Status| s.clauses.iter().filter(|c| c.status == st).count();
    (n(Status::Implemented), n(Status::OutOfScope), n(Status::Uncited))
}

fn summary_line(lang: Lang, s: &SourceTrace) -> String {
    let (done, out, none) = counts(s);
    let total = s.clauses.len();
    match lang {
        Lang::Zh => format!("{total} 条：{done} 条有引用，{out} 条范围外，{none} 条无人引用"),
        Lang::En => format!("{total} clauses: {done} cited, {out} out of scope, {none} cited by nothing"),
    }
}

fn heading_of(s: &SourceTrace) -> String {
    match &s.date {
        Some(d) => format!("{} ({d})", s.title),
        None => s.title.clone(),
    }
}

pub fn text(trace: &Trace, lang: Lang) -> String {
    let mut out = String::new();
    for s in &trace.sources {
        let _ = writeln!(out, "{}", heading_of(s));
        let _ = writeln!(out, "  {}{}", t(lang, "声明为：", "declared as: "), s.declared_as.join(", "));
        if let Some(path) = &s.full_text {
            let _ = writeln!(out, "  {}{path}", t(lang, "全文：", "full text: "));
        }
        let _ = writeln!(out, "  {}", summary_line(lang, s));
        for c in &s.clauses {
            let _ = writeln!(out, "  {} {}", t(lang, "条款", "clause"), c.id);
            if !c.wording.is_empty() {
                let w: Vec<&str> = c.wording.iter().map(|w| wording(lang, *w)).collect();
                let _ = writeln!(out, "    {}{}", t(lang, "文字：", "words: "), w.join(", "));
            }
            for x in &c.cited_by {
                let who = format!("{}.{} {}", x.policy, citer_kind(lang, x.kind), x.name);
                let _ = writeln!(out, "    {}{who}", t(lang, "引用者：", "cited by: "));
            }
            if let Some(why) = &c.out_of_scope {
                let _ = writeln!(out, "    {}{why}", t(lang, "范围外：", "out of scope: "));
            }
            if c.status == Status::Uncited {
                let _ = writeln!(out, "    {}", t(lang, "无人引用", "cited by nothing"));
            }
        }
        let _ = writeln!(out);
    }
    out
}

/// A Markdown cell: pipes escaped, line breaks as spaces.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(trace: &Trace, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", t(lang, "条款落实情况", "Clause coverage"));
    for s in &trace.sources {
        let _ = writeln!(out, "## {}\n", cell(&heading_of(s)));
        let _ = writeln!(out, "- {}{}", t(lang, "声明为：", "declared as: "), s.declared_as.join(", "));
        if let Some(path) = &s.full_text {
            let _ = writeln!(out, "- {}`{path}`", t(lang, "全文：", "full text: "));
        }
        let _ = writeln!(out, "- {}\n", summary_line(lang, s));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |\n| --- | --- | --- | --- |",
            t(lang, "条款", "clause"),
            t(lang, "文字", "words"),
            t(lang, "引用者", "cited by"),
            t(lang, "范围外（理由）", "out of scope (why)"),
        );
        for c in &s.clauses {
            let w: Vec<&str> = c.wording.iter().map(|w| wording(lang, *w)).collect();
            let cited = if c.status == Status::Uncited {
                t(lang, "**无人引用**", "**nothing**").to_string()
            } else {
                citers(lang, c)
            };
            let why = c.out_of_scope.as_deref().unwrap_or("");
            let _ =
                writeln!(out, "| {} | {} | {} | {} |", cell(&c.id), w.join(", "), cell(&cited), cell(why));
        }
        let _ = writeln!(out);
    }
    out
}
