// qingdan.mjs — the JavaScript host for policies compiled by `qingdan build`.
//
// An ES module with no dependencies and no build step (seal.mjs beside it checks a module's
// seal); it runs in browsers and in Node ≥ 20.
// It mirrors the Rust host (engine/src/wasm/host.rs): load a module, read its manifest, read
// a case (a JSON object shaped like a case file's `given`), place it in the module's memory,
// call `begin`, `decide(d)`, `check(c)` and `read_let(l)`, and tell the results with names
// exactly as `qingdan eval --format json --explain` shows them. docs/wasm-abi.md is the ABI.
//
//   import { loadPolicy } from "./qingdan.mjs";
//   const policy = await loadPolicy(bytes);              // one instance, reused for every case
//   const r = policy.evaluate({ 事项名称: "…", … }, { explain: true });
//   r.decisions["准入结论"].outcomes[0].outcome           // "常态准入"
//
// API
//   await loadPolicy(bytes, { lang, trust })  → Policy. `bytes`: ArrayBuffer, Uint8Array or
//       Buffer; `lang` "zh" | "en" for messages (default: the policy's language); `trust` a
//       public key or an array of them (32 bytes, 64 hex digits, or a `.pub` file's text from
//       `qingdan keygen`): only a module signed by one of them loads.
//   policy.manifest, .name, .hash, .lang
//   policy.evaluate(case, { decision, explain }) → one case, as `qingdan eval` gives it:
//       { decisions: { NAME: { decision, outcomes: [{ outcome, values?: [{ name, value }],
//         reason, rule }], by_default, fired: [trace], overridden: [trace], conflicts: [[rule]] } },
//         violations: [{ check, reason, rows }] }
//       where a trace is { rule, exception_to?, outcome, reason, read: [{ name, value }],
//       cites: [{ source, clause, text }] } (`read` and `cites` only with `explain`), values are
//       shown as the engine shows them (variant names, row keys, decimals without trailing
//       zeros, dates YYYY-MM-DD, sets `[a, b]`), and checks run only when every decision is
//       asked for (`decision` picks one by name). An evaluation error gives instead
//       { error: { kind: "division_by_zero" | "overflow" | "no_rule_applies", message, zh, en,
//       site: [file, start, end] | decision: NAME } }.
//   brief(explanation) → the short form `qingdan eval --format json` prints without --explain.
//   Lower level, as the Rust host: policy.readCase(case) → slot values; policy.place(values)
//       (writes slots and arena, calls `begin`); policy.decide(d) → { result } | { error };
//       policy.check(c) → { hits } | { error }; policy.letValue(l) → { value } | { error };
//       policy.show(value, type); await policy.reset() (a fresh instance).
//   parseJson(text) → like JSON.parse, but numbers a float would not keep exactly come back as
//       JsonNumber (their text), so that `evaluate(parseJson(text))` reads every number exactly.
//   parseDecimal, formatDecimal, parseDate, formatDate: the engine's own conversions.
//
// Values inside (slot values, raw results): absent null; bool boolean; int and decimal BigInt
// (decimals scaled by 10^6); date a number of days since 1970-01-01; enum and row a number
// (variant, row index); text string; set an array, sorted as the engine sorts it.
//
// Numbers are exact: 64-bit words are BigInts, decimals are read from their text (a string,
// or a JS number through its shortest round-trip text) and never pass through float
// arithmetic. An int given as a JS number must be a safe integer (|n| < 2^53): beyond that,
// pass a BigInt or read the JSON with `parseJson`.
//
// Errors: a case that does not fit the policy, or a module that is broken, foreign or trapped,
// throws a `QingdanError` whose `code` is the Rust engine's (E0301–E0307 for the case, with
// `path` naming the field; E0501 malformed, damaged or altered module (its seal does not
// hold), E0502 foreign ABI or no manifest, E0507 not signed by a trusted key, E0503
// texts and sets past the input arena, E0504 the module trapped or ran out of memory, E0505
// the values do not fit the module's layout). Misuse of the API throws a RangeError (an
// unknown decision name) or a TypeError (a `trust` option that is not a public key). A
// JavaScript engine has no fuel: run untrusted modules in a worker and terminate it on a
// timeout (docs/wasm-abi.md §11).

import { checkSeal, trustedKeys } from "./seal.mjs";

/** The module ABI this host speaks (engine/src/wasm/layout.rs `ABI_VERSION`). */
export const ABI_VERSION = 2;
/** The most memory a module may declare, in 64 KiB pages (layout.rs `MAX_PAGES`). */
export const MAX_PAGES = 1024;
/** The custom section that carries the manifest (wasm/mod.rs `MANIFEST_SECTION`). */
export const MANIFEST_SECTION = "qingdan";
/** Most fields (over all levels) or set elements one case may have (cases/mod.rs). */
export const MAX_FIELDS = 10000;

/** Field offsets of the result record (layout.rs `mod result`). */
export const RESULT = Object.freeze({
  STATUS: 0,
  ERROR_KIND: 4,
  ERROR_SITE: 8,
  BY_DEFAULT: 12,
  N_OUTCOMES: 16,
  N_FIRED: 20,
  N_OVERRIDDEN: 24,
  N_CONFLICTS: 28,
  N_HITS: 32,
  HITS: 36,
  VALUE: 40,
  BAD_SLOT: 48,
  SIZE: 56,
});
/** `status` values (layout.rs `Status`). */
export const STATUS = Object.freeze({ OK: 0, FAILED: 1, BAD_INDEX: 2, BAD_INPUT: 3, NOT_READY: 4 });
/** `error_kind` values (layout.rs `ErrorKind`). */
export const ERROR_KIND = Object.freeze({ DIVISION_BY_ZERO: 1, OVERFLOW: 2, NO_RULE_APPLIES: 3, OUT_OF_MEMORY: 4 });
/** Conflict record kinds (decide.rs). */
export const CONFLICT = Object.freeze({ EXCEPTIONS: 0, UNIQUE: 1 });

const ABSENT = -(2n ** 63n); // i64::MIN: absent, in every type
const I64_MAX = 2n ** 63n - 1n;
const I128_MAX = 2n ** 127n - 1n;
const FIRST_DAY = -719528; // 0000-01-01
const LAST_DAY = 2932896; // 9999-12-31

// ------------------------------------------------------------------ errors

const CODES = {
  E0301: ["case-malformed", "案例格式错误", "malformed case"],
  E0302: ["case-wrong-type", "案例字段值不符合类型", "case value has the wrong type"],
  E0303: ["case-missing-field", "案例缺少字段", "case field missing"],
  E0304: ["case-unknown-field", "案例中有未知字段", "unknown field in case"],
  E0305: ["case-unknown-variant", "案例中有未知枚举值", "unknown enum variant in case"],
  E0306: ["case-unknown-key", "案例引用的条目不存在", "case refers to a missing row"],
  E0307: ["case-too-large", "案例过大", "case too large"],
  E0501: ["wasm-malformed", "WASM 模块无效", "malformed WASM module"],
  E0502: ["wasm-foreign-abi", "WASM 模块接口不符", "foreign WASM module"],
  E0503: ["wasm-input-too-large", "案例超出模块输入区", "case too large for the module"],
  E0504: ["wasm-stopped", "WASM 模块执行中止", "WASM module stopped"],
  E0505: ["wasm-bad-input", "案例不符合模块输入布局", "case does not fit the module"],
  E0507: ["wasm-untrusted", "WASM 模块未经信任的签名", "WASM module not signed by a trusted key"],
};

/**
 * A case that cannot be read, or a module that cannot be used. `code` is stable (the Rust
 * engine's code), `slug` its name, `path` the field of the case (`申请.标签[2]`, empty when
 * none), `zh` and `en` the message in each language (the text `qingdan eval` prints for the
 * case, without code and path), `message` the whole line in the chosen language.
 */
export class QingdanError extends Error {
  constructor(code, zh, en, path = "", lang = "en") {
    const slug = CODES[code] ? CODES[code][0] : code;
    const text = lang === "zh" ? zh : en;
    const where = path ? (lang === "zh" ? `\`${path}\`：` : `\`${path}\`: `) : "";
    super(`${code}[${slug}]: ${where}${text}`);
    this.name = "QingdanError";
    this.code = code;
    this.slug = slug;
    this.path = path;
    this.zh = zh;
    this.en = en;
    this.lang = lang;
  }
}

