// typed.mjs — a raw value read back from a module (instance.mjs `decode`) as the typed result
// model every host gives: bool → boolean, int → number (a bigint beyond ±2^53), decimal → its
// exact text, date → "YYYY-MM-DD", text → string, enum → variant name, absent → null,
// set → array, row → its key as text.

import { kindOf, formatDecimal, formatDate } from "./values.mjs";

/** `v` (a raw value of type `ty`) as a typed result value of `policy` (an `Instance`). */
export function typedValue(policy, v, ty) {
  if (v === null || v === undefined) return null;
  switch (kindOf(ty)) {
    case "Opt":
      return typedValue(policy, v, ty.Opt);
    case "Bool":
      return v;
    case "Int":
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    case "Decimal":
      return formatDecimal(v);
    case "Date":
      return formatDate(v);
    case "Enum":
      return policy.manifest.enums[ty.Enum].variants[v].name;
    case "Row": {
      const key = policy.keys[ty.Row][v];
      return key === null || key === undefined ? null : String(key);
    }
    case "Set":
      return v.map((x) => typedValue(policy, x, ty.Set));
    default:
      return v;
  }
}
