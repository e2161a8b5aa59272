//! Module integrity: every module ends with a seal (the SHA-256 of everything before it,
//! optionally signed with Ed25519) that hosts check before use. A damaged module is refused
//! with E0501 and never decides; a host that requires a signature refuses unsigned modules
//! and modules signed by other keys (E0507). Through the host API and through the CLI
//! (`keygen`, `build --sign`, `eval --wasm --trust`, `dump-wat`).

use std::path::{Path, PathBuf};

use qingdan_dsl::Code;
use qingdan_engine::cases::CaseReader;
use qingdan_engine::testing::read_case_file;
use qingdan_engine::wasm::host::{self, HostError};
use qingdan_engine::wasm::integrity::{self, Trust};
use qingdan_engine::wasm::{compile, layout::ABI_VERSION};
use qingdan_engine::{Policy, Value};

mod common;

fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// The bundled legality review: a small module with lists, texts, several decisions.
const POLICY: &str = "legality_review/review.qd";
const CASES: &str = "legality_review/cases.yaml";

fn policy() -> Policy {
    qingdan::load_policy(&policies().join(POLICY), None).expect("the bundled policy loads")
}

fn module_bytes(p: &Policy) -> Vec<u8> {
    compile(p, "test").expect("compiles").bytes
}

fn cases(p: &Policy) -> Vec<Vec<Value>> {
    let text = std::fs::read_to_string(policies().join(CASES)).expect("case file");
    let read = read_case_file(&CaseReader::new(p), &text).expect("cases read");
    read.into_iter().filter_map(|c| c.given).collect()
}

/// A byte of the manifest that alters it and nothing the validator looks at: the language.
fn manifest_byte(bytes: &[u8]) -> usize {
    bytes.windows(8).position(|w| w == b"\"lang\":\"").expect("the manifest") + 8
}

fn refusal(result: Result<host::Module, HostError>) -> HostError {
    match result {
        Ok(_) => panic!("the module loaded"),
        Err(e) => e,
    }
}

/// Every decision of every case, as text, or the host's error.
fn decisions(module: &host::Module, p: &Policy, cases: &[Vec<Value>]) -> Result<Vec<String>, HostError> {
    let mut inst = module.instantiate()?;
    let mut out = Vec::new();
    for case in cases {
        inst.place(case)?;
        for d in 0..p.decisions.len() as u32 {
            out.push(format!("{:?}", inst.decide(d)?));
        }
    }
    Ok(out)
}

