//! Reading cases: the inputs a decision is asked about, from YAML, JSON or JSON Lines, into
//! the slot vector the interpreter reads (`Vec<Value>` indexed by [`SlotId`]).
//!
//! A case is checked against the policy's inputs as it is read: every value must have its
//! field's type, every required field must be there, and no unknown field may be. Each
//! problem is a [`CaseError`] that names the case (1-based) and the field path; the other
//! cases of the same file still run.
//!
//! Shape, with one input: the fields at the top (`{"类别": "应急处置", …}`), or nested under
//! the input's name (`{"申请": {…}}`) when that name is not also a field. With several
//! inputs: one key per input. Record fields nest (`{"地址": {"区": "西湖区"}}`).
//!
//! JSON Lines is the bulk path. [`CaseReader::json_line`] reads straight into the slot
//! vector, with no intermediate JSON tree: a byte scanner (`fast.rs`) takes plain valid
//! cases, and anything else goes to the `serde` seed (`de.rs`, shared with YAML), which
//! borrows keys and words every error. [`CaseReader::lines`] streams with a per-line byte
//! cap, so a 1 GB stream needs no more memory than its longest allowed line; [`raw_lines`]
//! with [`CaseReader::read_line`] splits the same way for reading on several threads.
//! [`CaseReader::json_value`] reads a `serde_json::Value` an embedder already holds
//! (`tree.rs`), through the same seed.

mod de;
mod fast;
mod json;
mod tree;
mod yaml;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use foldhash::fast::FixedState;
use qingdan_dsl::check::suggest::closest;
use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::{Code, Lang};

use crate::ir::{Policy, SlotId, Type};
use crate::value::{format_date, format_decimal, Value, DECIMAL_SCALE};

pub use json::{raw_lines, JsonLines, RawLine, RawLines};

/// Longest JSON line [`CaseReader::lines`] and [`CaseReader::json_line`] accept. A real case
/// is a few hundred bytes; a longer line is skipped unread, so memory stays bounded.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Most fields (counted over all nesting levels) or set elements one case may have.
pub const MAX_FIELDS: usize = 10_000;

/// A problem with one case. The case still has a number, so a batch run can report it in
/// place and go on with the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    /// 1-based, counting the cases of the file (non-blank lines in JSON Lines).
    pub case: usize,
    /// Where in the case: `申请.地址.区`, `申请.标签[2]`; empty for the case as a whole.
    pub path: String,
    pub code: Code,
    pub message: Msg,
    /// The line in the input: of a syntax error where known, else where the case starts.
    pub line: Option<usize>,
}

