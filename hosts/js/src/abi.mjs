// abi.mjs — the numbers of the module ABI this host speaks (docs/wasm-abi.md): its version,
// the manifest's section, the memory cap, the result record's fields and the codes a module
// answers with, and the word that means absent.

/** The module ABI this host speaks (engine/src/wasm/layout.rs `ABI_VERSION`). */
export const ABI_VERSION = 2;
/** The most memory a module may declare, in 64 KiB pages (layout.rs `MAX_PAGES`). */
export const MAX_PAGES = 1024;
/** The custom section that carries the manifest (wasm/mod.rs `MANIFEST_SECTION`). */
export const MANIFEST_SECTION = "qingdan";

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

export const ABSENT = -(2n ** 63n); // i64::MIN: absent, in every type
