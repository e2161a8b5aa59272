// seal.mjs — a module's seal, as qingdan.mjs checks it before it believes anything the module
// says (engine/src/wasm/integrity.rs is the Rust side; docs/wasm-abi.md §10.1 the contract).
//
// The last section of a module `qingdan build` writes is the custom section
// `qingdan.integrity`: format byte 1, a kind byte (0 digest only, 1 signed), the SHA-256 of
// every byte before that section, and for kind 1 an Ed25519 public key and its signature
// of "qingdan.integrity v1\n" followed by the 32 digest bytes.
//
// SHA-256 and Ed25519 come from WebCrypto (browsers in a secure context, Node ≥ 20). Where
// `crypto.subtle` is missing (a page served over plain HTTP to another machine), the digest
// is computed by `sha256` below; a signature cannot be verified there, so such a host cannot
// require one (it refuses), and a signed module is accepted on its digest alone.

/** The custom section that seals a module (integrity.rs `SEAL_SECTION`); always the last. */
export const SEAL_SECTION = "qingdan.integrity";
/** The seal's format, its first byte (integrity.rs `SEAL_FORMAT`). */
export const SEAL_FORMAT = 1;
const UNSIGNED = 0;
const SIGNED = 1;
const UNSIGNED_LEN = 2 + 32;
const SIGNED_LEN = UNSIGNED_LEN + 32 + 64;
const SEAL_NAME = new TextEncoder().encode(SEAL_SECTION);
const SIGNING_CONTEXT = new TextEncoder().encode("qingdan.integrity v1\n");
const PUBLIC_TAG = "qingdan-ed25519-public";
const SECRET_TAG = "qingdan-ed25519-secret";

const subtle = () => globalThis.crypto && globalThis.crypto.subtle;

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An unsigned LEB128 u32 at `at.i` (advanced past it), or null. */
function leb32(bytes, at) {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at.i >= bytes.length) return null;
    const b = bytes[at.i++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return value <= 0xffffffff ? value : null;
  }
  return null;
}

/**
 * Where the seal's section starts and its payload, if the module ends with one (else null);
 * a string when the section headers cannot be read.
 */
function findSeal(bytes) {
  if (bytes.length < 8) return "shorter than a module header";
  const at = { i: 8 };
  let last = null;
  while (at.i < bytes.length) {
    const start = at.i;
    const id = bytes[at.i++];
    const size = leb32(bytes, at);
    if (size === null) return "a section's size cannot be read";
    if (at.i + size > bytes.length) return "a section runs past the end of the module";
    last = { start, id, body: at.i, end: at.i + size };
    at.i += size;
  }
  if (!last || last.id !== 0) return null;
  const p = { i: last.body };
  const len = leb32(bytes, p);
  if (len === null || p.i + len > last.end) return null;
  if (!sameBytes(bytes.subarray(p.i, p.i + len), SEAL_NAME)) return null;
  return { start: last.start, payload: bytes.subarray(p.i + len, last.end) };
}

const problem = (code, zh, en, foreign = false) => ({ code, zh, en, foreign });
const malformedSeal = (zh, en) =>
  problem("E0501", `无法读取它的 \`${SEAL_SECTION}\` 完整性段：${zh}`, `its \`${SEAL_SECTION}\` section cannot be read: ${en}`);

/**
 * Checks a module's seal: null when it holds (and, with `trusted` keys, is signed by one of
 * them), else `{ code, zh, en, foreign }` — `foreign` when the module may simply be of
 * another ABI (no seal, or a seal of another format), which the caller reports first.
 * The messages are the Rust host's (integrity.rs `IntegrityError::message`).
 */
export async function checkSeal(bytes, trusted = null) {
  const found = findSeal(bytes);
  if (typeof found === "string") return malformedSeal(found, found);
  if (found === null) {
    return problem(
      "E0501",
      `模块末尾没有 \`${SEAL_SECTION}\` 完整性段（内容摘要）：它在编译后被改动过，或不是 \`qingdan build\` 编译的`,
      `it does not end with a \`${SEAL_SECTION}\` section (the digest of its content): it was altered after it was built, or not built by \`qingdan build\``,
      true,
    );
  }
  const { start, payload } = found;
  if (payload.length === 0) return malformedSeal("它是空的", "it is empty");
  if (payload[0] !== SEAL_FORMAT) {
    return problem(
      "E0501",
      `它的 \`${SEAL_SECTION}\` 完整性段格式为 ${payload[0]}，本程序只读格式 ${SEAL_FORMAT}`,
      `its \`${SEAL_SECTION}\` section is of format ${payload[0]}, this host reads format ${SEAL_FORMAT}`,
      true,
    );
  }
  const len = payload[1] === UNSIGNED ? UNSIGNED_LEN : payload[1] === SIGNED ? SIGNED_LEN : null;
  if (len === null) return malformedSeal("它没有写明已知的种类", "it names no known kind of seal");
  if (payload.length !== len) {
    return malformedSeal(`应为 ${len} 字节，实为 ${payload.length} 字节`, `${payload.length} bytes where ${len} were expected`);
  }
  const digest = await sha256Of(bytes.subarray(0, start));
  if (!sameBytes(digest, payload.subarray(2, UNSIGNED_LEN))) {
    return problem(
      "E0501",
      "模块内容与编译时记下的 SHA-256 摘要不符：它在 `qingdan build` 之后被损坏或改动过",
      "its content does not match the SHA-256 digest it was built with: it was damaged or altered after `qingdan build`",
    );
  }
  let signer = null;
  if (len === SIGNED_LEN) {
    const key = payload.subarray(UNSIGNED_LEN, UNSIGNED_LEN + 32);
    const verdict = await verifySignature(key, payload.subarray(UNSIGNED_LEN + 32), digest);
    if (verdict === false) {
      return problem("E0501", "模块的签名与其内容不符：它在签名之后被改动过", "its signature does not match its content: it was altered after it was signed");
    }
    if (verdict === true) signer = key;
    else if (trusted) return cannotVerify(verdict);
  }
  if (!trusted) return null;
  if (!signer) {
    return problem(
      "E0507",
      "模块没有签名，而本宿主只运行受信任的密钥（trust）签名的模块",
      "the module is not signed, and this host runs only modules signed by a key it trusts (trust)",
    );
  }
  if (!trusted.some((k) => sameBytes(k, signer))) {
    return problem("E0507", `模块由密钥 ${hex(signer)} 签名，本宿主不信任这个密钥`, `the module is signed by key ${hex(signer)}, which this host does not trust`);
  }
  return null;
}

