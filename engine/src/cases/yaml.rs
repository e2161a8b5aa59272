//! YAML cases: a mapping is one case, a sequence of mappings holds many, and a file may
//! hold several documents (`---`).
//!
//! Decimals and text are read as the scalar's source text (`deserialize_str`), which is the
//! only way `serde_yaml` hands out `12.50` unrounded. The price: if such a field holds a
//! list or mapping instead, `serde_yaml` gives up on the whole document. The reader then
//! records that case's error and reads the document again from the next case on, so the
//! other cases still run (at most [`MAX_RESTARTS`] times per document, so a file of
//! nothing but such mistakes cannot make the work quadratic).

use std::fmt;
use std::marker::PhantomData;

use qingdan_dsl::diag::msg;
use qingdan_dsl::{yaml_depth, Code};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::de::{decimal_from_text, Bad, CaseSeed, Ctx, Format, Found, LevelSeed, Problem};
use super::{CaseError, CaseReader, CaseResult};
use crate::value::Value;

pub(crate) struct Yaml;

impl Format for Yaml {
    const SCALAR_TEXT: bool = true;

    fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Result<Option<i64>, Bad>, D::Error> {
        Ok(d.deserialize_str(DecimalText)?.map(Some))
    }
}

struct DecimalText;

impl Visitor<'_> for DecimalText {
    type Value = Result<i64, Bad>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(decimal_from_text(v))
    }
}

/// Re-reads of one document after a case that `serde_yaml` could not finish.
const MAX_RESTARTS: usize = 64;

/// A case read, with the line of the error where `serde_yaml` knew it.
type Read = (Result<Vec<Value>, Problem>, Option<usize>);

impl CaseReader<'_> {
    /// Cases from a YAML text. A syntax error anywhere is one E0301 error for the file.
    pub fn read_yaml(&self, text: &str) -> Vec<CaseResult> {
        // A byte-order mark, as spreadsheet exports and Windows editors write (accepted in
        // every other format too); `serde_yaml` would take it for content.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // Before `serde_yaml`, whose scanner is quadratic in the nesting (see yaml_depth).
        if let Some(line) = yaml_depth::too_deep(text, yaml_depth::MAX_DEPTH) {
            let message = yaml_depth::too_deep_message();
            return vec![Err(CaseError {
                case: 1,
                path: String::new(),
                code: Code::E0301,
                message,
                line: Some(line),
            })];
        }
        let mut documents = 0;
        for doc in serde_yaml::Deserializer::from_str(text) {
            if let Err(e) = IgnoredAny::deserialize(doc) {
                return vec![Err(malformed(&e, 1))];
            }
            documents += 1;
        }
        let mut out: Vec<Read> = Vec::new();
        let mut ctx = Ctx::new(self, false);
        for d in 0..documents {
            let first = out.len();
            for restart in 0..=MAX_RESTARTS {
                let Some(doc) = serde_yaml::Deserializer::from_str(text).nth(d) else { break };
                let skip = out.len() - first;
                let Err(e) = DocSeed { ctx: &mut ctx, out: &mut out, skip }.deserialize(doc) else { break };
                let line = e.location().map(|l| l.line());
                if !ctx.in_case {
                    let message = msg(format!("YAML 格式错误：{e}"), format!("malformed YAML: {e}"));
                    out.push((Err(Problem { code: Code::E0301, message, path: String::new() }), line));
                    break;
                }
                out.push((Err(gave_up(&mut ctx, &e)), line));
                if restart == MAX_RESTARTS {
                    let message = msg(
                        "本文档中无法读完的案例过多，其余部分未读",
                        "too many cases of this document could not be read; the rest was skipped",
                    );
                    out.push((Err(Problem { code: Code::E0301, message, path: String::new() }), line));
                }
            }
        }
        // Lines where cases start, when the file is a plain block list of them.
        let starts = entry_lines(text);
        let starts = (starts.len() == out.len()).then_some(starts);
        out.into_iter()
            .enumerate()
            .map(|(i, (result, line))| {
                let line = line.or_else(|| starts.as_ref().map(|s| s[i]));
                result.map_err(|p| CaseError {
                    case: i + 1,
                    path: p.path,
                    code: p.code,
                    message: p.message,
                    line,
                })
            })
            .collect()
    }
}