const m = (zh, en) => ({ zh, en });

function malformed(why, lang) {
  const w = typeof why === "string" ? m(why, why) : why;
  return new QingdanError(
    "E0501",
    `不是有效的 qingdan WASM 模块：${w.zh}`,
    `not a valid qingdan WASM module: ${w.en}`,
    "",
    lang,
  );
}

function foreignAbi(found, lang) {
  return new QingdanError(
    "E0502",
    `模块的接口版本为 ${found}，本程序支持版本 ${ABI_VERSION}：请用当前版本的 \`qingdan build\` 重新编译`,
    `the module speaks ABI version ${found}, this host speaks ${ABI_VERSION}: rebuild it with this \`qingdan build\``,
    "",
    lang,
  );
}

function trapped(e, lang) {
  const why = e && e.message ? e.message : String(e);
  return new QingdanError("E0504", `模块执行中止：${why}`, `the module stopped: ${why}`, "", lang);
}

function badInput(why, lang) {
  return new QingdanError(
    "E0505",
    `案例不符合模块的输入布局：${why.zh}`,
    `the case does not fit the module: ${why.en}`,
    "",
    lang,
  );
}

// ------------------------------------------------------------------ loading

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

// ------------------------------------------------------------------ the manifest's shape

const SCALARS = new Set(["Bool", "Int", "Decimal", "Text", "Date"]);

