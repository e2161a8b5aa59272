//! The module's runtime: helper functions every compiled policy carries, written once
//! here as instruction sequences. Each mirrors one operation of the interpreter
//! (`eval/expr.rs`) exactly, including its treatment of absent values and its errors, so
//! that module and interpreter agree on every input.
//!
//! Words: every value is one i64 (see `docs/wasm-abi.md`); texts and sets are a pointer
//! in the high half and a byte length or element count in the low half.

use wasm_encoder::ValType;

use super::asm::{Body, Ins, ABSENT, I32, I64};
use super::layout::{cache, global, ErrorKind};
use crate::value::DECIMAL_SCALE;

/// Helper functions, in their order in the module's function index space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rt {
    /// `(kind, site)`: records an error (the first of a phase wins) and counts it.
    Fail,
    /// `(bytes) -> ptr`: bump allocation on the heap, growing memory as needed.
    Alloc,
    TextEq,
    /// `(a, b) -> -1 | 0 | 1` for present texts, bytewise.
    TextCmp,
    TextLen,
    TextContains,
    TextStarts,
    IntAdd,
    IntSub,
    IntMul,
    /// An int as a scaled decimal, or an overflow.
    Scale,
    DecAdd,
    DecSub,
    DecMul,
    Div,
    DateAdd,
    /// `(days) -> year × 16 + month`.
    Civil,
    SortWords,
    SortTexts,
    HasWord,
    HasText,
    EqWords,
    EqTexts,
    /// `(ptr, n) -> n'`: sorts rule ids and drops repeats.
    SortIds,
    /// `(set, site) -> set`: a set of ints as a new set of decimals (`Scale` on each).
    ScaleSet,
    /// `(a, b, texts) -> set`: the union of two sets, sorted without repeats.
    Union,
    /// `(text) -> (ptr, n)`: a text's character bigrams as words, unsorted.
    Bigrams,
    /// `(text) -> (ptr, n)`: a present text's bigrams, sorted and each once: a constant's
    /// from the header before its bytes, a case text's from the cache or computed now.
    Units,
    /// `(a, b) -> decimal`: the Dice coefficient of two texts' sets of bigrams.
    Similarity,
}

pub(super) const ALL: &[Rt] = &[
    Rt::Fail,
    Rt::Alloc,
    Rt::TextEq,
    Rt::TextCmp,
    Rt::TextLen,
    Rt::TextContains,
    Rt::TextStarts,
    Rt::IntAdd,
    Rt::IntSub,
    Rt::IntMul,
    Rt::Scale,
    Rt::DecAdd,
    Rt::DecSub,
    Rt::DecMul,
    Rt::Div,
    Rt::DateAdd,
    Rt::Civil,
    Rt::SortWords,
    Rt::SortTexts,
    Rt::HasWord,
    Rt::HasText,
    Rt::EqWords,
    Rt::EqTexts,
    Rt::SortIds,
    Rt::ScaleSet,
    Rt::Union,
    Rt::Bigrams,
    Rt::Units,
    Rt::Similarity,
];

impl Rt {
    pub(super) fn index(self) -> u32 {
        ALL.iter().position(|r| *r == self).unwrap_or(0) as u32
    }

    pub(super) fn signature(self) -> (&'static [ValType], &'static [ValType]) {
        match self {
            Rt::Fail => (&[I32, I32], &[]),
            Rt::Alloc => (&[I32], &[I32]),
            Rt::TextEq | Rt::TextCmp | Rt::HasWord | Rt::HasText | Rt::EqWords | Rt::EqTexts => {
                (&[I64, I64], &[I32])
            }
            Rt::TextLen | Rt::Civil => (&[I64], &[I64]),
            Rt::TextContains | Rt::TextStarts => (&[I64, I64], &[I64]),
            Rt::IntAdd | Rt::IntSub | Rt::IntMul | Rt::DecAdd | Rt::DecSub | Rt::DecMul | Rt::Div => {
                (&[I64, I64, I32], &[I64])
            }
            Rt::DateAdd => (&[I64, I64, I32], &[I64]),
            Rt::Scale | Rt::ScaleSet => (&[I64, I32], &[I64]),
            Rt::Union => (&[I64, I64, I32], &[I64]),
            Rt::Bigrams | Rt::Units => (&[I64], &[I64]),
            Rt::Similarity => (&[I64, I64], &[I64]),
            Rt::SortWords | Rt::SortTexts | Rt::SortIds => (&[I32, I32], &[I32]),
        }
    }

    pub(super) fn body(self) -> Body {
        let n = self.signature().0.len() as u32;
        let mut b = Body::new(n);
        match self {
            Rt::Fail => fail(&mut b),
            Rt::Alloc => alloc(&mut b),
            Rt::TextEq => text_eq(&mut b),
            Rt::TextCmp => text_cmp(&mut b),
            Rt::TextLen => text_len(&mut b),
            Rt::TextContains => text_find(&mut b, false),
            Rt::TextStarts => text_find(&mut b, true),
            Rt::IntAdd => checked(&mut b, Ins::I64Add),
            Rt::IntSub => checked(&mut b, Ins::I64Sub),
            Rt::IntMul => int_mul(&mut b),
            Rt::Scale => scale(&mut b),
            Rt::DecAdd => checked(&mut b, Ins::I64Add),
            Rt::DecSub => checked(&mut b, Ins::I64Sub),
            Rt::DecMul => dec_mul(&mut b),
            Rt::Div => div(&mut b),
            Rt::DateAdd => date_add(&mut b),
            Rt::Civil => civil(&mut b),
            Rt::SortWords => sort(&mut b, Order::Words),
            Rt::SortTexts => sort(&mut b, Order::Texts),
            Rt::SortIds => sort(&mut b, Order::Ids),
            Rt::HasWord => has(&mut b, false),
            Rt::HasText => has(&mut b, true),
            Rt::EqWords => set_eq(&mut b, false),
            Rt::EqTexts => set_eq(&mut b, true),
            Rt::ScaleSet => scale_set(&mut b),
            Rt::Union => union(&mut b),
            Rt::Bigrams => bigrams(&mut b),
            Rt::Units => units(&mut b),
            Rt::Similarity => similarity(&mut b),
        }
        b
    }
}

