//! A module's manifest is untrusted: the Rust host checks it whole when the module loads
//! (E0501 naming the inconsistency) and never panics on one, whatever its fields say.
//! The four inconsistent manifests found by hand are tested one by one; a property test
//! then changes fields of a real manifest at random (numbers, lists, texts) and runs the
//! whole host path — load, the policy it implies, reading cases, deciding, checking,
//! reading lets and telling the explanation — on each.

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::prelude::*;
use qingdan_dsl::program::check_files;
use qingdan_dsl::{Code, NoFiles};
use qingdan_engine::cases::CaseReader;
use qingdan_engine::eval::explain::{tell, CaseValues};
use qingdan_engine::eval::EvalError;
use qingdan_engine::wasm::{compile, host, MANIFEST_SECTION};
use qingdan_engine::{lower, Value};
use serde_json::Value as Json;

/// A policy that fills every part of a manifest: a list with columns, enums with payload
/// variants, lets, rules with citations and an exception, two decisions, checks.
const POLICY: &str = r#"policy m
source s "S" { clause c "a clause" clause d "another" }
enum Kind { small, large }
enum Out { yes, held { days: int }, no }
enum Flag { on, off }
record Dept { code: text, kind: Kind, staff: int }
list depts: Dept key code {
  item "A1" { kind: small, staff: 3 }
  item "A2" { kind: large, staff: 7 }
}
input app { dept: depts, n: int, tags: set of text, note: text? }
let big = app.dept.staff > 5
let twice = app.n * 2
rule r1 cite s.c { when big then held { days: twice } "big department" }
rule r2 cite s.d { when app.n > 10 then yes "many" }
exception e1 to r2 cite s.c { when "vip" in app.tags then no "vip" }
rule f1 for flag cite s.d { when app.note is some then on "noted" }
decision d: Out by priority no > held > yes default yes "default"
decision flag: Flag by first default off "no note"
check staffed cite s.c {
  for x in depts
  must x.staff > 0 "every department has staff"
}
check small_n cite s.d { must not app.n > 100 "n stays small" }
"#;

const CASES: &str = "- { dept: A2, n: 12, tags: [vip], note: x }\n- { dept: A1, n: 1, tags: [] }\n";

fn module_bytes() -> Vec<u8> {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES
        .get_or_init(|| {
            let program = check_files(vec![("m.qd".into(), Ok(POLICY.as_bytes().to_vec()))], &mut NoFiles);
            assert!(!program.has_errors(), "{:?}", program.diagnostics);
            let policy = lower(&program, None).expect("lowers");
            compile(&policy, "0").expect("compiles").bytes
        })
        .clone()
}

fn leb(bytes: &[u8], mut i: usize) -> (usize, usize) {
    let (mut n, mut shift) = (0usize, 0);
    loop {
        let b = bytes[i];
        i += 1;
        n |= usize::from(b & 0x7f) << shift;
        shift += 7;
        if b < 0x80 {
            return (n, i);
        }
    }
}

fn push_leb(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// The module's sections, as (id, body).
fn sections(bytes: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    let mut i = 8;
    while i < bytes.len() {
        let (size, body) = leb(bytes, i + 1);
        out.push((bytes[i], &bytes[body..body + size]));
        i = body + size;
    }
    out
}

fn is_manifest(id: u8, body: &[u8]) -> bool {
    let (len, at) = leb(body, 0);
    id == 0 && &body[at..at + len] == MANIFEST_SECTION.as_bytes()
}

fn manifest(bytes: &[u8]) -> Json {
    let (_, body) = sections(bytes).into_iter().find(|&(id, b)| is_manifest(id, b)).expect("a manifest");
    let (len, at) = leb(body, 0);
    serde_json::from_slice(&body[at + len..]).expect("manifest JSON")
}

/// The module with its manifest replaced by `m`, sealed again: the seal would refuse the
/// edited module before its manifest is read, and what is tested here is the manifest
/// check behind it (a module its builder made inconsistent).
fn with_manifest(bytes: &[u8], m: &Json) -> Vec<u8> {
    let mut out = bytes[..8].to_vec();
    for (id, body) in sections(bytes) {
        let body = if is_manifest(id, body) {
            let mut b = Vec::new();
            push_leb(&mut b, MANIFEST_SECTION.len());
            b.extend_from_slice(MANIFEST_SECTION.as_bytes());
            b.extend_from_slice(&serde_json::to_vec(m).expect("JSON"));
            b
        } else {
            body.to_vec()
        };
        out.push(id);
        push_leb(&mut out, body.len());
        out.extend_from_slice(&body);
    }
    qingdan_engine::wasm::integrity::reseal(&out).expect("resealed")
}

/// Values read back from an instance, as `eval --wasm` reads them for explanations.
struct Read<'a> {
    inst: &'a mut host::Instance,
    case: &'a [Value],
}

impl CaseValues for Read<'_> {
    fn slot(&self, s: u32) -> Value {
        self.case.get(s as usize).cloned().unwrap_or_default()
    }

    fn let_value(&mut self, l: u32) -> Result<Value, EvalError> {
        self.inst.let_value(l).unwrap_or(Ok(Value::None))
    }
}

