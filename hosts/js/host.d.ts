// Types of `qingdan/host` (src/qingdan.mjs): the lower-level host, which tells results as
// `qingdan eval --format json --explain` does (values shown as text) and gives the raw
// calling sequence of docs/wasm-abi.md.

import type { Bytes, LoadOptions, Manifest } from "./index.js";
export { QingdanError, JsonNumber, parseJson } from "./index.js";

export const ABI_VERSION: number;
export const MAX_PAGES: number;
export const MANIFEST_SECTION: string;
export const MAX_FIELDS: number;

/** An evaluation failure as `evaluate` returns it. */
export interface EvaluationError {
  kind: "division_by_zero" | "overflow" | "no_rule_applies";
  message: string;
  zh: string;
  en: string;
  site?: [string, number, number] | null;
  decision?: string;
}

export interface Explanation {
  decision: string;
  // With explain, a value naming a row of a list with dated rows has `in_force`, its days as the policy says them.
  outcomes: { outcome: string; values?: { name: string; value: string; in_force?: string }[]; reason: string | null; rule: string | null }[];
  by_default: boolean;
  fired: unknown[];
  overridden: unknown[];
  conflicts: string[][];
}

export type Evaluation =
  | { decisions: { [name: string]: Explanation }; violations: unknown[]; permissions: unknown[] }
  | { error: EvaluationError };

export class Policy {
  readonly manifest: Manifest;
  readonly name: string;
  readonly hash: string;
  readonly lang: "zh" | "en";
  evaluate(c: { [input: string]: unknown }, options?: { decision?: string; explain?: boolean }): Evaluation;
  readCase(c: { [input: string]: unknown }): unknown[];
  place(values: unknown[]): void;
  decide(d: number): { result: unknown } | { error: unknown };
  check(c: number): { hits: unknown[] } | { error: unknown };
  letValue(l: number): { value: unknown } | { error: unknown };
  reset(): Promise<this>;
}

export function loadPolicy(bytes: Bytes, options?: LoadOptions): Promise<Policy>;
export function brief(explanation: Explanation): unknown;
export function parseDecimal(text: string): bigint;
export function formatDecimal(v: bigint): string;
export function parseDate(text: string): number;
export function formatDate(days: number): string;
