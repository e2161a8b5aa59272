//! A module's seal (完整性段): the last section of every module `qingdan build` writes is
//! the custom section `qingdan.integrity`, holding the SHA-256 of every byte before it (the
//! header and every section in order, the manifest included) and, optionally, an Ed25519
//! signature of that digest. Hosts check it before they believe anything the module says:
//! a module damaged or altered after it was built is refused (E0501), and a host that
//! requires a signature runs only modules signed by a key it trusts (E0507).
//!
//! Why a section of its own rather than a field of the manifest: the digest must cover the
//! manifest too (its names, types and addresses are what turn memory into decisions), and
//! no bytes can hold their own digest. Why "everything before the last section": a host
//! finds the covered bytes by walking section headers alone, a few lines in any language
//! (docs/wasm-abi.md §10.1 is the contract; `hosts/js/src/qingdan.mjs` the other reader).

use std::ops::Range;

use ed25519_dalek::{Signature, Signer};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{message as msg, Code, Message as Msg};

/// The custom section that seals a module; always its last section.
pub const SEAL_SECTION: &str = "qingdan.integrity";
/// The seal's own format (its first byte), versioned apart from the ABI.
pub const SEAL_FORMAT: u8 = 1;
/// The seal's second byte: what follows the digest.
const UNSIGNED: u8 = 0;
const SIGNED: u8 = 1;
const DIGEST_LEN: usize = 32;
const UNSIGNED_LEN: usize = 2 + DIGEST_LEN;
const SIGNED_LEN: usize = UNSIGNED_LEN + 32 + 64;
/// What a signature signs is this context followed by the 32 digest bytes: a signature
/// made for something else can never pass for a module's.
pub const SIGNING_CONTEXT: &[u8] = b"qingdan.integrity v1\n";

/// What a host requires of a module's seal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Trust {
    /// The digest matches (and a signature, if there is one, matches too).
    #[default]
    Intact,
    /// Intact, and signed by one of these keys.
    SignedBy(Vec<VerifyingKey>),
}

/// A seal that checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seal {
    pub digest: [u8; DIGEST_LEN],
    pub signer: Option<VerifyingKey>,
}

/// Why a module's seal was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntegrityError {
    /// The last section is not a seal.
    Unsealed,
    /// A seal of a format this host does not read.
    UnknownFormat(u8),
    /// The section headers or the seal itself cannot be read.
    Malformed(String),
    /// The digest does not match the bytes before the seal.
    Altered,
    /// A signature that does not verify against its own key.
    BadSignature,
    /// A signature was required and there is none.
    NotSigned,
    /// A good signature by a key the host does not trust.
    Untrusted(VerifyingKey),
}

impl IntegrityError {
    pub fn code(&self) -> Code {
        match self {
            IntegrityError::NotSigned | IntegrityError::Untrusted(_) => Code::E0507,
            _ => Code::E0501,
        }
    }

    /// Whether the module may simply be of another ABI (older modules carry no seal, a
    /// newer one may seal itself differently): the host then reports the ABI first.
    pub fn may_be_foreign(&self) -> bool {
        matches!(self, IntegrityError::Unsealed | IntegrityError::UnknownFormat(_))
    }

    pub fn message(&self) -> Msg {
        let (zh, en) = match self {
            IntegrityError::Unsealed => (
                format!("模块末尾没有 `{SEAL_SECTION}` 完整性段（内容摘要）：它在编译后被改动过，或不是 `qingdan build` 编译的"),
                format!("it does not end with a `{SEAL_SECTION}` section (the digest of its content): it was altered after it was built, or not built by `qingdan build`"),
            ),
            IntegrityError::UnknownFormat(f) => (
                format!("它的 `{SEAL_SECTION}` 完整性段格式为 {f}，本程序只读格式 {SEAL_FORMAT}"),
                format!("its `{SEAL_SECTION}` section is of format {f}, this host reads format {SEAL_FORMAT}"),
            ),
            IntegrityError::Malformed(why) => (
                format!("无法读取它的 `{SEAL_SECTION}` 完整性段：{why}"),
                format!("its `{SEAL_SECTION}` section cannot be read: {why}"),
            ),
            IntegrityError::Altered => (
                "模块内容与编译时记下的 SHA-256 摘要不符：它在 `qingdan build` 之后被损坏或改动过".to_string(),
                "its content does not match the SHA-256 digest it was built with: it was damaged or altered after `qingdan build`".to_string(),
            ),
            IntegrityError::BadSignature => (
                "模块的签名与其内容不符：它在签名之后被改动过".to_string(),
                "its signature does not match its content: it was altered after it was signed".to_string(),
            ),
            IntegrityError::NotSigned => (
                "模块没有签名，而本宿主只运行受信任的密钥（--trust）签名的模块".to_string(),
                "the module is not signed, and this host runs only modules signed by a key it trusts (--trust)".to_string(),
            ),
            IntegrityError::Untrusted(k) => (
                format!("模块由密钥 {} 签名，本宿主不信任这个密钥", key_hex(k)),
                format!("the module is signed by key {}, which this host does not trust", key_hex(k)),
            ),
        };
        if self.code() == Code::E0501 {
            msg(
                format!("不是有效的 qingdan WASM 模块：{zh}"),
                format!("not a valid qingdan WASM module: {en}"),
            )
        } else {
            msg(zh, en)
        }
    }
}