/** Why the manifest is not of the shape `manifest.rs` writes (null when it is). */
function checkManifest(mf) {
  const u32 = (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  const str = (x) => typeof x === "string";
  const arr = Array.isArray;
  const optStr = (x) => x === null || x === undefined || str(x);
  const need = (ok, what) => {
    if (!ok) throw new Error(what);
  };
  try {
    for (const k of ["policy", "lang", "hash"]) need(str(mf[k]), `\`${k}\``);
    const L = mf.layout;
    need(L && typeof L === "object", "`layout`");
    for (const k of [
      "result", "slots", "let_values", "let_flags", "speakers", "scratch", "outcomes", "outcome_stride",
      "fired", "overridden", "conflicts", "ranks", "statics", "arena", "arena_size", "heap", "pages",
    ]) need(u32(L[k]), `\`layout.${k}\``);
    for (const k of ["inputs", "slots", "enums", "lists", "sources", "lets", "rules", "decisions", "checks", "sites"]) {
      need(arr(mf[k]), `\`${k}\``);
    }
    const nEnums = mf.enums.length;
    const nLists = mf.lists.length;
    const type = (t, where) => {
      if (str(t)) return need(SCALARS.has(t), where);
      need(t && typeof t === "object" && Object.keys(t).length === 1, where);
      const [k, v] = Object.entries(t)[0];
      if (k === "Enum") return need(u32(v) && v < nEnums, where);
      if (k === "Row") return need(u32(v) && v < nLists, where);
      need(k === "Set" || k === "Opt", where);
      type(v, where);
    };
    mf.enums.forEach((e, i) => {
      need(e && str(e.name) && arr(e.variants), `\`enums[${i}]\``);
      e.variants.forEach((v, j) => {
        need(v && str(v.name) && arr(v.fields), `\`enums[${i}].variants[${j}]\``);
        v.fields.forEach((f) => need(arr(f) && f.length === 2 && str(f[0]), `\`enums[${i}].variants[${j}]\``));
        v.fields.forEach((f) => type(f[1], `\`enums[${i}].variants[${j}]\``));
      });
    });
    mf.lists.forEach((l, i) => {
      const w = `\`lists[${i}]\``;
      need(l && str(l.name) && arr(l.fields) && u32(l.key) && l.key < l.fields.length && u32(l.rows), w);
      l.fields.forEach((f) => need(arr(f) && f.length === 2 && str(f[0]), w));
      l.fields.forEach((f) => type(f[1], w));
      need(arr(l.columns), w);
      l.columns.forEach((c) => {
        need(c && u32(c.field) && c.field < l.fields.length && u32(c.at), w);
        need([1, 2, 4, 8].includes(c.width), w);
      });
    });
    mf.inputs.forEach((inp, i) => {
      need(inp && str(inp.name) && arr(inp.fields), `\`inputs[${i}]\``);
      inp.fields.forEach((s) => need(u32(s) && s < mf.slots.length, `\`inputs[${i}]\``));
    });
    mf.slots.forEach((s, i) => {
      const w = `\`slots[${i}]\``;
      need(s && u32(s.input) && s.input < mf.inputs.length && arr(s.path) && s.path.length > 0, w);
      s.path.forEach((p) => need(str(p), w));
      type(s.ty, w);
    });
    mf.sources.forEach((s, i) => {
      need(s && str(s.name) && str(s.title) && arr(s.clauses), `\`sources[${i}]\``);
      s.clauses.forEach((c) => need(arr(c) && c.length === 2 && str(c[0]) && str(c[1]), `\`sources[${i}]\``));
    });
    mf.lets.forEach((l, i) => {
      need(l && str(l.name), `\`lets[${i}]\``);
      type(l.ty, `\`lets[${i}]\``);
    });
    const cites = (cs, w) => {
      need(arr(cs), w);
      cs.forEach((c) => {
        need(arr(c) && c.length === 2 && u32(c[0]) && c[0] < mf.sources.length, w);
        need(u32(c[1]) && c[1] < mf.sources[c[0]].clauses.length, w);
      });
    };
    mf.decisions.forEach((d, i) => {
      const w = `\`decisions[${i}]\``;
      need(d && str(d.name) && u32(d.outcome_enum) && d.outcome_enum < nEnums && str(d.combining), w);
      need(["priority", "first", "collect", "unique"].includes(d.combining), w);
      need(arr(d.ranks) && d.ranks.every(u32) && arr(d.rules), w);
      need(d.rules.every((r) => u32(r) && r < mf.rules.length), w);
      const n = mf.enums[d.outcome_enum].variants.length;
      need(d.default === null || d.default === undefined || (u32(d.default) && d.default < n), w);
      need(optStr(d.default_reason), w);
      cites(d.default_cites ?? [], w);
    });
    mf.rules.forEach((r, i) => {
      const w = `\`rules[${i}]\``;
      need(r && str(r.name) && u32(r.decision) && r.decision < mf.decisions.length, w);
      need(r.exception_to === null || r.exception_to === undefined || (u32(r.exception_to) && r.exception_to < mf.rules.length), w);
      const n = mf.enums[mf.decisions[r.decision].outcome_enum].variants.length;
      need(r.outcome === null || r.outcome === undefined || (u32(r.outcome) && r.outcome < n), w);
      need(optStr(r.reason), w);
      cites(r.cites, w);
      need(arr(r.reads), w);
      r.reads.forEach((x) => {
        need(x && typeof x === "object", w);
        if ("Slot" in x) need(u32(x.Slot) && x.Slot < mf.slots.length, w);
        else need(u32(x.Let) && x.Let < mf.lets.length, w);
      });
    });
    mf.checks.forEach((c, i) => {
      const w = `\`checks[${i}]\``;
      need(c && str(c.name) && str(c.modality) && optStr(c.reason) && typeof c.reads_case === "boolean", w);
      if (c.over !== null && c.over !== undefined) type(c.over, w);
      cites(c.cites, w);
    });
    mf.sites.forEach((s, i) => need(arr(s) && s.length === 3 && s.every(u32), `\`sites[${i}]\``));
  } catch (e) {
    return `${e.message} is missing or not as \`qingdan build\` writes it`;
  }
  return null;
}

// ------------------------------------------------------------------ values

// Values inside this host, by their type (known from the manifest):
//   absent: null · bool: boolean · int, decimal: BigInt (a decimal scaled by 10^6)
//   date: number of days since 1970-01-01 · enum, row: number (variant, row index)
//   text: string · set: array of element values, sorted as the engine sorts and without repeats

const strip = (ty) => (ty && typeof ty === "object" && "Opt" in ty ? strip(ty.Opt) : ty);
const kindOf = (ty) => (typeof ty === "string" ? ty : Object.keys(ty)[0]);

/** Code point order, which is UTF-8 byte order: how the engine orders texts. */
function compareText(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareValues(a, b) {
  if (typeof a === "string") return compareText(a, b);
  if (typeof a === "boolean") return a === b ? 0 : a ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A set as the engine keeps it: sorted, without repeats (`Value::set`). */
function canonicalSet(items) {
  const sorted = [...items].sort(compareValues);
  return sorted.filter((v, i) => i === 0 || compareValues(sorted[i - 1], v) !== 0);
}

/** A scaled decimal without trailing zeros: 12.5, 0.05, 3 (value.rs `format_decimal`). */
export function formatDecimal(scaled) {
  const neg = scaled < 0n;
  const abs = neg ? -scaled : scaled;
  const whole = abs / 1000000n;
  const frac = abs % 1000000n;
  const sign = neg ? "-" : "";
  if (frac === 0n) return `${sign}${whole}`;
  return `${sign}${whole}.${frac.toString().padStart(6, "0").replace(/0+$/, "")}`;
}

/** Days since 1970-01-01 as YYYY-MM-DD (Howard Hinnant's civil_from_days, as the engine). */
export function formatDate(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const y = year < 0 ? `-${String(-year).padStart(3, "0")}` : String(year).padStart(4, "0");
  return `${y}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function daysFromCivil(year, month, day) {
  const y = year - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** A date written exactly YYYY-MM-DD, as days since 1970-01-01; null if it is not one. */
export function parseDate(text) {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) return null;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (dim === undefined || day === 0 || day > dim) return null;
  return daysFromCivil(year, month, day);
}

/**
 * A decimal from its text, exactly, scaled by 10^6 (cases/mod.rs `parse_decimal`): `12.50`,
 * `-3`, `1.5e3`, `+2`. Returns a BigInt, or one of "not-a-number", "too-precise",
 * "out-of-range".
 */
export function parseDecimal(text) {
  let rest = text;
  let negative = false;
  if (rest[0] === "-" || rest[0] === "+") {
    negative = rest[0] === "-";
    rest = rest.slice(1);
  }
  const e = rest.search(/[eE]/);
  const mantissa = e >= 0 ? rest.slice(0, e) : rest;
  const expText = e >= 0 ? rest.slice(e + 1) : null;
  const dot = mantissa.indexOf(".");
  let whole = dot >= 0 ? mantissa.slice(0, dot) : mantissa;
  let frac = dot >= 0 ? mantissa.slice(dot + 1) : "";
  const digits = (s) => /^[0-9]*$/.test(s);
  if (whole === "" || !digits(whole) || !digits(frac) || (dot >= 0 && frac === "")) return "not-a-number";
  let exponent = 0;
  if (expText !== null) {
    const body = expText[0] === "+" || expText[0] === "-" ? expText.slice(1) : expText;
    if (body === "" || !digits(body)) return "not-a-number";
    const magnitude = body.length > 6 ? 1000000 : Number(body);
    exponent = expText[0] === "-" ? -magnitude : magnitude;
  }
  whole = whole.replace(/^0+/, "");
  frac = frac.replace(/0+$/, "");
  const all = whole + frac;
  let sig = 0n;
  for (let i = 0; i < all.length; i++) {
    sig = sig * 10n + BigInt(all.charCodeAt(i) - 48);
    if (sig > I128_MAX) return "out-of-range";
  }
  if (sig === 0n) return 0n;
  let shift = exponent - frac.length + 6;
  while (shift < 0 && sig % 10n === 0n) {
    sig /= 10n;
    shift += 1;
  }
  if (shift < 0) return "too-precise";
  if (shift > 38) return "out-of-range"; // 10^shift overflows an i128
  const scaled = sig * 10n ** BigInt(shift);
  if (scaled > I128_MAX) return "out-of-range";
  const signed = negative ? -scaled : scaled;
  if (signed > I64_MAX || signed <= ABSENT) return "out-of-range";
  return signed;
}

/** A JS number as Rust prints an f64 (no exponent): for messages. */
function plainNumber(n) {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mant, exp] = s.split(/e/i);
  const neg = mant[0] === "-";
  const [w, f = ""] = (neg ? mant.slice(1) : mant).split(".");
  const digits = w + f;
  const point = w.length + Number(exp);
  let out;
  if (point <= 0) out = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? "-" : "") + out;
}

// ------------------------------------------------------------------ lossless JSON

/**
 * A JSON number whose text a JS number would not keep exactly (a long decimal, an integer
 * beyond 2^53): `parseJson` gives these for such numbers, and the case reader reads their text.
 */
export class JsonNumber {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
  toJSON() {
    return this.text;
  }
}

/** Normal form of a number's text: sign, significant digits, exponent; for comparing values. */
function normalForm(text) {
  const t = text.toLowerCase();
  const neg = t[0] === "-";
  const body = neg || t[0] === "+" ? t.slice(1) : t;
  const [mant, exp = "0"] = body.split("e");
  const [w, f = ""] = mant.split(".");
  let digits = (w + f).replace(/^0+/, "");
  let e = Number(exp) - f.length;
  if (digits === "") return "0";
  const trailing = digits.length - digits.replace(/0+$/, "").length;
  digits = digits.slice(0, digits.length - trailing);
  e += trailing;
  return `${neg ? "-" : ""}${digits}e${e}`;
}

/**
 * Parses JSON like `JSON.parse`, except that a number a JS number cannot hold exactly comes
 * back as a `JsonNumber` (an integer beyond 2^53 as a BigInt-readable text, a decimal with
 * more digits than a float keeps). Malformed text throws a QingdanError E0301.
 */
export function parseJson(text) {
  let i = 0;
  const fail = (what) => {
    throw new QingdanError("E0301", `JSON 格式错误（第 ${i + 1} 个字符）：${what}`, `malformed JSON at character ${i + 1}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  };
  const value = (depth) => {
    if (depth > 128) fail("nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key in double quotes");
        const k = string();
        ws();
        if (text[i] !== ":") fail("expected `:`");
        i++;
        const v = value(depth + 1);
        if (Object.prototype.hasOwnProperty.call(obj, k)) fail(`key \`${k}\` is given twice`);
        Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail("expected `,` or `}`");
      }
    }
    if (c === "[") {
      i++;
      const items = [];
      ws();
      if (text[i] === "]") {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return items;
        }
        fail("expected `,` or `]`");
      }
    }
    if (c === '"') return string();
    if (text.startsWith("true", i)) return (i += 4), true;
    if (text.startsWith("false", i)) return (i += 5), false;
    if (text.startsWith("null", i)) return (i += 4), null;
    const num = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 4096));
    if (!num) fail("expected a value");
    i += num[0].length;
    const n = Number(num[0]);
    if (Number.isFinite(n) && normalForm(String(n)) === normalForm(num[0])) return n;
    return new JsonNumber(num[0]);
  };
  const string = () => {
    const start = ++i;
    let out = "";
    let from = start;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail("control character in a string");
      if (c === 0x5c) {
        out += text.slice(from, i);
        const e = text[i + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail("bad escape in a string");
        from = i;
        continue;
      }
      i++;
    }
    out += text.slice(from, i);
    i++;
    if (typeof out.isWellFormed === "function" && !out.isWellFormed()) fail("a lone surrogate in a string");
    return out;
  };
  const v = value(0);
  ws();
  if (i < text.length) fail("trailing characters");
  return v;
}

// ------------------------------------------------------------------ reading cases

/** "Did you mean" (dsl/src/check/suggest.rs `closest`): edit distance over characters. */
function closest(name, candidates) {
  const a = [...name];
  const limit = a.length <= 1 ? 0 : Math.max(Math.floor(a.length / 3), 1);
  let best = null;
  for (const c of candidates) {
    if (c === name) continue;
    const d = levenshtein(a, [...c]);
    if (d > limit) continue;
    if (best === null || d < best[0] || (d === best[0] && compareText(c, best[1]) < 0)) best = [d, c];
  }
  return best ? best[1] : null;
}

