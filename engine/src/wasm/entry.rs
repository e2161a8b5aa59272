//! The module's entry points (`begin`, and the `decide` / `check` / `read_let`
//! dispatchers) and the per-policy functions they rest on: lets and list lookups.

use super::asm::{Body, Ins, ABSENT, I32, I64};
use super::expr::Fx;
use super::layout::{cache, global, result, Status};
use super::runtime::{Rt, FIRST_DAY, LAST_DAY};
use super::{BuildError, Funcs, Gen};
use crate::ir::{ListId, Type};
use crate::value::Value;

impl Gen<'_> {
    /// `let_l() -> word`: computed on first use in a case and remembered, unless its
    /// computation met an error (then it is computed again where it is read again, as
    /// the interpreter does).
    pub(super) fn let_fn(&mut self, l: u32) -> Result<Body, BuildError> {
        let (value_at, flag_at) = (self.layout.let_values + 8 * l, self.layout.let_flags + 4 * l);
        let value = self.policy.lets[l as usize].value.clone();
        let mut fx = Fx::new(self, 0);
        fx.b.i32(0).load32(flag_at).if_(None).i32(0).load64(value_at).op(Ins::Return).end();
        let (c, v) = (fx.b.local(I32), fx.b.local(I64));
        fx.b.gget(global::ERR_COUNT).set(c);
        fx.expr(&value)?;
        fx.b.set(v);
        fx.b.gget(global::ERR_COUNT).get(c).op(Ins::I32Eq).if_(None);
        fx.b.i32(0).get(v).store64(value_at).i32(0).i32(1).store32(flag_at);
        fx.b.end().get(v);
        Ok(fx.b)
    }

    /// `lookup_l(key) -> row`: the row of list `l` with that key, or absent. A binary
    /// search over the rows in order of key (a table laid out when the module is built),
    /// so that a lookup in a list of 100,000 rows reads 17 keys, not every row's. Rows of
    /// one key are in row order and the search ends at the last of them: a repeated key
    /// names its last row, as the interpreter's key index does.
    pub(super) fn lookup_fn(&mut self, l: ListId) -> Body {
        let list = &self.policy.lists[l as usize];
        let key = self.column(l, list.key);
        let text = matches!(list.fields[list.key].1.required(), Type::Text);
        let mut b = Body::new(1);
        b.get(0).is_absent().if_(None).i64(ABSENT).op(Ins::Return).end();
        if !self.looked_up[l as usize] {
            // Never called: no table.
            b.i64(ABSENT);
            return b;
        }
        let key_of = |r: u32| &list.rows[r as usize][list.key];
        let mut by_key: Vec<u32> =
            (0..list.rows.len() as u32).filter(|&r| *key_of(r) != Value::None).collect();
        by_key.sort_by(|&a, &b| key_of(a).cmp(key_of(b)).then(a.cmp(&b)));
        let n = by_key.len() as i32;
        let by_key: Vec<i64> = by_key.into_iter().map(i64::from).collect();
        let width = super::words::column_width(&by_key, &Type::Int);
        let table = self.statics.column(&by_key, width);
        let (lo, hi, mid, row) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
        let row_at = |b: &mut Body, k: u32| {
            b.get(k).load_column(table, width).op(Ins::I32WrapI64);
        };
        b.i32(n).set(hi);
        // The first position whose row's key is above the key sought.
        b.block().loop_();
        b.get(lo).get(hi).op(Ins::I32GeU).br_if(1);
        b.get(lo).get(hi).op(Ins::I32Add).i32(1).op(Ins::I32ShrU).set(mid);
        row_at(&mut b, mid);
        b.load_column(key.at, key.width).get(0);
        if text {
            b.call(Rt::TextCmp.index()).i32(0).op(Ins::I32LeS);
        } else {
            b.op(Ins::I64LeS);
        }
        b.if_(None).get(mid).i32(1).op(Ins::I32Add).set(lo).else_().get(mid).set(hi).end();
        b.br(0);
        b.end().end();
        // The row just before it holds the key, or no row does.
        b.get(lo).op(Ins::I32Eqz).if_(None).i64(ABSENT).op(Ins::Return).end();
        b.get(lo).i32(1).op(Ins::I32Sub).set(mid);
        row_at(&mut b, mid);
        b.tee(row).load_column(key.at, key.width).get(0);
        if text {
            b.call(Rt::TextEq.index());
        } else {
            b.op(Ins::I64Eq);
        }
        b.if_(Some(I64)).get(row).op(Ins::I64ExtendI32U).else_().i64(ABSENT).end();
        b
    }

    /// `begin() -> status`: checks that every input word fits its field's type and lies
    /// inside the arena, puts input sets in order, and forgets the previous case's lets
    /// and heap. A word that does not fit is `BadInput` with its slot in `bad_slot`.
    pub(super) fn begin_fn(&mut self) -> Result<Body, BuildError> {
        let lay = self.layout.clone();
        let slots = self.policy.slots.clone();
        let mut b = Body::new(0);
        let w = b.local(I64);
        b.i32(0).gset(global::READY);
        for (s, slot) in slots.iter().enumerate() {
            let at = lay.slots + 8 * s as u32;
            b.i32(0).load64(at).set(w);
            self.valid(&mut b, w, &slot.ty)?;
            b.op(Ins::I32Eqz).if_(None);
            b.i32(0).i32(s as i32).store32(lay.result + result::BAD_SLOT);
            b.i32(0).i32(Status::BadInput as i32).store32(lay.result + result::STATUS);
            b.i32(Status::BadInput as i32).op(Ins::Return).end();
            if let Type::Set(inner) = slot.ty.required() {
                sort_in_place(&mut b, w, at, matches!(inner.required(), Type::Text));
            }
        }
        let lets = self.policy.lets.len() as i32;
        b.i32(lay.let_flags as i32).i32(0).i32(4 * lets).op(Ins::MemoryFill(0));
        b.gget(global::HEAP_BASE).gset(global::HEAP);
        // The cached units live on the heap just emptied.
        for i in 0..cache::WAYS {
            b.i64(ABSENT).gset(cache::key(i));
        }
        for t in 0..self.keyword_tables.len() as u32 {
            b.i64(cache::NO_TEXT).gset(cache::keywords(t));
        }
        b.i32(1).gset(global::READY);
        b.i32(0).i32(Status::Ok as i32).store32(lay.result + result::STATUS);
        b.i32(Status::Ok as i32);
        Ok(b)
    }

    /// Pushes whether the word in local `w` is a valid value of `ty`: absent only where
    /// the type is optional, as the case reader guarantees for the interpreter.
    fn valid(&self, b: &mut Body, w: u32, ty: &Type) -> Result<(), BuildError> {
        let lay = &self.layout;
        let optional = matches!(ty, Type::Opt(_));
        b.get(w).is_absent().if_(Some(I32)).i32(i32::from(optional)).else_();
        match ty.required() {
            Type::Int | Type::Decimal => {
                b.i32(1);
            }
            Type::Bool => {
                b.get(w).i64(1).op(Ins::I64LeU);
            }
            Type::Enum(e) => {
                let n = self.policy.enums.get(*e as usize).map_or(0, |x| x.variants.len());
                b.get(w).i64(n as i64).op(Ins::I64LtU);
            }
            Type::Row(l) => {
                let n = self.policy.lists.get(*l as usize).map_or(0, |x| x.rows.len());
                b.get(w).i64(n as i64).op(Ins::I64LtU);
            }
            Type::Date => {
                b.get(w).i64(FIRST_DAY).op(Ins::I64GeS).get(w).i64(LAST_DAY).op(Ins::I64LeS).op(Ins::I32And);
            }
            Type::Text => in_arena(b, w, 0, lay.arena, lay.arena_size),
            Type::Set(inner) => {
                if matches!(inner.required(), Type::Set(_)) {
                    return Err(BuildError {
                        span: Default::default(),
                        what: "a set of sets as input".into(),
                    });
                }
                in_arena(b, w, 3, lay.arena, lay.arena_size);
                b.if_(Some(I32));
                self.valid_elements(b, w, inner)?;
                b.else_().i32(0).end();
            }
            Type::Opt(_) => unreachable_opt(b),
        }
        b.end();
        Ok(())
    }

    /// Pushes whether every element of the set in local `w` is valid.
    fn valid_elements(&self, b: &mut Body, w: u32, inner: &Type) -> Result<(), BuildError> {
        let (i, n, p, e, ok) = (b.local(I32), b.local(I32), b.local(I32), b.local(I64), b.local(I32));
        b.ptr_of(w).set(p).len_of(w).set(n).i32(1).set(ok);
        b.block().loop_();
        b.get(i).get(n).op(Ins::I32GeU).br_if(1);
        b.get(p).get(i).i32(3).op(Ins::I32Shl).op(Ins::I32Add).load64(0).set(e);
        self.valid(b, e, inner)?;
        b.op(Ins::I32Eqz).if_(None).i32(0).set(ok).br(2).end();
        b.bump(i, 1).br(0);
        b.end().end();
        b.get(ok);
        Ok(())
    }

    /// `name(i) -> status`: calls the i-th of `n` functions, or answers `BadIndex`;
    /// refuses before `begin` has accepted a case.
    pub(super) fn dispatch(&self, n: u32, f: impl Fn(&Funcs, u32) -> u32) -> Body {
        let at = self.layout.result + result::STATUS;
        let mut b = Body::new(1);
        not_ready_return(&mut b, at);
        for i in 0..n {
            b.get(0).i32(i as i32).op(Ins::I32Eq).if_(None).call(f(&self.funcs, i)).op(Ins::Return).end();
        }
        b.i32(0).i32(Status::BadIndex as i32).store32(at);
        b.i32(Status::BadIndex as i32);
        b
    }

    /// `read_let(l) -> status`: the let's value for the current case into `value`.
    pub(super) fn read_let_fn(&self) -> Body {
        let at = self.layout.result;
        let mut b = Body::new(1);
        not_ready_return(&mut b, at + result::STATUS);
        b.i32(0).gset(global::ERR_KIND).i32(-1).gset(global::ERR_SITE);
        for l in 0..self.policy.lets.len() as u32 {
            b.get(0).i32(l as i32).op(Ins::I32Eq).if_(None);
            b.i32(0).call(self.funcs.let_fn(l)).store64(at + result::VALUE);
            b.gget(global::ERR_KIND).if_(None);
            b.i32(0).i32(Status::Failed as i32).store32(at + result::STATUS);
            b.i32(0).gget(global::ERR_KIND).store32(at + result::ERROR_KIND);
            b.i32(0).gget(global::ERR_SITE).store32(at + result::ERROR_SITE);
            b.i32(Status::Failed as i32).op(Ins::Return).end();
            b.i32(0).i32(Status::Ok as i32).store32(at + result::STATUS);
            b.i32(Status::Ok as i32).op(Ins::Return).end();
        }
        b.i32(0).i32(Status::BadIndex as i32).store32(at + result::STATUS);
        b.i32(Status::BadIndex as i32);
        b
    }
}

