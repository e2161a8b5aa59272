//! The documentation's examples are code, and are tested as code: every complete `qd`
//! example in README.md and LANGUAGE.md checks without a single diagnostic, every fragment
//! parses, and every example in docs/diagnostics.md raises the code it documents.

use std::path::Path;

use qingdan_dsl::program::{check_files, parse_files, InputFile};
use qingdan_dsl::syntax::parse::policy_name;
use qingdan_dsl::{Code, Loader};

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
    fn load(&mut self, _from: &str, path: &str) -> Result<(String, Vec<u8>), String> {
        Err(format!("{path}: documentation examples include no data files"))
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
/// file, 65 levels of nesting, a data file, a case of 10,000 fields): their examples
/// illustrate, and tests/cli.rs and the fixtures raise them for real.
const ILLUSTRATED_ONLY: &[Code] =
    &[Code::E0005, Code::E0006, Code::E0007, Code::E0009, Code::E0121, Code::E0122, Code::E0307];

/// Case codes are raised by reading cases, not by checking a policy: their examples are
/// case files (```yaml, ```json or ```jsonl), read against the case fixtures' policy.
fn is_case_code(code: Code) -> bool {
    code.as_str().starts_with("E03")
}

/// The first case-file block of a section: (language, text).
fn case_block(section: &str) -> Option<(String, String)> {
    let mut lines = section.lines();
    let lang = lines.by_ref().find_map(|l| {
        let lang = l.trim_start().strip_prefix("```")?;
        ["yaml", "json", "jsonl"].contains(&lang).then(|| lang.to_string())
    })?;
    let body: Vec<&str> = lines.take_while(|l| !l.trim_start().starts_with("```")).collect();
    Some((lang, body.join("\n") + "\n"))
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
            let (lang, text) = case_block(section).unwrap_or_else(|| panic!("{code} has no case-file example"));
            let raised = case_codes(&lang, &text);
            if !ILLUSTRATED_ONLY.contains(&code) && !raised.contains(&code) {
                wrong.push(format!("the example for {code} raises {raised:?}"));
            }
            continue;
        }
        if ILLUSTRATED_ONLY.contains(&code) {
            continue;
        }
        let blocks = qd_blocks(section);
        let all: Vec<String> = blocks.iter().map(|(_, t)| t.clone()).collect();
        let (_, text) = blocks.first().unwrap_or_else(|| panic!("{code} has no example"));
        // Fragments get a header, except the example of the missing header itself.
        let wrap = policy_name(text).is_none() && code != Code::E0010;
        let text = if wrap { format!("政策 示例\n{text}") } else { text.clone() };
        let program = check_files(split_files(code, &text), &mut Examples(all));
        let raised: Vec<Code> = program.diagnostics.iter().map(|d| d.code).collect();
        if !raised.contains(&code) {
            wrong.push(format!("the example for {code} raises {raised:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
