//! Where things live in a compiled module's memory and globals. The host learns the
//! addresses from the manifest; `docs/wasm-abi.md` documents them.

use crate::ir::Policy;

pub use qingdan_runtime::abi::{
    global, result, ErrorKind, Layout, Status, ABI_VERSION, ARENA_BYTES, MAX_PAGES,
};

fn align8(n: u32) -> u32 {
    (n + 7) & !7
}

/// The fixed areas, up to where constant data starts; `lists`, `arena`, `heap` and
/// `pages` are set by [`finish`] once the constants are known.
pub(super) fn plan(policy: &Policy) -> Layout {
    let rules = policy.rules.len() as u32;
    let widest = policy.enums.iter().flat_map(|e| &e.variants).map(|v| v.fields.len()).max().unwrap_or(0);
    let outcome_stride = 8 + 8 * widest as u32;
    let mut at = 64;
    let mut take = |bytes: u32| {
        let start = at;
        at = align8(at + bytes);
        start
    };
    let result = take(result::SIZE);
    let slots = take(8 * policy.slots.len() as u32);
    let let_values = take(8 * policy.lets.len() as u32);
    let let_flags = take(4 * policy.lets.len() as u32);
    let speakers = take(4 * rules);
    let scratch = take(2 * outcome_stride);
    let outcomes = take(outcome_stride * (rules + 1));
    // Fired: speakers and cancelling exceptions, before repeats are dropped.
    let fired = take(4 * (2 * rules + 1));
    let overridden = take(4 * rules);
    let conflicts = take(4 * (rules + 1) * (rules + 3));
    let ranks = take(4 * rules);
    Layout {
        result,
        slots,
        let_values,
        let_flags,
        speakers,
        scratch,
        outcomes,
        outcome_stride,
        fired,
        overridden,
        conflicts,
        ranks,
        statics: at,
        arena: 0,
        arena_size: ARENA_BYTES,
        heap: 0,
        pages: 0,
    }
}

/// Places the arena and the heap after `statics_len` bytes of constant data and a
/// sink of `sink_len` bytes (see `runtime::alloc`).
pub(super) fn finish(layout: &mut Layout, statics_len: u32, sink_len: u32) -> u32 {
    let sink = align8(layout.statics + statics_len);
    layout.arena = align8(sink + sink_len);
    layout.heap = layout.arena + layout.arena_size;
    // One spare page of heap to start with; it grows on demand.
    layout.pages = layout.heap.div_ceil(65536) + 1;
    sink
}

/// The module's own globals, after the ones the ABI names: a small cache of the
/// `similarity` units of the case's texts (`runtime::units`). A search compares one case
/// text with every row of a list, and a data item with every item of every row, so each
/// text is split into units once per case, not once per comparison. `begin` empties it,
/// as it empties the heap the units live in.
pub(super) mod cache {
    use super::global;

    /// Entries: the case texts a search compares at once (a task's few data items).
    pub const WAYS: u32 = 4;
    /// `i64`: the text word of entry `i`, absent when the entry is empty.
    pub const fn key(i: u32) -> u32 {
        global::ABI + 1 + 2 * i
    }
    /// `i64`: the units of entry `i`'s text, as a set word.
    pub const fn units(i: u32) -> u32 {
        key(i) + 1
    }
    /// `i32`: the entry the next miss replaces.
    pub const NEXT: u32 = global::ABI + 1 + 2 * WAYS;
    /// `i32`, immutable: where the constant texts laid out with their units end
    /// (`Statics::new`); a text below it has them.
    pub const UNITS_END: u32 = NEXT + 1;

    /// `i64`: the text keyword table `t` last searched (`keywords.rs`), or [`NO_TEXT`].
    pub const fn keywords(t: u32) -> u32 {
        UNITS_END + 1 + 2 * t
    }
    /// `i64`: the address of the rows found in that text.
    pub const fn keyword_bits(t: u32) -> u32 {
        keywords(t) + 1
    }
    /// No text's word (its address would be 0, in the fixed areas): an empty entry.
    /// Not absent, which a search may be given.
    pub const NO_TEXT: i64 = 0;
}
