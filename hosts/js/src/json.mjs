// json.mjs — lossless JSON: `parseJson` reads numbers a float would not keep exactly as
// `JsonNumber` (their text), so that a case read from JSON keeps every digit.

import { QingdanError } from "./errors.mjs";
import { parseDecimal, plainNumber } from "./values.mjs";

/**
 * A JSON number whose text a JS number would not tell exactly (a long decimal, an integer
 * beyond 2^53) or would tell otherwise than the engine reads it (`3.0`, `-0`, `1e2`, which
 * `serde_json` reads as floats, not integers): `parseJson` gives these, and the case reader
 * reads their text as the engine reads the same text.
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
  /**
   * The number as `serde_json` (the engine's JSON reader) has it: `{ int }` (a BigInt) for an
   * integer of 64 bits written without point or exponent (not `-0`), else `{ float }`, the f64
   * it reads (`null` beyond an f64's range, which it refuses).
   */
  get serde() {
    return serdeNumber(this.text);
  }
}

const U64_MAX = (1n << 64n) - 1n;
const I32_MAX = 2147483647;
const POW10 = Array.from({ length: 309 }, (_, k) => Number(`1e${k}`));

/** Would `a * 10 + d` pass `max` (serde_json's `overflow!`)? */
const overflows = (a, d, max) => a * 10n + d > max;

/**
 * A JSON number's text as `serde_json` reads it, without `float_roundtrip` (as the workspace
 * builds it): an integer that fits 64 bits is exact; any other number is its first 19–20
 * significant digits as a u64, then one multiplication or division by a power of ten (de.rs
 * `parse_integer` … `f64_from_parts`), so not always the nearest float. A port step by step.
 */
export function serdeNumber(text) {
  let i = 0;
  const positive = text[0] !== "-";
  if (!positive) i++;
  const digit = () => (i < text.length && text[i] >= "0" && text[i] <= "9" ? BigInt(text.charCodeAt(i) - 48) : null);
  const fromParts = (sig, exponent) => {
    let f = Number(sig);
    for (;;) {
      const at = Math.abs(exponent);
      if (at < POW10.length) {
        if (exponent >= 0) {
          f *= POW10[at];
          if (!Number.isFinite(f)) return { float: null };
        } else f /= POW10[at];
        break;
      }
      if (f === 0) break;
      if (exponent >= 0) return { float: null };
      f /= 1e308;
      exponent += 308;
    }
    return { float: positive ? f : -f };
  };
  const exponentPart = (sig, start) => {
    i++;
    let positiveExp = true;
    if (text[i] === "+" || text[i] === "-") positiveExp = text[i++] === "+";
    let exp = Number(digit());
    i++;
    for (let d = digit(); d !== null; d = digit()) {
      if (overflows(BigInt(exp), d, BigInt(I32_MAX))) {
        if (sig !== 0n && positiveExp) return { float: null };
        return { float: positive ? 0 : -0 };
      }
      exp = exp * 10 + Number(d);
      i++;
    }
    const saturate = (n) => Math.max(Math.min(n, I32_MAX), -I32_MAX - 1);
    return fromParts(sig, saturate(positiveExp ? start + exp : start - exp));
  };
  const rest = (sig, exponent) => (text[i] === "e" || text[i] === "E" ? exponentPart(sig, exponent) : fromParts(sig, exponent));
  const decimal = (sig, before) => {
    i++;
    let after = 0;
    for (let d = digit(); d !== null; d = digit()) {
      if (overflows(sig, d, U64_MAX)) {
        while (digit() !== null) i++; // parse_decimal_overflow: the rest is dropped
        return rest(sig, before + after);
      }
      sig = sig * 10n + d;
      after -= 1;
      i++;
    }
    return rest(sig, before + after);
  };
  const longInteger = (sig) => {
    let exponent = 0;
    while (digit() !== null) {
      i++;
      exponent += 1;
    }
    return text[i] === "." ? decimal(sig, exponent) : rest(sig, exponent);
  };
  let sig = digit();
  i++;
  if (sig !== 0n) {
    for (let d = digit(); d !== null; d = digit()) {
      if (overflows(sig, d, U64_MAX)) return longInteger(sig);
      sig = sig * 10n + d;
      i++;
    }
  }
  if (text[i] === ".") return decimal(sig, 0);
  if (text[i] === "e" || text[i] === "E") return exponentPart(sig, 0);
  if (positive) return { int: sig };
  // `-0` and integers below i64's least are floats (parse_number).
  return sig === 0n || sig > 1n << 63n ? { float: -Number(sig) } : { int: -sig };
}

/** An f64 as Rust's `{}` prints it: no exponent, the shortest digits, `-0` for minus zero. */
export function rustFloat(f) {
  return Object.is(f, -0) ? "-0" : plainNumber(f);
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
 * A JSON number's text as a JS number when that number tells all the engine reads of it:
 * an integer written as one (not `-0`) within 2^53, or a fraction of the same value whose
 * float is the one `serde_json` reads and whose text no decimal field would refuse (the
 * refusal quotes the text: `1.00000010`). Anything else (`3.0`, `-0`, `1e2`, long digits)
 * is kept as a JsonNumber.
 */
function number(text) {
  const n = Number(text);
  if (!Number.isFinite(n) || normalForm(String(n)) !== normalForm(text)) return new JsonNumber(text);
  if (/^-?[0-9]+$/.test(text)) return text !== "-0" && Number.isSafeInteger(n) ? n : new JsonNumber(text);
  const exact = !Number.isInteger(n) && serdeNumber(text).float === n && typeof parseDecimal(text) === "bigint";
  return exact ? n : new JsonNumber(text);
}

/**
 * Parses JSON like `JSON.parse`, except that a number a JS number cannot tell exactly comes
 * back as a `JsonNumber` (an integer beyond 2^53 as a BigInt-readable text, a decimal with
 * more digits than a float keeps, `3.0`, `-0`, `1e2`: see `number`). Malformed text throws a
 * QingdanError E0301.
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
    return number(num[0]);
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
