//! The host: loads a compiled module on wasmtime, reads its manifest, places cases in its
//! memory and reads what it decided back.
//!
//! A module is untrusted input. It is validated before it is compiled; each call runs
//! on a fuel budget and memory is capped, so a hostile or broken module ends in a
//! [`Error`], never a hang, a crash or an exhausted host. One [`Module`] is compiled
//! once; an [`Instance`] evaluates any number of cases without being instantiated again.

use smallvec::SmallVec;
use wasmtime::{Config, Engine, Memory, Store, StoreLimits, StoreLimitsBuilder, TypedFunc};

use crate::abi::{
    result, ErrorKind, Status, ABI_VERSION, CONFLICT_EXCEPTIONS, CONFLICT_UNIQUE, MANIFEST_SECTION, MAX_PAGES,
};
use crate::decided::{CheckResult, Conflict, DecisionResult, Failure, Outcome};
use crate::error::{message as msg, Code, Error};
use crate::integrity::{self, Trust};
use crate::manifest::Manifest;
use crate::value::{Type, Value, ABSENT_BITS};
use crate::words::{decode, pack, widen, BadWord};

/// Fuel for one call: far beyond any real decision (a 30-rule decision burns a few
/// thousand units), small enough that an endless loop stops within a second.
pub const FUEL_PER_CALL: u64 = 200_000_000;

fn malformed(why: impl std::fmt::Display) -> Error {
    Error::new(
        Code::E0501,
        msg(
            format!("不是有效的 qingdan WASM 模块：{why}"),
            format!("not a valid qingdan WASM module: {why}"),
        ),
    )
}

fn trapped(e: &wasmtime::Error) -> Error {
    let why = match e.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::OutOfFuel) => {
            "ran out of fuel (an endless or far too long computation)".to_string()
        }
        Some(t) => t.to_string(),
        None => format!("{e:#}"),
    };
    Error::new(Code::E0504, msg(format!("模块执行中止：{why}"), format!("the module stopped: {why}")))
}

fn bad_word(w: BadWord) -> Error {
    malformed(format!("a result word {:#x} does not fit type {:?}", w.word, w.ty))
}

/// A compiled module with its manifest, ready to instantiate.
pub struct Module {
    engine: Engine,
    module: wasmtime::Module,
    pub manifest: Manifest,
    /// Fuel for each call (`decide`, `check`, …) of its instances.
    fuel: u64,
    /// Each list's row keys, read from the module's data once, when a case first sets a
    /// row by its key ([`crate::Case::set_row`]).
    row_keys: std::sync::OnceLock<Vec<Vec<Value>>>,
    /// Each dated row's first and last day, read when an explanation first names a row.
    row_dates: std::sync::OnceLock<Vec<Vec<(Value, Value)>>>,
    /// The lookup tables of its JSON case reader, made when it first reads a case.
    reading: std::sync::OnceLock<crate::reader::Tables>,
}

impl Module {
    /// Validates and compiles `bytes`; checks its seal (the digest of its content),
    /// reads and checks the manifest and ABI version.
    pub fn load(bytes: &[u8]) -> Result<Module, Error> {
        Module::load_with(bytes, &Trust::Intact)
    }

