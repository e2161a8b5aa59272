// versions.mjs — which version of a let applied on a case's day, and the days of a dated row
// (engine/src/ir/mod.rs `Let::version_on`, `Policy::row_days`, `version_label`), from the
// manifest (`lets[].versions`, `rules[].version`, `decision_date`, `lists[].dates`) and the
// module's list data. The result model gives the days (`{from, until}`), explanations the label.

import { kindOf, formatDate } from "./values.mjs";

/** The case's decision date (days since the epoch), or null for a policy without one. */
export function decisionDay(mf, values) {
  const s = mf.decision_date;
  if (s === null || s === undefined) return null;
  const day = values?.[s];
  return typeof day === "number" ? day : null;
}

/**
 * The version of a let in force on `day` (days since the epoch, or null): the only one when the
 * module was made at a fixed day, else the one whose days hold it.
 */
export function versionOn(versions, day) {
  if (!versions || versions.length === 0) return null;
  if (versions.length === 1) return versions[0];
  if (day === null || day === undefined) return null;
  const iso = formatDate(day);
  // ISO dates compare as text.
  return versions.find((v) => (v.from == null || v.from <= iso) && (v.until == null || iso <= v.until)) ?? null;
}

/** For a row of a list with dated rows, its days `{from, until}` (null: open); null otherwise. */
export function rowDays(host, v, ty) {
  if (v === null || v === undefined) return null;
  if (kindOf(ty) === "Opt") ty = ty.Opt;
  if (kindOf(ty) !== "Row") return null;
  const cells = host.rowDates()[ty.Row]?.[v];
  if (!cells) return null;
  const [from, until] = cells.map((d) => (typeof d === "number" ? formatDate(d) : null));
  return from === null && until === null ? null : { from, until };
}

/** The days as the policy says them: `自 2025-01-01 起至 2025-12-31 止`, `from 2025-01-01 until …`. */
export function versionLabel(v, lang) {
  const zh = lang === "zh";
  const parts = [];
  if (v.from != null) parts.push(zh ? `自 ${v.from} 起` : `from ${v.from}`);
  if (v.until != null) parts.push(zh ? `至 ${v.until} 止` : `until ${v.until}`);
  return parts.join(zh ? "" : " ");
}
