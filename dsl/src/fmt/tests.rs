use super::*;
use crate::syntax::dump::dump;

fn parse(text: &str) -> syntax::Parsed {
    let parsed = syntax::parse(text, FileId(0));
    assert!(parsed.diagnostics.is_empty(), "{text}\n{:#?}", parsed.diagnostics);
    parsed
}

fn tree(text: &str) -> String {
    dump(parse(text).module.as_ref().expect("a module"))
}

/// Formats `text`, checking the formatter's promises on the way.
fn fmt(text: &str) -> String {
    let out = format_text(text).expect("formats");
    assert_eq!(tree(&out), tree(text), "the tree changed:\n{out}");
    assert_eq!(format_text(&out).expect("formats"), out, "not idempotent");
    let texts = |t: &str| {
        let mut c: Vec<String> = parse(t).comments.into_iter().map(|c| c.text).collect();
        c.sort();
        c
    };
    assert_eq!(texts(&out), texts(text), "comments changed:\n{out}");
    out
}

/// Formats a file in the other language.
fn translate(text: &str, lang: Lang) -> String {
    let parsed = parse(text);
    let module = parsed.module.expect("a module");
    format_with(&module, &parsed.comments, text, lang)
}

#[test]
fn english_layout_with_comments_everywhere() {
    let src = r#"// file header
policy demo // about the policy
use other
use third
source law "The Law" (2022-12-20) { clause 1 "first" clause two "second" // on clause two
}
enum Kind { A, B, C }
enum Outcome { Ok, Fix { items: set of text }, No }
enum Noted { A, // why A
  B }
record Row {
  code: text // the key
  // a comment before b
  b: int?
}
list rows: Row key code {
  item "R-1" { code: "R-1", b: 1 }
  item R2 {
    // why two
    code: "R2" }
}
let total: int = sum(r in rows of r.b where r.b is some)
let ratio = (a + b) * c / -d
rule big for verdict cite law.1, law.two {
  when total > 10 and // reason one
    // inside the condition
    ratio < 2
  then Outcome.Fix { items: ["x"] } "too big"
  unless Kind.A in [Kind.A, Kind.B]
  // before the brace
}
exception small to big { when total <= 1 }
decision verdict: Outcome by priority No > Fix > Ok default Ok
check rows_ok cite law.1 { for r in rows where r.b is some must r.b > 0 "positive" }
test t { given In { a: 1, b: "q" } expect verdict = Ok fires [] }
// the end
"#;
    let want = r#"// file header
policy demo // about the policy

use other
use third

source law "The Law" (2022-12-20) {
  clause 1 "first"
  clause two "second" // on clause two
}

enum Kind { A, B, C }

enum Outcome {
  Ok
  Fix { items: set of text }
  No
}

enum Noted {
  A // why A
  B
}

record Row {
  code: text // the key
  // a comment before b
  b: int?
}

list rows: Row key code {
  item "R-1" { code: "R-1", b: 1 }
  item R2 {
    // why two
    code: "R2"
  }
}

let total: int = sum(r in rows of r.b where r.b is some)
let ratio = (a + b) * c / -d

rule big for verdict cite law.1, law.two {
  // inside the condition
  when total > 10 and ratio < 2 // reason one
  then Outcome.Fix { items: ["x"] } "too big"
  unless Kind.A in [Kind.A, Kind.B]
  // before the brace
}

exception small to big {
  when total <= 1
}

decision verdict: Outcome by priority No > Fix > Ok default Ok

check rows_ok cite law.1 {
  for r in rows where r.b is some
  must r.b > 0 "positive"
}

test t {
  given In {
    a: 1
    b: "q"
  }
  expect verdict = Ok fires []
}

// the end
"#;
    assert_eq!(fmt(src), want);
}

#[test]
fn chinese_layout_with_full_width_punctuation_and_mixed_keywords() {
    let src = "政策 准入 // 说明\n\
        枚举 结论 { 准入、退回， 不予 }\n\
        输入 申请 { 频次：整数？，类别：文本 }\n\
        令 超限 = 申请.频次 ≥ 10 且 申请.频次 ≤ 20 or 申请.类别 ≠ “甲”\n\
        rule 检查频次 引用 法.五 {\n\
        \u{3000}当 超限 then 退回 “频次\\“过高\\”” unless f（1，2）\n\
        }\n\
        决定 结论一: 结论 按 优先 不予 > 退回 > 准入 默认 准入\n\
        检查 每项 { 每个 x 属于 清单一 满足 x.a 有值 应 x.a 具有 b }\n\
        测试 例一 { 给定 申请 { 频次：3、类别：“乙” } 预期 结论一 = 准入 触发 [检查频次] }\n";
    let want = r#"政策 准入 // 说明

枚举 结论 { 准入, 退回, 不予 }

输入 申请 {
  频次: 整数?
  类别: 文本
}

令 超限 = 申请.频次 >= 10 且 申请.频次 <= 20 或 申请.类别 != "甲"

规则 检查频次 引用 法.五 {
  当 超限
  则 退回 "频次“过高”"
  除非 f(1, 2)
}

决定 结论一: 结论 按 优先 不予 > 退回 > 准入 默认 准入

检查 每项 {
  每个 x 属于 清单一 满足 x.a 有值
  须 x.a 具有 b
}

测试 例一 {
  给定 申请 {
    频次: 3
    类别: "乙"
  }
  预期 结论一 = 准入 触发 [检查频次]
}
"#;
    assert_eq!(fmt(src), want);
}

