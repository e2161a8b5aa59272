//! Completion from the text before the cursor, so that it works while the line being typed
//! does not parse: after `.` the members of what the dotted name before it names (an
//! input's or record's fields, an enum's variants, a source's clauses, a list's rows,
//! another policy's names); after `引用`/`cite` every `来源.条款`; elsewhere the keywords of
//! the file's language, the names in scope, the variants of visible enums and the types.
//! Names come from the document's latest analysis that parsed.

use qingdan_dsl::syntax::keywords::{Kw, PRIMITIVE_TYPES};
use qingdan_dsl::syntax::lex::is_word_char;
use qingdan_dsl::Lang;
use serde_json::{json, Value};

use super::analysis::Analysis;
use super::index::{Kind, SymId};
use super::Reply;

/// The protocol's `CompletionItemKind` numbers.
fn item_kind(kind: Kind) -> u32 {
    match kind {
        Kind::Field => 5,
        Kind::Variant => 20,
        Kind::Enum => 13,
        Kind::Record | Kind::Input => 22,
        Kind::Let | Kind::Variable => 6,
        Kind::Rule | Kind::Check | Kind::Test => 3,
        Kind::Decision => 2,
        Kind::Policy | Kind::Source => 9,
        Kind::Clause => 21,
        Kind::List | Kind::Row => 12,
    }
}

pub fn complete(a: &Analysis, text: &str, offset: usize) -> Reply {
    let Some(m) = a.module else { return Ok(json!([])) };
    let before = &text[..offset];
    let word_start =
        before.char_indices().rev().take_while(|(_, c)| is_word_char(*c)).last().map_or(offset, |(i, _)| i);
    let head = &before[..word_start];
    let line = head.rsplit('\n').next().unwrap_or("");
    let items = if let Some(chain) = dotted_chain(head) {
        member_items(a, m, &chain, head)
    } else if let Some(date_words) = super::dates::completion(line, lang_of(text)) {
        date_words
    } else if after_cite(head) {
        clause_items(a, m)
    } else {
        scope_items(a, m, lang_of(text))
    };
    Ok(json!({ "isIncomplete": false, "items": items }))
}

/// The names of `a.b.` when `head` ends with a dot after them, outermost first.
fn dotted_chain(head: &str) -> Option<Vec<String>> {
    let mut rest = head.strip_suffix('.').or_else(|| head.strip_suffix('．'))?;
    let mut chain = Vec::new();
    loop {
        let start = rest.char_indices().rev().take_while(|(_, c)| is_word_char(*c)).last().map(|(i, _)| i)?;
        chain.push(rest[start..].to_string());
        rest = &rest[..start];
        match rest.strip_suffix('.').or_else(|| rest.strip_suffix('．')) {
            Some(r) => rest = r,
            None => break,
        }
    }
    chain.reverse();
    Some(chain)
}

/// Whether the cursor is in a citation list: `引用 ` or `cite ` earlier on its line.
fn after_cite(head: &str) -> bool {
    let line = head.rsplit('\n').next().unwrap_or("");
    line.contains("引用") || line.split_whitespace().any(|w| w == "cite")
}

/// The file's language: Chinese when it starts with `政策`.
fn lang_of(text: &str) -> Lang {
    let first =
        text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"));
    if first.is_some_and(|l| l.starts_with("政策")) {
        Lang::Zh
    } else {
        Lang::En
    }
}

fn item(a: &Analysis, s: SymId) -> Value {
    let sym = &a.index.symbols[s];
    let detail = a.program.sources.text(sym.decl_span).lines().next().unwrap_or("").trim().to_string();
    json!({ "label": sym.name, "kind": item_kind(sym.kind), "detail": detail })
}

fn member_items(a: &Analysis, m: usize, chain: &[String], head: &str) -> Vec<Value> {
    // A variable bound in the text before (`任一(x 属于 清单 满足 x.`): the row record of
    // what it ranges over; it hides a top-level name, as in the checker.
    if let Some(over) = bound_over(head, &chain[0]) {
        let over = resolve(a, m, &over);
        let row = over.and_then(|s| match a.index.symbols[s].kind {
            Kind::List => Some(row_record(a, s)),
            _ => holder(a, s),
        });
        let Some(row) = row else { return Vec::new() };
        return member_items_from(a, row, &chain[1..]);
    }
    let Some(at) = a.index.top(m, &chain[0]) else { return Vec::new() };
    member_items_from(a, at, &chain[1..])
}

/// The symbol a dotted chain names from module `m`.
fn resolve(a: &Analysis, m: usize, chain: &[String]) -> Option<SymId> {
    let mut at = a.index.top(m, &chain[0])?;
    for name in &chain[1..] {
        at = match a.index.symbols[at].kind {
            Kind::Policy => a.index.top(a.index.symbols[at].module, name),
            _ => holder(a, at).and_then(|h| a.index.member(h, name)),
        }?;
    }
    Some(at)
}

/// What `var` ranges over where the text before the cursor binds it last: the dotted
/// chain after `var 属于` / `var in`, when `var` stands after `(` or `每个`/`for`.
fn bound_over(head: &str, var: &str) -> Option<Vec<String>> {
    let mut found = None;
    for (i, _) in head.match_indices(var) {
        let before = head[..i].trim_end();
        let opens = before.ends_with(['(', '（']) || before.ends_with("每个") || before.ends_with(" for");
        let after: Vec<&str> = head[i + var.len()..].split_whitespace().take(2).collect();
        if opens && after.len() == 2 && (after[0] == "属于" || after[0] == "in") {
            let chain: Vec<String> = after[1].split(['.', '．']).map(str::to_string).collect();
            if chain.iter().all(|p| !p.is_empty() && p.chars().all(is_word_char)) {
                found = Some(chain);
            }
        }
    }
    found
}

