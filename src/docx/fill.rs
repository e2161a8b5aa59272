//! Filling a template's placeholders: `{{名称}}` in the text of a paragraph becomes a value.
//!
//! Word keeps a paragraph's text in runs, and splits them where it likes (an edit, a spell
//! check, a change of language), so `{{结果}}` may lie across three runs. A paragraph that
//! holds a placeholder is therefore rewritten as one run carrying its whole text, with the
//! formatting of the run where its first placeholder begins; paragraphs without one are
//! left exactly as they were. A placeholder whose value is a list (every correction, every
//! clause) repeats its paragraph once per item, so each item keeps the paragraph's style.

use super::xml::{escape, Document, Element, Node};

/// What a placeholder stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fill {
    Text(String),
    /// One paragraph per item.
    Items(Vec<String>),
}

/// Fills the placeholders of one XML part (the body, a header, a footer). Returns the new
/// part and the names of placeholders that `lookup` knew nothing of (left as written).
pub fn fill_part(xml: &str, lookup: &dyn Fn(&str) -> Option<Fill>) -> Result<(String, Vec<String>), String> {
    let mut doc = Document::parse(xml)?;
    let mut unknown = Vec::new();
    fill_children(&mut doc.root.children, lookup, &mut unknown);
    Ok((doc.to_xml(), unknown))
}

/// The placeholders written in a part's text, in order (for checking a template).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        found.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    found
}

fn fill_children(children: &mut Vec<Node>, lookup: &dyn Fn(&str) -> Option<Fill>, unknown: &mut Vec<String>) {
    let mut out = Vec::with_capacity(children.len());
    for node in children.drain(..) {
        match node {
            Node::Element(p) if p.name == "w:p" && paragraph_text(&p).contains("{{") => {
                out.extend(fill_paragraph(&p, lookup, unknown).into_iter().map(Node::Element));
            }
            Node::Element(mut e) => {
                fill_children(&mut e.children, lookup, unknown);
                out.push(Node::Element(e));
            }
            raw => out.push(raw),
        }
    }
    *children = out;
}

/// The text of a paragraph's runs (not of paragraphs nested in its text boxes).
fn paragraph_text(p: &Element) -> String {
    runs(p).iter().map(|r| run_text(r)).collect()
}

/// The runs of a paragraph, including those inside hyperlinks, fields and tracked changes.
fn runs(e: &Element) -> Vec<&Element> {
    let mut found = Vec::new();
    for n in &e.children {
        if let Node::Element(c) = n {
            match c.name.as_str() {
                "w:r" => found.push(c),
                "w:p" | "w:pPr" | "w:del" => {}
                _ => found.extend(runs(c)),
            }
        }
    }
    found
}

fn run_text(r: &Element) -> String {
    let mut s = String::new();
    for n in &r.children {
        if let Node::Element(c) = n {
            match c.name.as_str() {
                "w:t" => s.push_str(&c.own_text()),
                "w:tab" => s.push('\t'),
                _ => {}
            }
        }
    }
    s
}

fn fill_paragraph(
    p: &Element,
    lookup: &dyn Fn(&str) -> Option<Fill>,
    unknown: &mut Vec<String>,
) -> Vec<Element> {
    let text = paragraph_text(p);
    let style = run_style_at(p, text.find("{{").unwrap_or(0));
    let names = placeholders(&text);
    let values: Vec<(String, Option<Fill>)> = names.iter().map(|n| (n.clone(), lookup(n))).collect();
    for (name, value) in &values {
        if value.is_none() && !unknown.contains(name) {
            unknown.push(name.clone());
        }
    }
    // The first list placeholder repeats the paragraph; any other list is joined in place.
    let repeat = values.iter().find_map(|(n, v)| match v {
        Some(Fill::Items(items)) => Some((n.clone(), items.clone())),
        _ => None,
    });
    let texts: Vec<String> = match &repeat {
        Some((name, items)) => items.iter().map(|item| replace(&text, &values, Some((name, item)))).collect(),
        None => vec![replace(&text, &values, None)],
    };
    texts.iter().map(|t| paragraph(p, style.as_ref(), t)).collect()
}