function levenshtein(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** User text quoted in a message, cut at 40 characters. */
function shorten(text) {
  const chars = [...text];
  return chars.length > 40 ? `${chars.slice(0, 40).join("")}…` : text;
}

function withSuggestion(head, name, names, what) {
  const c = closest(name, names);
  if (c !== null) return m(`${head.zh}；是不是想写 \`${c}\`？`, `${head.en}; did you mean \`${c}\`?`);
  const list = names.slice(0, 20).map((n) => `\`${n}\``);
  if (names.length > 20) list.push("…");
  if (list.length === 0) return head;
  return m(`${head.zh}（${what.zh}：${list.join("、")}）`, `${head.en} (${what.en}: ${list.join(", ")})`);
}

/** What a JS value is, for "found …" in messages (cases/de.rs `Found`). */
function found(v) {
  if (v === null) return m("null", "null");
  if (typeof v === "boolean") return m(`\`${v}\``, `\`${v}\``);
  if (typeof v === "bigint") return m(`数 \`${v}\``, `the number \`${v}\``);
  if (v instanceof JsonNumber) return m(`数 \`${v.text}\``, `the number \`${v.text}\``);
  if (typeof v === "number") return m(`数 \`${plainNumber(v)}\``, `the number \`${plainNumber(v)}\``);
  if (typeof v === "string") return m(`文本 \`"${shorten(v)}"\``, `text \`"${shorten(v)}"\``);
  if (Array.isArray(v)) return m("列表", "a list");
  return m("对象", "an object");
}

/** A problem with one value; `at` continues the field's path (`[2]`). */
class Bad {
  constructor(code, message, at = "") {
    this.code = code;
    this.message = message;
    this.at = at;
  }
}

class Levels {
  constructor() {
    this.levels = [];
  }
  add(path, input) {
    this.levels.push({ entries: new Map(), names: [], path, input });
    return this.levels.length - 1;
  }
  insert(level, name, entry) {
    const lv = this.levels[level];
    if (!lv.entries.has(name)) {
      lv.entries.set(name, entry);
      lv.names.push(name);
    }
  }
}

/** Reads case objects into slot values for one manifest (cases/mod.rs `CaseReader`). */
class CaseReader {
  constructor(mf, keys) {
    this.mf = mf;
    const single = mf.inputs.length === 1;
    const lv = new Levels();
    if (!single) lv.add("", null);
    mf.inputs.forEach((input, i) => {
      const at = lv.add(input.name, i);
      if (!single) lv.insert(0, input.name, { level: at });
      for (const s of input.fields) {
        const path = mf.slots[s].path;
        let cur = at;
        path.forEach((name, depth) => {
          if (depth + 1 === path.length) return lv.insert(cur, name, { slot: s });
          const e = lv.levels[cur].entries.get(name);
          if (e && e.level !== undefined) cur = e.level;
          else {
            const next = lv.add(`${lv.levels[cur].path}.${name}`, null);
            lv.insert(cur, name, { level: next });
            cur = next;
          }
        });
      }
    });
    this.levels = lv.levels;
    this.wrapper = single && !this.levels[0].entries.has(mf.inputs[0].name) ? mf.inputs[0].name : null;
    this.slotPaths = mf.slots.map((s) => [mf.inputs[s.input].name, ...s.path].join("."));
    this.required = mf.slots.map((s, i) => (kindOf(s.ty) === "Opt" ? -1 : i)).filter((i) => i >= 0);
    this.variants = mf.enums.map((e) => {
      const names = new Map();
      e.variants.forEach((v, i) => names.has(v.name) || names.set(v.name, i));
      return names;
    });
    // Per list: key → row. Text keys: the first row with the key (the reader's `Names`);
    // int keys: the last (a `HashMap` collected in row order).
    this.rows = mf.lists.map((l, i) => {
      const intKeyed = l.fields[l.key][1] === "Int";
      const index = new Map();
      keys[i].forEach((k, r) => {
        if (intKeyed && typeof k === "bigint") index.set(k.toString(), r);
        if (!intKeyed && typeof k === "string" && !index.has(k)) index.set(k, r);
      });
      return { intKeyed, index, keys: keys[i] };
    });
  }

  describe(ty) {
    const k = kindOf(ty);
    switch (k) {
      case "Bool": return m("真假值（true 或 false）", "true or false");
      case "Int": return m("整数", "an integer");
      case "Decimal": return m("小数", "a decimal number");
      case "Text": return m("文本", "text");
      case "Date": return m("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)");
      case "Enum": {
        const name = this.mf.enums[ty.Enum].name;
        return m(`\`${name}\` 的值`, `a value of \`${name}\``);
      }
      case "Row": {
        const name = this.mf.lists[ty.Row].name;
        return m(`\`${name}\` 中条目的键`, `the key of a row of \`${name}\``);
      }
      case "Set": {
        const inner = this.describe(ty.Set);
        return m(`列表（每项为${inner.zh}）`, `a list (each element ${inner.en})`);
      }
      default: {
        const inner = this.describe(ty.Opt);
        return m(`${inner.zh}或 null`, `${inner.en} or null`);
      }
    }
  }

  wrong(ty, v) {
    const e = this.describe(ty);
    const f = found(v);
    return new Bad("E0302", m(`应为${e.zh}，实际是${f.zh}`, `expected ${e.en}, found ${f.en}`));
  }

  unknownVariant(e, name) {
    const def = this.mf.enums[e];
    const head = m(`\`${def.name}\` 没有值 \`${shorten(name)}\``, `\`${def.name}\` has no variant \`${shorten(name)}\``);
    return withSuggestion(head, name, def.variants.map((v) => v.name), m("可选的值", "its variants"));
  }

  unknownKey(l, key) {
    const list = this.mf.lists[l];
    const head = m(
      `\`${list.name}\` 中没有键为 \`${shorten(key)}\` 的条目`,
      `\`${list.name}\` has no row with key \`${shorten(key)}\``,
    );
    const rows = this.rows[l];
    const keys = !rows.intKeyed && rows.index.size <= 1000 ? rows.keys.filter((k) => typeof k === "string") : [];
    const c = closest(key, keys);
    return c === null ? head : m(`${head.zh}；是不是想写 \`${c}\`？`, `${head.en}; did you mean \`${c}\`?`);
  }

  /** The slot values of one case, or a thrown QingdanError naming the field. */
  read(obj, lang) {
    const ctx = {
      values: new Array(this.mf.slots.length).fill(null),
      seen: new Uint8Array(this.mf.slots.length),
      inputs: new Uint8Array(this.mf.inputs.length),
      error: null,
      fields: 0,
      tooLarge: false,
    };
    this.level(ctx, 0, true, obj);
    let p = ctx.error || this.missing(ctx);
    if (p) throw new QingdanError(p.code, p.message.zh, p.message.en, p.path, lang);
    return ctx.values;
  }

  fail(ctx, code, message, path) {
    if (!ctx.error) ctx.error = { code, message, path };
  }

  count(ctx) {
    ctx.fields += 1;
    if (ctx.fields > MAX_FIELDS && !ctx.tooLarge) {
      ctx.tooLarge = true;
      ctx.error = {
        code: "E0307",
        message: m(`案例的字段超过 ${MAX_FIELDS} 个，其余部分未读`, `the case has more than ${MAX_FIELDS} fields; the rest was not read`),
        path: "",
      };
    }
  }

  level(ctx, level, root, obj) {
    const lv = this.levels[level];
    if (obj === null || typeof obj !== "object" || Array.isArray(obj) || obj instanceof JsonNumber) {
      if (obj === undefined) obj = null;
      const fields = lv.names.slice(0, 8).map((n) => `\`${n}\``);
      const more = lv.names.length > 8 ? "…" : "";
      const f = found(obj);
      const message = m(
        `应为对象（含字段 ${fields.join("、")}${more}），实际是${f.zh}`,
        `expected an object (with fields ${fields.join(", ")}${more}), found ${f.en}`,
      );
      this.fail(ctx, "E0302", message, lv.path);
      return;
    }
    if (lv.input !== null) ctx.inputs[lv.input] = 1;
    let first = true;
    let wrapped = false;
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (value === undefined) continue; // as if the key were not there (JSON has no undefined)
      if (ctx.tooLarge) return;
      if (ctx.error) {
        this.count(ctx);
        continue;
      }
      const wrapper = root && first ? this.wrapper : null;
      first = false;
      this.count(ctx);
      if (ctx.tooLarge) continue;
      const entry = wrapped ? undefined : lv.entries.get(key);
      if (entry && entry.slot !== undefined) {
        ctx.seen[entry.slot] = 1;
        const r = this.field(this.mf.slots[entry.slot].ty, value);
        if (r instanceof Bad) this.fail(ctx, r.code, r.message, `${this.slotPaths[entry.slot]}${r.at}`);
        else ctx.values[entry.slot] = r;
      } else if (entry) {
        this.level(ctx, entry.level, false, value);
      } else if (!wrapped && wrapper === key) {
        wrapped = true;
        this.level(ctx, level, false, value);
      } else {
        this.fail(ctx, "E0304", ...this.unknownField(level, key, wrapped));
      }
    }
  }

  unknownField(level, name, wrapped) {
    const lv = this.levels[level];
    const path = lv.path === "" ? name : `${lv.path}.${name}`;
    if (wrapped) {
      const input = this.wrapper;
      return [
        m(
          `案例已写在 \`${input}\` 之下，顶层不能再有 \`${shorten(name)}\``,
          `the case is nested under \`${input}\`, so \`${shorten(name)}\` cannot also be at the top`,
        ),
        path,
      ];
    }
    const head =
      lv.path === ""
        ? m(`没有名为 \`${shorten(name)}\` 的输入`, `there is no input \`${shorten(name)}\``)
        : m(`\`${lv.path}\` 没有字段 \`${shorten(name)}\``, `\`${lv.path}\` has no field \`${shorten(name)}\``);
    const what = lv.path === "" ? m("输入", "inputs") : m("字段", "fields");
    return [withSuggestion(head, name, lv.names, what), path];
  }

  missing(ctx) {
    for (let i = 0; i < this.mf.inputs.length; i++) {
      const input = this.mf.inputs[i];
      const required = input.fields.some((s) => kindOf(this.mf.slots[s].ty) !== "Opt");
      if (required && !ctx.inputs[i]) {
        return { code: "E0303", message: m(`缺少输入 \`${input.name}\``, `missing input \`${input.name}\``), path: input.name };
      }
    }
    const s = this.required.find((s) => !ctx.seen[s]);
    if (s === undefined) return null;
    const slot = this.mf.slots[s];
    const name = slot.path[slot.path.length - 1];
    const ty = this.describe(slot.ty);
    return {
      code: "E0303",
      message: m(`缺少字段 \`${name}\`（${ty.zh}）`, `missing field \`${name}\` (${ty.en})`),
      path: this.slotPaths[s],
    };
  }

  /** A field's value of `ty`: null means absent for an optional field, missing otherwise. */
  field(ty, v) {
    if (kindOf(ty) === "Opt") return this.value(strip(ty), v, "absent");
    return this.value(ty, v, "missing");
  }

  nullValue(ty, nullMode, v) {
    if (nullMode === "absent") return null;
    if (nullMode === "missing") {
      const d = this.describe(ty);
      return new Bad("E0303", m(`必填字段（${d.zh}）的值是 null`, `the field is required (${d.en}) but is null`));
    }
    return this.wrong(ty, v);
  }

  value(ty, v, nullMode) {
    if (kindOf(ty) === "Opt") return this.field(ty, v);
    if (v === null || v === undefined) return this.nullValue(ty, nullMode, null);
    switch (kindOf(ty)) {
      case "Bool":
        return typeof v === "boolean" ? v : this.wrong(ty, v);
      case "Int":
        return this.int(ty, v);
      case "Decimal":
        return this.decimal(v);
      case "Text":
        if (typeof v !== "string") return this.wrong(ty, v);
        if (typeof v.isWellFormed === "function" && !v.isWellFormed()) {
          return new Bad("E0301", m("文本含有孤立的代理码元，不是有效的 Unicode", "the text has a lone surrogate: it is not valid Unicode"));
        }
        return v;
      case "Date": {
        if (typeof v !== "string") return this.wrong(ty, v);
        const d = parseDate(v);
        if (d !== null) return d;
        return new Bad(
          "E0302",
          m(
            `\`${shorten(v)}\` 不是有效的日期（应写作 YYYY-MM-DD，如 2024-07-01）`,
            `\`${shorten(v)}\` is not a valid date (write YYYY-MM-DD, e.g. 2024-07-01)`,
          ),
        );
      }
      case "Enum": {
        if (typeof v !== "string") return this.wrong(ty, v);
        const i = this.variants[ty.Enum].get(v);
        return i === undefined ? new Bad("E0305", this.unknownVariant(ty.Enum, v)) : i;
      }
      case "Row":
        return this.row(ty, v);
      default:
        return this.set(ty, v);
    }
  }

  /** An integer from a JS number, a BigInt or an exact JSON number. */
  int(ty, v) {
    const outOfRange = (t) => new Bad("E0302", m(`整数 \`${t}\` 超出范围`, `the integer \`${t}\` is out of range`));
    const notInt = (t) => new Bad("E0302", m(`应为整数，实际是 \`${t}\``, `expected an integer, found \`${t}\``));
    let big;
    if (typeof v === "bigint") big = v;
    else if (v instanceof JsonNumber) {
      if (!/^-?[0-9]+$/.test(v.text)) {
        const f = Number(v.text);
        return Number.isInteger(f) && Math.abs(f) >= 9.2e18 ? outOfRange(plainNumber(f)) : notInt(plainNumber(f));
      }
      big = BigInt(v.text);
    } else if (typeof v === "number") {
      if (!Number.isInteger(v)) return Number.isFinite(v) ? notInt(plainNumber(v)) : this.wrong(ty, v);
      if (Math.abs(v) >= 9.2e18) return outOfRange(plainNumber(v));
      if (!Number.isSafeInteger(v)) {
        return new Bad(
          "E0302",
          m(
            `整数 \`${plainNumber(v)}\` 超出 JavaScript 数的精确范围：请写成 BigInt，或用 parseJson 读取`,
            `the integer \`${plainNumber(v)}\` is beyond what a JavaScript number holds exactly: pass a BigInt, or read the JSON with parseJson`,
          ),
        );
      }
      big = BigInt(v);
    } else return this.wrong(ty, v);
    if (big > I64_MAX || big <= ABSENT) return outOfRange(big);
    return big;
  }

  decimal(v) {
    let text;
    if (typeof v === "string") text = v;
    else if (v instanceof JsonNumber) text = v.text;
    else if (typeof v === "bigint") text = v.toString();
    else if (typeof v === "number" && Number.isFinite(v)) text = String(v);
    else {
      const f = found(v);
      return new Bad("E0302", m(`应为小数，实际是${f.zh}`, `expected a decimal number, found ${f.en}`));
    }
    const d = parseDecimal(text);
    if (typeof d === "bigint") return d;
    if (d === "too-precise") {
      return new Bad(
        "E0302",
        m(
          `\`${shorten(text)}\` 的小数点后超过 6 位：金额按原值精确计算，不会四舍五入`,
          `\`${shorten(text)}\` has more than 6 digits after the point; amounts are exact and never rounded`,
        ),
      );
    }
    if (d === "out-of-range") {
      return new Bad("E0302", m(`\`${shorten(text)}\` 超出小数的范围`, `\`${shorten(text)}\` is out of range for a decimal`));
    }
    const f = found(typeof v === "string" ? v : text);
    return new Bad("E0302", m(`应为小数，实际是${f.zh}`, `expected a decimal number, found ${f.en}`));
  }

  row(ty, v) {
    const l = ty.Row;
    const rows = this.rows[l];
    if (rows.intKeyed) {
      if (typeof v === "string" || typeof v === "boolean" || Array.isArray(v) || typeof v === "object" && !(v instanceof JsonNumber)) {
        return this.wrong(ty, v);
      }
      const integral = v instanceof JsonNumber ? /^-?[0-9]+$/.test(v.text) : typeof v !== "number" || Number.isInteger(v);
      if (!integral) return this.wrong(ty, v);
      const k = this.int("Int", v);
      if (k instanceof Bad) {
        // An integer beyond 64 bits: no row has it as its key.
        const text = v instanceof JsonNumber ? v.text : typeof v === "number" ? plainNumber(v) : String(v);
        return new Bad("E0306", this.unknownKey(l, text));
      }
      const r = rows.index.get(k.toString());
      return r === undefined ? new Bad("E0306", this.unknownKey(l, k.toString())) : r;
    }
    if (typeof v !== "string") return this.wrong(ty, v);
    const r = rows.index.get(v);
    return r === undefined ? new Bad("E0306", this.unknownKey(l, v)) : r;
  }

  set(ty, v) {
    if (!Array.isArray(v)) return this.wrong(ty, v);
    const inner = ty.Set;
    const items = [];
    let bad = null;
    let n = 0;
    for (const item of v) {
      if (!bad) {
        const r = this.value(inner, item === undefined ? null : item, "wrong");
        if (r instanceof Bad) {
          r.at = `[${n}]${r.at}`;
          bad = r;
        } else items.push(r);
      }
      n += 1;
      if (n > MAX_FIELDS && !bad) {
        bad = new Bad("E0307", m(`集合的元素超过 ${MAX_FIELDS} 个`, `the set has more than ${MAX_FIELDS} elements`));
      }
    }
    return bad || canonicalSet(items);
  }
}