fn fail(b: &mut Body) {
    b.gbump(global::ERR_COUNT, 1);
    b.gget(global::ERR_KIND).op(Ins::I32Eqz).if_(None);
    b.get(0).gset(global::ERR_KIND).get(1).gset(global::ERR_SITE);
    b.end();
}

/// Returns 8-aligned memory for `bytes`; when memory cannot grow, records an
/// out-of-memory error and returns the sink, a scratch area large enough for any single
/// allocation the code generator makes, so callers never write out of bounds.
fn alloc(b: &mut Body) {
    let (p, end) = (b.local(I32), b.local(I32));
    b.gget(global::HEAP).set(p);
    b.get(p).get(0).i32(7).op(Ins::I32Add).i32(-8).op(Ins::I32And).op(Ins::I32Add).set(end);
    // Grow when `end` passes the memory's size (in pages of 64 KiB).
    b.get(end).op(Ins::MemorySize(0)).i32(16).op(Ins::I32Shl).op(Ins::I32GtU).if_(None);
    b.get(end).i32(65535).op(Ins::I32Add).i32(16).op(Ins::I32ShrU);
    b.op(Ins::MemorySize(0)).op(Ins::I32Sub).op(Ins::MemoryGrow(0)).i32(-1).op(Ins::I32Eq).if_(None);
    b.i32(ErrorKind::OutOfMemory as i32).i32(-1).call(Rt::Fail.index());
    b.gget(global::SINK).op(Ins::Return);
    b.end().end();
    b.get(end).gset(global::HEAP).get(p);
}

/// Byte-by-byte equality of two texts; absent equals only absent.
fn text_eq(b: &mut Body) {
    let (n, pa, pb, i) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
    b.get(0).get(1).op(Ins::I64Eq).if_(None).i32(1).op(Ins::Return).end();
    b.get(0).is_absent().get(1).is_absent().op(Ins::I32Or).if_(None).i32(0).op(Ins::Return).end();
    b.len_of(0).tee(n).len_of(1).op(Ins::I32Ne).if_(None).i32(0).op(Ins::Return).end();
    b.ptr_of(0).set(pa).ptr_of(1).set(pb);
    b.block().loop_();
    b.get(i).get(n).op(Ins::I32GeU).br_if(1);
    b.get(pa).get(i).op(Ins::I32Add).load8u(0).get(pb).get(i).op(Ins::I32Add).load8u(0).op(Ins::I32Ne);
    b.if_(None).i32(0).op(Ins::Return).end();
    b.bump(i, 1).br(0);
    b.end().end();
    b.i32(1);
}

/// Lexicographic order of two present texts' bytes, as `str` orders them.
fn text_cmp(b: &mut Body) {
    let (na, nb, pa, pb, i, x, y) =
        (b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32));
    b.len_of(0).set(na).len_of(1).set(nb).ptr_of(0).set(pa).ptr_of(1).set(pb);
    b.block().loop_();
    b.get(i).get(na).op(Ins::I32GeU).get(i).get(nb).op(Ins::I32GeU).op(Ins::I32Or).br_if(1);
    b.get(pa).get(i).op(Ins::I32Add).load8u(0).set(x);
    b.get(pb).get(i).op(Ins::I32Add).load8u(0).set(y);
    b.get(x).get(y).op(Ins::I32LtU).if_(None).i32(-1).op(Ins::Return).end();
    b.get(x).get(y).op(Ins::I32GtU).if_(None).i32(1).op(Ins::Return).end();
    b.bump(i, 1).br(0);
    b.end().end();
    // A prefix sorts first.
    b.get(na).get(nb).op(Ins::I32GtU).get(na).get(nb).op(Ins::I32LtU).op(Ins::I32Sub);
}

/// Characters (not bytes) of a text: bytes that do not continue a UTF-8 sequence.
fn text_len(b: &mut Body) {
    let (p, n, i, count) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
    b.get(0).is_absent().if_(None).i64(ABSENT).op(Ins::Return).end();
    b.ptr_of(0).set(p).len_of(0).set(n);
    b.block().loop_();
    b.get(i).get(n).op(Ins::I32GeU).br_if(1);
    b.get(p).get(i).op(Ins::I32Add).load8u(0).i32(0xC0).op(Ins::I32And).i32(0x80).op(Ins::I32Ne);
    b.get(count).op(Ins::I32Add).set(count);
    b.bump(i, 1).br(0);
    b.end().end();
    b.get(count).op(Ins::I64ExtendI32U);
}

