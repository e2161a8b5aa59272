//! Unit tests of the case reader: each type, each error kind, both formats, the stream.

use std::io::{BufReader, Read};
use std::time::Instant;

use qingdan_dsl::Code;

use super::*;
use crate::cases::fast;

/// Every kind of field: the same shape as tests/fixtures/cases/policy.qd, smaller.
const POLICY: &str = r#"政策 案例读取
枚举 事项类别 { 政策宣传, 基础信息采集, 应急处置, 执法检查 }
记录 部门 { 编号: 文本, 名称: 文本 }
清单 部门清单: 部门 键 编号 {
  条目 "XQ-MZ" { 名称: "区民政局" }
  条目 "XQ-GA" { 名称: "区公安分局" }
}
记录 网格 { 编号: 整数, 户数: 整数 }
清单 网格清单: 网格 键 编号 {
  条目 101 { 户数: 420 }
  条目 102 { 户数: 380 }
}
记录 地址 { 区: 文本, 门牌: 整数? }
输入 申请 {
  名称: 文本
  类别: 事项类别
  法律依据: 文本?
  每月频次: 整数
  每户补贴: 小数
  经费随转: 布尔
  申请日期: 日期
  主管部门: 部门清单
  所在网格: 网格清单?
  标签: 集合 文本
  协办部门: 集合 部门清单
  地址: 地址
}
"#;

const TWO_INPUTS: &str = r#"政策 两个输入
枚举 运行状态 { 平时, 战时 }
输入 申请 { 名称: 文本, 期限天数: 整数? }
输入 网格 { 户数: 整数, 运行状态: 运行状态 }
"#;

/// A policy whose only input has a field with the input's own name.
const SELF_NAMED: &str = r#"政策 同名
输入 申请 { 申请: 文本, 编号: 整数? }
"#;

fn policy(text: &str) -> Policy {
    let files = vec![("test.qd".to_string(), Ok(text.as_bytes().to_vec()))];
    let program = qingdan_dsl::check_files(files, &mut qingdan_dsl::NoFiles);
    let errors: Vec<_> =
        program.diagnostics.iter().filter(|d| d.severity() == qingdan_dsl::Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:?}");
    crate::lower(&program, None).expect("lowers")
}

const GOOD: &str = r#"{"名称": "防汛转移", "类别": "应急处置", "每月频次": 4, "每户补贴": 12.50, "经费随转": true,
  "申请日期": "2024-07-01", "主管部门": "XQ-MZ", "所在网格": 102, "标签": ["汛期", "转移", "汛期"],
  "协办部门": ["XQ-GA", "XQ-MZ"], "地址": {"区": "西湖区", "门牌": 12}}"#;

fn good_values() -> Vec<Value> {
    vec![
        Value::text("防汛转移"),
        Value::Enum(2),
        Value::None,
        Value::Int(4),
        Value::Dec(12_500_000),
        Value::Bool(true),
        Value::Date(19_905),
        Value::Row(0),
        Value::Row(1),
        Value::set(vec![Value::text("汛期"), Value::text("转移")]),
        Value::set(vec![Value::Row(1), Value::Row(0)]),
        Value::text("西湖区"),
        Value::Int(12),
    ]
}

/// The single-line JSON of the good case with one field replaced (or removed with `None`),
/// values kept as raw text so that numbers keep every digit.
fn with(field: &str, value: Option<&str>) -> String {
    type Raw = Box<serde_json::value::RawValue>;
    let mut case: std::collections::BTreeMap<String, Raw> = serde_json::from_str(GOOD).expect("good json");
    match value {
        Some(v) => {
            case.insert(
                field.to_string(),
                serde_json::value::RawValue::from_string(v.to_string()).expect("json value"),
            );
        }
        None => {
            case.remove(field);
        }
    }
    serde_json::to_string(&case).expect("json")
}

fn err(r: &CaseReader<'_>, line: &str) -> CaseError {
    r.json_line(line, 1).expect_err("an error")
}

#[test]
fn reads_every_type_from_json_and_yaml() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    assert_eq!(r.json_line(&GOOD.replace('\n', " "), 1), Ok(good_values()));
    assert_eq!(r.read_json(GOOD), vec![Ok(good_values())]);
    let yaml = "名称: 防汛转移\n类别: 应急处置\n每月频次: 4\n每户补贴: 12.50\n经费随转: true\n申请日期: 2024-07-01\n\
                主管部门: XQ-MZ\n所在网格: 102\n标签: [汛期, 转移, 汛期]\n协办部门:\n  - XQ-GA\n  - XQ-MZ\n\
                地址:\n  区: 西湖区\n  门牌: 12\n";
    assert_eq!(r.read_yaml(yaml), vec![Ok(good_values())]);
}