impl CaseError {
    /// One line: `case 3 (line 4), 申请.每月频次: expected an integer, found …`.
    pub fn render(&self, lang: Lang) -> String {
        let (case, line) = match lang {
            Lang::Zh => (format!("案例 {}", self.case), self.line.map(|l| format!("（第 {l} 行）"))),
            Lang::En => (format!("case {}", self.case), self.line.map(|l| format!(" (line {l})"))),
        };
        let path = if self.path.is_empty() { String::new() } else { format!(" `{}`", self.path) };
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        format!(
            "{}[{}]: {case}{}{path}{sep}{}",
            self.code,
            self.code.slug(),
            line.unwrap_or_default(),
            self.message.get(lang)
        )
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for CaseError {}

/// One result per case, in file order.
pub type CaseResult = Result<Vec<Value>, CaseError>;

/// The keys are the policy's own (never user data), so a fixed fast hash is safe.
type Map<K, V> = HashMap<K, V, FixedState>;

/// Name lookup, on the hot path of every field of every case. Names are bytes, so the
/// scanner can look a key up before (and instead of) checking that the whole line is
/// UTF-8: a match is the policy's own, valid, text. A few names are compared in a row,
/// starting where the caller expects the key (cases mostly list fields in one order), which
/// beats hashing them; many (long lists of row keys) are hashed.
pub(crate) struct Names<'p, V> {
    list: Vec<(&'p [u8], V)>,
    map: Option<Map<&'p [u8], usize>>,
}

/// Beyond this many names, hashing wins over comparing in a row.
const LINEAR_NAMES: usize = 16;

impl<'p, V: Copy> Names<'p, V> {
    fn new() -> Names<'p, V> {
        Names { list: Vec::new(), map: None }
    }

    /// Adds a name unless it is there already; `false` if it was.
    fn insert(&mut self, name: &'p [u8], value: V) -> bool {
        if self.get(name).is_some() {
            return false;
        }
        self.list.push((name, value));
        if let Some(map) = &mut self.map {
            map.insert(name, self.list.len() - 1);
        } else if self.list.len() > LINEAR_NAMES {
            self.map = Some(self.list.iter().enumerate().map(|(i, (n, _))| (*n, i)).collect());
        }
        true
    }

    fn len(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn get(&self, key: &[u8]) -> Option<V> {
        self.find(key, 0).map(|(_, v)| v)
    }

    /// The value for `key` and its position, trying position `from` first.
    pub(crate) fn find(&self, key: &[u8], from: usize) -> Option<(usize, V)> {
        if let Some(map) = &self.map {
            // Cases mostly list fields in declaration order: one comparison, where hashing
            // a key cost several times more.
            if let Some(&(_, value)) = self.list.get(from).filter(|(name, _)| same(name, key)) {
                return Some((from, value));
            }
            return map.get(key).map(|&i| (i, self.list[i].1));
        }
        // A plain loop: iterator adapters (`chain`, `zip`) doubled the cost of a lookup.
        let n = self.list.len();
        let mut i = if from < n { from } else { 0 };
        for _ in 0..n {
            let (name, value) = self.list[i];
            if same(name, key) {
                return Some((i, value));
            }
            i = if i + 1 == n { 0 } else { i + 1 };
        }
        None
    }
}

impl<'p, V: Copy> FromIterator<(&'p [u8], V)> for Names<'p, V> {
    fn from_iter<I: IntoIterator<Item = (&'p [u8], V)>>(items: I) -> Names<'p, V> {
        let mut names = Names::new();
        for (name, value) in items {
            names.insert(name, value);
        }
        names
    }
}

/// Byte equality, eight at a time: names are short, and the library `memcmp` call costs
/// more than the comparison.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while let (Some(x), Some(y)) = (a.get(i..i + 8), b.get(i..i + 8)) {
        if x != y {
            return false;
        }
        i += 8;
    }
    while let (Some(x), Some(y)) = (a.get(i), b.get(i)) {
        if x != y {
            return false;
        }
        i += 1;
    }
    true
}

/// Reads cases for one policy. Build it once: it precomputes every name lookup.
pub struct CaseReader<'p> {
    policy: &'p Policy,
    /// Object levels: the root, each input, each nested record.
    levels: Vec<Level<'p>>,
    root: u32,
    /// With one input, the name a case may be nested under (unless it is also a field).
    wrapper: Option<&'p str>,
    /// Per slot, its path as errors show it: `申请.地址.区`.
    slot_paths: Vec<String>,
    /// Slots that are not optional, in slot order.
    required: Vec<SlotId>,
    /// Per enum, variant name → index.
    variants: Vec<Names<'p, u32>>,
    /// Per list, key → row index.
    rows: Vec<RowIndex<'p>>,
}

struct Level<'p> {
    entries: Names<'p, Entry>,
    /// Field names in declaration order, for messages.
    names: Vec<&'p str>,
    /// `申请.地址`; empty for the root of a multi-input policy.
    path: String,
    /// Set for an input's own level, to tell a missing input from missing fields.
    input: Option<u32>,
}

#[derive(Clone, Copy, Debug)]
enum Entry {
    Slot(SlotId),
    Level(u32),
}

enum RowIndex<'p> {
    Text(Names<'p, u32>),
    Int(Map<i64, u32>),
}