/// One section of a module: where its header starts, its id, its contents.
struct Section {
    start: usize,
    id: u8,
    body: Range<usize>,
}

fn read_leb_u32(bytes: &[u8], at: &mut usize) -> Option<u32> {
    let mut value: u64 = 0;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return u32::try_from(value).ok();
        }
    }
    None
}

fn write_leb_u32(out: &mut Vec<u8>, mut n: u32) {
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

/// The module's sections, read from their headers alone.
fn sections(bytes: &[u8]) -> Result<Vec<Section>, String> {
    if bytes.len() < 8 {
        return Err("shorter than a module header".into());
    }
    let mut out = Vec::new();
    let mut at = 8;
    while at < bytes.len() {
        let (start, id) = (at, bytes[at]);
        at += 1;
        let size = read_leb_u32(bytes, &mut at).ok_or("a section's size cannot be read")?;
        let end = at
            .checked_add(size as usize)
            .filter(|&end| end <= bytes.len())
            .ok_or("a section runs past the end of the module")?;
        out.push(Section { start, id, body: at..end });
        at = end;
    }
    Ok(out)
}

/// A custom section's name and payload.
fn custom<'b>(bytes: &'b [u8], s: &Section) -> Option<(&'b [u8], &'b [u8])> {
    if s.id != 0 {
        return None;
    }
    let mut at = s.body.start;
    let len = read_leb_u32(bytes, &mut at)? as usize;
    let name_end = at.checked_add(len).filter(|&e| e <= s.body.end)?;
    Some((&bytes[at..name_end], &bytes[name_end..s.body.end]))
}

/// Where the seal's section starts and its payload, if the module ends with one.
fn find_seal(bytes: &[u8]) -> Result<Option<(usize, &[u8])>, IntegrityError> {
    let sections = sections(bytes).map_err(IntegrityError::Malformed)?;
    Ok(sections.last().and_then(|s| match custom(bytes, s) {
        Some((name, payload)) if name == SEAL_SECTION.as_bytes() => Some((s.start, payload)),
        _ => None,
    }))
}

fn digest(bytes: &[u8]) -> [u8; DIGEST_LEN] {
    Sha256::digest(bytes).into()
}

fn signed_message(digest: &[u8; DIGEST_LEN]) -> Vec<u8> {
    [SIGNING_CONTEXT, digest.as_slice()].concat()
}

fn append_seal(mut module: Vec<u8>, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(1 + SEAL_SECTION.len() + payload.len());
    write_leb_u32(&mut body, SEAL_SECTION.len() as u32);
    body.extend_from_slice(SEAL_SECTION.as_bytes());
    body.extend_from_slice(payload);
    module.push(0);
    write_leb_u32(&mut module, body.len() as u32);
    module.extend_from_slice(&body);
    module
}

/// Seals an unsealed module: appends the digest of all its bytes.
pub fn seal(module: Vec<u8>) -> Vec<u8> {
    let d = digest(&module);
    append_seal(module, &[[SEAL_FORMAT, UNSIGNED].as_slice(), d.as_slice()].concat())
}

/// The module without its seal (if it ends with one).
fn unsealed(bytes: &[u8]) -> Result<&[u8], IntegrityError> {
    Ok(match find_seal(bytes)? {
        Some((start, _)) => &bytes[..start],
        None => bytes,
    })
}

/// Seals a module again after a deliberate edit (tools that rewrite modules, tests that
/// make foreign ones): drops the old seal, if any, and any signature with it.
pub fn reseal(bytes: &[u8]) -> Result<Vec<u8>, IntegrityError> {
    Ok(seal(unsealed(bytes)?.to_vec()))
}

/// Signs a sealed module: checks its seal, then replaces it with one that carries an
/// Ed25519 signature of the digest by `key`.
pub fn sign(bytes: &[u8], key: &SigningKey) -> Result<Vec<u8>, IntegrityError> {
    let seal = verify(bytes, &Trust::Intact)?;
    let signature = key.sign(&signed_message(&seal.digest));
    let payload = [
        [SEAL_FORMAT, SIGNED].as_slice(),
        seal.digest.as_slice(),
        key.verifying_key().as_bytes().as_slice(),
        signature.to_bytes().as_slice(),
    ]
    .concat();
    Ok(append_seal(unsealed(bytes)?.to_vec(), &payload))
}