#[test]
fn a_single_input_may_be_nested_under_its_name() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let nested = format!("{{\"申请\": {}}}", GOOD.replace('\n', " "));
    assert_eq!(r.json_line(&nested, 1), Ok(good_values()));
    // Nested, then something else at the top: the two shapes do not mix.
    let mixed = format!("{{\"申请\": {}, \"名称\": \"x\"}}", GOOD.replace('\n', " "));
    let e = err(&r, &mixed);
    assert_eq!((e.code, e.path.as_str()), (Code::E0304, "申请.名称"));
    // A field named like the input is a field, not the wrapper.
    let p = policy(SELF_NAMED);
    let r = CaseReader::new(&p);
    assert_eq!(r.json_line(r#"{"申请": "x"}"#, 1), Ok(vec![Value::text("x"), Value::None]));
}

#[test]
fn several_inputs_are_keyed_by_name() {
    let p = policy(TWO_INPUTS);
    let r = CaseReader::new(&p);
    let case = r#"{"申请": {"名称": "a"}, "网格": {"户数": 420, "运行状态": "战时"}}"#;
    assert_eq!(
        r.json_line(case, 1),
        Ok(vec![Value::text("a"), Value::None, Value::Int(420), Value::Enum(1)])
    );
    let e = err(&r, r#"{"申请": {"名称": "a"}}"#);
    assert_eq!((e.code, e.path.as_str()), (Code::E0303, "网格"));
    assert!(e.message.en.contains("missing input `网格`"), "{}", e.message.en);
    let e = err(&r, r#"{"申请": {"名称": "a"}, "网络": {}}"#);
    assert_eq!((e.code, e.path.as_str()), (Code::E0304, "网络"));
    assert!(e.message.en.contains("did you mean `网格`"), "{}", e.message.en);
    let e = err(&r, r#"{"申请": {"名称": "a"}, "网格": {"运行状态": "战时"}}"#);
    assert_eq!((e.code, e.path.as_str()), (Code::E0303, "网格.户数"));
}

#[test]
fn decimals_are_exact() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let dec = |v: &str| r.json_line(&with("每户补贴", Some(v)), 1).map(|c| c[4].clone());
    assert_eq!(dec("12.50"), Ok(Value::Dec(12_500_000)));
    assert_eq!(dec("\"12.50\""), Ok(Value::Dec(12_500_000)));
    assert_eq!(dec("7"), Ok(Value::Dec(7_000_000)));
    assert_eq!(dec("0.1"), Ok(Value::Dec(100_000)));
    assert_eq!(dec("-0.000001"), Ok(Value::Dec(-1)));
    assert_eq!(dec("1.5e3"), Ok(Value::Dec(1_500_000_000)));
    assert_eq!(dec("1.5000000"), Ok(Value::Dec(1_500_000)));
    assert_eq!(dec("9223372036854.775807"), Ok(Value::Dec(i64::MAX)));
    for bad in ["1.0000001", "0.30000000000000004", "1e30", "\"12,5\"", "true", "[1]", "{}", "\"\""] {
        let e = dec(bad).expect_err(bad);
        assert_eq!((e.code, e.path.as_str()), (Code::E0302, "申请.每户补贴"), "{bad}");
    }
    assert!(dec("1.0000001").expect_err("precise").message.en.contains("more than 6 digits"));
    // YAML: the scalar's own text, so a float's rounding cannot hide digits.
    let yaml = |v: &str| {
        let mut case = r.read_yaml(&format!("{}\n每户补贴: {v}", yaml_good_without("每户补贴")));
        case.remove(0).map(|c| c[4].clone())
    };
    assert_eq!(yaml("12.50"), Ok(Value::Dec(12_500_000)));
    assert_eq!(yaml("\"0.05\""), Ok(Value::Dec(50_000)));
    assert_eq!(yaml("0.1000000000000000001").map_err(|e| e.code), Err(Code::E0302));
    assert_eq!(yaml("true").map_err(|e| e.code), Err(Code::E0302));
}

/// The good case as block YAML, without one top-level field.
fn yaml_good_without(field: &str) -> String {
    let case: serde_json::Map<String, serde_json::Value> = serde_json::from_str(GOOD).expect("good json");
    let kept: serde_json::Map<String, serde_json::Value> =
        case.into_iter().filter(|(k, _)| k != field).collect();
    serde_yaml::to_string(&kept).expect("yaml").trim_end().to_string()
}

#[test]
fn decimal_text_parsing() {
    assert_eq!(parse_decimal("100e-8"), Ok(1));
    assert_eq!(parse_decimal("0e-400"), Ok(0));
    // i64::MIN is reserved for "absent": the range is symmetric.
    assert_eq!(parse_decimal("-9223372036854.775807"), Ok(-i64::MAX));
    assert_eq!(parse_decimal("-9223372036854.775808"), Err(DecimalError::OutOfRange));
    assert_eq!(parse_decimal("+3"), Ok(3_000_000));
    assert_eq!(parse_decimal("00012.5000000000000000000000000000000000000000000"), Ok(12_500_000));
    assert_eq!(parse_decimal("1e-7"), Err(DecimalError::TooPrecise));
    assert_eq!(parse_decimal("1e9999999999"), Err(DecimalError::OutOfRange));
    assert_eq!(parse_decimal("9223372036854.775808"), Err(DecimalError::OutOfRange));
    for bad in ["", "-", ".5", "5.", "1.2.3", "1e", "1e+", "0x10", "1_000", " 1", "NaN", "inf"] {
        assert_eq!(parse_decimal(bad), Err(DecimalError::NotANumber), "{bad:?}");
    }
}

#[test]
fn integers_reject_fractions_text_and_overflow() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    // i64::MIN is reserved for "absent" (see value::ABSENT_BITS): the range is symmetric.
    for bad in ["4.5", "4.0", "1e3", "\"4\"", "9223372036854775808", "-9223372036854775808", "1e40", "true"] {
        let e = err(&r, &with("每月频次", Some(bad)));
        assert_eq!((e.code, e.path.as_str()), (Code::E0302, "申请.每月频次"), "{bad}");
    }
    assert!(err(&r, &with("每月频次", Some("9223372036854775808"))).message.en.contains("out of range"));
    assert_eq!(
        r.json_line(&with("每月频次", Some("-9223372036854775807")), 1).map(|c| c[3].clone()),
        Ok(Value::Int(-i64::MAX))
    );
}

#[test]
fn dates_are_checked() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    assert_eq!(
        r.json_line(&with("申请日期", Some("\"2024-02-29\"")), 1).map(|c| c[6].clone()),
        Ok(Value::Date(19_782))
    );
    for bad in ["\"2023-02-29\"", "\"2024-7-1\"", "\"2024/07/01\"", "20240701", "\"\""] {
        let e = err(&r, &with("申请日期", Some(bad)));
        assert_eq!((e.code, e.path.as_str()), (Code::E0302, "申请.申请日期"), "{bad}");
    }
}

#[test]
fn enums_and_rows_are_looked_up_by_name_and_key() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let e = err(&r, &with("类别", Some("\"应急处理\"")));
    assert_eq!((e.code, e.path.as_str()), (Code::E0305, "申请.类别"));
    assert!(e.message.en.contains("did you mean `应急处置`"), "{}", e.message.en);
    let e = err(&r, &with("类别", Some("\"完全不同的值\"")));
    assert!(e.message.en.contains("`政策宣传`, `基础信息采集`"), "{}", e.message.en);
    let e = err(&r, &with("主管部门", Some("\"XQ-MX\"")));
    assert_eq!((e.code, e.path.as_str()), (Code::E0306, "申请.主管部门"));
    assert!(e.message.en.contains("did you mean `XQ-MZ`"), "{}", e.message.en);
    let e = err(&r, &with("所在网格", Some("103")));
    assert_eq!((e.code, e.path.as_str()), (Code::E0306, "申请.所在网格"));
    // Keys have the key field's type.
    assert_eq!(err(&r, &with("所在网格", Some("\"101\""))).code, Code::E0302);
    assert_eq!(err(&r, &with("主管部门", Some("1"))).code, Code::E0302);
    assert_eq!(err(&r, &with("类别", Some("2"))).code, Code::E0302);
}

