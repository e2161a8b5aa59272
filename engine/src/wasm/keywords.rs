//! Keyword searches in the module, as the interpreter makes them (`eval/words.rs`): which
//! rows of a catalogue list a word that the case's text contains,
//! `任一(w 属于 r.识别词 满足 包含(X, w))`. A scan looks for every word of every row at every
//! position of the text, at each row a search visits: in the grid admission policy that
//! was a fifth of a decision.
//!
//! Here each searched column's words are laid out when the module is built, in buckets by
//! their first two bytes (one-byte words apart). One pass over the text looks, at each
//! position, only at the words of that position's bucket, and marks the rows of each word
//! found as a bit. The bits are kept for the text (a cache entry per column, emptied by
//! `begin` with the heap they live on), so the let, the rules and the checks that search
//! the same column in the same text make one pass between them.
//!
//! Exactness, as in `eval/words.rs`: the search is true for row `r` when some word of its
//! cell is found in `X` (every occurrence is looked at, overlapping ones too); the empty
//! word, which every text contains, marks its rows; an absent `X` marks none (`包含` of an
//! absent text has no value, which no search counts). `X` is evaluated once rather than
//! at each row, so the search is compiled this way only when `X` reads no variable and
//! cannot fail (`Fx::quant`).

use super::asm::{Body, Ins, I32, I64};
use super::layout::{cache, global};
use super::runtime::Rt;
use super::words::Statics;
use crate::ir::{visit, ExprKind, ListId, Policy, Rows};
use crate::value::Value;

/// Buckets of words of two bytes or more, by their first two; one more holds the
/// one-byte words, looked at on every position.
const BUCKETS: usize = 256;

fn bucket(first: u8, second: u8) -> usize {
    (usize::from(first) * 31 + usize::from(second)) % BUCKETS
}

/// One searched column, laid out in the module's static data.
pub(super) struct Table {
    pub list: ListId,
    pub field: u32,
    /// `BUCKETS + 2` words: where each bucket's entries start (the last is the end).
    starts: u32,
    /// Entries of two words: the word (a text word), and its rows (a set word of row
    /// indices, one per word of data).
    entries: u32,
    /// The rows listing the empty word, as the bits a search starts from.
    always: u32,
    /// Bytes of bits per search: one bit per row, in whole words.
    bytes: u32,
}

/// The columns the policy searches by keyword, each once: `(list, field)` of every
/// quantifier `任一(w 属于 r.列 满足 包含(X, w))`. Whether each one is compiled as a table
/// search is decided where it is compiled (`X` must read no variable and cannot fail);
/// a table no search uses is only dead data.
pub(super) fn searched_columns(policy: &Policy) -> Vec<(ListId, u32)> {
    let mut found = Vec::new();
    for e in policy.exprs() {
        visit::walk(e, &mut |x| {
            let ExprKind::Quant(q) = &x.kind else { return };
            let Some(ExprKind::Call(_, args)) = q.filter.as_ref().map(|f| &f.kind) else { return };
            let Some(ExprKind::Local(level)) = args.get(1).map(|w| &w.kind) else { return };
            if let Some((_, list, field, _)) = crate::eval::words::recognise(q, *level) {
                if !found.contains(&(list, field)) {
                    found.push((list, field));
                }
            }
        });
    }
    found
}

impl Table {
    /// Lays out the words of column `field` of `rows` in `statics`.
    pub(super) fn lay_out(statics: &mut Statics, list: ListId, field: u32, rows: &Rows) -> Table {
        // Each distinct word with the rows that list it, in row order, each row once.
        let mut words: Vec<(&str, Vec<i64>)> = Vec::new();
        let mut number: std::collections::HashMap<&str, usize> = Default::default();
        let mut always = vec![0i64; rows.len().div_ceil(64)];
        for (r, row) in rows.iter().enumerate() {
            let Some(Value::Set(cell)) = row.get(field as usize) else { continue };
            for word in cell.iter() {
                let Value::Text(word) = word else { continue };
                if word.is_empty() {
                    always[r / 64] |= 1 << (r % 64);
                    continue;
                }
                let at = *number.entry(word).or_insert_with(|| {
                    words.push((word, Vec::new()));
                    words.len() - 1
                });
                if words[at].1.last() != Some(&(r as i64)) {
                    words[at].1.push(r as i64);
                }
            }
        }
        let bucket_of = |w: &str| match w.as_bytes() {
            [first, second, ..] => bucket(*first, *second),
            _ => BUCKETS,
        };
        words.sort_by_key(|(w, _)| bucket_of(w));
        let mut entries = Vec::with_capacity(2 * words.len());
        for (word, rows) in &words {
            let rows = super::words::pack(statics.words(rows), rows.len() as u32);
            entries.extend([statics.text(word), rows]);
        }
        let starts: Vec<i64> = (0..=BUCKETS + 1)
            .map(|b| words.iter().filter(|(w, _)| bucket_of(w) < b).count() as i64)
            .collect();
        Table {
            list,
            field,
            starts: statics.words(&starts),
            entries: statics.words(&entries),
            always: statics.words(&always),
            bytes: 8 * always.len() as u32,
        }
    }

    /// The bits a search of this table needs from the sink when memory runs out.
    pub(super) fn sink_words(&self) -> u32 {
        self.bytes / 8
    }