    /// As [`Module::load`], requiring of the module's seal what `trust` says (a signature
    /// by a trusted key: E0507 if not).
    pub fn load_with(bytes: &[u8], trust: &Trust) -> Result<Module, Error> {
        wasmparser::Validator::new().validate_all(bytes).map_err(|e| malformed(e.message()))?;
        check_seal(bytes, trust)?;
        let manifest = read_manifest(bytes)?;
        if manifest.abi != ABI_VERSION {
            return Err(foreign_abi(manifest.abi));
        }
        crate::consistency::check(&manifest)
            .map_err(|why| malformed(format!("its `{MANIFEST_SECTION}` manifest is inconsistent: {why}")))?;
        let mut config = Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config).map_err(|e| malformed(format!("{e:#}")))?;
        let module = wasmtime::Module::new(&engine, bytes).map_err(|e| malformed(format!("{e:#}")))?;
        Ok(Module {
            engine,
            module,
            manifest,
            fuel: FUEL_PER_CALL,
            row_keys: std::sync::OnceLock::new(),
            row_dates: std::sync::OnceLock::new(),
            reading: std::sync::OnceLock::new(),
        })
    }

    /// Each call of its instances made after this may burn `fuel` units at most (default
    /// [`FUEL_PER_CALL`]); a call that needs more stops with E0504.
    pub fn set_fuel_per_call(&mut self, fuel: u64) {
        self.fuel = fuel;
    }

    /// A fresh instance: its own memory, reused for every case evaluated with it.
    pub fn instantiate(&self) -> Result<Instance, Error> {
        let limits = StoreLimitsBuilder::new().memory_size(MAX_PAGES as usize * 65536).instances(1).build();
        let mut store = Store::new(&self.engine, limits);
        store.limiter(|l| l);
        store.set_fuel(self.fuel).map_err(|e| trapped(&e))?;
        let instance = wasmtime::Instance::new(&mut store, &self.module, &[]).map_err(|e| trapped(&e))?;
        let abi = instance.get_global(&mut store, "abi_version").and_then(|g| g.get(&mut store).i32());
        if abi != Some(ABI_VERSION as i32) {
            return Err(foreign_abi(abi.unwrap_or(-1) as u32));
        }
        let func = |name: &str| malformed(format!("export `{name}` is missing or has the wrong type"));
        let memory = instance.get_memory(&mut store, "memory").ok_or_else(|| func("memory"))?;
        let begin = instance.get_typed_func(&mut store, "begin").map_err(|_| func("begin"))?;
        let decide = instance.get_typed_func(&mut store, "decide").map_err(|_| func("decide"))?;
        let check = instance.get_typed_func(&mut store, "check").map_err(|_| func("check"))?;
        let read_let = instance.get_typed_func(&mut store, "read_let").map_err(|_| func("read_let"))?;
        Ok(Instance {
            store,
            memory,
            begin,
            decide,
            check,
            read_let,
            manifest: self.manifest.clone(),
            fuel: self.fuel,
            slots: Vec::new(),
            arena: Vec::new(),
            placed: false,
        })
    }

    /// Each list's rows (one value per field, absent where the module does not hold the
    /// field), read from a fresh instance's data.
    pub fn list_rows(&self) -> Result<Vec<Vec<Vec<Value>>>, Error> {
        self.instantiate()?.list_rows()
    }

    /// The JSON case reader's lookup tables (made once, then kept).
    pub(crate) fn reading_tables(&self) -> &crate::reader::Tables {
        self.reading.get_or_init(|| crate::reader::Tables::new(&self.manifest))
    }

    /// Each list's row keys, in row order (read once, then kept).
    pub fn row_keys(&self) -> Result<&[Vec<Value>], Error> {
        if let Some(keys) = self.row_keys.get() {
            return Ok(keys);
        }
        let rows = self.list_rows()?;
        let keys = self
            .manifest
            .lists
            .iter()
            .zip(rows)
            .map(|(list, rows)| rows.into_iter().map(|mut row| std::mem::take(&mut row[list.key])).collect())
            .collect();
        Ok(self.row_keys.get_or_init(|| keys))
    }
}

impl Module {
    /// For each list with dated rows, each row's first and last day (absent: open), read
    /// once, then kept; no rows for other lists. Explanations name a row with its days.
    pub fn row_dates(&self) -> Result<&[Vec<(Value, Value)>], Error> {
        if let Some(dates) = self.row_dates.get() {
            return Ok(dates);
        }
        let rows = self.list_rows()?;
        let dates = self
            .manifest
            .lists
            .iter()
            .zip(rows)
            .map(|(list, rows)| match list.dates {
                Some((from, until)) => rows
                    .into_iter()
                    .map(|mut row| {
                        let mut cell = |f: usize| row.get_mut(f).map(std::mem::take).unwrap_or_default();
                        (cell(from), cell(until))
                    })
                    .collect(),
                None => Vec::new(),
            })
            .collect();
        Ok(self.row_dates.get_or_init(|| dates))
    }
}

impl std::fmt::Debug for Module {
    /// The policy's name and the fuel per call; the compiled code is not shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("policy", &self.manifest.policy).field("fuel", &self.fuel).finish()
    }
}

fn foreign_abi(found: u32) -> Error {
    Error::new(
        Code::E0502,
        msg(
            format!("模块的接口版本为 {found}，本程序支持版本 {ABI_VERSION}：请用当前版本的 `qingdan build` 重新编译"),
            format!(
                "the module speaks ABI version {found}, this host speaks {ABI_VERSION}: rebuild it with this `qingdan build`"
            ),
        ),
    )
}