// ------------------------------------------------------------------ words in memory

const pack = (ptr, len) => BigInt.asIntN(64, (BigInt(ptr) << 32n) | BigInt(len));
const ptrOf = (w) => Number(BigInt.asUintN(64, w) >> 32n);
const lenOf = (w) => Number(BigInt.asUintN(64, w) & 0xffffffffn);

function narrowAbsent(width) {
  return width === 1 ? -128n : width === 2 ? -32768n : width === 4 ? -2147483648n : ABSENT;
}

/** The texts and sets of one case, laid out as the Rust host lays them out. */
class Arena {
  constructor(start, size, lang) {
    this.start = start;
    this.size = size;
    this.lang = lang;
    this.chunks = [];
    this.len = 0;
  }

  put(data) {
    const pad = (8 - (this.len % 8)) % 8;
    if (pad) {
      this.chunks.push(new Uint8Array(pad));
      this.len += pad;
    }
    const at = this.len;
    if (at + data.length > this.size) {
      throw new QingdanError(
        "E0503",
        `案例中的文本和集合共需超过 ${this.size} 字节，超出模块的输入区`,
        `the case's texts and sets need more than the module's ${this.size}-byte input arena`,
        "",
        this.lang,
      );
    }
    this.chunks.push(data);
    this.len += data.length;
    return this.start + at;
  }