/// `contains(text, part)` (any position) or `starts_with(text, part)` (position 0).
fn text_find(b: &mut Body, at_start: bool) {
    let (ph, nh, pn, nn, at, i, found) =
        (b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32));
    b.get(0).is_absent().get(1).is_absent().op(Ins::I32Or).if_(None).i64(ABSENT).op(Ins::Return).end();
    b.ptr_of(0).set(ph).len_of(0).set(nh).ptr_of(1).set(pn).len_of(1).set(nn);
    let head = b.local(I32);
    b.get(nn).i32(4).op(Ins::I32GeU).if_(None).get(pn).load32_unaligned(0).set(head).end();
    b.block().loop_();
    // Positions `at` with room for the part; only 0 for `starts_with`.
    b.get(at).get(nn).op(Ins::I32Add).get(nh).op(Ins::I32GtU).br_if(1);
    if at_start {
        b.get(at).i32(0).op(Ins::I32Ne).br_if(1);
    }
    // Most positions differ in their first four bytes (one load; a Chinese character is
    // three), or in their first byte for a shorter part: move on without the inner loop.
    b.get(nn).i32(4).op(Ins::I32GeU).if_(None);
    b.get(ph).get(at).op(Ins::I32Add).load32_unaligned(0).get(head).op(Ins::I32Ne);
    b.if_(None).bump(at, 1).br(2).end();
    b.else_();
    b.get(nn).if_(None);
    b.get(ph).get(at).op(Ins::I32Add).load8u(0).get(pn).load8u(0).op(Ins::I32Ne);
    b.if_(None).bump(at, 1).br(3).end();
    b.end();
    b.end();
    b.i32(1).set(found).i32(0).set(i);
    b.block().loop_();
    b.get(i).get(nn).op(Ins::I32GeU).br_if(1);
    b.get(ph).get(at).op(Ins::I32Add).get(i).op(Ins::I32Add).load8u(0);
    b.get(pn).get(i).op(Ins::I32Add).load8u(0).op(Ins::I32Ne);
    b.if_(None).i32(0).set(found).br(2).end();
    b.bump(i, 1).br(0);
    b.end().end();
    b.get(found).if_(None).i64(1).op(Ins::Return).end();
    b.bump(at, 1).br(0);
    b.end().end();
    b.i64(0);
}

/// `a OP b` on two words in range, or an overflow; absent operands give absent.
fn checked(b: &mut Body, op: Ins) {
    let r = b.local(I64);
    absent_in_absent_out(b);
    let is_add = matches!(op, Ins::I64Add);
    b.get(0).get(1).op(op).set(r);
    // Signed overflow: for a + b the result's sign differs from both operands'; for
    // a − b it differs from a's and equals b's.
    b.get(0).get(r).op(Ins::I64Xor);
    if is_add {
        b.get(1).get(r).op(Ins::I64Xor);
    } else {
        b.get(0).get(1).op(Ins::I64Xor);
    }
    b.op(Ins::I64And).i64(0).op(Ins::I64LtS);
    b.get(r).is_absent().op(Ins::I32Or);
    overflow_or(b, r);
}

fn int_mul(b: &mut Body) {
    let r = b.local(I64);
    absent_in_absent_out(b);
    b.get(0).get(1).op(Ins::I64Mul).set(r);
    // Overflow iff a ≠ 0 and r / a ≠ b (b is never i64::MIN here, so r / a cannot trap).
    b.get(0).i64(0).op(Ins::I64Ne).if_(Some(I32));
    b.get(r).get(0).op(Ins::I64DivS).get(1).op(Ins::I64Ne);
    b.else_().i32(0).end();
    b.get(r).is_absent().op(Ins::I32Or);
    overflow_or(b, r);
}

/// Returns absent when either of params 0 and 1 is absent.
fn absent_in_absent_out(b: &mut Body) {
    b.get(0).is_absent().get(1).is_absent().op(Ins::I32Or).if_(None).i64(ABSENT).op(Ins::Return).end();
}

/// With an i32 "overflowed" on the stack: fails with an overflow at the site in param 2,
/// else returns local `r`.
fn overflow_or(b: &mut Body, r: u32) {
    b.if_(None).i32(ErrorKind::Overflow as i32).get(2).call(Rt::Fail.index());
    b.i64(ABSENT).op(Ins::Return).end();
    b.get(r);
}

/// The largest int whose scaled value fits: ⌊(2^63 − 1) / 10^6⌋.
const SCALABLE: i64 = i64::MAX / DECIMAL_SCALE;

fn scale(b: &mut Body) {
    b.get(0).is_absent().if_(None).i64(ABSENT).op(Ins::Return).end();
    b.get(0).i64(SCALABLE).op(Ins::I64GtS).get(0).i64(-SCALABLE).op(Ins::I64LtS).op(Ins::I32Or);
    b.if_(None).i32(ErrorKind::Overflow as i32).get(1).call(Rt::Fail.index());
    b.i64(ABSENT).op(Ins::Return).end();
    b.get(0).i64(DECIMAL_SCALE).op(Ins::I64Mul);
}