/// Checks the module's seal before anything in it is believed. A module without a seal
/// may be of another ABI (older modules had none): that is reported as such (E0502).
fn check_seal(bytes: &[u8], trust: &Trust) -> Result<(), Error> {
    let refused = match integrity::verify(bytes, trust) {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    if refused.may_be_foreign() {
        let abi = read_manifest(bytes)?.abi;
        if abi != ABI_VERSION {
            return Err(foreign_abi(abi));
        }
    }
    Err(Error::new(refused.code(), refused.message()))
}

fn read_manifest(bytes: &[u8]) -> Result<Manifest, Error> {
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| malformed(e.message()))?;
        if let wasmparser::Payload::CustomSection(c) = payload {
            if c.name() == MANIFEST_SECTION {
                return serde_json::from_slice(c.data()).map_err(|e| {
                    malformed(format!("its `{MANIFEST_SECTION}` manifest cannot be read: {e}"))
                });
            }
        }
    }
    Err(Error::new(
        Code::E0502,
        msg(
            format!("模块没有 `{MANIFEST_SECTION}` 清单段：它不是 `qingdan build` 编译的"),
            format!("the module has no `{MANIFEST_SECTION}` manifest section: it was not built by `qingdan build`"),
        ),
    ))
}

/// An instantiated module.
pub struct Instance {
    store: Store<StoreLimits>,
    memory: Memory,
    begin: TypedFunc<(), i32>,
    decide: TypedFunc<i32, i32>,
    check: TypedFunc<i32, i32>,
    read_let: TypedFunc<i32, i32>,
    pub manifest: Manifest,
    fuel: u64,
    /// Buffers for placing cases, kept between cases.
    slots: Vec<u8>,
    arena: Vec<u8>,
    /// Whether the last `place` succeeded. A case the host refused before the module saw
    /// it must not leave the previous one to be decided.
    placed: bool,
}

/// The exports that evaluate the placed case.
#[derive(Clone, Copy)]
enum Export {
    Decide,
    Check,
    ReadLet,
}

/// Calls an export with a fresh fuel budget. A free function over the two fields it needs,
/// so the typed function is borrowed, not cloned, on every call.
fn call<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
    store: &mut Store<StoreLimits>,
    fuel: u64,
    f: &TypedFunc<P, R>,
    args: P,
) -> Result<R, Error> {
    store.set_fuel(fuel).map_err(|e| trapped(&e))?;
    f.call(store, args).map_err(|e| trapped(&e))
}

/// Appends texts and sets to the input arena.
struct Arena {
    start: u32,
    size: u32,
    bytes: Vec<u8>,
}

impl Arena {
    /// Room for `len` bytes at the next 8-aligned offset; returns its offset in `bytes`.
    fn reserve(&mut self, len: usize) -> Result<usize, Error> {
        let at = self.bytes.len().next_multiple_of(8);
        if at + len > self.size as usize {
            return Err(Error::new(
                Code::E0503,
                msg(
                    format!("案例中的文本和集合共需超过 {} 字节，超出模块的输入区", self.size),
                    format!(
                        "the case's texts and sets need more than the module's {}-byte input arena",
                        self.size
                    ),
                ),
            ));
        }
        self.bytes.resize(at + len, 0);
        Ok(at)
    }

    fn word(&mut self, v: &Value) -> Result<i64, Error> {
        let start = self.start;
        let pack = |p: usize, n: usize| pack(start + p as u32, n as u32);
        Ok(match v {
            Value::None => ABSENT_BITS,
            Value::Bool(b) => i64::from(*b),
            Value::Int(i) | Value::Dec(i) => *i,
            Value::Date(d) => i64::from(*d),
            Value::Enum(e) | Value::Row(e) => i64::from(*e),
            Value::Text(t) => {
                let at = self.reserve(t.len())?;
                self.bytes[at..].copy_from_slice(t.as_bytes());
                pack(at, t.len())
            }
            Value::Set(items) => {
                // The set's words first, then its elements' texts after them.
                let at = self.reserve(8 * items.len())?;
                for (i, item) in items.iter().enumerate() {
                    let w = self.word(item)?.to_le_bytes();
                    self.bytes[at + 8 * i..at + 8 * i + 8].copy_from_slice(&w);
                }
                pack(at, items.len())
            }
        })
    }
}

