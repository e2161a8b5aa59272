//! A small tree over an XML part of a Word document: elements with their attributes kept
//! as written, everything else (text, entity references, comments) kept as raw XML, so a
//! part read and written back is the same bytes but for what was changed. quick-xml does
//! the reading; writing is plain concatenation.

use quick_xml::events::Event;
use quick_xml::Reader;

/// The deepest nesting accepted: Word writes a few dozen levels; deeper is not a document.
const MAX_DEPTH: usize = 256;

#[derive(Clone, Debug)]
pub enum Node {
    Element(Element),
    /// Text, an entity reference, a comment, CDATA: as it stands in the file (escaped).
    Raw(String),
}

#[derive(Clone, Debug)]
pub struct Element {
    pub name: String,
    /// The attributes as written, with their leading space (`' w:val="1"'`).
    pub attrs: String,
    pub children: Vec<Node>,
}

impl Element {
    pub fn new(name: &str) -> Element {
        Element { name: name.into(), attrs: String::new(), children: Vec::new() }
    }

    /// The element's own text (the raw nodes right under it), unescaped.
    pub fn own_text(&self) -> String {
        let raw: String = self
            .children
            .iter()
            .filter_map(|n| match n {
                Node::Raw(r) if !r.starts_with("<!--") => Some(r.as_str()),
                _ => None,
            })
            .collect();
        unescape(&raw)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|n| match n {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        out.push_str(&self.attrs);
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        write_nodes(&self.children, out);
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

pub fn write_nodes(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Element(e) => e.write(out),
            Node::Raw(r) => out.push_str(r),
        }
    }
}

/// A parsed part: what precedes the root (the declaration), and the root.
pub struct Document {
    pub prolog: Vec<Node>,
    pub root: Element,
}

impl Document {
    pub fn parse(text: &str) -> Result<Document, String> {
        let mut reader = Reader::from_str(text);
        let mut stack: Vec<Element> = Vec::new();
        let mut prolog = Vec::new();
        let mut root = None;
        loop {
            let event = reader.read_event().map_err(|e| e.to_string())?;
            let node = match event {
                Event::Eof => break,
                Event::Start(e) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(format!("nested deeper than {MAX_DEPTH} elements"));
                    }
                    let name = e.name().as_ref().to_string();
                    stack.push(Element { name, attrs: e.attributes_raw().to_string(), children: Vec::new() });
                    continue;
                }
                Event::End(_) => match stack.pop() {
                    Some(done) => Node::Element(done),
                    None => return Err("an end tag without its start".into()),
                },
                Event::Empty(e) => {
                    let name = e.name().as_ref().to_string();
                    Node::Element(Element {
                        name,
                        attrs: e.attributes_raw().to_string(),
                        children: Vec::new(),
                    })
                }
                Event::Text(t) => Node::Raw(t.into_inner().into_owned()),
                Event::GeneralRef(r) => Node::Raw(format!("&{};", r.into_inner())),
                Event::CData(c) => Node::Raw(format!("<![CDATA[{}]]>", c.into_inner())),
                Event::Comment(c) => Node::Raw(format!("<!--{}-->", c.into_inner())),
                Event::Decl(_) => {
                    Node::Raw(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#.to_string())
                }
                Event::PI(p) => Node::Raw(format!("<?{}?>", p.into_inner())),
                Event::DocType(_) => return Err("a DOCTYPE has no place in a Word document".into()),
            };
            match stack.last_mut() {
                Some(parent) => parent.children.push(node),
                None => match node {
                    Node::Element(e) if root.is_none() => root = Some(e),
                    Node::Element(_) => return Err("more than one root element".into()),
                    raw => prolog.push(raw),
                },
            }
        }
        if !stack.is_empty() {
            return Err("the document ends inside an element".into());
        }
        let root = root.ok_or("no root element")?;
        Ok(Document { prolog, root })
    }

    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        write_nodes(&self.prolog, &mut out);
        self.root.write(&mut out);
        out
    }
}

/// Text as XML character data (also safe in attribute values).
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0: dropped, as Word would.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => s.push(c),
        }
    }
    s
}

pub fn unescape(raw: &str) -> String {
    quick_xml::escape::unescape(raw).map(|c| c.into_owned()).unwrap_or_else(|_| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_read_and_written_back_is_unchanged() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="x"><w:body><w:p><w:r><w:t xml:space="preserve">a &amp; b &lt;c&gt;</w:t></w:r><!-- note --><w:p/></w:p></w:body></w:document>"#;
        let doc = Document::parse(xml).expect("parses");
        assert_eq!(doc.to_xml(), xml);
    }

    #[test]
    fn text_is_unescaped_and_escaped() {
        let doc = Document::parse("<t>a &amp; &#x4E2D;</t>").expect("parses");
        assert_eq!(doc.root.own_text(), "a & 中");
        assert_eq!(escape("<&>\u{1}"), "&lt;&amp;&gt;");
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        for bad in ["<a><b></a>", "<a>", "", "<a/><b/>", "</a>"] {
            assert!(Document::parse(bad).is_err(), "{bad}");
        }
    }
}
