//! Typing names: variables, enum variants written bare, lets (their types, cycles), and
//! what to suggest for a name that is none of these.

use super::env::{Def, EnumId};
use super::suggest::did_you_mean;
use super::types::Ty;
use super::{Checker, Cx, LetState};
use crate::diag::{msg, Code, Diagnostic, Msg};
use crate::source::Span;
use crate::syntax::ast::Ident;
use crate::syntax::keywords::glued_chinese_keyword;
use crate::syntax::slips;

impl Checker<'_> {
    pub(super) fn name(&mut self, id: &Ident, cx: &Cx, expected: Option<&Ty>) -> Ty {
        if let Some(t) = cx.local(&id.name) {
            return t.clone();
        }
        match self.env.lookup(cx.module, &id.name) {
            Some(Def::Let(i)) => {
                self.used_lets.insert((cx.module, i));
                self.let_type(cx.module, i)
            }
            Some(Def::Input(r)) => Ty::Record(r),
            Some(Def::List(l)) => {
                self.note_list_use(cx.module, l, id.span);
                Ty::List(l)
            }
            Some(other) => {
                if let Some(t) = self.variant_in_expected(&id.name, expected) {
                    return t;
                }
                self.not_a_value(id, other);
                Ty::Error
            }
            None => self.bare_variant(id, cx, expected),
        }
    }

    fn variant_in_expected(&self, name: &str, expected: Option<&Ty>) -> Option<Ty> {
        match expected.map(Ty::present) {
            Some(Ty::Enum(e)) if self.env.enums[e.0].variant(name).is_some() => Some(Ty::Enum(*e)),
            Some(Ty::Set(inner)) => self.variant_in_expected(name, Some(inner)),
            _ => None,
        }
    }

    pub(super) fn not_a_value(&mut self, id: &Ident, def: Def) {
        let (zh, en) = match def {
            Def::Enum(_) | Def::Record(_) => ("类型", "a type"),
            Def::Source(_) => ("来源", "a source"),
            Def::Rule(_) => ("规则", "a rule"),
            Def::Decision(_) => ("决定", "a decision"),
            Def::Check(_) => ("检查", "a check"),
            Def::Test(_) => ("测试", "a test"),
            Def::Policy(_) => ("政策", "a policy"),
            Def::Let(_) | Def::Input(_) | Def::List(_) => ("值", "a value"),
        };
        let name = &id.name;
        self.diags.push(
            Diagnostic::new(
                Code::E0201,
                id.span,
                msg(format!("`{name}` 是{zh}，不能当作值使用"), format!("`{name}` is {en}, not a value")),
            )
            .help(msg(
                "表达式里可以使用输入的字段、定义（令）、清单和枚举值",
                "expressions can use input fields, lets, lists and enum variants",
            )),
        );
    }

    /// A bare name that is no declaration: an enum variant, found by the expected type or
    /// by being the only variant of that name.
    fn bare_variant(&mut self, id: &Ident, cx: &Cx, expected: Option<&Ty>) -> Ty {
        if let Some(t) = self.variant_in_expected(&id.name, expected) {
            return t;
        }
        let hits: Vec<EnumId> = self
            .env
            .visible_enums(cx.module)
            .into_iter()
            .filter(|e| self.env.enums[e.0].variant(&id.name).is_some())
            .collect();
        match hits.as_slice() {
            [one] => Ty::Enum(*one),
            [] => {
                self.unknown_name(id, cx, expected);
                Ty::Error
            }
            many => {
                let names: Vec<String> =
                    many.iter().map(|e| format!("`{}.{}`", self.env.enums[e.0].name, id.name)).collect();
                let (list_zh, list_en) = (names.join("、"), names.join(", "));
                self.diags.push(
                    Diagnostic::new(
                        Code::E0105,
                        id.span,
                        msg(
                            format!("`{}` 同时是几个枚举的值", id.name),
                            format!("`{}` is a variant of several enums", id.name),
                        ),
                    )
                    .help(msg(format!("写明是哪一个：{list_zh}"), format!("say which one: {list_en}"))),
                );
                Ty::Error
            }
        }
    }

    fn unknown_name(&mut self, id: &Ident, cx: &Cx, expected: Option<&Ty>) {
        // Only what can stand in an expression: suggesting a rule or a source here misleads.
        let mut candidates: Vec<String> = self
            .env
            .visible_names(cx.module)
            .into_iter()
            .filter(|n| {
                matches!(
                    self.env.peek(cx.module, n),
                    Some(Def::Let(_) | Def::Input(_) | Def::List(_) | Def::Enum(_))
                )
            })
            .map(String::from)
            .collect();
        candidates.extend(cx.locals.iter().map(|(n, _)| n.clone()));
        for e in self.env.visible_enums(cx.module) {
            candidates.extend(self.env.enums[e.0].variants.iter().map(|v| v.name.clone()));
        }
        // `非申请` is `非 申请` run together: say so rather than suggest a near name.
        let glued_onto_name = glued_chinese_keyword(&id.name)
            .is_some_and(|kw| candidates.iter().any(|c| *c == id.name[kw.len()..]));
        let glued = if glued_onto_name { glued_hint(&id.name) } else { None };
        let hint = glued
            .or_else(|| slips::operator_inside_name(&id.name))
            .or_else(|| did_you_mean(&id.name, candidates.iter().map(String::as_str)))
            .or_else(|| glued_hint(&id.name))
            .or_else(|| {
                matches!(expected.map(Ty::present), Some(Ty::Text)).then(|| {
                    msg(
                        format!("如果这是文字，请加引号：\"{}\"", id.name),
                        format!("if this is text, put it in quotes: \"{}\"", id.name),
                    )
                })
            });
        self.diags.push(
            Diagnostic::new(
                Code::E0101,
                id.span,
                msg(format!("未知名称 `{}`", id.name), format!("unknown name `{}`", id.name)),
            )
            .label(msg("找不到这个名称", "not found in this policy"))
            .help_opt(hint),
        );
    }

    pub(super) fn let_type(&mut self, m: usize, i: usize) -> Ty {
        match self.lets.get(&(m, i)) {
            Some(LetState::Done(t)) => return t.clone(),
            Some(LetState::InProgress) => {
                self.let_cycle(m, i);
                return Ty::Error;
            }
            None => {}
        }
        let crate::syntax::ast::Decl::Let(l) = &self.modules[m].decls[i] else {
            return Ty::Error;
        };
        self.lets.insert((m, i), LetState::InProgress);
        self.let_stack.push((m, i));
        let cx = Cx::new(m);
        let ty = match &l.ty {
            Some(written) => {
                let want = super::env::resolve_type(&self.env, m, written, &mut self.diags);
                self.expect(&l.value, &cx, &want);
                want
            }
            None => {
                let t = self.infer(&l.value, &cx, None);
                if is_untyped(&t) {
                    self.untyped_let(l);
                    Ty::Error
                } else {
                    t
                }
            }
        };
        self.let_stack.pop();
        self.lets.insert((m, i), LetState::Done(ty.clone()));
        ty
    }

    /// A let whose value (`none`, `[]`) has no type of its own and that declares none.
    fn untyped_let(&mut self, l: &crate::syntax::ast::LetDecl) {
        let name = &l.name.name;
        self.diags.push(
            Diagnostic::new(
                Code::E0220,
                l.value.span,
                msg(
                    format!("`{name}` 的值是空值，看不出是什么类型"),
                    format!("the value of `{name}` is empty, so its type cannot be told"),
                ),
            )
            .label(msg("类型无从得知", "type unknown"))
            .help(msg(
                format!("写明类型，例如 `令 {name}: 集合 文本 = []`"),
                format!("declare the type, e.g. `let {name}: set of text = []`"),
            )),
        );
    }

    /// Reports the cycle that reaching let `i` again closes: the lets from its first visit
    /// to here, in the order they use each other.
    fn let_cycle(&mut self, m: usize, i: usize) {
        let start = self.let_stack.iter().position(|k| *k == (m, i)).unwrap_or(0);
        let cycle: Vec<(String, Span)> = self.let_stack[start..]
            .iter()
            .filter_map(|k| match &self.modules[k.0].decls[k.1] {
                crate::syntax::ast::Decl::Let(l) => Some((l.name.name.clone(), l.name.span)),
                _ => None,
            })
            .collect();
        let Some((first, span)) = cycle.first().cloned() else {
            return;
        };
        let chain = cycle
            .iter()
            .map(|(n, _)| format!("`{n}`"))
            .chain(std::iter::once(format!("`{first}`")))
            .collect::<Vec<_>>()
            .join(" → ");
        let mut d = Diagnostic::new(
            Code::E0126,
            span,
            msg(format!("定义循环依赖：{chain}"), format!("lets depend on each other in a cycle: {chain}")),
        )
        .label(msg("循环从这里开始", "the cycle starts here"))
        .help(msg(
            "一个定义不能直接或间接地用到它自己",
            "a let cannot use itself, directly or through others",
        ));
        for (name, span) in &cycle[1..] {
            d = d.secondary(
                *span,
                msg(format!("`{name}` 在循环中"), format!("`{name}` is part of the cycle")),
            );
        }
        self.diags.push(d);
    }
}

fn glued_hint(name: &str) -> Option<Msg> {
    glued_chinese_keyword(name).map(|kw| {
        let rest = &name[kw.len()..];
        msg(
            format!("如果 `{kw}` 是关键字，后面要空一格：`{kw} {rest}`"),
            format!("if `{kw}` is meant as a keyword, put a space after it: `{kw} {rest}`"),
        )
    })
}

/// Whether `ty` is the type of `none`, `[]` or `[none]`: a value with no type of its own.
fn is_untyped(ty: &Ty) -> bool {
    match ty {
        Ty::Nothing => true,
        Ty::Set(inner) | Ty::Opt(inner) => is_untyped(inner),
        _ => false,
    }
}