/// A new set with every element of the set in param 0 scaled (the order is kept: scaling
/// is monotone). Absent stays absent; an element too large fails at the site in param 1.
fn scale_set(b: &mut Body) {
    let (p, n, q, i) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
    b.get(0).is_absent().if_(None).i64(ABSENT).op(Ins::Return).end();
    b.ptr_of(0).set(p).len_of(0).set(n);
    b.get(n).i32(3).op(Ins::I32Shl).call(Rt::Alloc.index()).set(q);
    // Out of memory: the error is recorded and the sink is too small to write into.
    b.get(q).gget(global::SINK).op(Ins::I32Eq).if_(None).i64(ABSENT).op(Ins::Return).end();
    b.i32(0).set(i);
    b.block().loop_();
    b.get(i).get(n).op(Ins::I32GeU).br_if(1);
    b.get(q).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add);
    b.get(p).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0);
    b.get(1).call(Rt::Scale.index()).store64(0);
    b.bump(i, 1).br(0);
    b.end().end();
    b.pack(q, n);
}

/// The union of the sets in params 0 and 1 (their elements texts when param 2 is set), as
/// the interpreter's `Value::set` makes it: both copied into a new array, sorted, repeats
/// dropped. Out of memory, the error is recorded and the first set returned.
fn union(b: &mut Body) {
    let (na, nb, q, i, n) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32));
    b.len_of(0).set(na).len_of(1).set(nb);
    b.get(na).get(nb).op(Ins::I32Add).i32(3).op(Ins::I32Shl).call(Rt::Alloc.index()).set(q);
    b.get(q).gget(global::SINK).op(Ins::I32Eq).if_(None).get(0).op(Ins::Return).end();
    for (set, count, first) in [(0, na, None), (1, nb, Some(na))] {
        b.i32(0).set(i);
        b.block().loop_();
        b.get(i).get(count).op(Ins::I32GeU).br_if(1);
        // q + 8 × (i [+ na]) ← element i of the set.
        b.get(i);
        if let Some(offset) = first {
            b.get(offset).op(Ins::I32Add);
        }
        b.i32(3).op(Ins::I32Shl).get(q).op(Ins::I32Add);
        b.ptr_of(set).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0);
        b.store64(0);
        b.bump(i, 1).br(0);
        b.end().end();
    }
    b.get(na).get(nb).op(Ins::I32Add).set(n);
    b.get(2).if_(Some(I32));
    b.get(q).get(n).call(Rt::SortTexts.index());
    b.else_();
    b.get(q).get(n).call(Rt::SortWords.index());
    b.end().set(n);
    b.pack(q, n);
}

/// The units of the text in param 0 (`eval/similarity.rs`): for each pair of adjacent
/// characters, `first << 32 | second`, a character being its UTF-8 bytes read as a
/// big-endian number; a one-character text gives `c << 32 | u32::MAX`. Packed as a set
/// word (pointer, count), not yet sorted; no units when out of memory (recorded).
fn bigrams(b: &mut Body) {
    let (p, n, q, i, count, len, k) =
        (b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32));
    let (c, prev) = (b.local(I64), b.local(I64));
    b.ptr_of(0).set(p).len_of(0).set(n);
    // At most one unit per byte.
    b.get(n).i32(3).op(Ins::I32Shl).call(Rt::Alloc.index()).set(q);
    b.get(q).gget(global::SINK).op(Ins::I32Eq).if_(None).i64(0).op(Ins::Return).end();
    b.i64(-1).set(prev);
    b.block().loop_();
    b.get(i).get(n).op(Ins::I32GeU).br_if(1);
    // The character's length from its first byte: 1, or 2, 3, 4 from 0xC0, 0xE0, 0xF0 on.
    b.get(p).get(i).op(Ins::I32Add).load8u(0).set(k);
    b.i32(1).set(len);
    for (from, bytes) in [(0xC0, 2), (0xE0, 3), (0xF0, 4)] {
        b.get(k).i32(from).op(Ins::I32GeU).if_(None).i32(bytes).set(len).end();
    }
    // Never past the end (the host writes well-formed UTF-8; this only bounds the loop).
    b.get(len).get(n).get(i).op(Ins::I32Sub).get(len).get(n).get(i).op(Ins::I32Sub).op(Ins::I32LeU);
    b.op(Ins::Select).set(len);
    b.i64(0).set(c).i32(0).set(k);
    b.block().loop_();
    b.get(k).get(len).op(Ins::I32GeU).br_if(1);
    b.get(c).i64(8).op(Ins::I64Shl);
    b.get(p).get(i).op(Ins::I32Add).get(k).op(Ins::I32Add).load8u(0).op(Ins::I64ExtendI32U);
    b.op(Ins::I64Or).set(c);
    b.bump(k, 1).br(0);
    b.end().end();
    b.get(prev).i64(-1).op(Ins::I64Ne).if_(None);
    b.get(count).i32(3).op(Ins::I32Shl).get(q).op(Ins::I32Add);
    b.get(prev).i64(32).op(Ins::I64Shl).get(c).op(Ins::I64Or).store64(0);
    b.bump(count, 1);
    b.end();
    b.get(c).set(prev);
    b.get(i).get(len).op(Ins::I32Add).set(i).br(0);
    b.end().end();
    b.get(count).op(Ins::I32Eqz).get(prev).i64(-1).op(Ins::I64Ne).op(Ins::I32And).if_(None);
    b.get(q).get(prev).i64(32).op(Ins::I64Shl).i64(0xFFFF_FFFF).op(Ins::I64Or).store64(0);
    b.i32(1).set(count);
    b.end();
    b.pack(q, count);
}