#[test]
fn sets_are_canonical_and_name_the_bad_element() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let set = |v: &str| r.json_line(&with("协办部门", Some(v)), 1).map(|c| c[10].clone());
    assert_eq!(set("[\"XQ-MZ\", \"XQ-GA\", \"XQ-MZ\"]"), set("[\"XQ-GA\", \"XQ-MZ\"]"));
    assert_eq!(set("[]"), Ok(Value::set(Vec::new())));
    let e = set("[\"XQ-MZ\", \"XQ-XX\", 3]").expect_err("bad element");
    assert_eq!((e.code, e.path.as_str()), (Code::E0306, "申请.协办部门[1]"));
    let e = set("[\"XQ-MZ\", null]").expect_err("null element");
    assert_eq!((e.code, e.path.as_str()), (Code::E0302, "申请.协办部门[1]"));
    assert_eq!(set("\"XQ-MZ\"").map_err(|e| e.code), Err(Code::E0302));
}

#[test]
fn optional_and_required_fields() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    assert_eq!(r.json_line(&with("所在网格", None), 1).map(|c| c[8].clone()), Ok(Value::None));
    assert_eq!(r.json_line(&with("所在网格", Some("null")), 1).map(|c| c[8].clone()), Ok(Value::None));
    assert_eq!(
        r.json_line(&with("法律依据", Some("\"防洪法\"")), 1).map(|c| c[2].clone()),
        Ok(Value::text("防洪法"))
    );
    let e = err(&r, &with("每月频次", None));
    assert_eq!((e.code, e.path.as_str()), (Code::E0303, "申请.每月频次"));
    assert!(e.message.en.contains("missing field `每月频次` (an integer)"), "{}", e.message.en);
    let e = err(&r, &with("每月频次", Some("null")));
    assert_eq!((e.code, e.path.as_str()), (Code::E0303, "申请.每月频次"));
    let e = err(&r, &with("地址", Some(r#"{"门牌": 3}"#)));
    assert_eq!((e.code, e.path.as_str()), (Code::E0303, "申请.地址.区"));
    let e = err(&r, &with("地址", Some("\"西湖区\"")));
    assert_eq!((e.code, e.path.as_str()), (Code::E0302, "申请.地址"));
    assert!(e.message.en.contains("expected an object (with fields `区`, `门牌`)"), "{}", e.message.en);
}

#[test]
fn unknown_and_repeated_fields() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let e = err(&r, &with("每月频率", Some("4")));
    assert_eq!((e.code, e.path.as_str()), (Code::E0304, "申请.每月频率"));
    assert!(e.message.en.contains("did you mean `每月频次`"), "{}", e.message.en);
    let e = err(&r, &with("地址", Some(r#"{"区": "西湖区", "县": "x"}"#)));
    assert_eq!((e.code, e.path.as_str()), (Code::E0304, "申请.地址.县"));
    let e = err(
        &r,
        &GOOD.replace('\n', " ").replacen("\"名称\": \"防汛转移\"", "\"名称\": \"a\", \"名称\": \"b\"", 1),
    );
    assert_eq!((e.code, e.path.as_str()), (Code::E0301, "申请.名称"));
    let e = err(&r, "[1, 2]");
    assert_eq!((e.code, e.path.as_str()), (Code::E0302, "申请"));
}

#[test]
fn the_first_problem_of_a_case_is_reported() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let line = with("每月频次", Some("\"x\"")).replace("\"经费随转\":true", "\"经费随转\":1");
    let e = err(&r, &line);
    assert_eq!(e.path, "申请.每月频次");
}

#[test]
fn malformed_lines_do_not_stop_the_stream() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let good = GOOD.replace('\n', " ");
    let text =
        format!("\u{feff}{good}\r\n\n{{\"名称\": \n   \n{good}\n{}\n{good}", with("类别", Some("\"x\"")));
    let results: Vec<_> = r.lines(text.as_bytes()).collect();
    let summary: Vec<_> =
        results.iter().map(|r| r.as_ref().map(|_| ()).map_err(|e| (e.case, e.line, e.code))).collect();
    assert_eq!(
        summary,
        vec![Ok(()), Err((2, Some(3), Code::E0301)), Ok(()), Err((4, Some(6), Code::E0305)), Ok(())]
    );
}

#[test]
fn lines_that_are_not_utf8_are_malformed() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let good = GOOD.replace('\n', " ");
    let mut bad = good.replacen("防汛转移", "X", 1).into_bytes();
    let at = bad.iter().position(|&b| b == b'X').expect("marker");
    bad[at] = 0xff;
    let mut key = good.replacen("\"类别\"", "\"X\"", 1).into_bytes();
    let at = key.iter().position(|&b| b == b'X').expect("marker");
    key[at] = 0xc3;
    let stream = [good.as_bytes(), &bad, &key, good.as_bytes()].join(&b'\n');
    let summary: Vec<_> =
        r.lines(stream.as_slice()).map(|r| r.map(|_| ()).map_err(|e| (e.case, e.line, e.code))).collect();
    assert_eq!(summary, vec![Ok(()), Err((2, Some(2), Code::E0301)), Err((3, Some(3), Code::E0301)), Ok(())]);
}

#[test]
fn yaml_syntax_error_is_one_error_with_its_line() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let results = r.read_yaml("- 名称: a\n- 名称: [b\n- 名称: c\n");
    assert_eq!(results.len(), 1);
    let e = results[0].as_ref().expect_err("malformed");
    assert_eq!((e.case, e.code), (1, Code::E0301));
    assert!(e.line.is_some());
}