fn member_items_from(a: &Analysis, first: SymId, rest: &[String]) -> Vec<Value> {
    let mut at = first;
    for name in rest {
        let next = match a.index.symbols[at].kind {
            Kind::Policy => a.index.top(a.index.symbols[at].module, name),
            _ => holder(a, at).and_then(|h| a.index.member(h, name)),
        };
        let Some(next) = next else { return Vec::new() };
        at = next;
    }
    let Some(holder) = holder(a, at) else { return Vec::new() };
    if a.index.symbols[holder].kind == Kind::Policy {
        return a.index.visible(a.index.symbols[holder].module).into_iter().map(|s| item(a, s)).collect();
    }
    a.index.members_of(holder).map(|s| item(a, s)).collect()
}

/// What holds the members shown after `name.`: the symbol itself for inputs, records,
/// enums, sources, lists and policies; for a field or let, the record or enum of its type.
fn holder(a: &Analysis, s: SymId) -> Option<SymId> {
    let sym = &a.index.symbols[s];
    match sym.kind {
        Kind::Input | Kind::Record | Kind::Enum | Kind::Source | Kind::List | Kind::Policy => Some(s),
        Kind::Field => {
            // `名称: 类型?` / `name: set of T`: the type's name is the declaration's last word.
            let decl = a.program.sources.text(sym.decl_span);
            let ty = decl.split([':', '：']).nth(1)?.trim().trim_end_matches(['?', '？']);
            let ty = ty.rsplit(char::is_whitespace).next()?;
            a.index.top(sym.module, ty).map(|t| row_record(a, t))
        }
        Kind::Let | Kind::Variable => {
            let checked = a.program.checked.as_ref()?;
            let ty = match sym.kind {
                Kind::Let => checked.let_types.get(&sym.decl?)?,
                _ => a.index.variable_types.get(&s)?,
            };
            let env = &checked.env;
            let (module, name) = match ty.present() {
                qingdan_dsl::check::Ty::Record(r) => (env.records[r.0].module, &env.records[r.0].name),
                qingdan_dsl::check::Ty::Enum(e) => (env.enums[e.0].module, &env.enums[e.0].name),
                qingdan_dsl::check::Ty::Row(l) => (env.lists[l.0].module, &env.lists[l.0].name),
                _ => return None,
            };
            a.index.top(module, name).map(|t| row_record(a, t))
        }
        _ => None,
    }
}

/// For a list (as a row's type), its row record; anything else stays.
fn row_record(a: &Analysis, s: SymId) -> SymId {
    if a.index.symbols[s].kind != Kind::List {
        return s;
    }
    let decl = a.program.sources.text(a.index.symbols[s].decl_span);
    // `清单 名称: 记录 键 …` / `list name of Record key …`: the record is the word after the name.
    let found = decl
        .split_whitespace()
        .filter_map(|w| a.index.top(a.index.symbols[s].module, w.trim_matches([':', '：'])))
        .find(|&t| a.index.symbols[t].kind == Kind::Record);
    found.unwrap_or(s)
}

fn clause_items(a: &Analysis, m: usize) -> Vec<Value> {
    let mut items = Vec::new();
    for s in a.index.visible(m).into_iter().filter(|&s| a.index.symbols[s].kind == Kind::Source) {
        for c in a.index.members_of(s) {
            let label = format!("{}.{}", a.index.symbols[s].name, a.index.symbols[c].name);
            let detail = a
                .program
                .sources
                .text(a.index.symbols[c].decl_span)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            items.push(json!({ "label": label, "kind": 21, "detail": detail }));
        }
    }
    items
}

fn scope_items(a: &Analysis, m: usize, lang: Lang) -> Vec<Value> {
    // The date words only where a version's range or the policy's date may stand.
    let keywords = Kw::ALL
        .iter()
        .filter(|k| !matches!(k, Kw::Since | Kw::Until | Kw::AsOf))
        .map(|k| json!({ "label": k.text(lang), "kind": 14 }));
    let types = PRIMITIVE_TYPES
        .iter()
        .map(|(en, zh)| json!({ "label": if lang == Lang::Zh { zh } else { en }, "kind": 25 }));
    let visible = a.index.visible(m);
    let variants = visible
        .iter()
        .filter(|&&s| a.index.symbols[s].kind == Kind::Enum)
        .flat_map(|&e| a.index.members_of(e))
        .map(|v| item(a, v))
        .collect::<Vec<_>>();
    let names = visible.iter().filter(|&&s| a.index.symbols[s].kind != Kind::Policy).map(|&s| item(a, s));
    keywords.chain(types).chain(names).chain(variants).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_before_a_dot_is_read_in_both_widths() {
        assert_eq!(dotted_chain("当 申请.家庭．"), Some(vec!["申请".to_string(), "家庭".to_string()]));
        assert_eq!(dotted_chain("当 申请"), None);
        assert!(after_cite("规则 甲\n  引用 办法.一, "));
        assert!(!after_cite("规则 甲\n  当 "));
        let head = "令 甲 = 任一(x 属于 清单 满足 任一(k 属于 x.关键词 满足 k";
        assert_eq!(bound_over(head, "x"), Some(vec!["清单".to_string()]));
        assert_eq!(bound_over(head, "k"), Some(vec!["x".to_string(), "关键词".to_string()]));
        assert_eq!(
            bound_over("检查 乙 {\n  每个 职责 属于 职责清单\n  须 ", "职责"),
            Some(vec!["职责清单".to_string()])
        );
        assert_eq!(bound_over("  当 申请.部门 属于 部门清单 且 ", "部门"), None, "membership, not a binding");
    }
}