/// The units of the present text in param 0, sorted as `SortWords` sorts and each once.
/// A constant text that `similarity` may compare (below `UNITS_END`) carries them before
/// its bytes: their count as a word at `ptr − 8`, the units below it (`Statics::new`). A case text's are looked up in the
/// cache (`layout::cache`), else computed on the heap and kept in the next entry.
fn units(b: &mut Body) {
    const _: () = assert!(cache::WAYS.is_power_of_two(), "the next entry is counted modulo WAYS by a mask");
    let (p, n, w) = (b.local(I32), b.local(I32), b.local(I64));
    b.ptr_of(0).tee(p).gget(cache::UNITS_END).op(Ins::I32LtU).if_(None);
    b.get(p).i32(8).op(Ins::I32Sub).load32(0).set(n);
    b.get(p).i32(8).op(Ins::I32Sub).get(n).i32(3).op(Ins::I32Shl).op(Ins::I32Sub).set(p);
    b.pack(p, n).op(Ins::Return);
    b.end();
    for i in 0..cache::WAYS {
        b.get(0).gget(cache::key(i)).op(Ins::I64Eq).if_(None).gget(cache::units(i)).op(Ins::Return).end();
    }
    b.get(0).call(Rt::Bigrams.index()).set(w);
    b.ptr_of(w).set(p);
    b.get(p).len_of(w).call(Rt::SortWords.index()).set(n);
    b.pack(p, n).set(w);
    for i in 0..cache::WAYS {
        b.gget(cache::NEXT).i32(i as i32).op(Ins::I32Eq).if_(None);
        b.get(0).gset(cache::key(i)).get(w).gset(cache::units(i));
        b.end();
    }
    b.gget(cache::NEXT).i32(1).op(Ins::I32Add).i32(cache::WAYS as i32 - 1).op(Ins::I32And).gset(cache::NEXT);
    b.get(w);
}

/// `similarity(a, b)` as `eval/similarity.rs` defines it: 1 for equal texts; else
/// `2 × common / (|A| + |B|)` over the two sorted sets of bigrams, rounded down to a
/// decimal. Absent if either text is.
fn similarity(b: &mut Body) {
    let (x, y) = (b.local(I64), b.local(I64));
    let (pa, na, pb, nb, i, j, common) =
        (b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I32));
    b.get(0).is_absent().get(1).is_absent().op(Ins::I32Or).if_(None).i64(ABSENT).op(Ins::Return).end();
    b.get(0).get(1).call(Rt::TextEq.index()).if_(None).i64(DECIMAL_SCALE).op(Ins::Return).end();
    for (text, p, n) in [(0, pa, na), (1, pb, nb)] {
        b.get(text).call(Rt::Units.index()).set(x);
        b.ptr_of(x).set(p).len_of(x).set(n);
    }
    // Both sorted (signed, as `SortWords` orders): count the common units in one pass.
    b.block().loop_();
    b.get(i).get(na).op(Ins::I32GeU).get(j).get(nb).op(Ins::I32GeU).op(Ins::I32Or).br_if(1);
    b.get(pa).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0).set(x);
    b.get(pb).get(j).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0).set(y);
    b.get(x).get(y).op(Ins::I64Eq).if_(None);
    b.bump(common, 1).bump(i, 1).bump(j, 1);
    b.else_();
    b.get(x).get(y).op(Ins::I64LtS).if_(None).bump(i, 1).else_().bump(j, 1).end();
    b.end();
    b.br(0);
    b.end().end();
    // None when out of memory (recorded): the case fails anyway.
    b.get(na).get(nb).op(Ins::I32Add).op(Ins::I32Eqz).if_(None).i64(0).op(Ins::Return).end();
    b.get(common).op(Ins::I64ExtendI32U).i64(2 * DECIMAL_SCALE).op(Ins::I64Mul);
    b.get(na).get(nb).op(Ins::I32Add).op(Ins::I64ExtendI32U).op(Ins::I64DivU);
}

/// |x| of a word that is not i64::MIN.
fn abs(b: &mut Body, x: u32) {
    b.i64(0).get(x).op(Ins::I64Sub).get(x).get(x).i64(0).op(Ins::I64LtS).op(Ins::Select);
}

/// Multiplies the unsigned words in `x` and `y` into 128 bits `(hi, lo)`, by 32-bit limbs.
fn mul_wide(b: &mut Body, x: u32, y: u32, hi: u32, lo: u32) {
    let m = 0xFFFF_FFFFi64;
    let (x1, x0, y1, y0) = (b.local(I64), b.local(I64), b.local(I64), b.local(I64));
    let (p00, p01, p10, mid) = (b.local(I64), b.local(I64), b.local(I64), b.local(I64));
    b.get(x).i64(32).op(Ins::I64ShrU).set(x1).get(x).i64(m).op(Ins::I64And).set(x0);
    b.get(y).i64(32).op(Ins::I64ShrU).set(y1).get(y).i64(m).op(Ins::I64And).set(y0);
    b.get(x0).get(y0).op(Ins::I64Mul).set(p00);
    b.get(x0).get(y1).op(Ins::I64Mul).set(p01);
    b.get(x1).get(y0).op(Ins::I64Mul).set(p10);
    b.get(p00).i64(32).op(Ins::I64ShrU);
    b.get(p01).i64(m).op(Ins::I64And).op(Ins::I64Add);
    b.get(p10).i64(m).op(Ins::I64And).op(Ins::I64Add).set(mid);
    b.get(p00).i64(m).op(Ins::I64And).get(mid).i64(32).op(Ins::I64Shl).op(Ins::I64Or).set(lo);
    b.get(x1).get(y1).op(Ins::I64Mul);
    b.get(p01).i64(32).op(Ins::I64ShrU).op(Ins::I64Add);
    b.get(p10).i64(32).op(Ins::I64ShrU).op(Ins::I64Add);
    b.get(mid).i64(32).op(Ins::I64ShrU).op(Ins::I64Add).set(hi);
}