#[test]
fn yaml_cases_go_on_after_a_case_serde_yaml_gives_up_on() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let good = yaml_good_without("");
    let indent = |s: &str| s.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n");
    let item = |s: &str| format!("-{}", &indent(s)[1..]);
    let bad_decimal = format!("{}\n  每户补贴:\n    金额: 12.5", item(&yaml_good_without("每户补贴")));
    let bad_text = format!("{}\n  名称: [a, b]", item(&yaml_good_without("名称")));
    let text = [item(&good), bad_decimal, item(&good), bad_text, item(&good)].join("\n");
    let results = r.read_yaml(&text);
    let summary: Vec<_> = results
        .iter()
        .map(|r| r.as_ref().map(|_| ()).map_err(|e| (e.case, e.code, e.path.clone())))
        .collect();
    assert_eq!(
        summary,
        vec![
            Ok(()),
            Err((2, Code::E0302, "申请.每户补贴".into())),
            Ok(()),
            Err((4, Code::E0302, "申请.名称".into())),
            Ok(())
        ]
    );
    assert!(results[3].as_ref().expect_err("bad").message.en.contains("found a list"));
}

/// A list inside a set of text: `serde_yaml` gives up on the element, and the message
/// says the element is wrong, not "expected a list, found a list".
#[test]
fn a_list_inside_a_set_names_the_element() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let text = format!("{}\n标签: [[[a]]]\n", yaml_good_without("标签"));
    let e = r.read_yaml(&text).remove(0).expect_err("a list where text belongs");
    assert_eq!((e.code, e.path.as_str()), (Code::E0302, "申请.标签"));
    assert_eq!(e.message.en, "expected a list (each element text), but an element is a list, not text");
    assert_eq!(e.message.zh, "应为列表（每项为文本），但其中一项是列表，而不是文本");
}