  word(v, ty) {
    if (v === null || v === undefined) return ABSENT;
    const t = strip(ty);
    switch (kindOf(t)) {
      case "Bool":
        return v ? 1n : 0n;
      case "Int":
      case "Decimal":
        return BigInt.asIntN(64, BigInt(v));
      case "Date":
      case "Enum":
      case "Row":
        return BigInt.asIntN(64, BigInt(v));
      case "Text": {
        const bytes = ENCODER.encode(v);
        return pack(this.put(bytes), bytes.length);
      }
      default: {
        const words = v.map((x) => this.word(x, t.Set));
        const bytes = new Uint8Array(8 * words.length);
        const dv = new DataView(bytes.buffer);
        words.forEach((w, i) => dv.setBigInt64(8 * i, w, true));
        return pack(this.put(bytes), words.length);
      }
    }
  }

  bytes() {
    const out = new Uint8Array(this.len);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder("utf-8", { fatal: true });

// ------------------------------------------------------------------ the policy

/**
 * A loaded module with one instance, reused for every case. Create with `loadPolicy`.
 *
 * High level: `evaluate(case, { decision, explain })`. Lower level, as the Rust host:
 * `readCase(case)` → slot values, `place(values)`, `decide(d)`, `check(c)`, `letValue(l)`.
 */
export class Policy {
  constructor(module, manifest, lang) {
    this.module = module;
    this.manifest = manifest;
    this.lang = lang;
    this.name = manifest.policy;
    this.hash = manifest.hash;
    this.instance = null;
    this.reader = null;
    this.keys = null;
    this.placed = null;
  }

  /** A fresh instance (a new memory); the case placed last is forgotten. */
  async reset() {
    let instance;
    try {
      instance = await WebAssembly.instantiate(this.module, {});
    } catch (e) {
      throw trapped(e, this.lang);
    }
    const ex = instance.exports;
    const abi = ex.abi_version instanceof WebAssembly.Global ? ex.abi_version.value : undefined;
    if (abi !== ABI_VERSION) throw foreignAbi(typeof abi === "number" ? abi : -1, this.lang);
    const missing = (name) => malformed(`export \`${name}\` is missing or has the wrong type`, this.lang);
    if (!(ex.memory instanceof WebAssembly.Memory)) throw missing("memory");
    const arity = { begin: 0, decide: 1, check: 1, read_let: 1 };
    for (const [name, n] of Object.entries(arity)) {
      if (typeof ex[name] !== "function" || ex[name].length !== n) throw missing(name);
    }
    this.instance = instance;
    this.exports = ex;
    this.placed = null;
    if (!this.keys) {
      this.keys = this.manifest.lists.map((l) => this.listKeys(l));
      this.reader = new CaseReader(this.manifest, this.keys);
    }
    return this;
  }

  // ---------------------------------------------------------------- memory access

  view() {
    return new DataView(this.exports.memory.buffer);
  }

  i32(at) {
    const v = this.view();
    if (at < 0 || at + 4 > v.byteLength) throw malformed("result out of memory", this.lang);
    return v.getInt32(at, true);
  }

  i64(at) {
    const v = this.view();
    if (at < 0 || at + 8 > v.byteLength) throw malformed("result out of memory", this.lang);
    return v.getBigInt64(at, true);
  }

  resultField(field) {
    return this.i32(this.manifest.layout.result + field);
  }

  call(name, ...args) {
    try {
      return this.exports[name](...args);
    } catch (e) {
      // A trap (WebAssembly.RuntimeError), or the engine's own stack limit (RangeError).
      throw trapped(e, this.lang);
    }
  }

  badWord(w, ty) {
    return malformed(`a result word 0x${BigInt.asUintN(64, w).toString(16)} does not fit type ${JSON.stringify(ty)}`, this.lang);
  }

  /** A word read from memory as a value of `ty` (words.rs `decode`). */
  decode(w, ty) {
    if (w === ABSENT) return null;
    switch (kindOf(ty)) {
      case "Opt":
        return this.decode(w, ty.Opt);
      case "Bool":
        return w === 1n;
      case "Int":
      case "Decimal":
        return w;
      case "Date":
        if (w < -2147483648n || w > 2147483647n) throw this.badWord(w, ty);
        return Number(w);
      case "Enum":
      case "Row":
        if (w < 0n || w > 0xffffffffn) throw this.badWord(w, ty);
        return Number(w);
      case "Text": {
        const mem = new Uint8Array(this.exports.memory.buffer);
        const p = ptrOf(w);
        const n = lenOf(w);
        if (p + n > mem.length) throw this.badWord(w, ty);
        try {
          return DECODER.decode(mem.subarray(p, p + n));
        } catch {
          throw this.badWord(w, ty);
        }
      }
      default: {
        const p = ptrOf(w);
        const n = lenOf(w);
        const v = this.view();
        if (p + 8 * n > v.byteLength) throw this.badWord(w, ty);
        const words = [];
        for (let i = 0; i < n; i++) words.push(v.getBigInt64(p + 8 * i, true));
        return words.map((x) => this.decode(x, ty.Set));
      }
    }
  }

  /**
   * The key of each row of a list, read from its key column; none (an empty array) when the
   * module does not keep the column. Bounded by the module's memory, whatever `rows` says.
   */
  listKeys(list) {
    const col = list.columns.find((c) => c.field === list.key);
    if (!col) return [];
    const v = this.view();
    if (col.at + list.rows * col.width > v.byteLength) throw malformed("a list column lies outside memory", this.lang);
    const keys = new Array(list.rows);
    for (let r = 0; r < list.rows; r++) {
      const at = col.at + r * col.width;
      let w;
      if (col.width === 8) w = v.getBigInt64(at, true);
      else {
        w = BigInt(col.width === 1 ? v.getInt8(at) : col.width === 2 ? v.getInt16(at, true) : v.getInt32(at, true));
        if (w === narrowAbsent(col.width)) w = ABSENT;
      }
      keys[r] = this.decode(w, list.fields[list.key][1]);
    }
    return keys;
  }

  // ---------------------------------------------------------------- showing values

  /** A value as the engine shows it (`Policy::show`): names, keys, exact numbers. */
  show(v, ty) {
    if (v === null || v === undefined) return "none";
    switch (kindOf(ty)) {
      case "Opt":
        return this.show(v, ty.Opt);
      case "Enum": {
        const variant = this.manifest.enums[ty.Enum].variants[v];
        return variant ? variant.name : `#${v}`;
      }
      case "Row": {
        if (v >= this.manifest.lists[ty.Row].rows) return `row#${v}`;
        const k = this.keys[ty.Row][v];
        return k === null || k === undefined ? "none" : String(k);
      }
      case "Set":
        return `[${v.map((x) => this.show(x, ty.Set)).join(", ")}]`;
      case "Bool":
        return v ? "true" : "false";
      case "Decimal":
        return formatDecimal(v);
      case "Date":
        return formatDate(v);
      default:
        return String(v);
    }
  }

  // ---------------------------------------------------------------- the calling sequence

  /** Reads a case object (shaped as a case file's `given`) into slot values. */
  readCase(obj) {
    return this.reader.read(obj, this.lang);
  }

  /** Writes slot values into memory and has the module accept them (`begin`). */
  place(values) {
    const mf = this.manifest;
    const L = mf.layout;
    this.placed = null;
    if (!Array.isArray(values) || values.length !== mf.slots.length) {
      const n = Array.isArray(values) ? values.length : 0;
      throw badInput(
        m(`案例有 ${n} 个字段，模块的输入有 ${mf.slots.length} 个`, `the case has ${n} fields, the module's input has ${mf.slots.length}`),
        this.lang,
      );
    }
    const arena = new Arena(L.arena, L.arena_size, this.lang);
    let words;
    try {
      words = values.map((v, s) => arena.word(v, mf.slots[s].ty));
    } catch (e) {
      if (e instanceof QingdanError) throw e;
      throw badInput(m(`输入值无法编码：${e.message}`, `a value cannot be encoded: ${e.message}`), this.lang);
    }
    const mem = new Uint8Array(this.exports.memory.buffer);
    const slots = new Uint8Array(8 * words.length);
    const dv = new DataView(slots.buffer);
    words.forEach((w, i) => dv.setBigInt64(8 * i, w, true));
    const bytes = arena.bytes();
    if (L.slots + slots.length > mem.length || L.arena + bytes.length > mem.length) {
      throw malformed("the input layout lies outside memory", this.lang);
    }
    mem.set(slots, L.slots);
    mem.set(bytes, L.arena);
    const s = this.call("begin");
    if (s === STATUS.OK) {
      this.placed = values;
      return;
    }
    if (s === STATUS.BAD_INPUT) {
      const path = this.slotPath(this.resultField(RESULT.BAD_SLOT));
      throw badInput(m(`字段 \`${path}\` 不符合模块的输入布局`, `field \`${path}\` does not fit the module's input layout`), this.lang);
    }
    throw malformed(`\`begin\` answered status ${s}`, this.lang);
  }

  slotPath(slot) {
    const s = this.manifest.slots[slot];
    if (!s) return `#${slot}`;
    return `${this.manifest.inputs[s.input].name}.${s.path.join(".")}`;
  }

  /** The evaluation error a status reports (null for OK); other statuses are host errors. */
  failure(status) {
    if (status === STATUS.OK) return null;
    if (status !== STATUS.FAILED) {
      const what =
        status === STATUS.BAD_INDEX ? "no such decision, check or let" : status === STATUS.NOT_READY ? "no case was placed" : "unknown status";
      throw malformed(`status ${status}: ${what}`, this.lang);
    }
    const kind = this.resultField(RESULT.ERROR_KIND);
    const site = this.resultField(RESULT.ERROR_SITE);
    const span = this.manifest.sites[site] || null;
    if (kind === ERROR_KIND.DIVISION_BY_ZERO) return { kind: "division_by_zero", site: span };
    if (kind === ERROR_KIND.OVERFLOW) return { kind: "overflow", site: span };
    if (kind === ERROR_KIND.NO_RULE_APPLIES) {
      // For this kind `error_site` is the decision's index, not a site.
      if (!this.manifest.decisions[site]) throw malformed(`no rule applies to decision #${site}`, this.lang);
      return { kind: "no_rule_applies", decision: site };
    }
    if (kind === ERROR_KIND.OUT_OF_MEMORY) throw new QingdanError("E0504", "模块内存不足", "the module ran out of memory", "", this.lang);
    throw malformed(`unknown error kind ${kind}`, this.lang);
  }

  /**
   * Decides decision `d` (an index) for the case placed last: `{ result }` with the raw
   * result (outcomes with variant, rule and field values; fired, overridden; conflicts;
   * by_default), or `{ error }`.
   */
  /** Calls an evaluating export on the placed case; refuses when the last `place` failed. */
  callPlaced(name, i) {
    if (this.placed === null) throw malformed("no case was placed", this.lang);
    return this.call(name, i);
  }

  decide(d) {
    const status = this.callPlaced("decide", d);
    const error = this.failure(status);
    if (error) return { error };
    const mf = this.manifest;
    const L = mf.layout;
    const decision = mf.decisions[d];
    if (!decision) throw malformed("no such decision", this.lang);
    const variants = mf.enums[decision.outcome_enum].variants;
    const count = (f) => Math.max(this.resultField(f), 0);
    const nOut = count(RESULT.N_OUTCOMES);
    const nFired = count(RESULT.N_FIRED);
    const nOver = count(RESULT.N_OVERRIDDEN);
    const nConf = count(RESULT.N_CONFLICTS);
    const outcomes = [];
    for (let i = 0; i < nOut; i++) {
      const at = L.outcomes + i * L.outcome_stride;
      const variant = this.i32(at);
      const rule = this.i32(at + 4);
      const def = variants[variant];
      if (!def) throw malformed("an outcome variant is out of range", this.lang);
      const fields = def.fields.map(([, ty], k) => this.decode(this.i64(at + 8 + 8 * k), ty));
      if (rule >= mf.rules.length) throw malformed("an outcome's rule is out of range", this.lang);
      outcomes.push({ variant, rule: rule >= 0 ? rule : null, fields });
    }
    const ids = (base, n) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const r = this.i32(base + 4 * i);
        if (r < 0 || r >= mf.rules.length) throw malformed("a rule id is out of range", this.lang);
        out.push(r);
      }
      return out;
    };
    const fired = ids(L.fired, nFired);
    const overridden = ids(L.overridden, nOver);
    const conflicts = [];
    let at = L.conflicts;
    for (let i = 0; i < nConf; i++) {
      const kind = this.i32(at);
      const base = this.i32(at + 4);
      const n = Math.max(this.i32(at + 8), 0);
      const rules = ids(at + 12, n);
      if (kind === CONFLICT.EXCEPTIONS) conflicts.push({ kind: "exceptions", base, rules });
      else if (kind === CONFLICT.UNIQUE) conflicts.push({ kind: "unique", rules });
      else throw malformed(`unknown conflict kind ${kind}`, this.lang);
      at += 12 + 4 * n;
    }
    const byDefault = this.resultField(RESULT.BY_DEFAULT) === 1;
    return { result: { decision: d, outcomes, fired, overridden, conflicts, by_default: byDefault } };
  }