/// Each section of a module: where its header starts and where it ends.
fn sections(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut at = 8;
    while at < bytes.len() {
        let start = at;
        at += 1;
        let (mut size, mut shift) = (0usize, 0);
        loop {
            let b = bytes[at];
            at += 1;
            size |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        at += size;
        out.push(start..at);
    }
    out
}

/// The positions to corrupt: every byte of a small module; of a larger one an even sample,
/// plus the header, each section's first three bytes (id and size) and its last byte, and
/// every byte of the seal.
fn positions(bytes: &[u8]) -> Vec<usize> {
    const ALL_UP_TO: usize = 32 * 1024;
    if bytes.len() <= ALL_UP_TO {
        return (0..bytes.len()).collect();
    }
    let step = bytes.len().div_ceil(ALL_UP_TO / 4);
    let mut at: Vec<usize> = (0..bytes.len()).step_by(step).chain(0..8).collect();
    let all = sections(bytes);
    for s in &all {
        at.extend([s.start, s.start + 1, s.start + 2, s.end - 1]);
    }
    at.extend(all.last().expect("a seal").clone());
    at.sort_unstable();
    at.dedup();
    at
}

#[test]
fn every_single_byte_corruption_of_a_module_is_refused_and_never_decides() {
    let p = policy();
    let bytes = module_bytes(&p);
    let cases = cases(&p);
    let good = host::Module::load(&bytes).expect("the module loads");
    let expected = decisions(&good, &p, &cases).expect("decides");
    let at = positions(&bytes);
    assert!(at.len() >= 300, "{} positions", at.len());
    for s in sections(&bytes) {
        assert!(at.iter().any(|i| s.contains(i)), "section at {s:?} is corrupted somewhere");
    }
    let (mut tried, mut loaded, mut decided_otherwise, mut other_codes) = (0, Vec::new(), 0, Vec::new());
    for &i in &at {
        // A one-bit flip (the bit varies with the position), and at every fourth position
        // a whole-byte inversion too.
        let flips = [1u8 << (i % 8), 0xff];
        for &flip in &flips[..if i % 4 == 0 { 2 } else { 1 }] {
            let mut bad = bytes.clone();
            bad[i] ^= flip;
            tried += 1;
            match host::Module::load(&bad) {
                Err(e) if e.code == Code::E0501 => {}
                Err(e) => other_codes.push((i, flip, e.code)),
                Ok(m) => {
                    loaded.push((i, flip));
                    if decisions(&m, &p, &cases).is_ok_and(|got| got != expected) {
                        decided_otherwise += 1;
                    }
                }
            }
        }
    }
    assert_eq!(other_codes, [], "refused, but not as damaged (E0501)");
    assert!(
        loaded.is_empty(),
        "{} of {} corruptions of a {}-byte module loaded ({decided_otherwise} decided otherwise): {:?}",
        loaded.len(),
        tried,
        bytes.len(),
        &loaded[..loaded.len().min(20)]
    );
}

#[test]
fn a_module_without_its_seal_is_refused_and_an_old_one_is_told_to_rebuild() {
    let bytes = module_bytes(&policy());
    let seal = sections(&bytes).pop().expect("a seal");
    let unsealed = &bytes[..seal.start];
    let e = refusal(host::Module::load(unsealed));
    assert_eq!(e.code, Code::E0501);
    assert!(e.message.en.contains("does not end with a `qingdan.integrity` section"), "{e}");
    // A module of the previous ABI (no seal, manifest `abi` 1): rebuild, not "damaged".
    let current = format!("{{\"abi\":{ABI_VERSION}");
    let at = bytes.windows(current.len()).position(|w| w == current.as_bytes()).expect("manifest") + 7;
    let mut old = unsealed.to_vec();
    old[at] = b'1';
    let e = refusal(host::Module::load(&old));
    assert_eq!(e.code, Code::E0502, "{e}");
    assert!(e.message.en.contains("ABI version 1"), "{e}");
}

#[test]
fn bytes_appended_after_the_seal_are_refused() {
    let mut bytes = module_bytes(&policy());
    bytes.extend_from_slice(&[0, 4, 3, b'a', b'b', b'c']); // a valid custom section `abc`
    let e = refusal(host::Module::load(&bytes));
    assert_eq!(e.code, Code::E0501, "{e}");
}

fn key(n: u8) -> integrity::SigningKey {
    integrity::key_from_seed([n; 32])
}

#[test]
fn a_host_that_requires_a_signature_runs_only_modules_signed_by_a_trusted_key() {
    let p = policy();
    let unsigned = module_bytes(&p);
    let signed = integrity::sign(&unsigned, &key(1)).expect("signed");
    let trusted = Trust::SignedBy(vec![key(1).verifying_key()]);
    // Good: signed by the trusted key, it decides as the unsigned module does.
    let m = host::Module::load_with(&signed, &trusted).expect("trusted");
    let cases = cases(&p);
    let plain = host::Module::load(&unsigned).expect("loads");
    assert_eq!(decisions(&m, &p, &cases).expect("decides"), decisions(&plain, &p, &cases).expect("decides"));
    // Without a requirement, a signed module loads like any other.
    assert!(host::Module::load(&signed).is_ok());
    // Unsigned, when a signature is required.
    let e = refusal(host::Module::load_with(&unsigned, &trusted));
    assert_eq!(e.code, Code::E0507, "{e}");
    assert!(e.message.en.contains("not signed"), "{e}");
    // Signed by another key.
    let other = integrity::sign(&unsigned, &key(2)).expect("signed");
    let e = refusal(host::Module::load_with(&other, &trusted));
    assert_eq!(e.code, Code::E0507, "{e}");
    assert!(e.message.en.contains(&integrity::key_hex(&key(2).verifying_key())), "{e}");
    // Tampered after signing: refused whether or not a signature is required.
    let mut tampered = signed.clone();
    tampered[manifest_byte(&signed)] ^= 0x01;
    for trust in [&Trust::Intact, &trusted] {
        assert_eq!(refusal(host::Module::load_with(&tampered, trust)).code, Code::E0501);
    }
    // Tampered and sealed again (someone without the key): the signature is gone.
    let resealed = integrity::reseal(&tampered).expect("resealed");
    assert_eq!(refusal(host::Module::load_with(&resealed, &trusted)).code, Code::E0507);
    // A forged signature: the trusted key's bytes with another key's signature.
    let mut forged = other.clone();
    let n = forged.len();
    forged[n - 96..n - 64].copy_from_slice(key(1).verifying_key().as_bytes());
    let e = refusal(host::Module::load_with(&forged, &trusted));
    assert_eq!(e.code, Code::E0501, "{e}");
    assert!(e.message.en.contains("signature does not match"), "{e}");
}

// ---- The CLI: keygen, build --sign, eval --wasm --trust, dump-wat.

fn qingdan(args: &[&str]) -> (u8, String, String) {
    common::run_in_process(args.iter().copied())
}

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn keygen(&self, name: &str) -> (u8, String, String) {
        qingdan(&["keygen", &self.path(name)])
    }

    fn build(&self, out: &str, sign: Option<&str>) -> (u8, String, String) {
        let policy = policies().join(POLICY).to_string_lossy().into_owned();
        let out = self.path(out);
        let mut args = vec!["build", &policy, "-o", &out];
        let key = sign.map(|k| self.path(k));
        if let Some(k) = &key {
            args.extend(["--sign", k]);
        }
        qingdan(&args)
    }

    fn eval(&self, module: &str, trust: &[&str]) -> (u8, String, String) {
        let cases = policies().join(CASES).to_string_lossy().into_owned();
        let module = self.path(module);
        let keys: Vec<String> = trust.iter().map(|k| self.path(k)).collect();
        let mut args = vec!["eval", "--wasm", &module, "--input", &cases, "--format", "json"];
        for k in &keys {
            args.extend(["--trust", k]);
        }
        qingdan(&args)
    }
}