/// A byte-order mark is accepted in YAML as in every other case format.
#[test]
fn yaml_may_start_with_a_byte_order_mark() {
    let p = policy(TWO_INPUTS);
    let r = CaseReader::new(&p);
    let text = "- 申请: { 名称: a }\n  网格: { 户数: 1, 运行状态: 平时 }\n- 申请: { 名称: b }\n  网格: { 户数: x, 运行状态: 平时 }\n";
    let with_bom = r.read_yaml(&format!("\u{feff}{text}"));
    assert_eq!(with_bom, r.read_yaml(text));
    assert!(with_bom[0].is_ok());
    assert_eq!(with_bom[1].as_ref().map_err(|e| e.line), Err(Some(3)), "lines are counted as before");
}

#[test]
fn yaml_documents_and_case_lines() {
    let p = policy(TWO_INPUTS);
    let r = CaseReader::new(&p);
    let text = "- 申请: { 名称: a }\n  网格: { 户数: 1, 运行状态: 平时 }\n- 申请: { 名称: b }\n  网格: { 户数: x, 运行状态: 平时 }\n";
    let results = r.read_yaml(text);
    assert!(results[0].is_ok());
    let e = results[1].as_ref().expect_err("bad");
    assert_eq!((e.case, e.line, e.code, e.path.as_str()), (2, Some(3), Code::E0302, "网格.户数"));
    let docs = "申请: { 名称: a }\n网格: { 户数: 1, 运行状态: 平时 }\n---\n申请: { 名称: b }\n网格: { 户数: 2, 运行状态: 战时 }\n";
    assert_eq!(r.read_yaml(docs).iter().filter(|r| r.is_ok()).count(), 2);
    assert!(r.read_yaml("").is_empty());
    assert_eq!(r.read_yaml("42")[0].as_ref().map_err(|e| e.code), Err(Code::E0301));
}