/// Divides the unsigned 128-bit `(hi, lo)` by the nonzero unsigned word `d` (< 2^63):
/// restoring division, one bit at a time, into `(qhi, qlo)` and remainder `r`.
#[allow(clippy::too_many_arguments)]
fn div_wide(b: &mut Body, hi: u32, lo: u32, d: u32, qhi: u32, qlo: u32, r: u32) {
    let i = b.local(I32);
    b.i64(0).set(r).i64(0).set(qhi).i64(0).set(qlo).i32(128).set(i);
    b.block().loop_();
    b.get(i).op(Ins::I32Eqz).br_if(1);
    b.bump(i, -1);
    // r = r << 1 | next bit of the dividend; the dividend shifts left as it is consumed.
    b.get(r).i64(1).op(Ins::I64Shl).get(hi).i64(63).op(Ins::I64ShrU).op(Ins::I64Or).set(r);
    b.get(hi).i64(1).op(Ins::I64Shl).get(lo).i64(63).op(Ins::I64ShrU).op(Ins::I64Or).set(hi);
    b.get(lo).i64(1).op(Ins::I64Shl).set(lo);
    b.get(qhi).i64(1).op(Ins::I64Shl).get(qlo).i64(63).op(Ins::I64ShrU).op(Ins::I64Or).set(qhi);
    b.get(qlo).i64(1).op(Ins::I64Shl).set(qlo);
    b.get(r).get(d).op(Ins::I64GeU).if_(None);
    b.get(r).get(d).op(Ins::I64Sub).set(r);
    b.get(qlo).i64(1).op(Ins::I64Or).set(qlo);
    b.end();
    b.br(0);
    b.end().end();
}

/// `(hi, lo) / d`: one 64-bit division when the dividend fits 64 bits (nearly always:
/// amounts below ~1.8 × 10^13 scaled), else the bit-by-bit long division.
#[allow(clippy::too_many_arguments)]
fn divide(b: &mut Body, hi: u32, lo: u32, d: u32, qhi: u32, qlo: u32, r: u32) {
    b.get(hi).op(Ins::I64Eqz).if_(None);
    b.i64(0).set(qhi);
    b.get(lo).get(d).op(Ins::I64DivU).set(qlo);
    b.get(lo).get(d).op(Ins::I64RemU).set(r);
    b.else_();
    div_wide(b, hi, lo, d, qhi, qlo, r);
    b.end();
}

/// Finishes a rounded quotient: rounds half away from zero (`2r ≥ d`), checks that it
/// fits, applies the sign in `neg`, and returns it; an overflow at the site in param 2.
fn round_signed(b: &mut Body, qhi: u32, qlo: u32, r: u32, d: u32, neg: u32) {
    b.get(r).get(d).get(r).op(Ins::I64Sub).op(Ins::I64GeU).if_(None);
    b.get(qlo).i64(1).op(Ins::I64Add).set(qlo);
    b.get(qlo).op(Ins::I64Eqz).if_(None).get(qhi).i64(1).op(Ins::I64Add).set(qhi).end();
    b.end();
    // In range: qhi = 0 and qlo ≤ 2^63 − 1.
    b.get(qhi).i64(0).op(Ins::I64Ne).get(qlo).i64(0).op(Ins::I64LtS).op(Ins::I32Or);
    b.if_(None).i32(ErrorKind::Overflow as i32).get(2).call(Rt::Fail.index());
    b.i64(ABSENT).op(Ins::Return).end();
    b.i64(0).get(qlo).op(Ins::I64Sub).get(qlo).get(neg).op(Ins::Select);
}

/// Scaled × scaled: the exact 128-bit product divided by 10^6, rounded half away from zero.
fn dec_mul(b: &mut Body) {
    let (x, y, hi, lo, d) = (b.local(I64), b.local(I64), b.local(I64), b.local(I64), b.local(I64));
    let (qhi, qlo, r, neg) = (b.local(I64), b.local(I64), b.local(I64), b.local(I32));
    absent_in_absent_out(b);
    b.get(0).i64(0).op(Ins::I64LtS).get(1).i64(0).op(Ins::I64LtS).op(Ins::I32Xor).set(neg);
    abs(b, 0);
    b.set(x);
    abs(b, 1);
    b.set(y);
    mul_wide(b, x, y, hi, lo);
    b.i64(DECIMAL_SCALE).set(d);
    divide(b, hi, lo, d, qhi, qlo, r);
    round_signed(b, qhi, qlo, r, d, neg);
}