impl<'p> CaseReader<'p> {
    pub fn new(policy: &'p Policy) -> CaseReader<'p> {
        let mut levels = Vec::new();
        let single = policy.inputs.len() == 1;
        if !single {
            levels.push(Level::new(String::new(), None));
        }
        for (i, input) in policy.inputs.iter().enumerate() {
            let at = levels.len() as u32;
            levels.push(Level::new(input.name.clone(), Some(i as u32)));
            if !single {
                levels[0].insert(&input.name, Entry::Level(at));
            }
            for &s in &input.fields {
                let path = &policy.slots[s as usize].path;
                let mut lv = at as usize;
                for (depth, name) in path.iter().enumerate() {
                    if depth + 1 == path.len() {
                        levels[lv].insert(name, Entry::Slot(s));
                        continue;
                    }
                    lv = match levels[lv].entries.get(name.as_bytes()) {
                        Some(Entry::Level(l)) => l as usize,
                        _ => {
                            let next = levels.len();
                            let sub = Level::new(format!("{}.{name}", levels[lv].path), None);
                            levels.push(sub);
                            levels[lv].insert(name, Entry::Level(next as u32));
                            next
                        }
                    };
                }
            }
        }
        let wrapper = match policy.inputs.as_slice() {
            [only] if levels[0].entries.get(only.name.as_bytes()).is_none() => Some(only.name.as_str()),
            _ => None,
        };
        let slot_paths = policy
            .slots
            .iter()
            .map(|s| {
                let input = policy.inputs.get(s.input as usize).map_or("", |i| i.name.as_str());
                std::iter::once(input).chain(s.path.iter().map(String::as_str)).collect::<Vec<_>>().join(".")
            })
            .collect();
        let variants = policy
            .enums
            .iter()
            .map(|e| e.variants.iter().enumerate().map(|(i, v)| (v.name.as_bytes(), i as u32)).collect())
            .collect();
        let rows = policy
            .lists
            .iter()
            .map(|l| match l.fields.get(l.key).map(|f| &f.1) {
                Some(Type::Int) => RowIndex::Int(
                    l.rows
                        .iter()
                        .enumerate()
                        .filter_map(|(i, r)| int_key(&r[l.key]).map(|k| (k, i as u32)))
                        .collect(),
                ),
                _ => RowIndex::Text(
                    l.rows
                        .iter()
                        .enumerate()
                        .filter_map(|(i, r)| text_key(&r[l.key]).map(|k| (k.as_bytes(), i as u32)))
                        .collect(),
                ),
            })
            .collect();
        let required = (0..policy.slots.len() as SlotId)
            .filter(|&s| !matches!(policy.slots[s as usize].ty, Type::Opt(_)))
            .collect();
        CaseReader { policy, levels, root: 0, wrapper, slot_paths, required, variants, rows }
    }

    pub fn policy(&self) -> &'p Policy {
        self.policy
    }

    fn slot_count(&self) -> usize {
        self.policy.slots.len()
    }

    fn text_keyed(&self, list: u32) -> bool {
        matches!(self.rows.get(list as usize), Some(RowIndex::Text(_)))
    }

    /// What a value of `ty` looks like in a case file, for "expected …" messages.
    fn describe(&self, ty: &Type) -> Msg {
        let enum_name = |e: u32| self.policy.enums.get(e as usize).map_or("", |e| e.name.as_str());
        let list_name = |l: u32| self.policy.lists.get(l as usize).map_or("", |l| l.name.as_str());
        let (zh, en) = qingdan_runtime::reader::describe_type(ty, &enum_name, &list_name);
        msg(zh, en)
    }

    fn unknown_variant(&self, e: u32, name: &str) -> Msg {
        let Some(def) = self.policy.enums.get(e as usize) else {
            return msg("未知的值", "unknown value");
        };
        let names: Vec<&str> = def.variants.iter().map(|v| v.name.as_str()).collect();
        let head = msg(
            format!("`{}` 没有值 `{}`", def.name, shorten(name)),
            format!("`{}` has no variant `{}`", def.name, shorten(name)),
        );
        with_suggestion(head, name, &names, &msg("可选的值", "its variants"))
    }

    fn unknown_key(&self, l: u32, key: &str) -> Msg {
        let Some(list) = self.policy.lists.get(l as usize) else { return msg("未知的键", "unknown key") };
        let head = msg(
            format!("`{}` 中没有键为 `{}` 的条目", list.name, shorten(key)),
            format!("`{}` has no row with key `{}`", list.name, shorten(key)),
        );
        // Suggestions compare against every key: on an error path, but a batch of bad
        // lines against a long catalogue should not turn quadratic.
        let keys: Vec<&str> = match &self.rows[l as usize] {
            RowIndex::Text(m) if m.len() <= 1_000 => {
                list.rows.iter().filter_map(|r| text_key(&r[list.key])).collect()
            }
            _ => Vec::new(),
        };
        match closest(key, keys.iter().copied()) {
            Some(c) => {
                msg(format!("{}；是不是想写 `{c}`？", head.zh), format!("{}; did you mean `{c}`?", head.en))
            }
            None => head,
        }
    }
}

impl<'p> Level<'p> {
    fn new(path: String, input: Option<u32>) -> Level<'p> {
        Level { entries: Names::new(), names: Vec::new(), path, input }
    }

    fn insert(&mut self, name: &'p str, entry: Entry) {
        if self.entries.insert(name.as_bytes(), entry) {
            self.names.push(name);
        }
    }

    /// `申请.name`, or just `name` at the root of a multi-input policy.
    fn child_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        }
    }
}

fn text_key(v: &Value) -> Option<&str> {
    match v {
        Value::Text(t) => Some(t),
        _ => None,
    }
}

