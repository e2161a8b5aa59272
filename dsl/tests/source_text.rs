//! The source declaration's full text and clause marks: parsed, printed back by the
//! formatter in either keyword set, and kept apart from names elsewhere.

use qingdan_dsl::fmt::{format_text, format_with};
use qingdan_dsl::syntax::ast::{ClauseKind, Decl};
use qingdan_dsl::syntax::{self, dump::dump};
use qingdan_dsl::{FileId, Lang};

const ZH: &str = r#"政策 甲
来源 杭州决定 "杭州决定全文" （2022-12-20） 全文 “sources/hangzhou.txt” {
  条款 五 “优化网格运行机制。……健全网格平战结合工作机制。”
  条款 六
  条款 九 摘要 "推进执法改革"
  条款 十 未核 "深化合法性审查"
  条款 十三 范围外 "不形成可判定的事项"
  条款 十四 摘要 "道德建设" 范围外 "不形成可判定的事项"
}
"#;

fn tree(text: &str) -> String {
    let parsed = syntax::parse(text, FileId(0));
    assert!(parsed.diagnostics.is_empty(), "{text}\n{:#?}", parsed.diagnostics);
    dump(parsed.module.as_ref().expect("a module"))
}

#[test]
fn the_new_words_parse_into_the_source_declaration() {
    let parsed = syntax::parse(ZH, FileId(0));
    let module = parsed.module.expect("parses");
    let Decl::Source(s) = &module.decls[0] else { panic!("a source") };
    assert_eq!(s.full_text.as_ref().map(|t| t.value.as_str()), Some("sources/hangzhou.txt"));
    let kinds: Vec<(&str, ClauseKind, bool, bool)> = s
        .clauses
        .iter()
        .map(|c| (c.id.name.as_str(), c.kind, c.text.is_some(), c.out_of_scope.is_some()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("五", ClauseKind::Quotation, true, false),
            ("六", ClauseKind::Quotation, false, false),
            ("九", ClauseKind::Summary, true, false),
            ("十", ClauseKind::Unverified, true, false),
            ("十三", ClauseKind::Quotation, false, true),
            ("十四", ClauseKind::Summary, true, true),
        ]
    );
    assert_eq!(module.lang, Lang::Zh);
}

#[test]
fn the_formatter_round_trips_them_in_both_keyword_sets() {
    let out = format_text(ZH).expect("formats");
    assert_eq!(tree(&out), tree(ZH), "{out}");
    assert_eq!(format_text(&out).expect("formats"), out, "not idempotent");
    assert!(out.contains(r#"(2022-12-20) 全文 "sources/hangzhou.txt" {"#), "{out}");
    assert!(out.contains("  条款 六\n"), "{out}");
    assert!(out.contains(r#"  条款 十四 摘要 "道德建设" 范围外 "不形成可判定的事项""#), "{out}");
    let parsed = syntax::parse(ZH, FileId(0));
    let en = format_with(parsed.module.as_ref().expect("module"), &parsed.comments, ZH, Lang::En);
    assert!(en.contains(r#"full text "sources/hangzhou.txt""#), "{en}");
    assert!(en.contains(r#"clause 九 summary "推进执法改革""#), "{en}");
    assert!(en.contains(r#"clause 十 unverified "深化合法性审查""#), "{en}");
    assert!(en.contains(r#"clause 十三 out of scope "不形成可判定的事项""#), "{en}");
    // And back: the English text says the same as the Chinese one.
    let back = syntax::parse(&en, FileId(0));
    let zh = format_with(back.module.as_ref().expect("module"), &back.comments, &en, Lang::Zh);
    assert_eq!(zh, out);
}

/// The marks are keywords only after a clause's number: elsewhere they stay names.
#[test]
fn the_marks_remain_usable_as_names() {
    let text = "policy p\nenum summary { unverified, 摘要 }\nlet 全文 = 1\nsource s \"t\" { clause summary \"x\" }\n";
    let out = format_text(text).expect("formats");
    assert_eq!(tree(&out), tree(text), "{out}");
    assert!(out.contains(r#"clause summary "x""#), "{out}");
}