/// The case's error after `serde_yaml` gave up inside it: the earlier problem if there was
/// one, else the field it was reading, which held a list or mapping.
fn gave_up(ctx: &mut Ctx<'_, '_>, e: &serde_yaml::Error) -> Problem {
    ctx.in_case = false;
    if let Some(p) = ctx.error.take() {
        return p;
    }
    let r = ctx.r;
    let Some(slot) = ctx.current.take() else {
        return Problem {
            code: Code::E0301,
            message: msg(format!("YAML 格式错误：{e}"), format!("malformed YAML: {e}")),
            path: String::new(),
        };
    };
    let detail = e.to_string();
    let found = if detail.contains("invalid type: sequence") { Found::List } else { Found::Object };
    let ty = &r.policy.slots[slot as usize].ty;
    let (expected, found) = (r.describe(ty), found.describe());
    let message = match element_type(ty) {
        // The field is a set, so a list is right for it: what `serde_yaml` met was a list
        // or mapping where an element belongs (`[[a]]` for a set of text).
        Some(element) => {
            let element = r.describe(element);
            msg(
                format!("应为{}，但其中一项是{}，而不是{}", expected.zh, found.zh, element.zh),
                format!("expected {}, but an element is {}, not {}", expected.en, found.en, element.en),
            )
        }
        None => msg(
            format!("应为{}，实际是{}", expected.zh, found.zh),
            format!("expected {}, found {}", expected.en, found.en),
        ),
    };
    Problem { code: Code::E0302, message, path: r.slot_paths[slot as usize].clone() }
}

/// The innermost element type of a set type (through optional layers), if `ty` is a set.
fn element_type(ty: &crate::ir::Type) -> Option<&crate::ir::Type> {
    use crate::ir::Type;
    match ty {
        Type::Opt(inner) => element_type(inner),
        Type::Set(inner) => Some(element_type(inner).unwrap_or(inner)),
        _ => None,
    }
}

fn malformed(e: &serde_yaml::Error, case: usize) -> CaseError {
    CaseError {
        case,
        path: String::new(),
        code: Code::E0301,
        message: msg(format!("YAML 格式错误：{e}"), format!("malformed YAML: {e}")),
        line: e.location().map(|l| l.line()),
    }
}

/// 1-based lines that start an entry of a top-level block sequence (`- …` at column 0).
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let rest = l.strip_prefix('-');
            rest.is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// One YAML document: a mapping (one case), a sequence (many) or nothing.
struct DocSeed<'c, 'a, 'p> {
    ctx: &'c mut Ctx<'a, 'p>,
    out: &'c mut Vec<Read>,
    /// Cases already read by an earlier pass over this document.
    skip: usize,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl DocSeed<'_, '_, '_> {
    fn not_cases(self) {
        let message = msg(
            "YAML 案例文件应是一个映射（一个案例）或映射的列表（多个案例）",
            "a YAML case file holds a mapping (one case) or a list of mappings (many cases)",
        );
        self.out.push((Err(Problem { code: Code::E0301, message, path: String::new() }), None));
    }
}

impl<'de> Visitor<'de> for DocSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a case or a list of cases")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.skip > 0 {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        self.ctx.begin();
        let root = self.ctx.r.root;
        LevelSeed::<Yaml> { ctx: &mut *self.ctx, level: root, root: true, _format: PhantomData }
            .visit_map(map)?;
        self.out.push((self.ctx.finish(), None));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for i in 0.. {
            if i < self.skip {
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    break;
                }
                continue;
            }
            self.ctx.begin();
            match seq.next_element_seed(CaseSeed::<Yaml> { ctx: &mut *self.ctx, _format: PhantomData })? {
                Some(()) => self.out.push((self.ctx.finish(), None)),
                None => {
                    self.ctx.in_case = false;
                    break;
                }
            }
        }
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.not_cases();
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.not_cases();
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.not_cases();
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.not_cases();
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_cases();
        Ok(())
    }
}
