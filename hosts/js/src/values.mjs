// values.mjs — values as the engine keeps them: types (`strip`, `kindOf`), the engine's order
// of texts and sets, and its exact conversions of decimals and dates to and from text.

import { ABSENT } from "./abi.mjs";

export const I64_MAX = 2n ** 63n - 1n;
const I128_MAX = 2n ** 127n - 1n;
const FIRST_DAY = -719528; // 0000-01-01
const LAST_DAY = 2932896; // 9999-12-31

// Values inside this host, by their type (known from the manifest):
//   absent: null · bool: boolean · int, decimal: BigInt (a decimal scaled by 10^6)
//   date: number of days since 1970-01-01 · enum, row: number (variant, row index)
//   text: string · set: array of element values, sorted as the engine sorts and without repeats

export const strip = (ty) => (ty && typeof ty === "object" && "Opt" in ty ? strip(ty.Opt) : ty);
export const kindOf = (ty) => (typeof ty === "string" ? ty : Object.keys(ty)[0]);

/** Code point order, which is UTF-8 byte order: how the engine orders texts. */
export function compareText(a, b) {
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
export function canonicalSet(items) {
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
export function plainNumber(n) {
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