/// Scaled ÷ scaled: (x × 10^6) / y rounded half away from zero; ÷0 is an error of its own.
fn div(b: &mut Body) {
    let (x, y, hi, lo) = (b.local(I64), b.local(I64), b.local(I64), b.local(I64));
    let (qhi, qlo, r, neg) = (b.local(I64), b.local(I64), b.local(I64), b.local(I32));
    let scale = b.local(I64);
    absent_in_absent_out(b);
    b.get(1).op(Ins::I64Eqz).if_(None);
    b.i32(ErrorKind::DivisionByZero as i32).get(2).call(Rt::Fail.index());
    b.i64(ABSENT).op(Ins::Return).end();
    b.get(0).i64(0).op(Ins::I64LtS).get(1).i64(0).op(Ins::I64LtS).op(Ins::I32Xor).set(neg);
    abs(b, 0);
    b.set(x);
    abs(b, 1);
    b.set(y);
    b.i64(DECIMAL_SCALE).set(scale);
    mul_wide(b, x, scale, hi, lo);
    divide(b, hi, lo, y, qhi, qlo, r);
    round_signed(b, qhi, qlo, r, y, neg);
}

/// The days of years 0..=9999: dates outside are out of range (they must print as
/// YYYY-MM-DD), as in the interpreter.
pub(super) const FIRST_DAY: i64 = -719_528;
pub(super) const LAST_DAY: i64 = 2_932_896;

fn date_add(b: &mut Body) {
    let r = b.local(I64);
    absent_in_absent_out(b);
    // |n| beyond the whole range is out of range however it is added.
    b.get(1).i64(LAST_DAY - FIRST_DAY).op(Ins::I64GtS);
    b.get(1).i64(FIRST_DAY - LAST_DAY).op(Ins::I64LtS).op(Ins::I32Or);
    b.get(0).get(1).op(Ins::I64Add).tee(r).i64(FIRST_DAY).op(Ins::I64LtS).op(Ins::I32Or);
    b.get(r).i64(LAST_DAY).op(Ins::I64GtS).op(Ins::I32Or);
    overflow_or(b, r);
}

/// Civil year and month of a day number (proleptic Gregorian), by Hinnant's algorithm:
/// `year × 16 + month`; absent stays absent.
fn civil(b: &mut Body) {
    let (z, era, doe, yoe, doy, mp, m, y) = (
        b.local(I64),
        b.local(I64),
        b.local(I64),
        b.local(I64),
        b.local(I64),
        b.local(I64),
        b.local(I64),
        b.local(I64),
    );
    let div = |b: &mut Body, n: i64| {
        b.i64(n).op(Ins::I64DivS);
    };
    b.get(0).is_absent().if_(None).i64(ABSENT).op(Ins::Return).end();
    b.get(0).i64(719_468).op(Ins::I64Add).set(z);
    b.get(z).get(z).i64(146_096).op(Ins::I64Sub).get(z).i64(0).op(Ins::I64GeS).op(Ins::Select);
    div(b, 146_097);
    b.set(era);
    b.get(z).get(era).i64(146_097).op(Ins::I64Mul).op(Ins::I64Sub).set(doe);
    b.get(doe).get(doe);
    div(b, 1460);
    b.op(Ins::I64Sub).get(doe);
    div(b, 36_524);
    b.op(Ins::I64Add).get(doe);
    div(b, 146_096);
    b.op(Ins::I64Sub);
    div(b, 365);
    b.set(yoe);
    b.get(doe).get(yoe).i64(365).op(Ins::I64Mul).get(yoe);
    div(b, 4);
    b.op(Ins::I64Add).get(yoe);
    div(b, 100);
    b.op(Ins::I64Sub).op(Ins::I64Sub).set(doy);
    b.get(doy).i64(5).op(Ins::I64Mul).i64(2).op(Ins::I64Add);
    div(b, 153);
    b.set(mp);
    b.get(mp).i64(3).op(Ins::I64Add).get(mp).i64(9).op(Ins::I64Sub).get(mp).i64(10).op(Ins::I64LtS);
    b.op(Ins::Select).set(m);
    b.get(yoe).get(era).i64(400).op(Ins::I64Mul).op(Ins::I64Add);
    b.get(m).i64(2).op(Ins::I64LeS).op(Ins::I64ExtendI32U).op(Ins::I64Add).set(y);
    b.get(y).i64(4).op(Ins::I64Shl).get(m).op(Ins::I64Or);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Signed words (absent, i64::MIN, first).
    Words,
    /// Texts by bytes, absent first.
    Texts,
    /// i32 rule ids.
    Ids,
}

