//! `qingdan keygen` (an Ed25519 key pair for signing modules), and reading the key files
//! that `build --sign` and `eval --trust` take. The key formats and the seal are the
//! engine's (`engine/src/wasm/integrity.rs`); this file supplies randomness and files.

use std::io::Write;
use std::path::{Path, PathBuf};

use qingdan_dsl::diag::msg;
use qingdan_dsl::Lang;
use qingdan_engine::wasm::integrity::{self, SigningKey, Trust};

use crate::cli::LangArg;
use crate::i18n::messages;
use crate::{exit, files};

/// Key files are a line of text; anything much longer is not one.
const MAX_KEY_FILE_BYTES: usize = 64 * 1024;

pub fn keygen(prefix: &Path, lang: Option<LangArg>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let lang = lang.map_or(Lang::En, Lang::from);
    let (secret_path, public_path) = (with_suffix(prefix, "key"), with_suffix(prefix, "pub"));
    let mut seed = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut seed) {
        let _ = writeln!(err, "qingdan: {}", messages::no_randomness(lang, &e.to_string()));
        return exit::FAILED;
    }
    let key = integrity::key_from_seed(seed);
    let public = key.verifying_key();
    if let Err(why) = write_pair(&secret_path, &public_path, &key) {
        let _ = writeln!(err, "qingdan: {why}");
        return exit::USAGE;
    }
    let m = msg(
        format!(
            "已生成密钥对：{}（私钥，只有你能读，切勿外传）和 {}（公钥，交给运行模块的一方）\n公钥 {}",
            secret_path.display(),
            public_path.display(),
            integrity::key_hex(&public)
        ),
        format!(
            "wrote {} (the secret key: readable only by you, never share it) and {} (the public key, for those who run modules)\npublic key {}",
            secret_path.display(),
            public_path.display(),
            integrity::key_hex(&public)
        ),
    );
    let _ = writeln!(out, "{}", m.get(lang));
    exit::OK
}

/// `PREFIX.key` / `PREFIX.pub`, the suffix added to whatever name the prefix has.
fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes both files, each only if it does not exist yet; the secret one is created
/// readable by its owner alone, so it is never world-readable, not even for a moment.
fn write_pair(secret_path: &Path, public_path: &Path, key: &SigningKey) -> Result<(), String> {
    for path in [secret_path, public_path] {
        if path.exists() || path.is_symlink() {
            return Err(format!("{}: {}", path.display(), messages::key_exists(crate::i18n::asked_or_en())));
        }
    }
    create_new(secret_path, integrity::secret_key_file(key).as_bytes(), true)?;
    create_new(public_path, integrity::public_key_file(&key.verifying_key()).as_bytes(), false).inspect_err(
        |_| {
            let _ = std::fs::remove_file(secret_path);
        },
    )
}

fn create_new(path: &Path, bytes: &[u8], private: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_key_file(path: &Path) -> Result<String, String> {
    let bytes = files::read_capped_to(path, MAX_KEY_FILE_BYTES)
        .map_err(|why| format!("{}: {why}", path.display()))?;
    if bytes.len() > MAX_KEY_FILE_BYTES {
        return Err(format!(
            "{}: {}",
            path.display(),
            messages::not_a_key_file(crate::i18n::asked_or_en(), true)
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        format!("{}: {}", path.display(), messages::not_a_key_file(crate::i18n::asked_or_en(), false))
    })
}

/// The secret key `build --sign` was given.
pub fn read_signing_key(path: &Path) -> Result<SigningKey, String> {
    integrity::read_secret_key(&read_key_file(path)?).map_err(|why| format!("{}: {why}", path.display()))
}

/// What `eval --trust` requires: a signature by one of these keys (none given: intact).
pub fn read_trust(paths: &[PathBuf]) -> Result<Trust, String> {
    if paths.is_empty() {
        return Ok(Trust::Intact);
    }
    let keys = paths
        .iter()
        .map(|p| {
            integrity::read_public_key(&read_key_file(p)?).map_err(|why| format!("{}: {why}", p.display()))
        })
        .collect::<Result<_, _>>()?;
    Ok(Trust::SignedBy(keys))
}
