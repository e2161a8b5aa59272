//! The module ABI (docs/wasm-abi.md): where things live in a compiled module's memory and globals. The host learns the
//! addresses from the manifest; `docs/wasm-abi.md` documents them.

use serde::{Deserialize, Serialize};

/// The custom section holding a module's manifest (JSON).
pub const MANIFEST_SECTION: &str = "qingdan";

/// Bumped whenever the layout, the result record, the exports or what a host must check
/// change meaning. 2: modules end with a `qingdan.integrity` seal that hosts require.
pub const ABI_VERSION: u32 = 2;

/// Bytes of the input arena, where a host writes the texts and sets of one case.
pub const ARENA_BYTES: u32 = 256 * 1024;

/// The most memory a module may grow to, in 64 KiB pages (64 MiB).
pub const MAX_PAGES: u64 = 1024;

/// Mutable and constant globals, by index.
pub mod global {
    pub const HEAP: u32 = 0;
    pub const ERR_KIND: u32 = 1;
    pub const ERR_SITE: u32 = 2;
    pub const ERR_COUNT: u32 = 3;
    pub const N_SPEAK: u32 = 4;
    pub const N_FIRED: u32 = 5;
    pub const N_OVER: u32 = 6;
    /// Words written to the conflicts area, and conflicts recorded.
    pub const CONF_WORDS: u32 = 7;
    pub const N_CONF: u32 = 8;
    /// Set by `begin`, so that `decide` refuses to run on an unchecked case.
    pub const READY: u32 = 9;
    /// Constants fixed when the module is assembled.
    pub const HEAP_BASE: u32 = 10;
    pub const SINK: u32 = 11;
    pub const ABI: u32 = 12;
    pub const MUTABLE: u32 = 10;
}

/// Why a call did not give a result (`status` in the result record).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[repr(i32)]
pub enum Status {
    Ok = 0,
    /// Evaluation failed; `error_kind` and `error_site` say how and where.
    Failed = 1,
    /// No such decision, check or let.
    BadIndex = 2,
    /// The case in memory does not fit the input layout; `bad_slot` names the field.
    BadInput = 3,
    /// `decide` or `check` before `begin` accepted a case.
    NotReady = 4,
}

/// The kinds of evaluation failure (`decided::Failure`), as the module reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorKind {
    DivisionByZero = 1,
    Overflow = 2,
    NoRuleApplies = 3,
    OutOfMemory = 4,
}

/// Conflict kinds in the conflicts area.
pub const CONFLICT_EXCEPTIONS: i32 = 0;
pub const CONFLICT_UNIQUE: i32 = 1;

/// Offsets of the fields of the result record, from `Layout::result`.
pub mod result {
    pub const STATUS: u32 = 0;
    pub const ERROR_KIND: u32 = 4;
    pub const ERROR_SITE: u32 = 8;
    pub const BY_DEFAULT: u32 = 12;
    pub const N_OUTCOMES: u32 = 16;
    pub const N_FIRED: u32 = 20;
    pub const N_OVERRIDDEN: u32 = 24;
    pub const N_CONFLICTS: u32 = 28;
    pub const N_HITS: u32 = 32;
    pub const HITS: u32 = 36;
    /// An i64: the value `read_let` computed.
    pub const VALUE: u32 = 40;
    pub const BAD_SLOT: u32 = 48;
    pub const SIZE: u32 = 56;
}

/// Addresses in memory, all multiples of 8.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    pub result: u32,
    /// One 8-byte word per input slot.
    pub slots: u32,
    pub let_values: u32,
    /// One i32 per let: 1 once computed for this case.
    pub let_flags: u32,
    pub speakers: u32,
    /// Two outcome records, for comparing what exceptions say.
    pub scratch: u32,
    pub outcomes: u32,
    /// Bytes per outcome record: variant (i32), rule (i32, −1 for the default), then one
    /// word per field of the widest variant.
    pub outcome_stride: u32,
    pub fired: u32,
    pub overridden: u32,
    pub conflicts: u32,
    /// Per rule, the rank of its outcome in its decision's `priority` order (an i32).
    pub ranks: u32,
    /// Where constant data starts: list tables, texts, constant sets.
    pub statics: u32,
    /// The input arena, `arena_size` bytes, for the case's texts and sets.
    pub arena: u32,
    pub arena_size: u32,
    /// The heap starts here; it is reset by `begin`.
    pub heap: u32,
    /// Memory pages at instantiation.
    pub pages: u32,
}
