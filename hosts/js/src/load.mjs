// load.mjs — loading a module: its bytes compiled, its seal checked (seal.mjs), its manifest
// read and checked (manifest.mjs), its ABI version, imports and memory cap, then a `Policy`.

import { checkSeal, trustedKeys } from "./seal.mjs";
import { ABI_VERSION, MAX_PAGES, MANIFEST_SECTION } from "./abi.mjs";
import { QingdanError, malformed, foreignAbi } from "./errors.mjs";
import { checkManifest } from "./manifest.mjs";
import { Policy } from "./policy.mjs";

/**
 * Validates and instantiates a module built by `qingdan build` (bytes: ArrayBuffer, a typed
 * array or a Node Buffer). Checks its seal (the SHA-256 of its content, seal.mjs), the
 * manifest and the ABI version, and that the module imports nothing and caps its memory.
 * `options.lang` ("zh" | "en") picks the language of messages; the default is the policy's
 * own. `options.trust` (a public key or an array of them: 32 bytes, 64 hex digits or a
 * `.pub` file's text) requires a signature by one of them (E0507 if not).
 */
export async function loadPolicy(bytes, options = {}) {
  let lang = options.lang === "zh" || options.lang === "en" ? options.lang : "en";
  const view = toBytes(bytes);
  if (!view) throw new TypeError("loadPolicy: expected the module's bytes (ArrayBuffer or Uint8Array)");
  const trusted = trustedKeys(options.trust);
  let module;
  try {
    module = await WebAssembly.compile(view);
  } catch (e) {
    throw malformed(e && e.message ? e.message : String(e), lang);
  }
  // The seal before anything the module says is believed; a module without one may be of
  // another ABI, which is what to say then (as the Rust host's `check_seal`).
  const refused = await checkSeal(view, trusted);
  const sections = WebAssembly.Module.customSections(module, MANIFEST_SECTION);
  if (refused && !refused.foreign) throw sealError(refused, lang);
  if (sections.length === 0) {
    throw new QingdanError(
      "E0502",
      `模块没有 \`${MANIFEST_SECTION}\` 清单段：它不是 \`qingdan build\` 编译的`,
      `the module has no \`${MANIFEST_SECTION}\` manifest section: it was not built by \`qingdan build\``,
      "",
      lang,
    );
  }
  let manifest;
  try {
    manifest = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(sections[0]));
  } catch (e) {
    throw malformed(`its \`${MANIFEST_SECTION}\` manifest cannot be read: ${e.message}`, lang);
  }
  if (manifest === null || typeof manifest !== "object" || !Number.isInteger(manifest.abi)) {
    throw malformed(`its \`${MANIFEST_SECTION}\` manifest cannot be read: no \`abi\``, lang);
  }
  if (manifest.abi !== ABI_VERSION) throw foreignAbi(manifest.abi, lang);
  if (refused) throw sealError(refused, lang);
  const problem = checkManifest(manifest);
  if (problem) throw malformed(`its \`${MANIFEST_SECTION}\` manifest cannot be read: ${problem}`, lang);
  if (!options.lang) lang = manifest.lang === "zh" ? "zh" : "en";
  if (WebAssembly.Module.imports(module).length > 0) throw malformed("it imports from its host", lang);
  const cap = memoryCap(view);
  if (cap === undefined) throw malformed("it has no memory of its own", lang);
  if (cap === null || cap > MAX_PAGES) {
    throw malformed(`its memory may grow beyond ${MAX_PAGES} pages (${MAX_PAGES * 64} KiB)`, lang);
  }
  const policy = new Policy(module, manifest, lang);
  await policy.reset();
  return policy;
}

function sealError(p, lang) {
  return p.code === "E0501" ? malformed({ zh: p.zh, en: p.en }, lang) : new QingdanError(p.code, p.zh, p.en, "", lang);
}

function toBytes(b) {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return null;
}

function leb(bytes, at) {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (at.i >= bytes.length) return null;
    const b = bytes[at.i++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
  return null;
}

/** The declared maximum of the module's memory, in pages: null when uncapped, undefined when it has no memory section. */
function memoryCap(bytes) {
  const at = { i: 8 };
  while (at.i < bytes.length) {
    const id = bytes[at.i++];
    const size = leb(bytes, at);
    if (size === null) return null;
    const end = at.i + size;
    if (id === 5) {
      const count = leb(bytes, at);
      if (count !== 1) return null;
      const flags = bytes[at.i++];
      if ((flags & ~1) !== 0) return null; // shared or 64-bit memories are not ours
      leb(bytes, at);
      return flags & 1 ? leb(bytes, at) : null;
    }
    at.i = end;
  }
  return undefined;
}