#[test]
fn json_arrays_give_each_case_its_line() {
    let p = policy(TWO_INPUTS);
    let r = CaseReader::new(&p);
    let text = "[\n  {\"申请\": {\"名称\": \"a\"}, \"网格\": {\"户数\": 1, \"运行状态\": \"平时\"}},\n\n  {\"申请\": {\"名称\": 1}}\n]";
    let results = r.read_json(text);
    assert!(results[0].is_ok());
    let e = results[1].as_ref().expect_err("bad");
    assert_eq!((e.case, e.line, e.code), (2, Some(4), Code::E0302));
    let e = r.read_json("{\n\"申请\": \n}").remove(0).expect_err("malformed");
    assert_eq!((e.code, e.line), (Code::E0301, Some(3)));
}

#[test]
fn huge_cases_are_refused_quickly() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    // 100,000 short fields stay under the byte cap: the field count stops it.
    let mut line = String::from("{");
    for i in 0..100_000 {
        line.push_str(&format!("\"{i:x}\":0,"));
    }
    line.push_str("\"end\":0}");
    assert!(line.len() < MAX_LINE_BYTES);
    let start = Instant::now();
    let e = err(&r, &line);
    assert_eq!(e.code, Code::E0307);
    // 100,000 long fields: over the byte cap, refused before parsing.
    let long = line.replace(":0", ":\"a longer value\"");
    assert_eq!(err(&r, &long).code, Code::E0307);
    assert_eq!(r.read_json(&long)[0].as_ref().map_err(|e| e.code), Err(Code::E0307));
    let big_set = format!("{{\"标签\": [{}\"x\"]}}", "\"a\",".repeat(20_000));
    assert_eq!(
        r.read_json(&big_set)[0].as_ref().map_err(|e| (e.code, e.path.as_str())),
        Err((Code::E0307, "申请.标签"))
    );
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
}

#[test]
fn an_over_long_line_is_skipped_unkept() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let good = GOOD.replace('\n', " ");
    let text = format!("{good}\n{{\"名称\": \"{}\"}}\n{good}\n", "长".repeat(MAX_LINE_BYTES));
    // A small buffer: the long line arrives in many pieces.
    let results: Vec<_> = r.lines(BufReader::with_capacity(64, text.as_bytes())).collect();
    let summary: Vec<_> =
        results.iter().map(|r| r.as_ref().map(|_| ()).map_err(|e| (e.case, e.line, e.code))).collect();
    assert_eq!(summary, vec![Ok(()), Err((2, Some(2), Code::E0307)), Ok(())]);
}

/// Generates JSON Lines on the fly: a reader that never holds more than one line.
struct Generator {
    lines: usize,
    next: usize,
    pending: Vec<u8>,
    at: usize,
    bytes: std::rc::Rc<std::cell::Cell<usize>>,
}

impl Read for Generator {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            if self.next == self.lines {
                return Ok(0);
            }
            let i = self.next;
            self.next += 1;
            self.pending.clear();
            let kinds = ["政策宣传", "基础信息采集", "应急处置", "执法检查"];
            let line = format!(
                "{{\"名称\":\"事项{i}\",\"类别\":\"{}\",\"每月频次\":{},\"每户补贴\":{}.{:02},\"经费随转\":{},\"申请日期\":\"2024-{:02}-{:02}\",\
                 \"主管部门\":\"XQ-GA\",\"标签\":[\"t{}\",\"t{}\"],\"协办部门\":[],\"地址\":{{\"区\":\"西湖区\",\"门牌\":{i}}}}}\n",
                kinds[i % 4],
                i % 30,
                i % 1000,
                i % 100,
                i.is_multiple_of(2),
                i % 12 + 1,
                i % 28 + 1,
                i % 7,
                i % 5,
            );
            self.pending.extend_from_slice(line.as_bytes());
            self.bytes.set(self.bytes.get() + line.len());
            self.at = 0;
        }
        let n = out.len().min(self.pending.len() - self.at);
        out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn streams_fifty_megabytes_generated_on_the_fly() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    // About 245 bytes a line: 205,000 lines is 50 MB, generated as it is read.
    let lines = 205_000;
    let bytes = std::rc::Rc::new(std::cell::Cell::new(0));
    let input =
        BufReader::new(Generator { lines, next: 0, pending: Vec::new(), at: 0, bytes: bytes.clone() });
    let start = Instant::now();
    let mut count = 0;
    for (i, case) in r.lines(input).enumerate() {
        let case = case.unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        assert_eq!(case[3], Value::Int((i % 30) as i64));
        count += 1;
    }
    assert_eq!(count, lines);
    assert!(bytes.get() > 50_000_000, "{} bytes", bytes.get());
    eprintln!("streamed {lines} lines, {} bytes, in {:?}", bytes.get(), start.elapsed());
}