/// Checks a module's seal against its bytes and what the host requires.
pub fn verify(bytes: &[u8], trust: &Trust) -> Result<Seal, IntegrityError> {
    let (start, payload) = find_seal(bytes)?.ok_or(IntegrityError::Unsealed)?;
    match payload.first() {
        Some(&SEAL_FORMAT) => {}
        Some(&other) => return Err(IntegrityError::UnknownFormat(other)),
        None => return Err(IntegrityError::Malformed("it is empty".into())),
    }
    let len = match payload.get(1) {
        Some(&UNSIGNED) => UNSIGNED_LEN,
        Some(&SIGNED) => SIGNED_LEN,
        _ => return Err(IntegrityError::Malformed("it names no known kind of seal".into())),
    };
    if payload.len() != len {
        return Err(IntegrityError::Malformed(format!("{} bytes where {len} were expected", payload.len())));
    }
    let d = digest(&bytes[..start]);
    if payload[2..UNSIGNED_LEN] != d {
        return Err(IntegrityError::Altered);
    }
    let signer = (len == SIGNED_LEN).then(|| check_signature(&d, &payload[UNSIGNED_LEN..])).transpose()?;
    if let Trust::SignedBy(keys) = trust {
        match signer {
            None => return Err(IntegrityError::NotSigned),
            Some(k) if !keys.contains(&k) => return Err(IntegrityError::Untrusted(k)),
            Some(_) => {}
        }
    }
    Ok(Seal { digest: d, signer })
}

/// Verifies `key ‖ signature` (32 + 64 bytes) over the digest; the key is the signer's.
/// Strict verification: no small-order keys, no malleable signatures.
fn check_signature(d: &[u8; DIGEST_LEN], key_and_sig: &[u8]) -> Result<VerifyingKey, IntegrityError> {
    let key: [u8; 32] = key_and_sig[..32].try_into().map_err(|_| IntegrityError::BadSignature)?;
    let sig: [u8; 64] = key_and_sig[32..].try_into().map_err(|_| IntegrityError::BadSignature)?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| IntegrityError::BadSignature)?;
    key.verify_strict(&signed_message(d), &Signature::from_bytes(&sig))
        .map_err(|_| IntegrityError::BadSignature)?;
    Ok(key)
}

// ---- Key files: one line `qingdan-ed25519-secret HEX` or `qingdan-ed25519-public HEX`,
// after comment lines (`#`). Plain text, so a reviewer can read and publish a public key.

const SECRET_TAG: &str = "qingdan-ed25519-secret";
const PUBLIC_TAG: &str = "qingdan-ed25519-public";

pub fn key_hex(key: &VerifyingKey) -> String {
    hex(key.as_bytes())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A key pair from 32 random bytes (the CLI supplies them; this crate opens no devices).
pub fn key_from_seed(seed: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&seed)
}

pub fn secret_key_file(key: &SigningKey) -> String {
    format!(
        "# qingdan Ed25519 secret key: keep it private. `qingdan build --sign THIS_FILE` signs modules with it.\n\
         {SECRET_TAG} {}\n",
        hex(key.as_bytes())
    )
}

pub fn public_key_file(key: &VerifyingKey) -> String {
    format!(
        "# qingdan Ed25519 public key. `qingdan eval --wasm MODULE --trust THIS_FILE` runs only modules it signed.\n\
         {PUBLIC_TAG} {}\n",
        key_hex(key)
    )
}

/// The one line of a key file that is not a comment, split into its tag and its hex.
fn key_line(text: &str) -> Result<(Option<&str>, [u8; 32]), String> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    let line = lines.next().ok_or("no key in it")?;
    if lines.next().is_some() {
        return Err("more than one key line in it".into());
    }
    let (tag, hex) = match line.split_once(char::is_whitespace) {
        Some((tag, hex)) => (Some(tag), hex.trim()),
        None => (None, line),
    };
    Ok((tag, unhex32(hex).ok_or("the key is not 64 hexadecimal digits")?))
}

fn unhex32(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(digits.chunks(2)) {
        *o = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

/// Reads a secret key file written by [`secret_key_file`].
pub fn read_secret_key(text: &str) -> Result<SigningKey, String> {
    match key_line(text)? {
        (Some(SECRET_TAG), seed) => Ok(SigningKey::from_bytes(&seed)),
        (Some(PUBLIC_TAG), _) => Err("this is a public key; signing takes the secret key file".into()),
        _ => Err(format!("not a qingdan secret key (a line `{SECRET_TAG} HEX`)")),
    }
}

/// Reads a public key file written by [`public_key_file`], or a bare 64-digit hex key.
pub fn read_public_key(text: &str) -> Result<VerifyingKey, String> {
    match key_line(text)? {
        (Some(PUBLIC_TAG) | None, key) => {
            VerifyingKey::from_bytes(&key).map_err(|_| "not a valid Ed25519 public key".to_string())
        }
        (Some(SECRET_TAG), _) => {
            Err("this is a secret key; trust takes the public key file (`.pub`), never the secret one".into())
        }
        _ => Err(format!("not a qingdan public key (a line `{PUBLIC_TAG} HEX`)")),
    }
}

#[cfg(test)]
mod tests;
