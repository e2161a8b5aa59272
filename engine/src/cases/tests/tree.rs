//! `CaseReader::json_value`: a parsed `serde_json::Value` reads exactly as its text does,
//! values, errors and paths alike.

use super::*;

/// The text reader and the tree reader on the same one-line JSON text.
fn both(r: &CaseReader<'_>, line: &str) -> (CaseResult, CaseResult) {
    let tree: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
    (r.json_line(line, 1), r.json_value(&tree, 1))
}

#[test]
fn a_parsed_case_reads_as_its_text() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let (text, tree) = both(&r, &GOOD.replace('\n', " "));
    assert_eq!(tree, Ok(good_values()));
    assert_eq!(tree, text);
}

#[test]
fn errors_and_paths_are_the_text_readers() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let cases = [
        with("类别", Some("\"应急\"")),
        with("每户补贴", Some("12.5000001")),
        with("每户补贴", Some("\"12.50\"")),
        with("每户补贴", Some("true")),
        with("每户补贴", Some("[1]")),
        with("每户补贴", Some("{\"a\": 1}")),
        with("每月频次", Some("1.5")),
        with("每月频次", Some("9223372036854775808")),
        with("协办部门", Some("[\"XQ-GA\", \"XQ-XX\"]")),
        with("地址", Some("{\"区\": 1}")),
        with("地址", Some("[]")),
        with("名称", None),
        with("门牌", Some("1")),
        "[]".to_string(),
        "3".to_string(),
    ];
    let mut codes = Vec::new();
    for line in &cases {
        let (text, tree) = both(&r, line);
        assert_eq!(tree, text, "{line}");
        codes.push(tree.err().map(|e| (e.code, e.path)));
    }
    // The cases above are mistakes (but the decimal given as text): each names its field.
    assert_eq!(codes[0], Some((Code::E0305, "申请.类别".to_string())));
    assert_eq!(codes[2], None);
    assert_eq!(codes[8], Some((Code::E0306, "申请.协办部门[1]".to_string())));
    assert_eq!(codes[9], Some((Code::E0302, "申请.地址.区".to_string())));
    assert_eq!(codes[11], Some((Code::E0303, "申请.名称".to_string())));
}

#[test]
fn a_parsed_document_reads_as_read_json_without_lines() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let text = format!("[{GOOD}, {}, {GOOD}]", with("类别", Some("1")));
    let tree: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let unlined: Vec<CaseResult> =
        r.read_json(&text).into_iter().map(|c| c.map_err(|e| CaseError { line: None, ..e })).collect();
    let read = r.read_json_value(&tree);
    assert_eq!(read.len(), 3);
    assert_eq!(read, unlined);
    assert_eq!(read[1].as_ref().map_err(|e| e.case), Err(2));
    let one: serde_json::Value = serde_json::from_str(GOOD).expect("valid JSON");
    assert_eq!(r.read_json_value(&one), vec![Ok(good_values())]);
}

#[test]
fn a_parsed_case_too_large_is_refused_as_its_text() {
    let p = policy(POLICY);
    let r = CaseReader::new(&p);
    let many: Vec<String> = (0..MAX_FIELDS + 5).map(|i| format!("\"x{i}\"")).collect();
    let line = with("标签", Some(&format!("[{}]", many.join(","))));
    let (text, tree) = both(&r, &line);
    assert_eq!(tree.as_ref().map_err(|e| e.code), Err(Code::E0307));
    assert_eq!(tree, text);
}

/// The scanner test's tokens that are JSON (not `01`, `1.`, nor `1e400`, which `serde_json`
/// refuses) and that text and a parsed tree spell alike: not the exponents (a tree keeps
/// `1E-7` as a float whose digits are `0.0000001`), nor integers beyond 64 bits (a tree
/// keeps them as the nearest float; tree.rs names both differences).
fn tree_tokens() -> Vec<&'static str> {
    let json = |t: &&str| serde_json::from_str::<serde_json::Value>(t).is_ok();
    let wide_integer = |t: &&str| {
        serde_json::from_str::<serde_json::Value>(t).is_ok_and(|v| v.is_f64()) && !t.contains(['.', 'e', 'E'])
    };
    TOKENS
        .iter()
        .copied()
        .filter(json)
        .filter(|t| !t.contains(['e', 'E']) || t.starts_with('"'))
        .filter(|t| !wide_integer(t))
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(192))]

    /// Cases made by replacing up to four fields with edge values: the tree reader's answer
    /// (values, or the error with its code, message and path) is the text reader's.
    #[test]
    fn the_tree_reader_agrees_with_the_text_reader(
        edits in proptest::collection::vec((0..FIELDS.len(), 0..tree_tokens().len()), 0..5),
        nest in proptest::bool::ANY,
    ) {
        let r = CaseReader::new(shared());
        let tokens = tree_tokens();
        type Raw = Box<serde_json::value::RawValue>;
        let mut case: std::collections::BTreeMap<String, Raw> = serde_json::from_str(GOOD).expect("good json");
        for (f, t) in edits {
            case.insert(FIELDS[f].to_string(), serde_json::from_str(tokens[t]).expect("a JSON token"));
        }
        let mut line = serde_json::to_string(&case).expect("json");
        if nest {
            line = format!("{{\"申请\": {line}}}");
        }
        let (text, tree) = both(&r, &line);
        proptest::prop_assert_eq!(tree, text, "{}", line);
    }
}
