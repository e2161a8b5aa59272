// Types of the `qingdan` package: the API of src/index.mjs and src/runner.mjs.

/** A typed result value: bool → boolean; int → number (bigint beyond ±2^53); decimal → its
 * exact text ("12.5"); date → "YYYY-MM-DD"; text → string; enum → variant name; row → its key;
 * absent → null; set → array; record → object. */
export type Value = null | boolean | number | bigint | string | Value[] | { [field: string]: Value };

/** A case: each input by name, shaped as a case file's `given` (records as objects, sets as
 * arrays, decimals as numbers or exact strings, dates as "YYYY-MM-DD", enum variants and row
 * keys by name). */
export type Case = { [input: string]: unknown };

/** The codes of `QingdanError`: the engine's (E0301–E0307 a case that does not fit, E0501
 * malformed or altered module, E0502 foreign ABI, E0503 texts and sets past the input arena,
 * E0504 the module trapped, ran out of memory or past the time limit, E0505 values that do not
 * fit its layout, E0507 not signed by a trusted key), evaluation failures, and a decision
 * name the policy does not have. */
export type ErrorCode =
  | "E0301" | "E0302" | "E0303" | "E0304" | "E0305" | "E0306" | "E0307"
  | "E0501" | "E0502" | "E0503" | "E0504" | "E0505" | "E0507"
  | "E0601" | "E0602" | "E0603" | "E0902";

/** Every error the package throws. */
export class QingdanError extends Error {
  readonly name: "QingdanError";
  /** Stable: the engine's code (E0601–E0603 evaluation failures, E0902 an unknown decision). */
  readonly code: ErrorCode;
  /** The code's name, e.g. "case-wrong-type". */
  readonly slug: string;
  /** The case's field the error is about (`申请.标签[2]`), "" when none. */
  readonly path: string;
  readonly zh: string;
  readonly en: string;
  readonly lang: "zh" | "en";
  /** For E0601–E0603, the failure by name. */
  kind?: "division_by_zero" | "overflow" | "no_rule_applies";
  /** For E0603 (`no_rule_applies`): the decision. */
  decision?: string;
  /** For E0601 and E0602: [file, start, end] in the policy's source. */
  site?: [string, number, number] | null;
}

export interface Outcome {
  outcome: string;
  /** The outcome's fields, typed. */
  values: { [field: string]: Value };
  reason: string | null;
  /** The rule that gave it; null for the decision's default. */
  rule: string | null;
}

export interface DecisionResult {
  /** The first outcome's name (null when there is none). */
  outcome: string | null;
  outcomes: Outcome[];
  /** Rules that fired, in order. */
  fired: string[];
  /** Rules overridden by an exception. */
  overridden: string[];
  by_default: boolean;
  /** Groups of rules in conflict. */
  conflicts: string[][];
}

export interface CheckHit {
  check: string;
  reason: string | null;
  /** "source.clause" citations. */
  cites: string[];
  /** The rows (keys, or typed elements) that break the check, or use a `may`. */
  rows: Value[];
}

export interface CheckResult {
  violations: CheckHit[];
  permissions: CheckHit[];
}

export interface LoadOptions {
  /** The language of messages; default: the policy's own. */
  lang?: "zh" | "en";
  /** Public keys (32 bytes, 64 hex digits, or a `.pub` file's text): only a module signed by one loads. */
  trust?: string | Uint8Array | Array<string | Uint8Array>;
}

/** The module's manifest (docs/wasm-abi.md §10). */
export interface Manifest {
  abi: number;
  policy: string;
  lang: "zh" | "en";
  hash: string;
  inputs: { name: string; fields: number[] }[];
  decisions: { name: string; outcome_enum: number; [more: string]: unknown }[];
  checks: { name: string; [more: string]: unknown }[];
  [more: string]: unknown;
}

export type Bytes = ArrayBuffer | Uint8Array;

export class QingdanPolicy {
  readonly manifest: Manifest;
  readonly name: string;
  readonly hash: string;
  readonly lang: "zh" | "en";
  /** The decisions' names, in the policy's order. */
  readonly decisions: string[];
  /** The checks' names. */
  readonly checks: string[];
  /** Every decision of the case by name. */
  decide(c: Case): { [decision: string]: DecisionResult };
  /** One decision of the case. */
  decide(c: Case, decision: string): DecisionResult;
  /** The checks that read the case. */
  check(c: Case): CheckResult;
}

/** Loads a module built by `qingdan build`. */
export function load(bytes: Bytes, options?: LoadOptions): Promise<QingdanPolicy>;

export interface RunnerOptions extends LoadOptions {
  /** Milliseconds a call may take before its worker is stopped (default 1000). */
  timeoutMs?: number;
  /** Milliseconds starting the worker and loading the module may take (default 30000). */
  loadTimeoutMs?: number;
}

/** A policy in a worker (Node's worker_threads, a browser's module Worker), each call time-limited. */
export class Runner {
  readonly manifest: Manifest;
  decide(c: Case): Promise<{ [decision: string]: DecisionResult }>;
  decide(c: Case, decision: string): Promise<DecisionResult>;
  check(c: Case): Promise<CheckResult>;
  close(): Promise<void>;
}

/** Starts a worker with the module loaded; a call past `timeoutMs` rejects with E0504. */
export function startRunner(bytes: Bytes, options?: RunnerOptions): Promise<Runner>;

/** A JSON number kept as its text (from `parseJson`), so that decimals stay exact. */
export class JsonNumber {
  readonly text: string;
  constructor(text: string);
  /** The number as the engine's JSON reader (serde_json) has it: an integer of 64 bits, or its f64 (null beyond range). */
  readonly serde: { int: bigint; float?: undefined } | { float: number | null; int?: undefined };
}

/** Like JSON.parse, but numbers a JS number would not tell exactly (long decimals, integers beyond 2^53, `3.0`, `-0`, `1e2`) come back as JsonNumber. */
export function parseJson(text: string): unknown;