#[test]
fn translates_keywords_and_primitive_types() {
    let zh = "政策 p\n记录 r { a: 集合 整数？ }\n令 x = 非 a 且 b 不属于 c\n检查 k { 不得 任一(y 属于 c 满足 y 无值) }\n";
    let en = translate(zh, Lang::En);
    assert_eq!(
        en,
        "policy p\n\nrecord r {\n  a: set of int?\n}\n\nlet x = not a and b not in c\n\n\
         check k {\n  must not any(y in c where y is none)\n}\n"
    );
    assert_eq!(translate(&en, Lang::Zh), fmt(zh));
    let lang_free = |t: &str| tree(t).replacen("lang=zh", "lang=en", 1);
    assert_eq!(lang_free(&en), lang_free(zh));
}

#[test]
fn brackets_only_where_the_tree_needs_them() {
    let cases = [
        ("(a + b) + c", "a + b + c"),
        ("a + (b + c)", "a + (b + c)"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a * b) + (c * d)", "a * b + c * d"),
        ("(a + b) * c", "(a + b) * c"),
        ("a - -b", "a - -b"),
        ("- -b", "- -b"),
        ("-(5)", "-5"),
        ("-(a.b)", "-a.b"),
        ("(-a).b", "(-a).b"),
        ("(a == b) == c", "(a == b) == c"),
        ("a == (b < c)", "a == (b < c)"),
        ("(a or b) and c", "(a or b) and c"),
        ("not (a == b)", "not a == b"),
        ("not (a and b)", "not (a and b)"),
        ("(not a) == b", "(not a) == b"),
        ("(a is some) == true", "(a is some) == true"),
        ("(a + b) is none", "a + b is none"),
        ("(a == b) has c", "(a == b) has c"),
        ("1 + (if a then b else c)", "1 + (if a then b else c)"),
        ("if a then if b then c else d else e", "if a then if b then c else d else e"),
        ("(if a then b else c)", "if a then b else c"),
        ("2024-01-02 - 3", "2024-01-02 - 3"),
        ("2024 - 01 - 02", "2024 - 1 - 2"),
        ("1.50 * 2", "1.50 * 2"),
        ("(f(a))[0].b", "f(a)[0].b"),
        ("([1, 2,])[0]", "[1, 2][0]"),
        ("\"a\\tb\\n\\\"c\\\\\"", "\"a\\tb\\n\\\"c\\\\\""),
        ("count(x in (a or b))", "count(x in a or b)"),
    ];
    for (input, want) in cases {
        let out = fmt(&format!("policy p\nlet v = {input}\n"));
        assert_eq!(out, format!("policy p\n\nlet v = {want}\n"), "for {input}");
    }
}

#[test]
fn must_followed_by_not_keeps_its_meaning() {
    let out = fmt("policy p\ncheck c { must (not a) }\ncheck d { must not a }\ncheck e { 须 非 a }\n");
    assert!(out.contains("  must (not a)\n"), "{out}");
    assert!(out.contains("  must not a\n"), "{out}");
    assert!(out.contains("  must (not a)\n}\n"), "{out}");
    let zh = fmt("政策 p\n检查 e { 须 非 a }\n");
    assert!(zh.contains("  须 非 a\n"), "{zh}");
}

#[test]
fn blank_lines_follow_one_rule() {
    let src = "policy p\nlet a = 1\n\n\nlet b = 2\nlet c = 3\nuse x\nrecord r {\n  a: int\n\n  b: int\n}\nenum e { A }\nenum f { B }\n";
    let want = "policy p\n\nlet a = 1\n\nlet b = 2\nlet c = 3\n\nuse x\n\nrecord r {\n  a: int\n\n  b: int\n}\n\nenum e { A }\nenum f { B }\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn long_items_and_enums_are_broken() {
    let long = "x".repeat(60);
    let src = format!(
        "policy p\nenum e {{ {long}, {long} }}\nlist l: r key k {{ item a {{ f: \"{long}\", g: \"{long}\" }} }}\n"
    );
    let want = format!(
        "policy p\n\nenum e {{\n  {long}\n  {long}\n}}\n\nlist l: r key k {{\n  item a {{\n    f: \"{long}\"\n    g: \"{long}\"\n  }}\n}}\n"
    );
    assert_eq!(fmt(&src), want);
}