#[test]
fn keygen_writes_a_private_secret_key_and_a_public_key_and_never_replaces_them() {
    let s = Setup::new();
    let (code, out, err) = s.keygen("reviewer");
    assert_eq!(code, 0, "{err}");
    let public = std::fs::read_to_string(s.path("reviewer.pub")).expect("public key");
    let secret = std::fs::read_to_string(s.path("reviewer.key")).expect("secret key");
    let key = integrity::read_secret_key(&secret).expect("a secret key");
    assert_eq!(integrity::read_public_key(&public).expect("a public key"), key.verifying_key());
    assert!(out.contains(&integrity::key_hex(&key.verifying_key())), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.path("reviewer.key")).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o077, 0, "the secret key is readable by its owner alone: {mode:o}");
    }
    let (code, _, err) = s.keygen("reviewer");
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(s.path("reviewer.key")).expect("kept"), secret, "unchanged");
    // Another pair is another key.
    assert_eq!(s.keygen("other").0, 0);
    assert_ne!(std::fs::read_to_string(s.path("other.pub")).expect("public key"), public);
}

#[test]
fn a_signed_module_runs_under_its_key_and_is_refused_under_another() {
    let s = Setup::new();
    assert_eq!(s.keygen("reviewer").0, 0);
    assert_eq!(s.keygen("stranger").0, 0);
    let (code, out, err) = s.build("signed.wasm", Some("reviewer.key"));
    assert_eq!(code, 0, "{err}");
    let public = integrity::read_public_key(&std::fs::read_to_string(s.path("reviewer.pub")).expect("key"))
        .expect("a public key");
    assert!(out.contains(&integrity::key_hex(&public)), "the summary names the key: {out}");
    assert_eq!(s.build("unsigned.wasm", None).0, 0);

    let (code, trusted_out, err) = s.eval("signed.wasm", &["reviewer.pub"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(s.eval("unsigned.wasm", &[]), (0, trusted_out, String::new()), "the same decisions");
    // Several trusted keys: any one of them will do.
    assert_eq!(s.eval("signed.wasm", &["stranger.pub", "reviewer.pub"]).0, 0);

    let (code, out, err) = s.eval("signed.wasm", &["stranger.pub"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("E0507[wasm-untrusted]") && err.contains(&integrity::key_hex(&public)), "{err}");
    let (code, _, err) = s.eval("unsigned.wasm", &["reviewer.pub"]);
    assert_eq!(code, 1);
    assert!(err.contains("E0507") && err.contains("not signed"), "{err}");

    let mut tampered = std::fs::read(s.path("signed.wasm")).expect("module");
    let at = manifest_byte(&tampered);
    tampered[at] ^= 0x01;
    std::fs::write(s.path("tampered.wasm"), &tampered).expect("written");
    for trust in [&[][..], &["reviewer.pub"][..]] {
        let (code, _, err) = s.eval("tampered.wasm", trust);
        assert_eq!(code, 1);
        assert!(err.contains("E0501") && err.contains("damaged or altered"), "{err}");
    }

    let (code, out, _) = qingdan(&["dump-wat", &s.path("signed.wasm")]);
    assert_eq!(code, 0);
    assert!(out.contains(";; seal (custom section `qingdan.integrity`): sha256 "), "{out}");
    assert!(out.contains(&format!("signed by {}", integrity::key_hex(&public))), "dump-wat names the signer");
}

#[test]
fn key_mistakes_are_usage_errors_and_write_nothing() {
    let s = Setup::new();
    assert_eq!(s.keygen("reviewer").0, 0);
    // Signing with the public key, or with no key file at all: nothing is built.
    for key in ["reviewer.pub", "missing.key"] {
        let (code, _, err) = s.build("m.wasm", Some(key));
        assert_eq!(code, 2, "{err}");
        assert!(!Path::new(&s.path("m.wasm")).exists(), "nothing written");
    }
    assert!(s.build("m.wasm", Some("reviewer.pub")).2.contains("this is a public key"));
    assert_eq!(s.build("m.wasm", None).0, 0);
    // Trusting the secret key by mistake: refused, and the message says which file to use.
    let (code, _, err) = s.eval("m.wasm", &["reviewer.key"]);
    assert_eq!(code, 2);
    assert!(err.contains("this is a secret key"), "{err}");
    let (code, _, err) = qingdan(&["eval", "policies/x.qd", "--input", "c.yaml", "--trust", "k.pub"]);
    assert_eq!(code, 2, "--trust without --wasm is a usage error: {err}");
}
