//! The documentation's examples are code, and are tested as code: every complete `qd`
//! example in README.md and LANGUAGE.md checks without a single diagnostic, every fragment
//! parses, and every example in docs/diagnostics.md raises the code it documents (a case
//! code's example is a case file, read against tests/fixtures/cases/policy.qd). The case
//! files of LANGUAGE.md read without error.

use std::path::Path;

use qingdan_dsl::program::{check_files, parse_files, InputFile};
use qingdan_dsl::syntax::parse::policy_name;
use qingdan_dsl::{Code, LoadError, Loader};

fn read(doc: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc)).expect("document")
}

/// The ```qd blocks of a Markdown text, with the line each starts on.
fn qd_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```qd") => current = Some((n + 1, String::new())),
            (Some(_), l) if l.starts_with("```") => blocks.extend(current.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// Other examples of the same document stand in for the files a `use` names.
struct Examples(Vec<String>);

impl Loader for Examples {
    fn load(&mut self, _from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        Err(LoadError::Unreadable(format!("{path}: documentation examples include no data files")))
    }

    /// The bundled full texts (`policies/sources/`), which the examples of E0130/E0131 quote.
    fn load_text(&mut self, _from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies").join(path);
        match std::fs::read(&file) {
            Ok(bytes) if path.starts_with("sources/") => Ok((path.to_string(), bytes)),
            _ => Err(LoadError::Unreadable(format!("{path}: not a bundled source text"))),
        }
    }

    fn find_policy(&mut self, _from: &str, name: &str) -> Option<(String, Vec<u8>)> {
        let text = self.0.iter().find(|t| policy_name(t) == Some(name))?;
        Some((format!("{name}.qd"), text.clone().into_bytes()))
    }
}

fn input(name: &str, text: &str) -> Vec<InputFile> {
    vec![(name.to_string(), Ok(text.as_bytes().to_vec()))]
}

fn examples_are_valid(doc: &str) {
    let blocks = qd_blocks(&read(doc));
    assert!(!blocks.is_empty(), "{doc} has no qd examples");
    let complete: Vec<String> =
        blocks.iter().filter(|(_, t)| policy_name(t).is_some()).map(|(_, t)| t.clone()).collect();
    for (line, text) in &blocks {
        let name = format!("{doc}:{line}");
        let program = if policy_name(text).is_some() {
            check_files(input(&name, text), &mut Examples(complete.clone()))
        } else {
            parse_files(input(&name, &format!("policy fragment\n{text}")))
        };
        let codes: Vec<&str> = program.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.is_empty(), "example at {name} gives {codes:?}:\n{text}");
    }
}

#[test]
fn readme_examples_check_clean() {
    examples_are_valid("README.md");
}

#[test]
fn language_reference_examples_check_clean() {
    examples_are_valid("LANGUAGE.md");
}

/// Codes whose real trigger cannot be written inline (a binary or huge file, a missing
/// file, 65 levels of nesting, a data file, a case of 10,000 fields, a full disk): their examples
/// illustrate, and tests/cli.rs and the fixtures raise them for real.
const ILLUSTRATED_ONLY: &[Code] = &[
    Code::E0005,
    Code::E0006,
    Code::E0007,
    Code::E0009,
    Code::E0011,
    Code::E0121,
    Code::E0122,
    Code::E0128,
    Code::E0133,
    Code::E0134,
    Code::E0135,
    Code::E0307,
];

/// Case codes are raised by reading cases, not by checking a policy: their examples are
/// case files (```yaml, ```json or ```jsonl), read against the case fixtures' policy.
fn is_case_code(code: Code) -> bool {
    code.as_str().starts_with("E03")
}

/// The case-file blocks of a Markdown text: (language, text).
fn case_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(lang)) if ["yaml", "json", "jsonl"].contains(&lang) => {
                current = Some((lang.to_string(), String::new()));
            }
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

/// The first case-file block of a section.
fn case_block(section: &str) -> Option<(String, String)> {
    case_blocks(section).into_iter().next()
}

/// The codes reading a case example raises.
fn case_codes(lang: &str, text: &str) -> Vec<Code> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases/policy.qd");
    let policy_text = std::fs::read(path).expect("case fixtures' policy");
    let program = check_files(vec![("policy.qd".into(), Ok(policy_text))], &mut qingdan_dsl::NoFiles);
    let policy = qingdan_engine::lower(&program, None).expect("the case fixtures' policy lowers");
    let reader = qingdan_engine::cases::CaseReader::new(&policy);
    let results = match lang {
        "jsonl" => reader.lines(text.as_bytes()).collect(),
        "json" => reader.read_json(text),
        _ => reader.read_yaml(text),
    };
    results.into_iter().filter_map(Result::err).map(|e| e.code).collect()
}