impl Instance {
    fn mem(&self) -> &[u8] {
        self.memory.data(&self.store)
    }

    fn i32_at(&self, at: u32) -> Result<i32, Error> {
        read_i32(self.mem(), at)
    }

    fn i64_at(&self, at: u32) -> Result<i64, Error> {
        read_i64(self.mem(), at)
    }

    fn result_field(&self, field: u32) -> Result<i32, Error> {
        self.i32_at(self.manifest.layout.result + field)
    }

    /// Writes a case (one value per slot) into memory and has the module accept it.
    pub fn place(&mut self, case: &[Value]) -> Result<(), Error> {
        self.placed = false;
        let layout = &self.manifest.layout;
        let (slots_at, arena_at, arena_size) = (layout.slots, layout.arena, layout.arena_size);
        if case.len() != self.manifest.slots.len() {
            return Err(bad_input(format!(
                "the case has {} fields, the module's input has {}",
                case.len(),
                self.manifest.slots.len()
            )));
        }
        // The buffers are kept between cases: placing a case allocates nothing.
        let mut arena = Arena { start: arena_at, size: arena_size, bytes: std::mem::take(&mut self.arena) };
        arena.bytes.clear();
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        let placed = case.iter().try_for_each(|v| {
            slots.extend_from_slice(&arena.word(v)?.to_le_bytes());
            Ok(())
        });
        let mem = self.memory.data_mut(&mut self.store);
        let write = |mem: &mut [u8], at: u32, data: &[u8]| -> Result<(), Error> {
            mem.get_mut(at as usize..at as usize + data.len())
                .ok_or_else(|| malformed("the input layout lies outside memory"))?
                .copy_from_slice(data);
            Ok(())
        };
        let written = placed
            .and_then(|()| write(mem, slots_at, &slots))
            .and_then(|()| write(mem, arena_at, &arena.bytes));
        (self.slots, self.arena) = (slots, arena.bytes);
        written?;
        match call(&mut self.store, self.fuel, &self.begin, ())? {
            s if s == Status::Ok as i32 => {
                self.placed = true;
                Ok(())
            }
            s if s == Status::BadInput as i32 => {
                let slot = self.result_field(result::BAD_SLOT)?;
                let path = self.slot_path(slot);
                Err(bad_input(format!("field `{path}` does not fit the module's input layout")))
            }
            s => Err(malformed(format!("`begin` answered status {s}"))),
        }
    }

    /// Calls an export on the placed case; an evaluation error is the `Some`.
    fn evaluate(&mut self, export: Export, index: u32) -> Result<Option<Failure>, Error> {
        if !self.placed {
            return Err(malformed("no case was placed"));
        }
        let f = match export {
            Export::Decide => &self.decide,
            Export::Check => &self.check,
            Export::ReadLet => &self.read_let,
        };
        let status = call(&mut self.store, self.fuel, f, index as i32)?;
        self.failure(status)
    }

    fn slot_path(&self, slot: i32) -> String {
        let m = &self.manifest;
        usize::try_from(slot)
            .ok()
            .and_then(|s| m.slots.get(s))
            .map(|s| {
                let input = m.inputs.get(s.input as usize).map_or("?", |i| i.name.as_str());
                format!("{input}.{}", s.path.join("."))
            })
            .unwrap_or_else(|| format!("#{slot}"))
    }