/// Everything a host does with a module, for each case; an error anywhere is fine.
fn use_module(bytes: &[u8]) -> Result<(), host::HostError> {
    let module = host::Module::load(bytes)?;
    let policy = module.policy()?;
    let reader = CaseReader::new(&policy);
    let mut inst = module.instantiate()?;
    for case in reader.read_yaml(CASES).into_iter().flatten() {
        inst.place(&case)?;
        for d in 0..policy.decisions.len() as u32 {
            if let Ok(result) = inst.decide(d)? {
                let reads = |r: u32| {
                    module.manifest.rules.get(r as usize).map(|x| x.reads.clone()).unwrap_or_default()
                };
                let _ = tell(&policy, &result, &reads, &mut Read { inst: &mut inst, case: &case }, true);
            }
        }
        for c in 0..policy.checks.len() as u32 {
            let _ = inst.check(c)?;
        }
        for l in 0..policy.lets.len() as u32 {
            let _ = inst.let_value(l)?;
        }
    }
    Ok(())
}

fn refused_as_inconsistent(bytes: &[u8], names: &str) {
    let e = host::Module::load(bytes).err().expect("refused");
    assert_eq!(e.code, Code::E0501, "{e}");
    assert!(e.message.en.contains("manifest is inconsistent") && e.message.en.contains(names), "{e}");
}

#[test]
fn the_untouched_manifest_is_used_in_full() {
    use_module(&module_bytes()).expect("a module as built works");
}

/// The four manifests found by hand, each of which made the host panic.
#[test]
fn four_inconsistent_manifests_are_e0501() {
    let bytes = module_bytes();
    let m = manifest(&bytes);
    let mut input_field = m.clone();
    input_field["inputs"][0]["fields"] = serde_json::json!([1_000_000]);
    refused_as_inconsistent(&with_manifest(&bytes, &input_field), "inputs[0].fields[0]");
    let mut no_slots = m.clone();
    no_slots["slots"] = serde_json::json!([]);
    refused_as_inconsistent(&with_manifest(&bytes, &no_slots), "inputs[0].fields[0]");
    let mut list_key = m.clone();
    list_key["lists"][0]["key"] = serde_json::json!(99);
    refused_as_inconsistent(&with_manifest(&bytes, &list_key), "lists[0].key");
    let mut rule_decision = m.clone();
    for r in rule_decision["rules"].as_array_mut().expect("rules") {
        r["decision"] = serde_json::json!(999);
    }
    refused_as_inconsistent(&with_manifest(&bytes, &rule_decision), "rules[0].decision");
}

/// Every place in a JSON value: numbers, texts and lists, by path.
fn places(v: &Json, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Json::Array(items) => {
            out.push(path.clone());
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                places(item, path, out);
                path.pop();
            }
        }
        Json::Object(fields) => {
            for (k, item) in fields {
                path.push(Step::Key(k.clone()));
                places(item, path, out);
                path.pop();
            }
        }
        Json::Number(_) | Json::String(_) => out.push(path.clone()),
        Json::Bool(_) | Json::Null => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'v>(v: &'v mut Json, path: &[Step]) -> &'v mut Json {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// Changes the value at one place: a number to another (small, at the edges of u32, or
/// one off), a text to another, a list shortened, emptied or with an element repeated.
fn mutate(v: &mut Json, pick: usize) {
    let number = |n: i64| -> Json {
        let choices =
            [0, 1, 2, 7, -1, 64, 65_535, 1 << 20, (1 << 31) - 1, (1 << 32) - 1, 1 << 40, n + 1, n - 1];
        serde_json::json!(choices[pick % choices.len()])
    };
    *v = match v.take() {
        Json::Number(n) => number(n.as_i64().unwrap_or(0)),
        Json::String(s) => {
            let choices = ["", "zh", "en", "priority", "first", "must", "must not", "x"];
            Json::String(if pick % 9 == 8 { s + "x" } else { choices[pick % 8].to_string() })
        }
        Json::Array(mut items) => {
            match pick % 4 {
                0 => items.clear(),
                1 => {
                    items.pop();
                }
                2 if !items.is_empty() => items.push(items[pick / 4 % items.len()].clone()),
                _ if !items.is_empty() => {
                    items.remove(pick / 4 % items.len());
                }
                _ => {}
            }
            Json::Array(items)
        }
        other => other,
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Up to three fields of the manifest changed at random: the host answers (E0501 or
    /// results), it never panics.
    #[test]
    fn changed_manifests_never_panic(picks in prop::collection::vec((any::<usize>(), any::<usize>()), 1..4)) {
        let bytes = module_bytes();
        let mut m = manifest(&bytes);
        for (place, how) in picks {
            let mut all = Vec::new();
            places(&m, &mut Vec::new(), &mut all);
            let path = &all[place % all.len()];
            mutate(at(&mut m, path), how);
        }
        let changed = with_manifest(&bytes, &m);
        let outcome = catch_unwind(AssertUnwindSafe(|| use_module(&changed)));
        prop_assert!(outcome.is_ok(), "the host panicked on manifest {}", m);
    }
}
