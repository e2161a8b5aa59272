//! Differential testing of the WASM target: policies from the type-directed generator
//! (`typed/`: every operator at every pair of operand types, every int → decimal
//! conversion and every place a value flows — lets, branches, set literals, list rows,
//! outcome values, comparisons, membership, aggregates — with rules, exceptions, every
//! combining form and checks of every modality) are compiled, and random cases must give
//! the same results — outcomes and their values, fired and overridden rules, conflicts,
//! errors, checks and every let — in the module (wasmtime) as in the interpreter. Twin
//! rules (`a == b` beside `b in [a]`) must also fire together. Counts are bounded so CI
//! stays fast; `QINGDAN_PROPTEST_CASES` runs more.

mod typed;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use qingdan_dsl::program::check_files;
use qingdan_dsl::NoFiles;
use qingdan_engine::eval::Evaluator;
use qingdan_engine::ir::Type;
use qingdan_engine::wasm::{compile, host};
use qingdan_engine::{lower, Policy, Value};

/// The generated text checked and lowered: the generator only writes well-typed
/// policies, so any error is a failure (of the generator, the checker or lowering, whose
/// verifier refuses an ill-typed IR).
fn policy(text: &str) -> Result<Policy, TestCaseError> {
    let program = check_files(vec![("g.qd".into(), Ok(text.as_bytes().to_vec()))], &mut NoFiles);
    if program.has_errors() {
        let errors: Vec<String> = program
            .diagnostics
            .iter()
            .filter(|d| d.severity() == qingdan_dsl::diag::Severity::Error)
            .map(|d| format!("{:?} {}", d.code, d.message.en))
            .collect();
        return Err(TestCaseError::fail(format!("{errors:?}\n{text}")));
    }
    lower(&program, None).map_err(|e| TestCaseError::fail(format!("{}\n{text}", e.message)))
}

fn value(p: &Policy, ty: &Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int => prop_oneof![
            4 => -5i64..50,
            1 => Just(i64::MAX),
            1 => Just(-i64::MAX),
            1 => Just(4_611_686_018_427_387_904i64),
            1 => Just(9_223_372_036_855i64),
        ]
        .prop_map(Value::Int)
        .boxed(),
        Type::Decimal => prop_oneof![
            4 => -3_000_000i64..120_000_000,
            1 => Just(i64::MAX),
            1 => Just(-i64::MAX),
            1 => Just(1i64),
        ]
        .prop_map(Value::Dec)
        .boxed(),
        Type::Text => prop::sample::select(vec![
            "", "a", "ab", "abc", "b", "c", "网格", "ab网", "é网格", "😀ab", "aaaa",
        ])
        .prop_map(Value::text)
        .boxed(),
        Type::Date => prop_oneof![4 => 19_700i32..20_200, 1 => Just(2_932_800i32), 1 => Just(-719_500i32)]
            .prop_map(Value::Date)
            .boxed(),
        Type::Enum(e) => (0..p.enums[*e as usize].variants.len() as u32).prop_map(Value::Enum).boxed(),
        Type::Row(l) => (0..p.lists[*l as usize].rows.len() as u32).prop_map(Value::Row).boxed(),
        Type::Set(inner) => prop::collection::vec(value(p, inner), 0..4).prop_map(Value::set).boxed(),
        Type::Opt(inner) => prop_oneof![Just(Value::None), value(p, inner)].boxed(),
    }
}

fn cases(p: &Policy, n: usize) -> impl Strategy<Value = Vec<Vec<Value>>> {
    let one: Vec<BoxedStrategy<Value>> = p.slots.iter().map(|s| value(p, &s.ty)).collect();
    prop::collection::vec(one, n)
}

/// Every decision, check and let of `p`, for each case, agrees between interpreter and module.
fn agree(
    p: &Policy,
    inst: &mut host::Instance,
    cases: &[Vec<Value>],
    text: &str,
) -> Result<(), TestCaseError> {
    let ev = Evaluator::new(p);
    // Twice, the second time backwards: the evaluator remembers lets and list searches by
    // the case fields they read, and what it remembers must answer each case as the module
    // does.
    for case in cases.iter().chain(cases.iter().rev()) {
        inst.place(case).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        for d in 0..p.decisions.len() as u32 {
            let want = ev.decide(d, &mut ev.frame(case));
            let got = inst.decide(d).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&got, &want, "case {:?}\npolicy:\n{}", case, text);
        }
        for c in 0..p.checks.len() as u32 {
            let want = ev.check(c, &mut ev.frame(case));
            let got = inst.check(c).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&got, &want, "check {} case {:?}", p.checks[c as usize].name, case);
        }
        for l in 0..p.lets.len() as u32 {
            let want = ev.let_value(l, &mut ev.frame(case));
            let got = inst.let_value(l).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&got, &want, "let {} case {:?}", p.lets[l as usize].name, case);
        }
    }
    Ok(())
}

