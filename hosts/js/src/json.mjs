// json.mjs — lossless JSON: `parseJson` reads numbers a float would not keep exactly as
// `JsonNumber` (their text), so that a case read from JSON keeps every digit.

import { QingdanError } from "./errors.mjs";

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