#[test]
fn several_comments_on_one_joined_line_are_all_kept() {
    let src = "policy p\ndecision d: t by first // one\n  default a // two\nlet x = a + // three\n // four\n  b // five\n";
    let want = "policy p\n\n// one\ndecision d: t by first default a // two\n\n\
                // four\n// three\nlet x = a + b // five\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn a_comment_before_a_block_name_does_not_decide_its_layout() {
    let src = "policy p\nenum\n// c\nX { A }\nlist l: r key k {\n  item\n  // d\n  k { a: 1 }\n}\n";
    let want = "policy p\n\n// c\nenum X { A }\n\nlist l: r key k {\n  // d\n  item k { a: 1 }\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn refuses_text_with_errors() {
    assert!(format_text("policy p\nlet x = 99999999999999999999\n").is_err());
    assert!(format_text("policy p\nlet x = \n").is_err());
    assert!(format_text("let x = 1\n").is_err());
}

// ------------------------------------------------------------------ lists as tables

#[test]
fn list_rows_are_aligned_as_a_table_measuring_chinese_as_two_columns() {
    let src = "政策 p\n清单 部门清单: 部门 键 编号 {\n条目 \"XQ-MZ\" { 名称: \"区民政局\", 层级: 县级 }\n\
               条目 \"JD-DGW\" { 名称: \"街道党工委\", 层级: 乡镇 }\n条目 \"JD-ZF\" { 名称: \"街道综合行政执法队\", 层级: 乡镇 }\n}\n";
    let want = "政策 p\n\n清单 部门清单: 部门 键 编号 {\n\
                \x20 条目 \"XQ-MZ\"  { 名称: \"区民政局\",           层级: 县级 }\n\
                \x20 条目 \"JD-DGW\" { 名称: \"街道党工委\",         层级: 乡镇 }\n\
                \x20 条目 \"JD-ZF\"  { 名称: \"街道综合行政执法队\", 层级: 乡镇 }\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn a_field_a_row_leaves_out_is_a_blank_cell() {
    let src = "policy p\nlist l: r key k {\n  item 1 { name: \"a\", phone: \"123\", n: 1 }\n  item 22 { name: \"bbb\", n: 22 }\n  item 3 { name: \"c\", phone: \"4\" }\n}\n";
    let want = "policy p\n\nlist l: r key k {\n\
                \x20 item 1  { name: \"a\",   phone: \"123\", n: 1 }\n\
                \x20 item 22 { name: \"bbb\",               n: 22 }\n\
                \x20 item 3  { name: \"c\",   phone: \"4\" }\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn comments_between_rows_stay_and_a_comment_inside_a_row_keeps_it_out_of_the_table() {
    let src = "policy p\nlist l: r key k {\n  // first rows\n  item a { x: 1, y: 2 } // after a\n\n  // before b\n  item bb { x: 10, y: 20 }\n  item c {\n    x: 3 // why three\n    y: 4\n  }\n}\n";
    let want = "policy p\n\nlist l: r key k {\n  // first rows\n\
                \x20 item a  { x: 1,  y: 2 } // after a\n\n  // before b\n\
                \x20 item bb { x: 10, y: 20 }\n  item c {\n    x: 3 // why three\n    y: 4\n  }\n}\n";
    assert_eq!(fmt(src), want);
}

#[test]
fn rows_too_wide_or_in_another_order_are_laid_out_as_before() {
    let long = "很".repeat(45);
    let src = format!(
        "政策 p\n清单 l: r 键 k {{\n  条目 1 {{ 名称: \"短\", 备注: \"一\" }}\n  条目 2 {{ 名称: \"{long}\", 备注: \"二\" }}\n  \
         条目 3 {{ 备注: \"三\", 名称: \"倒\" }}\n  条目 4 {{ 名称: \"长一点\", 备注: \"四\" }}\n}}\n"
    );
    let want = format!(
        "政策 p\n\n清单 l: r 键 k {{\n  条目 1 {{ 名称: \"短\",     备注: \"一\" }}\n  条目 2 {{\n    名称: \"{long}\"\n    备注: \"二\"\n  }}\n  \
         条目 3 {{ 备注: \"三\", 名称: \"倒\" }}\n  条目 4 {{ 名称: \"长一点\", 备注: \"四\" }}\n}}\n"
    );
    assert_eq!(fmt(&src), want);
}

#[test]
fn a_ten_row_list_is_twelve_lines() {
    let rows: String = (1..=10)
        .map(|n| {
            format!(
                "  条目 {n} {{\n    名称: \"第{n}项事务\"\n    频次: {}\n    日期: 2024-01-{n:02}\n  }}\n",
                n * 7
            )
        })
        .collect();
    let out = fmt(&format!("政策 p\n清单 l: r 键 k {{\n{rows}}}\n"));
    let list: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("清单")).collect();
    assert_eq!(list.len(), 12, "{out}");
    let column = |line: &str, field: &str| line.find(field).map(|at| line[..at].width());
    let at: Vec<_> = list[1..11].iter().map(|l| (column(l, "频次"), column(l, "日期"))).collect();
    assert!(at.iter().all(|a| *a == at[0] && a.0.is_some()), "{out}");
}