/// In the decision `twin`, rule `qNa` (`a == b`) fires exactly when `qNb` (`b in [a]`,
/// `contains([a], b)` or `[a] == [b]`) does, unless deciding failed.
fn twins_agree(p: &Policy, inst: &mut host::Instance, twins: usize, text: &str) -> Result<(), TestCaseError> {
    let d = p.decisions.iter().position(|d| d.name == "twin").expect("twin decision") as u32;
    let result = inst.decide(d).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    let Ok(decided) = &result else { return Ok(()) };
    let fired: Vec<&str> = decided.fired.iter().map(|r| p.rules[*r as usize].name.as_str()).collect();
    for i in 0..twins {
        let (a, b) = (format!("q{i}a"), format!("q{i}b"));
        prop_assert_eq!(
            fired.contains(&a.as_str()),
            fired.contains(&b.as_str()),
            "twins {} {}\n{}",
            a,
            b,
            text
        );
    }
    Ok(())
}

fn proptest_cases(default: u32) -> u32 {
    std::env::var("QINGDAN_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    // Each generated policy is compiled by wasmtime (tens of milliseconds): few policies,
    // many cases each.
    #![proptest_config(ProptestConfig { cases: proptest_cases(64), ..ProptestConfig::default() })]

    #[test]
    fn generated_policies_agree_with_the_interpreter(seed in any::<u64>(), case_seed in any::<u64>()) {
        let generated = typed::Gen::new(seed).policy();
        let text = &generated.text;
        let p = policy(text)?;
        let compiled = compile(&p, "test").map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        wasmparser::Validator::new().validate_all(&compiled.bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let module = host::Module::load(&compiled.bytes).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let mut inst = module.instantiate().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let mut runner = proptest::test_runner::TestRunner::new_with_rng(
            ProptestConfig::default(),
            proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &seed_bytes(case_seed)),
        );
        let batch = cases(&p, 48).new_tree(&mut runner).map_err(|e| TestCaseError::fail(e.to_string()))?.current();
        agree(&p, &mut inst, &batch, text)?;
        for case in &batch {
            inst.place(case).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            twins_agree(&p, &mut inst, generated.twins, text)?;
        }
    }
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&seed.wrapping_mul(i as u64 + 1).to_le_bytes());
    }
    out
}

#[test]
fn the_generator_writes_policies_that_check() {
    let (mut indexed, mut remembered, mut kinds) = (0, 0, [0; 4]);
    for seed in 0..200 {
        let text = typed::Gen::new(seed).policy().text;
        match policy(&text) {
            Ok(p) => {
                let ev = Evaluator::new(&p);
                indexed += usize::from(ev.indexed_searches() > 0);
                for (seen, n) in kinds.iter_mut().zip(ev.indexed_searches_by_kind()) {
                    *seen += usize::from(n > 0);
                }
                remembered += usize::from(ev.remembered_searches() > 0);
            }
            Err(e) => panic!("seed {seed}: {e}"),
        }
    }
    // The searches the interpreter answers from an index, or remembers by the case fields
    // they read, are generated often enough for the differential test to compare them with
    // the module's scans.
    assert!(indexed >= 40, "only {indexed} of 200 policies search a list by index");
    assert!(remembered >= 40, "only {remembered} of 200 policies have a search the interpreter remembers");
    // Each kind of index: a column's value, membership in a set, a row's words in a text,
    // similarity alone.
    assert!(kinds.iter().all(|&k| k >= 10), "policies with each kind of indexed search: {kinds:?} of 200");
}

/// `similarity` in the module agrees with the interpreter on texts of characters of one
/// to four UTF-8 bytes, repeated bigrams, empty and one-character texts: two case texts,
/// a case text and a constant, every row of a list against a case text, each of a case's
/// items (more of them than the module caches) against every row, and a constant that
/// reaches `similarity` through a let (laid out without its units).
#[test]
fn similarity_agrees_with_the_interpreter() {
    // Units of a four-byte character first are negative words, so the constants' units
    // (laid out when the module is built) must be sorted as the module sorts.
    texts_agree(
        "let score = similarity(x.a, x.b)\n\
         let to_constant = similarity(\"😀ab网é\", x.a) + similarity(x.b, \"b😀a网\")\n\
         let over_rows = sum(r in names of similarity(r.name, x.a))\n\
         let over_items = sum(i in x.items of sum(r in names of similarity(i, r.name)))\n\
         let chosen = if x.b == \"\" then \"格网😀a\" else \"a😀格\"\n\
         let through_let = similarity(chosen, x.a)\n",
    );
}