/// An example may show several files in one block, each starting at its header.
fn split_files(code: Code, text: &str) -> Vec<InputFile> {
    let mut files: Vec<String> = vec![String::new()];
    for line in text.lines() {
        let header = line.starts_with("政策 ") || line.starts_with("policy ");
        if header && policy_name(files.last().expect("one file")).is_some() {
            files.push(String::new());
        }
        let last = files.last_mut().expect("one file");
        last.push_str(line);
        last.push('\n');
    }
    files.into_iter().enumerate().flat_map(|(i, t)| input(&format!("{code}-{i}.qd"), &t)).collect()
}

#[test]
fn diagnostics_examples_raise_their_code() {
    let doc = read("docs/diagnostics.md");
    let sections: Vec<&str> = doc.split("\n## ").skip(1).collect();
    assert_eq!(sections.len(), Code::ALL.len(), "one section per code");
    let mut wrong = Vec::new();
    for section in sections {
        let code = Code::parse(section.split_whitespace().next().unwrap_or_default()).expect("a code header");
        if is_case_code(code) {
            let (lang, text) =
                case_block(section).unwrap_or_else(|| panic!("{code} has no case-file example"));
            let raised = case_codes(&lang, &text);
            if !ILLUSTRATED_ONLY.contains(&code) && !raised.contains(&code) {
                wrong.push(format!("the example for {code} raises {raised:?}"));
            }
            continue;
        }
        // WASM codes come from modules and hosts, not from checking a policy; tests/wasm.rs
        // raises each of them. Document codes (E07xx, W07xx) come from `eval --notice`:
        // tests/notice.rs raises each of them. Evaluation codes (E06xx) come from deciding
        // cases: the conformance corpus holds each (tests/conformance.rs).
        let document = code.as_str()[1..].starts_with("07");
        let evaluation = code.as_str().starts_with("E06");
        // Service codes (E09xx) are HTTP answers of `qingdan serve`: tests/serve.rs raises them.
        let service = code.as_str().starts_with("E09");
        if ILLUSTRATED_ONLY.contains(&code)
            || code.as_str().starts_with("E05")
            || document
            || evaluation
            || service
        {
            continue;
        }
        let blocks = qd_blocks(section);
        let all: Vec<String> = blocks.iter().map(|(_, t)| t.clone()).collect();
        let (_, text) = blocks.first().unwrap_or_else(|| panic!("{code} has no example"));
        // Fragments get a header, except the example of the missing header itself.
        let wrap = policy_name(text).is_none() && code != Code::E0010;
        let text = if wrap { format!("政策 示例\n{text}") } else { text.clone() };
        let program = check_files(split_files(code, &text), &mut Examples(all));
        // E04xx/W04xx come from the analyser, which `qingdan check` runs after the front end.
        let analysed = qingdan_engine::analyse::program_diagnostics(&program);
        let raised: Vec<Code> = program.diagnostics.iter().chain(&analysed).map(|d| d.code).collect();
        if !raised.contains(&code) {
            wrong.push(format!("the example for {code} raises {raised:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The case-file examples of LANGUAGE.md section 20 read without error, against the
/// inputs of section 9 (declared again here).
#[test]
fn language_reference_case_examples_read() {
    const INPUTS: &str = "政策 示例\n枚举 事项类别 { 政策宣传, 基础信息采集, 矛盾纠纷排查, 安全隐患排查, 特殊群体关爱, 代办服务, 应急处置, 执法检查 }\n\
        枚举 运行状态 { 平时, 战时 }\n\
        输入 申请 { 名称: 文本, 类别: 事项类别, 法律依据: 文本?, 每月频次: 整数, 单次耗时分钟: 整数, 经费随转: 布尔, 需照片留痕: 布尔, 申请日期: 日期, 期限天数: 整数? }\n\
        输入 网格 { 户数: 整数, 运行状态: 运行状态 }\n";
    let program = check_files(input("inputs.qd", INPUTS), &mut qingdan_dsl::NoFiles);
    let policy = qingdan_engine::lower(&program, None).expect("section 9's inputs lower");
    let reader = qingdan_engine::cases::CaseReader::new(&policy);
    let doc = read("LANGUAGE.md");
    let section = doc.split("\n## 20 ").nth(1).expect("section 20");
    let mut read_blocks = 0;
    for (lang, text) in case_blocks(section) {
        let results = match lang.as_str() {
            "jsonl" => reader.lines(text.as_bytes()).collect(),
            "yaml" => reader.read_yaml(&text),
            _ => continue, // the single-input JSON shows a shape only
        };
        let errors: Vec<String> =
            results.iter().filter_map(|r| r.as_ref().err()).map(ToString::to_string).collect();
        assert!(errors.is_empty(), "LANGUAGE.md section 20 ({lang}):\n{}", errors.join("\n"));
        assert_eq!(results.len(), 2, "two cases in each example");
        read_blocks += 1;
    }
    assert_eq!(read_blocks, 2, "the YAML and JSON Lines examples");
}
