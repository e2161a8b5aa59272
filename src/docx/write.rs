//! Writing a Word document from scratch (the revision table): the few parts a `.docx`
//! needs, styles with a Chinese font, and paragraphs and tables as WordprocessingML.
//!
//! Fonts: Latin text in "Times New Roman", Chinese in 宋体 (SimSun); where SimSun is missing
//! (LibreOffice on Linux) the font table names its alternatives, and the reader falls back
//! to any font with Chinese glyphs.

use super::package::Package;
use super::xml::escape;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Page layout. The revision table has five columns of Chinese text: it is set on A4
/// landscape (the width between margins, 14,570 twentieths of a point, is what the
/// columns' widths add up to).
#[derive(Clone, Copy)]
pub enum Page {
    Landscape,
}

impl Page {
    fn section(self) -> &'static str {
        match self {
            Page::Landscape => {
                r#"<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>"#
            }
        }
    }
}

/// A document being written: body XML, closed by [`Body::finish`].
pub struct Body {
    xml: String,
}

/// How a paragraph looks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Para {
    Title,
    Subtitle,
    Heading,
    Normal,
    Note,
}

impl Body {
    pub fn new() -> Body {
        Body { xml: String::new() }
    }

    pub fn paragraph(&mut self, kind: Para, text: &str) {
        let (style, run) = match kind {
            Para::Title => (r#"<w:pStyle w:val="Title"/>"#, ""),
            Para::Subtitle => (r#"<w:jc w:val="center"/>"#, ""),
            Para::Heading => (r#"<w:pStyle w:val="Heading2"/>"#, ""),
            Para::Normal => ("", ""),
            Para::Note => ("", r#"<w:sz w:val="18"/><w:color w:val="555555"/>"#),
        };
        self.xml.push_str(&format!("<w:p><w:pPr>{style}</w:pPr>{}</w:p>", runs(text, run)));
    }

    /// A table with borders; its first row is the header, repeated on every page. `widths`
    /// are the columns' widths in twentieths of a point.
    pub fn table(&mut self, widths: &[u32], header: &[&str], rows: &[Vec<String>]) {
        let total: u32 = widths.iter().sum();
        let grid: String = widths.iter().map(|w| format!(r#"<w:gridCol w:w="{w}"/>"#)).collect();
        let border =
            |side: &str| format!(r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#);
        let borders: String =
            ["top", "left", "bottom", "right", "insideH", "insideV"].iter().map(|s| border(s)).collect();
        self.xml.push_str(&format!(
            r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>{borders}</w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"#
        ));
        let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        self.row(widths, &head, true);
        for r in rows {
            self.row(widths, r, false);
        }
        self.xml.push_str("</w:tbl>");
        // Word wants a paragraph between a table and what follows.
        self.xml.push_str("<w:p/>");
    }

    fn row(&mut self, widths: &[u32], cells: &[String], header: bool) {
        // A body row may break across pages (a long one would otherwise be cut off).
        let props = if header { "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" } else { "" };
        self.xml.push_str(&format!("<w:tr>{props}"));
        for (w, text) in widths.iter().zip(cells) {
            let shade = if header { r#"<w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/>"# } else { "" };
            let (jc, bold) = if header { (r#"<w:jc w:val="center"/>"#, "<w:b/>") } else { ("", "") };
            self.xml.push_str(&format!(r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{shade}</w:tcPr>"#));
            // Each line of a cell is a paragraph of its own.
            for line in text.split('\n') {
                self.xml.push_str(&format!(
                    r#"<w:p><w:pPr><w:spacing w:before="20" w:after="20"/>{jc}</w:pPr>{}</w:p>"#,
                    runs(line, bold)
                ));
            }
            self.xml.push_str("</w:tc>");
        }
        self.xml.push_str("</w:tr>");
    }

    /// The finished package.
    pub fn finish(self, page: Page, title: &str) -> Package {
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{}{}</w:body></w:document>"#,
            self.xml,
            page.section()
        );
        let mut p = Package::new();
        p.set_part("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec());
        p.set_part("_rels/.rels", ROOT_RELS.as_bytes().to_vec());
        p.set_part("docProps/core.xml", core(title).into_bytes());
        p.set_part("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes().to_vec());
        p.set_part("word/document.xml", document.into_bytes());
        p.set_part("word/styles.xml", styles().into_bytes());
        p.set_part("word/fontTable.xml", font_table().into_bytes());
        p
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::new()
    }
}

/// One run of `text` with run properties `rpr` (empty text: no run).
fn runs(text: &str, rpr: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let props = if rpr.is_empty() { String::new() } else { format!("<w:rPr>{rpr}</w:rPr>") };
    format!(r#"<w:r>{props}<w:t xml:space="preserve">{}</w:t></w:r>"#, escape(text))
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/></Relationships>"#;

fn core(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>qingdan</dc:creator></cp:coreProperties>"#,
        escape(title)
    )
}

/// The fonts every run uses unless it says otherwise: 宋体 for Chinese.
const FONTS: &str = r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体" w:cs="Times New Roman"/>"#;

fn styles() -> String {
    let heading = |id: &str, name: &str, size: u32, extra: &str| {
        format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/>{extra}</w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="{size}"/></w:rPr></w:style>"#
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>{FONTS}<w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="zh-CN" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>{}{}<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#,
        heading("Title", "Title", 36, r#"<w:jc w:val="center"/>"#),
        heading("Heading2", "heading 2", 26, ""),
    )
}

fn font_table() -> String {
    let font = |name: &str, alt: &str, charset: &str, family: &str| {
        format!(
            r#"<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>"#
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="{W}">{}{}{}</w:fonts>"#,
        font("宋体", "SimSun", "86", "auto"),
        font("黑体", "SimHei", "86", "modern"),
        font("Times New Roman", "Liberation Serif", "00", "roman"),
    )
}