/// `text` with each known placeholder replaced (`item` for the repeated list).
fn replace(text: &str, values: &[(String, Option<Fill>)], item: Option<(&String, &String)>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push_str(&rest[..start]);
        let name = after[..end].trim();
        let value = values.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.as_ref());
        match (value, item) {
            (Some(Fill::Items(_)), Some((n, it))) if n == name => out.push_str(it),
            (Some(Fill::Items(items)), _) => out.push_str(&items.join("；")),
            (Some(Fill::Text(t)), _) => out.push_str(t),
            (None, _) => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The run properties of the run holding byte `at` of the paragraph's text.
fn run_style_at(p: &Element, at: usize) -> Option<Element> {
    let mut offset = 0;
    let all = runs(p);
    for r in &all {
        offset += run_text(r).len();
        if offset > at {
            return r.child("w:rPr").cloned();
        }
    }
    all.iter().find_map(|r| r.child("w:rPr").cloned())
}

/// A paragraph with `p`'s properties and one run of `text` (line breaks as `w:br`).
fn paragraph(p: &Element, style: Option<&Element>, text: &str) -> Element {
    let mut out = Element { name: p.name.clone(), attrs: p.attrs.clone(), children: Vec::new() };
    if let Some(ppr) = p.child("w:pPr") {
        out.children.push(Node::Element(ppr.clone()));
    }
    let mut run = Element::new("w:r");
    if let Some(rpr) = style {
        run.children.push(Node::Element(rpr.clone()));
    }
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run.children.push(Node::Element(Element::new("w:br")));
        }
        let mut t = Element::new("w:t");
        t.attrs = r#" xml:space="preserve""#.into();
        t.children.push(Node::Raw(escape(line)));
        run.children.push(Node::Element(t));
    }
    out.children.push(Node::Element(run));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<Fill> {
        match name {
            "结果" => Some(Fill::Text("退回补正".into())),
            "补正事项" => Some(Fill::Items(vec!["1. 写明依据".into(), "2. 提前申请".into()])),
            "a&b" => Some(Fill::Text("<x & y>".into())),
            _ => None,
        }
    }

    fn body(paragraphs: &str) -> String {
        format!(r#"<w:document xmlns:w="w"><w:body>{paragraphs}</w:body></w:document>"#)
    }

    #[test]
    fn a_placeholder_split_across_runs_is_filled() {
        let xml = body(
            r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>结论：{{</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>结</w:t></w:r><w:r><w:t>果}}。</w:t></w:r></w:p>"#,
        );
        let (out, unknown) = fill_part(&xml, &lookup).expect("fills");
        assert!(unknown.is_empty());
        assert_eq!(
            out,
            body(
                r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">结论：退回补正。</w:t></w:r></w:p>"#
            )
        );
    }

    #[test]
    fn a_list_repeats_its_paragraph_and_text_is_escaped() {
        let xml = body(
            r#"<w:p><w:r><w:rPr><w:i/></w:rPr><w:t>{{补正事项}}</w:t></w:r></w:p><w:p><w:r><w:t>{{a&amp;b}}</w:t></w:r></w:p>"#,
        );
        let (out, _) = fill_part(&xml, &lookup).expect("fills");
        assert!(out.contains(r#"<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">1. 写明依据</w:t></w:r></w:p><w:p><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">2. 提前申请</w:t>"#), "{out}");
        assert!(out.contains("&lt;x &amp; y&gt;"), "{out}");
    }

    #[test]
    fn unknown_placeholders_are_reported_and_kept_and_others_untouched() {
        let untouched =
            r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>抬头</w:t></w:r><w:r><w:t>文字</w:t></w:r></w:p>"#;
        let xml = body(&format!(
            r#"{untouched}<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{{{{无此项}}}} {{{{结果}}}}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#
        ));
        let (out, unknown) = fill_part(&xml, &lookup).expect("fills");
        assert_eq!(unknown, vec!["无此项".to_string()]);
        assert!(out.contains(untouched));
        assert!(out.contains("{{无此项}} 退回补正"), "{out}");
    }

    #[test]
    fn placeholders_are_found_in_order() {
        assert_eq!(placeholders("{{ a }}x{{b}}{{c"), vec!["a".to_string(), "b".to_string()]);
    }
}