  /** Check `c` for the case placed last: `{ hits }` (each an element value, or null for the case), or `{ error }`. */
  check(c) {
    const status = this.callPlaced("check", c);
    const error = this.failure(status);
    if (error) return { error };
    const over = this.manifest.checks[c] ? this.manifest.checks[c].over : null;
    const elem = over && kindOf(over) === "Set" ? over.Set : "Bool";
    const n = Math.max(this.resultField(RESULT.N_HITS), 0);
    const at = this.resultField(RESULT.HITS) >>> 0;
    const hits = [];
    for (let i = 0; i < n; i++) {
      const w = this.i64(at + 8 * i);
      hits.push(w === ABSENT ? null : this.decode(w, elem));
    }
    return { hits };
  }

  /** Let `l` for the case placed last: `{ value }` or `{ error }`. */
  letValue(l) {
    const status = this.callPlaced("read_let", l);
    const error = this.failure(status);
    if (error) return { error };
    const def = this.manifest.lets[l];
    if (!def) throw malformed("no such let", this.lang);
    return { value: this.decode(this.i64(this.manifest.layout.result + RESULT.VALUE), def.ty) };
  }

  // ---------------------------------------------------------------- telling results

  /** An evaluation error as `qingdan eval` reports it, in both languages. */
  tellError(e) {
    let zh;
    let en;
    if (e.kind === "division_by_zero") [zh, en] = ["除数为零", "division by zero"];
    else if (e.kind === "overflow") [zh, en] = ["数值超出范围", "number out of range"];
    else {
      const name = this.manifest.decisions[e.decision].name;
      zh = `决定 \`${name}\` 声明为完备，却没有规则适用`;
      en = `decision \`${name}\` is declared total but no rule applies`;
    }
    const out = { kind: e.kind, message: this.lang === "zh" ? zh : en, zh, en };
    if (e.kind === "no_rule_applies") out.decision = this.manifest.decisions[e.decision].name;
    else out.site = e.site;
    return out;
  }