    /// Decides decision `d` for the case placed last.
    pub fn decide(&mut self, d: u32) -> Result<Result<DecisionResult, Failure>, Error> {
        if let Some(e) = self.evaluate(Export::Decide, d)? {
            return Ok(Err(e));
        }
        let (m, mem) = (&self.manifest, self.memory.data(&self.store));
        let lay = &m.layout;
        let i32_at = |at: u32| read_i32(mem, at);
        let decision = m.decisions.get(d as usize).ok_or_else(|| malformed("no such decision"))?;
        let variants = &m
            .enums
            .get(decision.outcome_enum as usize)
            .ok_or_else(|| malformed("an outcome enum is missing"))?
            .variants;
        // Counts and rule numbers come from the module's memory: each is held to what the
        // layout has room for and to the rules that exist, so that nothing overflows and
        // explanations never look up a rule that is not there.
        let rules = m.rules.len() as u32;
        let count = |field, most: u32| {
            let n = i32_at(lay.result + field)?.max(0) as u32;
            if n > most {
                return Err(malformed(format!(
                    "the module reports {n} entries where its layout holds {most}"
                )));
            }
            Ok(n)
        };
        let (n_out, n_fired, n_over, n_conf) = (
            count(result::N_OUTCOMES, rules + 1)?,
            count(result::N_FIRED, 2 * rules + 1)?,
            count(result::N_OVERRIDDEN, rules)?,
            count(result::N_CONFLICTS, rules + 1)?,
        );
        let rule_id = |r: i32| match u32::try_from(r) {
            Ok(r) if r < rules => Ok(r),
            _ => Err(malformed(format!("the module reports rule {r}, which does not exist"))),
        };
        let mut outcomes = SmallVec::new();
        for i in 0..n_out {
            let at = lay.outcomes + i * lay.outcome_stride;
            let variant = i32_at(at)? as u32;
            let rule = i32_at(at + 4)?;
            let fields_ty = variants
                .get(variant as usize)
                .ok_or_else(|| malformed("an outcome variant is out of range"))?;
            let fields = fields_ty
                .fields
                .iter()
                .enumerate()
                .map(|(k, (_, ty))| decode(read_i64(mem, at + 8 + 8 * k as u32)?, ty, mem).map_err(bad_word))
                .collect::<Result<Vec<_>, _>>()?;
            // −1: the default outcome.
            let rule = if rule == -1 { None } else { Some(rule_id(rule)?) };
            outcomes.push(Outcome { variant, fields, rule });
        }
        let ids = |base: u32, n: u32| (0..n).map(move |i| rule_id(i32_at(base + 4 * i)?));
        let fired = ids(lay.fired, n_fired).collect::<Result<_, _>>()?;
        let overridden = ids(lay.overridden, n_over).collect::<Result<_, _>>()?;
        let mut conflicts = Vec::new();
        // The conflicts area: per conflict its kind, base rule, count and that many rules.
        let conflicts_end = lay.conflicts + 4 * (rules + 1) * (rules + 3);
        let mut at = lay.conflicts;
        for _ in 0..n_conf {
            let (kind, base, n) = (i32_at(at)?, i32_at(at + 4)?, i32_at(at + 8)?.max(0) as u32);
            if n > rules || at + 12 + 4 * n > conflicts_end {
                return Err(malformed(format!("a conflict of {n} rules does not fit the conflicts area")));
            }
            let rules = ids(at + 12, n).collect::<Result<_, _>>()?;
            conflicts.push(match kind {
                CONFLICT_EXCEPTIONS => Conflict::Exceptions { base: rule_id(base)?, rules },
                CONFLICT_UNIQUE => Conflict::Unique { rules },
                _ => return Err(malformed(format!("unknown conflict kind {kind}"))),
            });
            at += 12 + 4 * n;
        }
        let by_default = self.result_field(result::BY_DEFAULT)? == 1;
        Ok(Ok(DecisionResult { decision: d, outcomes, fired, overridden, conflicts, by_default }))
    }

