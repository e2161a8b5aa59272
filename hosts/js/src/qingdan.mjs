// qingdan.mjs — the JavaScript host for policies compiled by `qingdan build`.
//
// ES modules with no dependencies and no build step; they run in browsers and in Node ≥ 20.
// This file is the entry point: everything a host needs is imported from here, and the
// modules beside it are its stages, each importing only those above it in this list (and
// load.mjs also seal.mjs, which checks a module's seal):
//   abi.mjs         the ABI's numbers: version, result record, statuses, the absent word
//   errors.mjs      QingdanError and the host's messages, in both languages
//   values.mjs      types, the engine's order, decimals and dates to and from text
//   json.mjs        parseJson and JsonNumber (numbers kept exactly)
//   casereader.mjs  a case object read into slot values, with the engine's errors
//   words.mjs       values as words in memory; the input arena
//   manifest.mjs    the manifest's shape checked
//   instance.mjs    one instance: place, decide, check, read_let, results read back
//   versions.mjs    the version of a let on a case's day, a dated row's days, their labels
//   resultmodel.mjs a case as a line of the result model (docs/result.schema.json)
//   policy.mjs      Policy: results told with names (evaluate, tell, decideJson), and brief
//   load.mjs        loadPolicy: bytes, seal (seal.mjs), manifest, ABI, imports, memory cap
//
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
//   policy.decideJson(case, { n, name, decision, explain }) → the case as one line of the result
//       model (docs/result.schema.json): byte for byte `qingdan eval --format json`'s line;
//       bad input and evaluation errors are the line's `error` object, not thrown.
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

export { ABI_VERSION, MAX_PAGES, MANIFEST_SECTION, RESULT, STATUS, ERROR_KIND, CONFLICT } from "./abi.mjs";
export { MAX_FIELDS } from "./casereader.mjs";
export { QingdanError } from "./errors.mjs";
export { loadPolicy } from "./load.mjs";
export { formatDecimal, formatDate, parseDate, parseDecimal } from "./values.mjs";
export { JsonNumber, parseJson } from "./json.mjs";
export { Policy, brief } from "./policy.mjs";
export { MODEL_VERSION } from "./resultmodel.mjs";