  /**
   * A decision result told with names (eval/explain.rs `tell`): the same object as
   * `qingdan eval --format json --explain` prints for the decision. Without `explain`,
   * rule traces carry no values read and no citations. Returns `{ explanation }` or
   * `{ error }` (a let read for the explanation may fail).
   */
  /** A `[source, clause]` citation with its names and text, as explanations show it. */
  clause([s, c]) {
    const source = this.manifest.sources[s];
    return { source: source.name, clause: source.clauses[c][0], text: source.clauses[c][1] };
  }

  tell(result, explain, lets) {
    const mf = this.manifest;
    const decision = mf.decisions[result.decision];
    const variants = mf.enums[decision.outcome_enum].variants;
    const outcomes = result.outcomes.map((o) => {
      const variant = variants[o.variant];
      const reason = o.rule !== null ? (mf.rules[o.rule].reason ?? null) : (decision.default_reason ?? null);
      const shown = { outcome: variant.name };
      if (variant.fields.length > 0) {
        shown.values = variant.fields.map(([name, ty], i) => ({ name, value: this.show(o.fields[i], ty) }));
      }
      shown.reason = reason;
      shown.rule = o.rule !== null ? mf.rules[o.rule].name : null;
      // The default's clauses (a rule's are in its trace), as eval/explain.rs `tell`.
      if (o.rule === null && explain && (decision.default_cites ?? []).length > 0) {
        shown.cites = decision.default_cites.map((c) => this.clause(c));
      }
      return shown;
    });
    const trace = (r) => {
      const rule = mf.rules[r];
      const enumDef = mf.enums[mf.decisions[rule.decision].outcome_enum];
      const read = [];
      if (explain) {
        for (const x of rule.reads) {
          if ("Slot" in x) {
            const slot = mf.slots[x.Slot];
            const name = `${mf.inputs[slot.input].name}.${slot.path.join(".")}`;
            read.push({ name, value: this.show(this.placed[x.Slot], slot.ty) });
          } else {
            const def = mf.lets[x.Let];
            if (!lets.has(x.Let)) lets.set(x.Let, this.letValue(x.Let));
            const got = lets.get(x.Let);
            if (got.error) throw { evalError: got.error };
            read.push({ name: def.name, value: this.show(got.value, def.ty) });
          }
        }
      }
      const t = { rule: rule.name };
      if (rule.exception_to !== null && rule.exception_to !== undefined) t.exception_to = mf.rules[rule.exception_to].name;
      t.outcome = rule.outcome !== null && rule.outcome !== undefined ? enumDef.variants[rule.outcome].name : null;
      t.reason = rule.reason ?? null;
      t.read = read;
      t.cites = explain ? rule.cites.map((c) => this.clause(c)) : [];
      return t;
    };
    try {
      const fired = result.fired.map(trace);
      const overridden = result.overridden.map(trace);
      const conflicts = result.conflicts.map((c) => c.rules.map((r) => mf.rules[r].name));
      return {
        explanation: { decision: decision.name, outcomes, by_default: result.by_default, fired, overridden, conflicts },
      };
    } catch (e) {
      if (e && e.evalError) return { error: e.evalError };
      throw e;
    }
  }

  /**
   * Evaluates one case: every decision (or only `options.decision`, by name) and, when all
   * decisions are asked for, the checks that read the case. Returns
   * `{ decisions: { NAME: explanation }, violations: [{ check, reason, rows }] }`, or
   * `{ error: { kind, message, zh, en, site | decision } }` when evaluation fails — the
   * same content as one record of `qingdan eval --format json [--explain]`.
   * `options.explain` adds the values each rule read and the clauses it cites.
   */
  evaluate(caseObject, options = {}) {
    const values = this.readCase(caseObject);
    return this.evaluateValues(values, options);
  }

  /** As `evaluate`, for slot values already read (`readCase`). */
  evaluateValues(values, options = {}) {
    const mf = this.manifest;
    let decisions = mf.decisions.map((_, d) => d);
    // Checks that read the case: a broken `must` / `must not` is a violation, a `may` the
    // case uses is a permission (as src/eval_cmd.rs `checks_reading_the_case`).
    let checks = mf.checks.map((_, c) => c).filter((c) => mf.checks[c].reads_case);
    if (options.decision !== undefined && options.decision !== null) {
      const d = mf.decisions.findIndex((x) => x.name === options.decision);
      if (d < 0) {
        throw new RangeError(`no decision \`${options.decision}\` (decisions: ${mf.decisions.map((x) => x.name).join(", ")})`);
      }
      decisions = [d];
      checks = [];
    }
    this.place(values);
    const explain = Boolean(options.explain);
    const lets = new Map();
    const out = {};
    for (const d of decisions) {
      const got = this.decide(d);
      if (got.error) return { error: this.tellError(got.error) };
      const told = this.tell(got.result, explain, lets);
      if (told.error) return { error: this.tellError(told.error) };
      out[mf.decisions[d].name] = told.explanation;
    }
    const violations = [];
    const permissions = [];
    for (const c of checks) {
      const got = this.check(c);
      if (got.error) return { error: this.tellError(got.error) };
      if (got.hits.length === 0) continue;
      const check = mf.checks[c];
      const elem = check.over && kindOf(check.over) === "Set" ? check.over.Set : null;
      const rows = elem === null ? [] : got.hits.filter((h) => h !== null).map((h) => this.show(h, elem));
      const cites = check.cites.map((x) => {
        const { source, clause } = this.clause(x);
        return `${source}.${clause}`;
      });
      const hit = { check: check.name, reason: check.reason ?? null, cites, rows };
      (check.modality === "may" ? permissions : violations).push(hit);
    }
    return { decisions: out, violations, permissions };
  }
}

/** The short form `qingdan eval --format json` prints without `--explain`. */
export function brief(explanation) {
  const body = {
    outcomes: explanation.outcomes.map((o) => ({
      outcome: o.outcome,
      values: Object.fromEntries((o.values || []).map((v) => [v.name, v.value])),
      reason: o.reason,
      rule: o.rule,
    })),
    fired: explanation.fired.map((r) => r.rule),
    by_default: explanation.by_default,
  };
  if (explanation.conflicts.length > 0) body.conflicts = explanation.conflicts;
  return body;
}