#[test]
fn case_to_json_reads_back() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let json = case_to_json(&p, &good_values());
    assert_eq!(json["每户补贴"], serde_json::json!(12.5));
    assert_eq!(json["地址"]["区"], serde_json::json!("西湖区"));
    assert_eq!(json["所在网格"], serde_json::json!(102));
    assert_eq!(r.json_line(&json.to_string(), 1), Ok(good_values()));
    let mut precise = good_values();
    precise[4] = Value::Dec(12_345_678_901_234_567);
    let json = case_to_json(&p, &precise);
    assert_eq!(json["每户补贴"], serde_json::json!("12345678901.234567"));
    assert_eq!(r.json_line(&json.to_string(), 1), Ok(precise));
    let p = policy(TWO_INPUTS);
    let case = vec![Value::text("a"), Value::None, Value::Int(3), Value::Enum(0)];
    let json = case_to_json(&p, &case);
    assert_eq!(
        json,
        serde_json::json!({"申请": {"名称": "a", "期限天数": null}, "网格": {"户数": 3, "运行状态": "平时"}})
    );
    assert_eq!(CaseReader::new(&p).json_line(&json.to_string(), 1), Ok(case));
}

#[test]
fn errors_render_in_both_languages() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let mut e = err(&r, &with("每月频次", Some("\"四\"")));
    e.line = Some(7);
    assert_eq!(
        e.render(Lang::En),
        "E0302[case-wrong-type]: case 1 (line 7) `申请.每月频次`: expected an integer, found text `\"四\"`"
    );
    assert_eq!(
        e.render(Lang::Zh),
        "E0302[case-wrong-type]: 案例 1（第 7 行） `申请.每月频次`：应为整数，实际是文本 `\"四\"`"
    );
}

#[test]
fn the_scanner_takes_plain_cases() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let line = GOOD.replace('\n', " ");
    assert_eq!(fast::scan(&r, line.as_bytes()), Some(good_values()));
    assert_eq!(fast::scan(&r, format!(" {{\"申请\" : {line} }} ").as_bytes()), Some(good_values()));
    // It declines what it does not handle; the full reader answers.
    let escaped = line.replace("防汛转移", "\\u9632汛转移");
    assert_eq!(fast::scan(&r, escaped.as_bytes()), None);
    assert_eq!(r.json_line(&escaped, 1), Ok(good_values()));
    let p = policy(TWO_INPUTS);
    let r = CaseReader::new(&p);
    let case = r#"{"网格": {"户数": 420, "运行状态": "战时"}, "申请": {"名称": "a", "期限天数": null}}"#;
    assert_eq!(
        fast::scan(&r, case.as_bytes()),
        Some(vec![Value::text("a"), Value::None, Value::Int(420), Value::Enum(1)])
    );
}

/// Values that stress the scanner's edges: numbers serde_json reads its own way, escapes,
/// control characters, wrong types, nulls.
const TOKENS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "01",
    "1.",
    "1.5",
    "-1.5e3",
    "1e400",
    "1E-7",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
    "\"\"",
    "\"x\"",
    "\"\\u0041\"",
    "\"a\\\"b\"",
    "\"\u{1}\"",
    "\"12.50\"",
    "\"+3\"",
    "\"2024-02-29\"",
    "\"2023-02-29\"",
    "\"应急处置\"",
    "\"XQ-GA\"",
    "101",
    "\"101\"",
    "[]",
    "[\"XQ-MZ\", \"XQ-MZ\"]",
    "[null]",
    "{}",
    "{\"区\": \"西湖区\"}",
    "{\"区\": 1}",
];