    /// Evaluates check `c` for the case placed last.
    pub fn check(&mut self, c: u32) -> Result<Result<CheckResult, Failure>, Error> {
        if let Some(e) = self.evaluate(Export::Check, c)? {
            return Ok(Err(e));
        }
        let elem = match self.manifest.checks.get(c as usize).and_then(|x| x.over.clone()) {
            Some(Type::Set(inner)) => *inner,
            _ => Type::Bool,
        };
        let (n, at) =
            (self.result_field(result::N_HITS)?.max(0) as u32, self.result_field(result::HITS)? as u32);
        let hits = (0..n)
            .map(|i| {
                // `n` and `at` come from the module: no address arithmetic may overflow.
                let word_at = u32::try_from(u64::from(at) + 8 * u64::from(i))
                    .map_err(|_| malformed("a check's hits lie outside memory"))?;
                let w = self.i64_at(word_at)?;
                Ok(if w == ABSENT_BITS {
                    None
                } else {
                    Some(decode(w, &elem, self.mem()).map_err(bad_word)?)
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Ok(CheckResult { check: c, hits }))
    }

    /// The value of let `l` for the case placed last.
    pub fn let_value(&mut self, l: u32) -> Result<Result<Value, Failure>, Error> {
        if let Some(e) = self.evaluate(Export::ReadLet, l)? {
            return Ok(Err(e));
        }
        let ty = self
            .manifest
            .lets
            .get(l as usize)
            .map(|x| x.ty.clone())
            .ok_or_else(|| malformed("no such let"))?;
        let w = self.i64_at(self.manifest.layout.result + result::VALUE)?;
        Ok(Ok(decode(w, &ty, self.mem()).map_err(bad_word)?))
    }

    /// The evaluation error a status reports, if it is one; other statuses are errors
    /// of the host's use of the module.
    fn failure(&self, status: i32) -> Result<Option<Failure>, Error> {
        if status == Status::Ok as i32 {
            return Ok(None);
        }
        if status != Status::Failed as i32 {
            let what = match status {
                s if s == Status::BadIndex as i32 => "no such decision, check or let",
                s if s == Status::NotReady as i32 => "no case was placed",
                _ => "unknown status",
            };
            return Err(malformed(format!("status {status}: {what}")));
        }
        let (kind, site) = (self.result_field(result::ERROR_KIND)?, self.result_field(result::ERROR_SITE)?);
        Ok(Some(match kind {
            k if k == ErrorKind::DivisionByZero as i32 => Failure::DivisionByZero { site },
            k if k == ErrorKind::NoRuleApplies as i32 => Failure::NoRuleApplies { decision: site as u32 },
            k if k == ErrorKind::OutOfMemory as i32 => {
                return Err(Error::new(Code::E0504, msg("模块内存不足", "the module ran out of memory")))
            }
            k if k == ErrorKind::Overflow as i32 => Failure::Overflow { site },
            k => return Err(malformed(format!("unknown error kind {k}"))),
        }))
    }

    /// Each list's rows, read back from the module's data. The manifest is untrusted:
    /// every column must lie in memory, and a list without columns may not claim more
    /// rows than a module could hold, before anything is allocated for them.
    pub fn list_rows(&mut self) -> Result<Vec<Vec<Vec<Value>>>, Error> {
        let m = self.manifest.clone();
        let size = self.mem().len() as u64;
        for list in &m.lists {
            let fits = |c: &crate::manifest::Column| {
                u64::from(c.at) + u64::from(list.rows) * u64::from(c.width) <= size
                    && [1, 2, 4, 8].contains(&c.width)
            };
            if !list.columns.iter().all(fits) || u64::from(list.rows) > size || list.fields.len() > 4096 {
                return Err(malformed(format!("list `{}` does not fit the module's memory", list.name)));
            }
        }
        m.lists
            .iter()
            .map(|list| {
                (0..list.rows)
                    .map(|r| {
                        // Fields the module does not hold are absent.
                        let mut row = vec![Value::None; list.fields.len()];
                        for c in &list.columns {
                            let ty = &list
                                .fields
                                .get(c.field)
                                .ok_or_else(|| malformed("a list column is out of range"))?
                                .1;
                            let at = c.at as usize + r as usize * c.width as usize;
                            let bytes = self.mem().get(at..at + c.width as usize);
                            let w =
                                widen(bytes.ok_or_else(|| malformed("a list column lies outside memory"))?);
                            row[c.field] = decode(w, ty, self.mem()).map_err(bad_word)?;
                        }
                        Ok(row)
                    })
                    .collect()
            })
            .collect()
    }
}

fn read_i32(mem: &[u8], at: u32) -> Result<i32, Error> {
    let bytes = mem.get(at as usize..at as usize + 4).ok_or_else(|| malformed("result out of memory"))?;
    Ok(i32::from_le_bytes(bytes.try_into().unwrap_or_default()))
}

fn read_i64(mem: &[u8], at: u32) -> Result<i64, Error> {
    let bytes = mem.get(at as usize..at as usize + 8).ok_or_else(|| malformed("result out of memory"))?;
    Ok(i64::from_le_bytes(bytes.try_into().unwrap_or_default()))
}

fn bad_input(why: String) -> Error {
    Error::new(
        Code::E0505,
        msg(format!("案例不符合模块的输入布局：{why}"), format!("the case does not fit the module: {why}")),
    )
}
