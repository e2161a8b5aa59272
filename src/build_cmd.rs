//! `qingdan build` (a policy to a WASM module), `qingdan dump-wat` (a module as text)
//! and `qingdan eval --wasm` (cases decided by a module).

use std::io::Write;
use std::path::{Path, PathBuf};

use qingdan_dsl::diag::msg;
use qingdan_dsl::{Code, Lang};
use qingdan_engine::wasm::{compile, host, integrity};
use sha2::{Digest, Sha256};

use crate::cli::LangArg;
use crate::commands::{load_program, Output};
use crate::eval_cmd::{self, Backend, EvalArgs};
use crate::i18n::messages;
use crate::{exit, files, keys_cmd};

pub fn build(
    path: &Path,
    output: Option<PathBuf>,
    name: Option<&str>,
    sign: Option<&Path>,
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    // The key first: a build that cannot be signed as asked writes nothing.
    let signer = match sign.map(keys_cmd::read_signing_key).transpose() {
        Ok(k) => k,
        Err(why) => {
            let _ = writeln!(err, "qingdan: {why}");
            return exit::USAGE;
        }
    };
    let (program, policy) = match load_program(path, name, opts, out, err) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let lang = policy.lang;
    let mut compiled = match compile(&policy, &source_hash(&program)) {
        Ok(c) => c,
        Err(e) => {
            let file = program.sources.get(e.span.file);
            let at = file.line_col(e.span.start);
            let m = msg(
                format!("{}:{}:{}：无法编译为 WASM：不支持{}", file.path, at.line, at.column, e.what),
                format!(
                    "{}:{}:{}: cannot compile to WASM: {} is not supported",
                    file.path, at.line, at.column, e.what
                ),
            );
            let _ = writeln!(err, "{}[{}]: {}", Code::E0506, Code::E0506.slug(), m.get(lang));
            return exit::FAILED;
        }
    };
    if let Some(key) = &signer {
        match integrity::sign(&compiled.bytes, key) {
            Ok(signed) => compiled.bytes = signed,
            Err(e) => {
                let message = e.message();
                let text = if lang == Lang::Zh { message.zh } else { message.en };
                let _ = writeln!(err, "{}[{}]: {text}", e.code(), e.code().slug());
                return exit::FAILED;
            }
        }
    }
    let target = output.unwrap_or_else(|| path.with_extension("wasm"));
    if let Err(e) = crate::replace::replace(&target, &compiled.bytes) {
        let lang = opts.asked_lang().unwrap_or(lang);
        let _ = write!(err, "{}", crate::streams::e0011_line(&e.message(), Some(lang)));
        return exit::USAGE;
    }
    let m = &compiled.manifest;
    let (size, target) = (compiled.bytes.len(), target.display());
    let (rules, decisions, lists) = (m.rules.len(), m.decisions.len(), m.lists.len());
    let summary = msg(
        format!(
            "已编译 `{}` → {target}（{size} 字节；{rules} 条规则，{decisions} 个决定，{lists} 个清单）",
            m.policy
        ),
        format!(
            "built `{}` → {target} ({size} bytes; {rules} rules, {decisions} decisions, {lists} lists)",
            m.policy
        ),
    );
    let _ = writeln!(out, "{}", summary.get(lang));
    if let Some(key) = &signer {
        let hex = integrity::key_hex(&key.verifying_key());
        let _ = writeln!(
            out,
            "{}",
            msg(format!("已用密钥 {hex} 签名"), format!("signed with key {hex}")).get(lang)
        );
    }
    exit::OK
}

/// SHA-256 over the policy's source files (and the data files they read), in load order.
pub(crate) fn source_hash(program: &qingdan_dsl::Program) -> String {
    let mut h = Sha256::new();
    for f in program.sources.iter() {
        h.update((f.text.len() as u64).to_le_bytes());
        h.update(f.text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads and loads a module; a problem is printed and becomes the exit code.
fn load_module(
    path: &Path,
    trust: &[PathBuf],
    lang: Option<LangArg>,
    err: &mut dyn Write,
) -> Result<(host::Module, Vec<u8>), u8> {
    let trust = keys_cmd::read_trust(trust).map_err(|why| {
        let _ = writeln!(err, "qingdan: {why}");
        exit::USAGE
    })?;
    let bytes = files::read_capped_to(path, MAX_MODULE_BYTES).map_err(|why| {
        let _ = writeln!(err, "qingdan: {}: {why}", path.display());
        exit::USAGE
    })?;
    if bytes.len() > MAX_MODULE_BYTES {
        let lang = lang.map_or(Lang::En, Lang::from);
        let _ = writeln!(
            err,
            "qingdan: {}: {}",
            path.display(),
            messages::module_too_large(lang, MAX_MODULE_BYTES)
        );
        return Err(exit::FAILED);
    }
    let module = host::Module::load_with(&bytes, &trust).map_err(|e| {
        let _ = writeln!(err, "qingdan: {}: {}", path.display(), e.render(lang.map_or(Lang::En, Lang::from)));
        exit::FAILED
    })?;
    Ok((module, bytes))
}

/// Policy modules are tens of kilobytes; anything past this is refused unread.
const MAX_MODULE_BYTES: usize = 64 << 20;

pub fn dump_wat(path: &Path, lang: Option<LangArg>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let (module, bytes) = match load_module(path, &[], lang, err) {
        Ok(m) => m,
        Err(code) => return code,
    };
    match wasmprinter::print_bytes(&bytes) {
        Ok(text) => {
            let manifest = serde_json::to_string_pretty(&module.manifest).unwrap_or_default();
            let _ = writeln!(out, ";; manifest (custom section `qingdan`):");
            for line in manifest.lines() {
                let _ = writeln!(out, ";; {line}");
            }
            if let Ok(seal) = integrity::verify(&bytes, &integrity::Trust::Intact) {
                let signer = seal.signer.map(|k| format!(", signed by {}", integrity::key_hex(&k)));
                let (section, digest) = (integrity::SEAL_SECTION, integrity::hex(&seal.digest));
                let _ = writeln!(
                    out,
                    ";; seal (custom section `{section}`): sha256 {digest}{}",
                    signer.unwrap_or_default()
                );
            }
            let _ = write!(out, "{text}");
            exit::OK
        }
        Err(e) => {
            let why = messages::cannot_print_module(crate::i18n::asked_or_en(), &format!("{e:#}"));
            let _ = writeln!(err, "qingdan: {}: {why}", path.display());
            exit::FAILED
        }
    }
}

pub fn eval_module(
    path: &Path,
    trust: &[PathBuf],
    args: &EvalArgs,
    lang: Option<LangArg>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let (module, _) = match load_module(path, trust, lang, err) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let policy = match module.policy() {
        Ok(p) => p,
        Err(e) => {
            let _ =
                writeln!(err, "qingdan: {}: {}", path.display(), e.render(lang.map_or(Lang::En, Lang::from)));
            return exit::FAILED;
        }
    };
    eval_cmd::run(&policy, Backend::Wasm(&module), args, out, err)
}
