//! The words of effective dates — a version's `自 … 起` / `至 … 止` (`from` / `until`) after a
//! let's or rule's name, and the policy's `以 … 为准` (`as of`) — explained on hover and
//! offered by completion only where they may stand.

use qingdan_dsl::syntax::ast::{Decl, InForce};
use qingdan_dsl::syntax::keywords::Kw;
use qingdan_dsl::{Lang, Span};
use serde_json::{json, Value};

use super::analysis::Analysis;

/// A hover on a version's range or on the policy's `以 … 为准`, when `offset` is on one.
pub fn hover(a: &Analysis, offset: usize) -> Option<Value> {
    let module = &a.program.modules[a.module?].module;
    let lang = a.lang();
    let offset = offset as u32;
    let as_of =
        module.as_of.as_ref().map(|p| p.parts.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join("."));
    for decl in &module.decls {
        let in_force = match decl {
            Decl::Let(l) => l.in_force,
            Decl::Rule(r) => r.in_force,
            _ => None,
        };
        if let Some(range) =
            in_force.filter(|r| r.span.file == a.file && r.span.start <= offset && offset <= r.span.end)
        {
            return Some(answer(a, range.span, &in_force_text(&range, as_of.as_deref(), lang)));
        }
    }
    let path = module.as_of.as_ref()?;
    // `以` stands between the policy's name and the path, `为准` after the path.
    let header = Span { start: module.name.span.end, end: line_end(a, path.span.end), ..path.span };
    let on_path = path.span.start <= offset && offset <= path.span.end;
    if header.file != a.file || on_path || offset < header.start || offset > header.end {
        return None;
    }
    Some(answer(a, header, &as_of_text(as_of.as_deref().unwrap_or(""), lang)))
}

fn answer(a: &Analysis, span: Span, text: &str) -> Value {
    json!({ "contents": { "kind": "markdown", "value": text }, "range": a.range(span) })
}

/// The end of the line holding byte `at`.
fn line_end(a: &Analysis, at: u32) -> u32 {
    let text = a.text(a.file);
    let at = (at as usize).min(text.len());
    text[at..].find('\n').map_or(text.len(), |i| at + i) as u32
}

fn in_force_text(range: &InForce, as_of: Option<&str>, lang: Lang) -> String {
    let (zh_from, en_from) = match range.from {
        Some(d) => (format!("自 {d} 起（含这一天）"), format!("from {d} (that day included)")),
        None => ("从最早".to_string(), "from any earlier day".to_string()),
    };
    let (zh_until, en_until) = match range.until {
        Some(d) => (format!("至 {d} 止（含这一天）"), format!("until {d} (that day included)")),
        None => ("此后一直有效".to_string(), "and on every later day".to_string()),
    };
    let (zh_date, en_date) = match as_of {
        Some(p) => (
            format!("政策头 `以 {p} 为准` 所说字段的日期"),
            format!("the date in `{p}` (the policy's `as of`)"),
        ),
        None => (
            "政策头 `以 … 为准` 所说字段的日期（这份政策还没有写）".to_string(),
            "the date the policy's `as of` names (not written yet)".to_string(),
        ),
    };
    match lang {
        Lang::Zh => format!(
            "**生效期间**\n\n这一版本{zh_from}，{zh_until}。案件按{zh_date}选用当天有效的版本；同名的各版本期间不得重叠（E0141）。"
        ),
        Lang::En => format!(
            "**in force**\n\nThis version applies {en_from} {en_until}. A case takes the version in force on {en_date}; versions of one name must not overlap (E0141)."
        ),
    }
}

fn as_of_text(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "**以 … 为准** `{path}`\n\n案件以这一字段的日期为准：写了 `自 … 起` / `至 … 止` 的令和规则，按这一天选用当时有效的版本。"
        ),
        Lang::En => format!(
            "**as of** `{path}`\n\nA case is decided as of the date in this field: lets and rules written with `from … until …` take the version in force on that day."
        ),
    }
}

/// Completion items when the cursor is where only a date word may follow: after a let's or
/// rule's name (`自`/`至`, `至` alone once `自 … 起` is written) or after the policy's name
/// (`以`). `line` is the current line up to the word being typed.
pub fn completion(line: &str, lang: Lang) -> Option<Vec<Value>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let first = *words.first()?;
    let is = |kw: Kw, w: &str| kw.text(Lang::Zh) == w || kw.text(Lang::En) == w;
    let ends_with_space = line.ends_with(char::is_whitespace);
    if !ends_with_space || line.contains(['=', ':', '：', '{', '｛']) {
        return None;
    }
    let offered: Vec<Kw> = if is(Kw::Policy, first) && words.len() == 2 {
        vec![Kw::AsOf]
    } else if [Kw::Let, Kw::Rule, Kw::Exception].iter().any(|k| is(*k, first)) && words.len() >= 2 {
        let has = |kw: Kw| words[2..].iter().any(|w| is(kw, w) || w.starts_with(kw.text(Lang::Zh)));
        match (has(Kw::Since), has(Kw::Until)) {
            (_, true) => return None,
            (true, false) => vec![Kw::Until],
            (false, false) if words.len() == 2 => vec![Kw::Since, Kw::Until],
            (false, false) => return None,
        }
    } else {
        return None;
    };
    Some(offered.into_iter().map(|kw| item(kw, lang)).collect())
}

fn item(kw: Kw, lang: Lang) -> Value {
    let (zh, en) = match kw {
        Kw::Since => (
            "自 日期 起：这一版本从这天起施行（含）",
            "from DATE: this version applies from that day (included)",
        ),
        Kw::Until => (
            "至 日期 止：这一版本施行到这天（含）",
            "until DATE: this version applies up to that day (included)",
        ),
        _ => (
            "以 字段 为准：案件按这一日期字段选用有效的版本",
            "as of FIELD: a case takes the versions in force on this date",
        ),
    };
    let detail = if lang == Lang::Zh { zh } else { en };
    json!({ "label": kw.text(lang), "kind": 14, "detail": detail })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(line: &str, lang: Lang) -> Option<Vec<String>> {
        completion(line, lang)
            .map(|items| items.iter().map(|i| i["label"].as_str().unwrap_or("").to_string()).collect())
    }

    #[test]
    fn date_words_are_offered_only_where_they_may_stand() {
        assert_eq!(labels("令 限额 ", Lang::Zh), Some(vec!["自".into(), "至".into()]));
        assert_eq!(labels("规则 低收入 自 2025-01-01 起 ", Lang::Zh), Some(vec!["至".into()]));
        assert_eq!(labels("规则 低收入 自2025-01-01起 ", Lang::Zh), Some(vec!["至".into()]));
        assert_eq!(labels("let limit from 2025-01-01 ", Lang::En), Some(vec!["until".into()]));
        assert_eq!(labels("政策 准入 ", Lang::Zh), Some(vec!["以".into()]));
        assert_eq!(labels("policy admission ", Lang::En), Some(vec!["as of".into()]));
        assert_eq!(labels("令 限额 至 2025-12-31 止 ", Lang::Zh), None);
        assert_eq!(labels("令 限额 = ", Lang::Zh), None);
        assert_eq!(labels("  当 ", Lang::Zh), None);
        assert_eq!(labels("令 限额", Lang::Zh), None, "the name is still being typed");
    }
}
