//! A small assembler over wasm-encoder: a function body as a list of instructions with
//! its locals, and short names for the instructions the code generator uses most, so that
//! generated code reads close to the WebAssembly text it becomes.

use wasm_encoder::{BlockType, Function, Instruction, MemArg, ValType};

pub(super) type Ins = Instruction<'static>;

pub(super) const I32: ValType = ValType::I32;
pub(super) const I64: ValType = ValType::I64;

/// The 64-bit word meaning "absent" (see `value::ABSENT_BITS`).
pub(super) const ABSENT: i64 = crate::value::ABSENT_BITS;

pub(super) struct Body {
    params: u32,
    locals: Vec<ValType>,
    pub(super) ins: Vec<Ins>,
}

fn mem(offset: u32, align: u32) -> MemArg {
    MemArg { offset: u64::from(offset), align, memory_index: 0 }
}

impl Body {
    pub(super) fn new(params: u32) -> Body {
        Body { params, locals: Vec::new(), ins: Vec::new() }
    }

    /// A fresh local of type `t`. Locals are never reused: bodies are small and a fresh
    /// local cannot be clobbered by a nested expression.
    pub(super) fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.params + self.locals.len() as u32 - 1
    }

    pub(super) fn op(&mut self, i: Ins) -> &mut Self {
        self.ins.push(i);
        self
    }

    pub(super) fn i32(&mut self, v: i32) -> &mut Self {
        self.op(Ins::I32Const(v))
    }

    pub(super) fn i64(&mut self, v: i64) -> &mut Self {
        self.op(Ins::I64Const(v))
    }

    pub(super) fn get(&mut self, l: u32) -> &mut Self {
        self.op(Ins::LocalGet(l))
    }

    pub(super) fn set(&mut self, l: u32) -> &mut Self {
        self.op(Ins::LocalSet(l))
    }

    pub(super) fn tee(&mut self, l: u32) -> &mut Self {
        self.op(Ins::LocalTee(l))
    }

    pub(super) fn gget(&mut self, g: u32) -> &mut Self {
        self.op(Ins::GlobalGet(g))
    }

    pub(super) fn gset(&mut self, g: u32) -> &mut Self {
        self.op(Ins::GlobalSet(g))
    }

    pub(super) fn load64(&mut self, offset: u32) -> &mut Self {
        self.op(Ins::I64Load(mem(offset, 3)))
    }

    pub(super) fn store64(&mut self, offset: u32) -> &mut Self {
        self.op(Ins::I64Store(mem(offset, 3)))
    }

    pub(super) fn load32(&mut self, offset: u32) -> &mut Self {
        self.op(Ins::I32Load(mem(offset, 2)))
    }

    /// Four bytes from any address (texts are not aligned).
    pub(super) fn load32_unaligned(&mut self, offset: u32) -> &mut Self {
        self.op(Ins::I32Load(mem(offset, 0)))
    }

    pub(super) fn store32(&mut self, offset: u32) -> &mut Self {
        self.op(Ins::I32Store(mem(offset, 2)))
    }

    pub(super) fn store8(&mut self, offset: u32) -> &mut Self {
        self.op(Ins::I32Store8(mem(offset, 0)))
    }

    pub(super) fn load8u(&mut self, offset: u32) -> &mut Self {
        self.op(Ins::I32Load8U(mem(offset, 0)))
    }

    /// Loads entry `i` (the i32 on the stack) of a list column at `at` whose entries are
    /// `width` bytes, widened to a word; a narrow column's smallest value is absent.
    pub(super) fn load_column(&mut self, at: u32, width: u32) -> &mut Self {
        if width > 1 {
            self.i32(width.trailing_zeros() as i32).op(Ins::I32Shl);
        }
        let m = mem(at, width.trailing_zeros());
        let narrow = super::words::narrow_absent(width);
        match width {
            1 => self.op(Ins::I64Load8S(m)),
            2 => self.op(Ins::I64Load16S(m)),
            4 => self.op(Ins::I64Load32S(m)),
            _ => return self.op(Ins::I64Load(m)),
        };
        let t = self.local(I64);
        self.set(t).i64(ABSENT).get(t).get(t).i64(narrow).op(Ins::I64Eq).op(Ins::Select)
    }

    pub(super) fn call(&mut self, f: u32) -> &mut Self {
        self.op(Ins::Call(f))
    }

    pub(super) fn if_(&mut self, result: Option<ValType>) -> &mut Self {
        self.op(Ins::If(block_type(result)))
    }

    pub(super) fn else_(&mut self) -> &mut Self {
        self.op(Ins::Else)
    }

    pub(super) fn end(&mut self) -> &mut Self {
        self.op(Ins::End)
    }

    pub(super) fn block(&mut self) -> &mut Self {
        self.op(Ins::Block(BlockType::Empty))
    }

    pub(super) fn loop_(&mut self) -> &mut Self {
        self.op(Ins::Loop(BlockType::Empty))
    }

    pub(super) fn br(&mut self, depth: u32) -> &mut Self {
        self.op(Ins::Br(depth))
    }

    pub(super) fn br_if(&mut self, depth: u32) -> &mut Self {
        self.op(Ins::BrIf(depth))
    }

    /// Pushes whether the i64 on the stack is [`ABSENT`] (as an i32).
    pub(super) fn is_absent(&mut self) -> &mut Self {
        self.i64(ABSENT).op(Ins::I64Eq)
    }

    /// `local += by` for an i32 local.
    pub(super) fn bump(&mut self, l: u32, by: i32) -> &mut Self {
        self.get(l).i32(by).op(Ins::I32Add).set(l)
    }

    /// `global += by` for an i32 global.
    pub(super) fn gbump(&mut self, g: u32, by: i32) -> &mut Self {
        self.gget(g).i32(by).op(Ins::I32Add).gset(g)
    }

    /// The packed pointer (high 32 bits) of a text or set word in local `l`, as an i32.
    pub(super) fn ptr_of(&mut self, l: u32) -> &mut Self {
        self.get(l).i64(32).op(Ins::I64ShrU).op(Ins::I32WrapI64)
    }

    /// The packed length or count (low 32 bits) of a text or set word in local `l`.
    pub(super) fn len_of(&mut self, l: u32) -> &mut Self {
        self.get(l).op(Ins::I32WrapI64)
    }

    /// Packs the i32 pointer in `p` and the i32 length in `n` into one word.
    pub(super) fn pack(&mut self, p: u32, n: u32) -> &mut Self {
        self.get(p).op(Ins::I64ExtendI32U).i64(32).op(Ins::I64Shl);
        self.get(n).op(Ins::I64ExtendI32U).op(Ins::I64Or)
    }

    pub(super) fn finish(mut self) -> Function {
        self.ins.push(Ins::End);
        let mut f = Function::new(self.locals.iter().map(|t| (1, *t)));
        for i in &self.ins {
            f.instruction(i);
        }
        f
    }
}

fn block_type(result: Option<ValType>) -> BlockType {
    match result {
        Some(t) => BlockType::Result(t),
        None => BlockType::Empty,
    }
}