    /// `(text) -> bits`: the address of the rows found in the text, one bit per row;
    /// remembered in cache entry `t` for the rest of the case.
    pub(super) fn body(&self, t: u32) -> Body {
        let mut b = Body::new(1);
        let (bits, ph, n, at) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
        let (e, end) = (b.local(I32), b.local(I32));
        b.get(0).gget(cache::keywords(t)).op(Ins::I64Eq).if_(None);
        b.gget(cache::keyword_bits(t)).op(Ins::I32WrapI64).op(Ins::Return);
        b.end();
        b.i32(self.bytes as i32).call(Rt::Alloc.index()).set(bits);
        // Out of memory (recorded: the case fails): the sink, left as it is.
        b.get(bits).gget(global::SINK).op(Ins::I32Eq).if_(None).get(bits).op(Ins::Return).end();
        b.get(bits)
            .i32(self.always as i32)
            .i32(self.bytes as i32)
            .op(Ins::MemoryCopy { src_mem: 0, dst_mem: 0 });
        b.get(0).is_absent().if_(None).get(bits).i32(0).i32(self.bytes as i32).op(Ins::MemoryFill(0)).end();
        b.get(0).is_absent().op(Ins::I32Eqz).if_(None);
        b.ptr_of(0).set(ph).len_of(0).set(n);
        b.block().loop_();
        b.get(at).get(n).op(Ins::I32GeU).br_if(1);
        // This position's bucket, if two bytes are left; then the one-byte words.
        b.get(at).i32(1).op(Ins::I32Add).get(n).op(Ins::I32LtU).if_(None);
        b.get(ph).get(at).op(Ins::I32Add).load8u(0).i32(31).op(Ins::I32Mul);
        b.get(ph).get(at).op(Ins::I32Add).load8u(1).op(Ins::I32Add).i32(BUCKETS as i32).op(Ins::I32RemU);
        b.set(e);
        self.visit_bucket(&mut b, (e, end), (bits, ph, n, at));
        b.end();
        b.i32(BUCKETS as i32).set(e);
        self.visit_bucket(&mut b, (e, end), (bits, ph, n, at));
        b.bump(at, 1).br(0);
        b.end().end();
        b.end();
        b.get(0).gset(cache::keywords(t));
        b.get(bits).op(Ins::I64ExtendI32U).gset(cache::keyword_bits(t));
        b.get(bits);
        b
    }

    /// Marks the rows of each word of bucket `e` found at position `at`.
    fn visit_bucket(&self, b: &mut Body, (e, end): (u32, u32), (bits, ph, n, at): (u32, u32, u32, u32)) {
        let (word, rows, j, r) = (b.local(I64), b.local(I64), b.local(I32), b.local(I32));
        b.get(e)
            .i32(1)
            .op(Ins::I32Add)
            .i32(3)
            .op(Ins::I32Shl)
            .load64(self.starts)
            .op(Ins::I32WrapI64)
            .set(end);
        b.get(e).i32(3).op(Ins::I32Shl).load64(self.starts).op(Ins::I32WrapI64).set(e);
        b.block().loop_();
        b.get(e).get(end).op(Ins::I32GeU).br_if(1);
        b.get(e).i32(4).op(Ins::I32Shl).load64(self.entries).set(word);
        // Room for the word here, and its bytes here.
        b.len_of(word).get(n).get(at).op(Ins::I32Sub).op(Ins::I32LeU).if_(None);
        b.get(ph).get(at).op(Ins::I32Add).op(Ins::I64ExtendI32U).i64(32).op(Ins::I64Shl);
        b.len_of(word).op(Ins::I64ExtendI32U).op(Ins::I64Or).get(word).call(Rt::TextEq.index());
        b.if_(None);
        b.get(e).i32(4).op(Ins::I32Shl).load64(self.entries + 8).set(rows);
        b.i32(0).set(j);
        b.block().loop_();
        b.get(j).len_of(rows).op(Ins::I32GeU).br_if(1);
        b.ptr_of(rows).get(j).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0).op(Ins::I32WrapI64).set(r);
        b.get(bits).get(r).i32(3).op(Ins::I32ShrU).op(Ins::I32Add);
        b.get(bits).get(r).i32(3).op(Ins::I32ShrU).op(Ins::I32Add).load8u(0);
        b.i32(1).get(r).i32(7).op(Ins::I32And).op(Ins::I32Shl).op(Ins::I32Or).store8(0);
        b.bump(j, 1).br(0);
        b.end().end();
        b.end();
        b.end();
        b.bump(e, 1).br(0);
        b.end().end();
    }
}

/// Pushes whether row `row` (a word in a local, absent for no row) is set in the bits
/// at the i32 address on the stack, as a bool word.
pub(super) fn has_row(b: &mut Body, row: u32) {
    let bits = b.local(I32);
    b.set(bits);
    b.get(row).is_absent().if_(Some(I64)).i64(0).else_();
    b.get(bits).get(row).i64(3).op(Ins::I64ShrU).op(Ins::I32WrapI64).op(Ins::I32Add).load8u(0);
    b.get(row).op(Ins::I32WrapI64).i32(7).op(Ins::I32And).op(Ins::I32ShrU).i32(1).op(Ins::I32And);
    b.op(Ins::I64ExtendI32U);
    b.end();
}