/// `contains` and `starts_with` in the module agree with the interpreter: parts shorter
/// and longer than the four bytes the module compares at once, found at every position
/// (a character's first byte or not), at the end, empty, and longer than the text.
#[test]
fn text_search_agrees_with_the_interpreter() {
    texts_agree(
        "let both = contains(x.a, x.b)\n\
         let start = starts_with(x.a, x.b)\n\
         let constants = count(w in [\"\", \"a\", \"ab\", \"网\", \"b网\", \"网😀\", \"é网😀 \", \"aaaa\"] where contains(x.a, w))\n\
         let rows_in_text = count(r in names where contains(x.a, r.name))\n\
         let text_in_items = count(i in x.items where contains(i, x.b) or starts_with(i, x.a))\n",
    );
}

/// Keyword searches (`任一(w 属于 r.词 满足 包含(X, w))`), which the module answers from a
/// table of the column's words, agree with the interpreter's automaton: words of one to
/// four bytes and longer, overlapping and repeated, the empty word, a case text, a let
/// and a constant searched, and more searched texts than one.
#[test]
fn keyword_search_agrees_with_the_interpreter() {
    texts_agree(
        "let named = any(r in names where any(w in r.words where contains(x.a, w)))\n\
         let rows_named = count(r in names where any(w in r.words where contains(x.a, w)))\n\
         let by_let = count(r in names where r.name != \"a\" and any(w in r.words where contains(named_text, w)))\n\
         let named_text = if x.b == \"\" then \"a网格\" else x.a\n\
         let in_constant = count(r in names where any(w in r.words where contains(\"网格😀ab\", w)))\n\
         let by_item = count(i in x.items where any(r in names where any(w in r.words where contains(x.b, w))))\n",
    );
}

/// The `lets` (over a case `x { a: text, b: text, items: set of text }` and a
/// list `names` of texts and sets of words of one- to four-byte characters) have the same
/// values in the module and the interpreter, on generated texts of those characters.
fn texts_agree(lets: &str) {
    let names = ["", "a", "😀", "😀ab", "ab😀a", "网格网格", "é网😀 ", "aaaa", "b😀a网"];
    let words =
        ["[]", "[\"\"]", "[\"a\", \"ab\"]", "[\"网格\", \"格网\", \"网\"]", "[\"😀\"]", "[\"b😀\", \"é网\"]"];
    let rows: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("  item \"n{i}\" {{ name: {n:?}, words: {} }}\n", words[i % words.len()]))
        .collect();
    let p = policy(&format!(
        "policy s\nsource s \"S\" {{ clause c \"c\" }}\nenum O {{ near, far }}\n\
         record N {{ code: text, name: text, words: set of text }}\nlist names: N key code {{\n{rows}}}\n\
         input x {{ a: text, b: text, items: set of text }}\n{lets}\
         rule r cite s.c {{ when x.a == x.b then near \"near\" }}\ndecision d: O by first default far \"far\"\n",
    ))
    .expect("checks");
    let module = host::Module::load(&compile(&p, "test").expect("compiles").bytes).expect("loads");
    let inst = std::cell::RefCell::new(module.instantiate().expect("instance"));
    let ev = Evaluator::new(&p);
    let text = "[abé网😀 ]{0,8}";
    let items = proptest::collection::btree_set(text, 0..7);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: proptest_cases(512),
        ..ProptestConfig::default()
    });
    runner
        .run(&(text, text, items), |(a, b, items)| {
            let items = Value::set(items.iter().map(|i| Value::text(i)).collect());
            let case = vec![Value::text(&a), Value::text(&b), items];
            let mut inst = inst.borrow_mut();
            inst.place(&case).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            let mut f = ev.frame(&case);
            for l in 0..p.lets.len() as u32 {
                let want = ev.let_value(l, &mut f);
                let got = inst.let_value(l).map_err(|e| TestCaseError::fail(format!("{e}")))?;
                prop_assert_eq!(got, want, "let {}", p.lets[l as usize].name);
            }
            Ok(())
        })
        .expect("module and interpreter agree");
}