const FIELDS: &[&str] = &[
    "名称",
    "类别",
    "法律依据",
    "每月频次",
    "每户补贴",
    "经费随转",
    "申请日期",
    "主管部门",
    "所在网格",
    "标签",
    "协办部门",
    "地址",
    "门牌",
];

fn shared() -> &'static Policy {
    static POLICY_IR: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY_IR.get_or_init(|| policy(POLICY))
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(256))]

    /// Whenever the scanner gives an answer, the full reader gives the same one.
    #[test]
    fn the_scanner_agrees_with_the_full_reader(
        edits in proptest::collection::vec((0..FIELDS.len(), 0..TOKENS.len()), 0..4),
        cut in proptest::option::weighted(0.2, (proptest::prelude::any::<usize>(), 1usize..3)),
        insert in proptest::option::weighted(0.2, (proptest::prelude::any::<usize>(), proptest::sample::select(vec![",", "}", "\"", " ", "\\", "]"]))),
    ) {
        let r = CaseReader::new(shared());
        // Edited fields go in as text (some tokens are not JSON at all), the rest as they were.
        type Raw = Box<serde_json::value::RawValue>;
        let mut case: std::collections::BTreeMap<String, Raw> = serde_json::from_str(GOOD).expect("good json");
        let mut edited = std::collections::BTreeMap::new();
        for (f, t) in edits {
            case.remove(FIELDS[f]);
            edited.insert(FIELDS[f], TOKENS[t]);
        }
        let mut line = serde_json::to_string(&case).expect("json");
        for (field, token) in edited {
            line.insert_str(1, &format!("\"{field}\":{token},"));
        }
        let boundary = |line: &str, at: usize| (0..=at.min(line.len())).rev().find(|&i| line.is_char_boundary(i)).unwrap_or(0);
        if let Some((at, n)) = cut {
            let from = boundary(&line, at % (line.len() + 1));
            let to = boundary(&line, from + n);
            line.replace_range(from..to, "");
        }
        if let Some((at, s)) = insert {
            let at = boundary(&line, at % (line.len() + 1));
            line.insert_str(at, s);
        }
        if let Some(values) = fast::scan(&r, line.as_bytes()) {
            proptest::prop_assert_eq!(r.serde_case(&line, 1, None), Ok(values), "{}", line);
        }
    }
}

#[test]
fn raw_lines_read_like_lines() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let good = GOOD.replace('\n', " ");
    let text = format!("{good}\n\n{}\n{good}\r\n", with("类别", Some("\"x\"")));
    let direct: Vec<_> = r.lines(text.as_bytes()).collect();
    let raw: Vec<_> = raw_lines(text.as_bytes()).map(|l| l.and_then(|l| r.read_line(&l))).collect();
    assert_eq!(direct, raw);
    assert_eq!(raw[1].as_ref().map_err(|e| (e.case, e.line)), Err((2, Some(3))));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    // A list where text belongs is skipped (without recursion) and reported as such.
    let deep = format!("{{\"名称\": {}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(r.json_line(&deep, 1).map_err(|e| e.code), Err(Code::E0302));
    let deep = format!("{{\"标签\": {}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        r.json_line(&deep, 1).map_err(|e| (e.code, e.path)),
        Err((Code::E0302, "申请.标签[0]".into()))
    );
    // Inside an unknown field, `serde_json`'s own depth limit stops it.
    let deep = format!("{{\"未知\": {}1{}}}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    assert!(r.json_line(&deep, 1).is_err());
    // YAML nested beyond 128 brackets is refused before it is read (its scanner takes time
    // growing with the square of the nesting), with the line; within the bound, a list
    // where text belongs is E0302.
    let yaml = format!("名称: {}1{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(r.read_yaml(&yaml)[0].as_ref().map_err(|e| (e.code, e.line)), Err((Code::E0301, Some(1))));
    let yaml = format!("名称: {}1{}", "[".repeat(100), "]".repeat(100));
    assert_eq!(r.read_yaml(&yaml)[0].as_ref().map_err(|e| e.code), Err(Code::E0302));
    let yaml = format!("未知: {}1{}", "{a: ".repeat(10_000), "}".repeat(10_000));
    assert!(r.read_yaml(&yaml)[0].is_err());
}

mod tree;