/// Sorts `n` elements at `ptr`, then drops repeats: sets are sorted and
/// free of repeats, so that equal sets are equal word for word. Returns the new count.
fn sort(b: &mut Body, order: Order) {
    let (i, j, out) = (b.local(I32), b.local(I32), b.local(I32));
    let t = if order == Order::Ids { I32 } else { I64 };
    let (x, y) = (b.local(t), b.local(t));
    let w = if order == Order::Ids { 4 } else { 8 };
    let addr = |b: &mut Body, k: u32| {
        b.get(0).get(k).i32(w).op(Ins::I32Mul).op(Ins::I32Add);
    };
    let load = |b: &mut Body| {
        if order == Order::Ids {
            b.load32(0);
        } else {
            b.load64(0);
        }
    };
    let store = |b: &mut Body| {
        if order == Order::Ids {
            b.store32(0);
        } else {
            b.store64(0);
        }
    };
    // Shell sort with Knuth's gaps (1, 4, 13, 40, …): insertion sort h apart, h falling to
    // 1. Sorted input (what hosts write) costs one comparison per element; reversed input
    // of 10,000 elements a few hundred thousand, not fifty million.
    let h = b.local(I32);
    b.i32(1).set(h);
    b.block().loop_();
    b.get(h).get(1).i32(3).op(Ins::I32DivU).op(Ins::I32GeU).br_if(1);
    b.get(h).i32(3).op(Ins::I32Mul).i32(1).op(Ins::I32Add).set(h).br(0);
    b.end().end();
    b.block().loop_();
    b.get(h).op(Ins::I32Eqz).br_if(1);
    b.get(h).set(i);
    b.block().loop_();
    b.get(i).get(1).op(Ins::I32GeU).br_if(1);
    addr(b, i);
    load(b);
    b.set(x).get(i).set(j);
    // Shift larger elements h to the right until x's place is found.
    b.block().loop_();
    b.get(j).get(h).op(Ins::I32LtU).br_if(1);
    b.get(j).get(h).op(Ins::I32Sub);
    addr_of_stack(b, w);
    load(b);
    b.set(y);
    less(b, order, x, y);
    b.op(Ins::I32Eqz).br_if(1);
    addr(b, j);
    b.get(y);
    store(b);
    b.get(j).get(h).op(Ins::I32Sub).set(j).br(0);
    b.end().end();
    addr(b, j);
    b.get(x);
    store(b);
    b.bump(i, 1).br(0);
    b.end().end();
    b.get(h).i32(3).op(Ins::I32DivU).set(h).br(0);
    b.end().end();
    // Drop repeats in place.
    b.get(1).op(Ins::I32Eqz).if_(None).i32(0).op(Ins::Return).end();
    b.i32(1).set(out).i32(1).set(i);
    b.block().loop_();
    b.get(i).get(1).op(Ins::I32GeU).br_if(1);
    addr(b, i);
    load(b);
    b.set(x);
    addr(b, out);
    b.i32(w).op(Ins::I32Sub);
    load(b);
    b.set(y);
    equal(b, order, x, y);
    b.op(Ins::I32Eqz).if_(None);
    addr(b, out);
    b.get(x);
    store(b);
    b.bump(out, 1);
    b.end();
    b.bump(i, 1).br(0);
    b.end().end();
    b.get(out);
}

/// The address of element `k` (an i32 on the stack) of the array at param 0, `w` bytes each.
fn addr_of_stack(b: &mut Body, w: i32) {
    b.i32(w).op(Ins::I32Mul).get(0).op(Ins::I32Add);
}

/// Pushes `x < y` in the order.
fn less(b: &mut Body, order: Order, x: u32, y: u32) {
    match order {
        Order::Ids => {
            b.get(x).get(y).op(Ins::I32LtU);
        }
        Order::Words => {
            b.get(x).get(y).op(Ins::I64LtS);
        }
        Order::Texts => {
            // Absent first; then bytes.
            b.get(x).is_absent().if_(Some(I32));
            b.get(y).is_absent().op(Ins::I32Eqz);
            b.else_();
            b.get(y).is_absent().if_(Some(I32)).i32(0).else_();
            b.get(x).get(y).call(Rt::TextCmp.index()).i32(0).op(Ins::I32LtS);
            b.end().end();
        }
    }
}

fn equal(b: &mut Body, order: Order, x: u32, y: u32) {
    match order {
        Order::Ids => {
            b.get(x).get(y).op(Ins::I32Eq);
        }
        Order::Words => {
            b.get(x).get(y).op(Ins::I64Eq);
        }
        Order::Texts => {
            b.get(x).get(y).call(Rt::TextEq.index());
        }
    }
}

/// `(set, x)`: whether x is an element; an absent set has none.
fn has(b: &mut Body, texts: bool) {
    let (p, n, i, e) = (b.local(I32), b.local(I32), b.local(I32), b.local(I64));
    b.get(0).is_absent().if_(None).i32(0).op(Ins::Return).end();
    b.ptr_of(0).set(p).len_of(0).set(n);
    b.block().loop_();
    b.get(i).get(n).op(Ins::I32GeU).br_if(1);
    b.get(p).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0).set(e);
    if texts {
        b.get(e).get(1).call(Rt::TextEq.index());
    } else {
        b.get(e).get(1).op(Ins::I64Eq);
    }
    b.if_(None).i32(1).op(Ins::Return).end();
    b.bump(i, 1).br(0);
    b.end().end();
    b.i32(0);
}

/// Equality of two sets, element by element (both are sorted and free of repeats).
fn set_eq(b: &mut Body, texts: bool) {
    let (pa, pb, n, i, x, y) =
        (b.local(I32), b.local(I32), b.local(I32), b.local(I32), b.local(I64), b.local(I64));
    b.get(0).get(1).op(Ins::I64Eq).if_(None).i32(1).op(Ins::Return).end();
    b.get(0).is_absent().get(1).is_absent().op(Ins::I32Or).if_(None).i32(0).op(Ins::Return).end();
    b.len_of(0).tee(n).len_of(1).op(Ins::I32Ne).if_(None).i32(0).op(Ins::Return).end();
    b.ptr_of(0).set(pa).ptr_of(1).set(pb);
    b.block().loop_();
    b.get(i).get(n).op(Ins::I32GeU).br_if(1);
    b.get(pa).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0).set(x);
    b.get(pb).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0).set(y);
    if texts {
        b.get(x).get(y).call(Rt::TextEq.index()).op(Ins::I32Eqz);
    } else {
        b.get(x).get(y).op(Ins::I64Ne);
    }
    b.if_(None).i32(0).op(Ins::Return).end();
    b.bump(i, 1).br(0);
    b.end().end();
    b.i32(1);
}
