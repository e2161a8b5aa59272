//! The checker, the analyser, the WASM compiler and the renderers never panic, whatever
//! the input: programs are taken from
//! the valid fixtures and the bundled policies, then mutated (lines dropped, duplicated or
//! swapped, names replaced, tokens inserted), checked, and every diagnostic rendered.

use std::path::Path;

use proptest::prelude::*;
use qingdan_dsl::diag::render::{self, RenderOptions};
use qingdan_dsl::program::check_files;
use qingdan_dsl::{Lang, NoFiles};

fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["tests/fixtures/check/valid", "policies/grid_admission"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "qd")) {
            out.extend(std::fs::read_to_string(p).ok());
        }
    }
    assert!(!out.is_empty(), "no seed programs found");
    out
}

/// Tokens that steer the checker into its corners when dropped into a program.
const TOKENS: &[&str] = &[
    "有值",
    "无值",
    "is some",
    "且",
    "或",
    "非",
    "==",
    "<",
    "+",
    "/ 0",
    "属于",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "任一(x 属于 L 满足 x.a)",
    "求和(x 属于 清单 取 x)",
    "如果 真 则 1 否则 2",
    "规则",
    "例外 甲 针对 甲 { 当 真 }",
    "决定 d: 结论 按 唯一",
    "使用 自己",
    "令 环 = 环",
    "长度(1, 2)",
    "无",
    "[]",
    "2024-02-30",
    "1.0000000001",
    "99999999999999999999",
    ".",
    ":",
    "“",
    "\"",
    "-",
    "集合 集合",
    "?",
];

#[derive(Debug, Clone)]
enum Mutation {
    DropLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Insert(usize, usize),
    RenameWord(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = 0usize..10_000;
    prop_oneof![
        i.clone().prop_map(Mutation::DropLine),
        i.clone().prop_map(Mutation::DuplicateLine),
        (i.clone(), i.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (i.clone(), 0..TOKENS.len()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        (i.clone(), i.clone()).prop_map(|(a, b)| Mutation::RenameWord(a, b)),
        i.prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let n = lines.len().max(1);
    match *m {
        Mutation::DropLine(i) if !lines.is_empty() => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => lines.insert(i % n, lines[i % n].clone()),
        Mutation::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
        Mutation::Insert(at, t) => {
            let chars: Vec<char> = text.chars().collect();
            let at = at % (chars.len() + 1);
            let (head, tail): (String, String) = (chars[..at].iter().collect(), chars[at..].iter().collect());
            return format!("{head} {} {tail}", TOKENS[t]);
        }
        Mutation::RenameWord(a, b) => {
            let words: Vec<&str> = text.split_whitespace().collect();
            if words.is_empty() {
                return text.to_string();
            }
            let (from, to) = (words[a % words.len()], words[b % words.len()]);
            return text.replacen(from, to, 1);
        }
        Mutation::Truncate(at) => return text.chars().take(at % (text.chars().count() + 1)).collect(),
        _ => {}
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn checking_and_rendering_never_panic(seed in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..4)) {
        let seeds = seeds();
        let mut text = seed.get(&seeds).clone();
        for m in &ms {
            text = apply(&text, m);
        }
        let mut program = check_files(vec![("mutant.qd".into(), Ok(text.into_bytes()))], &mut NoFiles);
        // The stages after the checker never panic either: the analyser (which `check`
        // runs), and for a program that checks, the WASM compiler, whose module must validate.
        let analysed = qingdan_engine::analyse::program_diagnostics(&program);
        program.diagnostics.extend(analysed);
        if !program.has_errors() {
            if let Ok(policy) = qingdan_engine::lower(&program, None) {
                if let Ok(compiled) = qingdan_engine::wasm::compile(&policy, "mutant") {
                    let valid = wasmparser::Validator::new().validate_all(&compiled.bytes);
                    prop_assert!(valid.is_ok(), "{:?}", valid.err());
                }
            }
        }
        for d in &program.diagnostics {
            let file = program.sources.get(d.span.file);
            prop_assert!(d.span.end as usize <= file.text.len(), "span past the end: {d:?}");
            prop_assert!(file.text.is_char_boundary(d.span.start as usize) && file.text.is_char_boundary(d.span.end as usize));
        }
        for lang in [Lang::Zh, Lang::En] {
            let opts = RenderOptions { lang: Some(lang), color: false };
            let human = render::human(&program.diagnostics, &program.sources, opts);
            prop_assert!(program.diagnostics.is_empty() || !human.is_empty());
            let json = render::to_json(&program.diagnostics, &program.sources, opts);
            prop_assert_eq!(json.len(), program.diagnostics.len());
        }
    }
}