fn not_ready_return(b: &mut Body, status_at: u32) {
    b.gget(global::READY).op(Ins::I32Eqz).if_(None);
    b.i32(0).i32(Status::NotReady as i32).store32(status_at);
    b.i32(Status::NotReady as i32).op(Ins::Return).end();
}

/// `required` never leaves an optional type; kept total rather than panicking.
fn unreachable_opt(b: &mut Body) {
    b.i32(0);
}

/// Pushes whether the text or set in local `w` (`len << shift` bytes) lies in the arena.
fn in_arena(b: &mut Body, w: u32, shift: i64, arena: u32, size: u32) {
    let (p, end) = (b.local(I64), b.local(I64));
    b.get(w).i64(32).op(Ins::I64ShrU).set(p);
    b.get(p).get(w).i64(0xFFFF_FFFF).op(Ins::I64And).i64(shift).op(Ins::I64Shl).op(Ins::I64Add).set(end);
    b.get(p).i64(i64::from(arena)).op(Ins::I64GeU);
    b.get(end).i64(i64::from(arena) + i64::from(size)).op(Ins::I64LeU).op(Ins::I32And);
}

/// Sorts an input set in place and stores its new count back into its slot at `at`.
fn sort_in_place(b: &mut Body, w: u32, at: u32, texts: bool) {
    let (p, n) = (b.local(I32), b.local(I32));
    b.get(w).is_absent().op(Ins::I32Eqz).if_(None);
    b.ptr_of(w).set(p);
    b.get(p).len_of(w).call(if texts { Rt::SortTexts } else { Rt::SortWords }.index()).set(n);
    b.i32(0);
    b.pack(p, n);
    b.store64(at);
    b.end();
}