function cannotVerify(why) {
  return problem(
    "E0507",
    `这里无法验证 Ed25519 签名（${why}），因此不能按要求只运行受信任的模块`,
    `Ed25519 signatures cannot be verified here (${why}), so a trusted signature cannot be required`,
  );
}

/** true or false; a string saying why it cannot be told (no WebCrypto Ed25519 here). */
async function verifySignature(key, signature, digest) {
  const s = subtle();
  if (!s) return "no WebCrypto: not a secure context";
  let imported;
  try {
    imported = await s.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
  } catch (e) {
    // A key that is not a curve point is refused on import (DataError): a bad signature.
    if (e && e.name === "NotSupportedError") return "this engine's WebCrypto has no Ed25519";
    return false;
  }
  const message = new Uint8Array(SIGNING_CONTEXT.length + digest.length);
  message.set(SIGNING_CONTEXT);
  message.set(digest, SIGNING_CONTEXT.length);
  try {
    return await s.verify({ name: "Ed25519" }, imported, signature, message);
  } catch {
    return false;
  }
}

async function sha256Of(bytes) {
  const s = subtle();
  return s ? new Uint8Array(await s.digest("SHA-256", bytes)) : sha256(bytes);
}

/**
 * Trusted public keys from the `trust` option: one key or an array, each 32 bytes, 64 hex
 * digits, or the text of a `.pub` file from `qingdan keygen`. Throws a TypeError otherwise.
 */
export function trustedKeys(trust) {
  if (trust === undefined || trust === null) return null;
  const list = Array.isArray(trust) ? trust : [trust];
  if (list.length === 0) throw new TypeError("loadPolicy: `trust` names no key");
  return list.map((k) => {
    if (k instanceof Uint8Array && k.length === 32) return Uint8Array.from(k);
    if (typeof k !== "string") throw new TypeError("loadPolicy: a trusted key is 32 bytes, or its hex, or a `.pub` file's text");
    const lines = k.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    const parts = lines.length === 1 ? lines[0].split(/\s+/) : [];
    const [tag, digits] = parts.length === 2 ? parts : [null, parts[0]];
    if (tag === SECRET_TAG) throw new TypeError("loadPolicy: that is a secret key; trust takes the public key (`.pub`)");
    if ((tag !== null && tag !== PUBLIC_TAG) || !/^[0-9a-fA-F]{64}$/.test(digits || "")) {
      throw new TypeError(`loadPolicy: not a public key (64 hex digits, or a line \`${PUBLIC_TAG} HEX\`)`);
    }
    return Uint8Array.from(digits.match(/../g), (h) => parseInt(h, 16));
  });
}

// ------------------------------------------------------------------ SHA-256 without WebCrypto

// FIPS 180-4: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const ror = (x, n) => (x >>> n) | (x << (32 - n));

/** SHA-256 of `bytes` (a Uint8Array), for where WebCrypto is missing. */
export function sha256(bytes) {
  const n = bytes.length;
  const padded = new Uint8Array(Math.ceil((n + 9) / 64) * 64);
  padded.set(bytes);
  padded[n] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(n / 2 ** 29), false);
  view.setUint32(padded.length - 4, (n * 8) >>> 0, false);
  const h = Uint32Array.from(H0);
  const w = new Uint32Array(64);
  for (let block = 0; block < padded.length; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + 4 * t, false);
    for (let t = 16; t < 64; t++) {
      const s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      const s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) >>> 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    [a, b, c, d, e, f, g, hh].forEach((x, i) => {
      h[i] = (h[i] + x) >>> 0;
    });
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((x, i) => outView.setUint32(4 * i, x, false));
  return out;
}