fn int_key(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

/// `head; did you mean …?`, or `head (its variants: a, b, c)` when nothing is close.
fn with_suggestion(head: Msg, name: &str, names: &[&str], what: &Msg) -> Msg {
    if let Some(c) = closest(name, names.iter().copied()) {
        return msg(format!("{}；是不是想写 `{c}`？", head.zh), format!("{}; did you mean `{c}`?", head.en));
    }
    const SHOWN: usize = 20;
    let mut list: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        list.push("…".into());
    }
    if list.is_empty() {
        return head;
    }
    msg(
        format!("{}（{}：{}）", head.zh, what.zh, list.join("、")),
        format!("{} ({}: {})", head.en, what.en, list.join(", ")),
    )
}

pub(crate) use qingdan_runtime::text::shorten;

// ------------------------------------------------------------------ scalar parsing

// Exact decimals and `YYYY-MM-DD` dates are read by the runtime's functions, which its own
// JSON case reader uses too: one implementation for every Rust reader.
use qingdan_runtime::text::{parse_date, parse_decimal, DecimalError};

// ------------------------------------------------------------------ the inverse

/// A case as JSON, with names instead of indices: the inverse of reading (what
/// [`CaseReader::json_line`] reads back to the same values). With one input the fields
/// are at the top; with several, under each input's name. Absent optionals are `null`.
/// Decimals are numbers when a JSON reader's float gives the same digits back, else
/// strings, so no consumer sees a rounded amount.
pub fn case_to_json(policy: &Policy, case: &[Value]) -> serde_json::Value {
    let mut inputs: Vec<serde_json::Map<String, serde_json::Value>> =
        vec![serde_json::Map::new(); policy.inputs.len()];
    for (s, slot) in policy.slots.iter().enumerate() {
        let Some(object) = inputs.get_mut(slot.input as usize) else { continue };
        let value = case.get(s).map_or(serde_json::Value::Null, |v| value_to_json(policy, v, &slot.ty));
        let mut at = object;
        for (depth, name) in slot.path.iter().enumerate() {
            if depth + 1 == slot.path.len() {
                at.insert(name.clone(), value);
                break;
            }
            let entry =
                at.entry(name.clone()).or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            match entry {
                serde_json::Value::Object(m) => at = m,
                _ => break,
            }
        }
    }
    if let [only] = inputs.as_mut_slice() {
        return serde_json::Value::Object(std::mem::take(only));
    }
    let wrapped =
        policy.inputs.iter().zip(inputs).map(|(i, o)| (i.name.clone(), serde_json::Value::Object(o)));
    serde_json::Value::Object(wrapped.collect())
}

fn value_to_json(policy: &Policy, value: &Value, ty: &Type) -> serde_json::Value {
    use serde_json::Value as J;
    match (value, ty) {
        (Value::None, _) => J::Null,
        (v, Type::Opt(inner)) => value_to_json(policy, v, inner),
        (Value::Bool(b), _) => J::Bool(*b),
        (Value::Int(i), _) => J::from(*i),
        (Value::Dec(d), _) => decimal_to_json(*d),
        (Value::Text(t), _) => J::String(t.to_string()),
        (Value::Date(d), _) => J::String(format_date(*d)),
        (Value::Enum(v), Type::Enum(e)) => policy
            .enums
            .get(*e as usize)
            .and_then(|e| e.variants.get(*v as usize))
            .map_or(J::Null, |v| J::String(v.name.clone())),
        (Value::Row(r), Type::Row(l)) => {
            let Some(list) = policy.lists.get(*l as usize) else { return J::Null };
            match list.rows.get(*r as usize).map(|row| &row[list.key]) {
                Some(Value::Int(k)) => J::from(*k),
                Some(Value::Text(k)) => J::String(k.to_string()),
                _ => J::Null,
            }
        }
        (Value::Set(items), Type::Set(inner)) => {
            J::Array(items.iter().map(|v| value_to_json(policy, v, inner)).collect())
        }
        (v, _) => J::String(v.to_string()),
    }
}

fn decimal_to_json(scaled: i64) -> serde_json::Value {
    if scaled % DECIMAL_SCALE == 0 {
        return serde_json::Value::from(scaled / DECIMAL_SCALE);
    }
    let text = format_decimal(scaled);
    let float: Option<f64> = text.parse().ok();
    match float.and_then(serde_json::Number::from_f64) {
        Some(n) if n.to_string() == text => serde_json::Value::Number(n),
        _ => serde_json::Value::String(text),
    }
}
