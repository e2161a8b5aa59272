//! Checking lists and their rows (keys, references to other lists' rows), and the
//! `field: value` sets that rows, test inputs and outcome payloads share.

use super::env::{Def, FieldInfo, ListId};
use super::suggest::{did_you_mean, with_hint};
use super::types::Ty;
use super::{Checker, Cx};
use crate::diag::{msg, Code, Diagnostic};
use crate::include::ListRows;
use crate::source::Span;
use crate::syntax::ast::*;

/// What a `{ field: value, … }` is checked against.
#[derive(Clone, Copy)]
pub(super) struct Shape<'s> {
    pub(super) fields: &'s [FieldInfo],
    pub(super) owner: &'s str,
    /// Where a missing field is reported.
    pub(super) at: Span,
    /// Rows and test inputs take constants only.
    pub(super) constant: bool,
    /// The key field of a row, which is written after `item` rather than inside.
    pub(super) skip: Option<&'s str>,
    pub(super) missing_code: Code,
}

impl<'s> Shape<'s> {
    pub(super) fn row(fields: &'s [FieldInfo], owner: &'s str, at: Span) -> Shape<'s> {
        Shape { fields, owner, at, constant: true, skip: None, missing_code: Code::E0127 }
    }
}

impl<'a> Checker<'a> {
    // ------------------------------------------------------------ lists

    /// Resolves every list's row type and key, and collects its keys, before any row is
    /// checked: rows may refer to lists declared later or in other policies.
    pub(super) fn collect_lists(&mut self) {
        let mut id = 0;
        for (m, module) in self.modules.iter().enumerate() {
            for (i, decl) in module.decls.iter().enumerate() {
                if let Decl::List(l) = decl {
                    self.collect_list(m, i, ListId(id), l);
                    id += 1;
                }
            }
        }
    }

    /// A list's rows, borrowed: a list read from a file may hold 100,000 rows, so they are
    /// never copied.
    pub(super) fn rows<'l>(&self, m: usize, i: usize, l: &'l ListDecl) -> ListRows<'l>
    where
        'a: 'l,
    {
        ListRows::of(l, self.included.get(&(m, i)), self.sources)
    }

    fn collect_list(&mut self, m: usize, i: usize, id: ListId, l: &ListDecl) {
        let row = match self.env.lookup(m, &l.row_type.name) {
            Some(Def::Record(r)) => Some(r),
            _ => {
                let mut names = self.env.visible_names(m);
                names.retain(|n| matches!(self.env.peek(m, n), Some(Def::Record(_))));
                self.diags.push(
                    Diagnostic::new(
                        Code::E0111,
                        l.row_type.span,
                        msg(
                            format!("`{}` 不是记录类型", l.row_type.name),
                            format!("`{}` is not a record type", l.row_type.name),
                        ),
                    )
                    .help(with_hint(
                        did_you_mean(&l.row_type.name, names),
                        msg("清单的条目类型须是一个 `记录`", "a list's row type must be a `record`"),
                    )),
                );
                None
            }
        };
        self.env.lists[id.0].row = row;
        let Some(row) = row else { return };
        let record = &self.env.records[row.0];
        let key = record.fields.iter().position(|f| f.name == l.key.name);
        match key.map(|k| &record.fields[k].ty) {
            Some(Ty::Text | Ty::Int) => self.env.lists[id.0].key_field = key,
            _ => {
                let help = did_you_mean(&l.key.name, record.fields.iter().map(|f| f.name.as_str()));
                self.diags.push(
                    Diagnostic::new(
                        Code::E0123,
                        l.key.span,
                        msg(
                            format!(
                                "`{}` 不能作键：键须是记录 `{}` 中的文本或整数字段",
                                l.key.name, record.name
                            ),
                            format!(
                                "`{}` cannot be the key: it must be a text or int field of `{}`",
                                l.key.name, record.name
                            ),
                        ),
                    )
                    .help_opt(help),
                );
            }
        }
        let key_ok = self.env.lists[id.0].key_field.is_some();
        for head in self.rows(m, i, l).heads() {
            let key = head.key();
            let first = self.list_keys[id.0].get(&key.value).copied();
            match first {
                // Keys of a list whose key field is wrong mean little: reported once, above.
                Some(_) if !key_ok => {}
                Some(first) => self.diags.push(
                    Diagnostic::new(
                        Code::E0119,
                        key.span,
                        msg(
                            format!("清单 `{}` 中的键 `{}` 重复", l.name.name, key.value),
                            format!("key `{}` appears twice in list `{}`", key.value, l.name.name),
                        ),
                    )
                    .secondary(first, msg("第一次出现在这里", "first used here"))
                    .help(msg("每个条目的键须唯一", "each row needs its own key")),
                ),
                None => {
                    let span = key.span;
                    self.list_keys[id.0].insert(key.into_owned().value, span);
                }
            }
        }
    }

    pub(super) fn check_list(&mut self, m: usize, i: usize, l: &ListDecl) {
        let Some(id) = self.list_id(m, &l.name.name) else {
            return;
        };
        let Some(record) = self.env.row_record(id).cloned() else {
            return;
        };
        // With no valid key field the rows cannot be matched to the record (which field
        // did the keys fill?); the key error is enough.
        let Some(kf) = self.env.lists[id.0].key_field.map(|k| record.fields[k].clone()) else {
            return;
        };
        let cx = Cx::new(m);
        self.record_types = !matches!(l.body, ListBody::From(_));
        let mut rows = self.rows(m, i, l).cursor();
        while let Some(item) = rows.next_row() {
            let key_ty = match item.key.value {
                KeyValue::Int(_) => Ty::Int,
                KeyValue::Text(_) => Ty::Text,
            };
            if !key_ty.fits(&kf.ty) {
                self.mismatch(item.key.span, &kf.ty, &key_ty);
            }
            let shape = Shape {
                skip: Some(kf.name.as_str()),
                ..Shape::row(&record.fields, &record.name, item.key.span)
            };
            self.check_inits(&item.fields, &shape, &cx);
        }
        self.record_types = true;
    }

    fn list_id(&self, m: usize, name: &str) -> Option<ListId> {
        match self.env.scopes[m].names.get(name) {
            Some((Def::List(id), _)) => Some(*id),
            _ => None,
        }
    }

    /// Checks `field: value` pairs against declared fields: every field known, none twice,
    /// every required one given, every value of the right type (and, for rows and test
    /// inputs, constant).
    pub(super) fn check_inits(&mut self, inits: &[FieldInit], shape: &Shape<'_>, cx: &Cx) {
        let Shape { fields, owner, at, constant, skip, missing_code } = *shape;
        // Where each field was first given, by the field's index, and the names given that
        // are no field's: each name is compared once (a file's 100,000 rows come here).
        let mut given: Vec<Option<Span>> = vec![None; fields.len()];
        let mut others: Vec<(&str, Span)> = Vec::new();
        for init in inits {
            let name = init.name.name.as_str();
            let field =
                fields.iter().position(|f| f.name == name).filter(|&j| Some(fields[j].name.as_str()) != skip);
            let first = match field {
                Some(j) => {
                    let first = given[j];
                    given[j] = first.or(Some(init.name.span));
                    first
                }
                None => {
                    let first = others.iter().find(|(n, _)| *n == name).map(|o| o.1);
                    if first.is_none() {
                        others.push((name, init.name.span));
                    }
                    first
                }
            };
            if let Some(first) = first {
                self.diags.push(
                    Diagnostic::new(
                        Code::E0112,
                        init.name.span,
                        msg(
                            format!("字段 `{}` 写了两次", init.name.name),
                            format!("field `{}` is given twice", init.name.name),
                        ),
                    )
                    .secondary(first, msg("第一次写在这里", "first given here"))
                    .help(msg("删除其中一个", "remove one of them")),
                );
                continue;
            }
            let Some(field) = field.map(|j| &fields[j]) else {
                let help = did_you_mean(&init.name.name, fields.iter().map(|f| f.name.as_str()));
                self.unknown_field(&init.name, owner, help);
                continue;
            };
            if constant {
                self.constant(&init.value, &field.ty, cx);
            } else {
                self.expect(&init.value, cx, &field.ty);
            }
        }
        let missing: Vec<&str> = fields
            .iter()
            .zip(&given)
            .filter(|(f, given)| {
                !matches!(f.ty, Ty::Opt(_)) && Some(f.name.as_str()) != skip && given.is_none()
            })
            .map(|(f, _)| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
            let (list_zh, list_en) = (names.join("、"), names.join(", "));
            self.diags.push(
                Diagnostic::new(
                    missing_code,
                    at,
                    msg(format!("缺少字段 {list_zh}"), format!("missing field(s) {list_en}")),
                )
                .help(msg(
                    format!("`{owner}` 的这些字段不是可选的（类型后没有 `?`），须给出取值"),
                    format!(
                        "these fields of `{owner}` are not optional (no `?` after the type) and need a value"
                    ),
                )),
            );
        }
    }

    /// A value in a list row or a test: a literal, an enum variant, a set of them, or the
    /// key of a row of another list.
    fn constant(&mut self, e: &Expr, expected: &Ty, cx: &Cx) {
        match expected.present() {
            Ty::Row(l) => return self.reference(e, *l),
            Ty::Set(inner) if matches!(**inner, Ty::Row(_)) => {
                if let (ExprKind::Set(items), Ty::Row(l)) = (&e.kind, &**inner) {
                    for item in items {
                        self.reference(item, *l);
                    }
                    return;
                }
            }
            _ => {}
        }
        if self.is_constant(e, cx) {
            self.expect(e, cx, expected);
        } else {
            self.diags.push(
                Diagnostic::new(Code::E0217, e.span, msg("这里须写常量", "a constant is needed here"))
                    .label(msg("不是常量", "not a constant"))
                    .help(msg(
                        "清单条目和测试的取值只能是文字、数字、日期、真假、枚举值或它们的集合",
                        "list rows and tests take literal text, numbers, dates, booleans, enum variants or sets of them",
                    )),
            );
        }
    }

    fn is_constant(&self, e: &Expr, cx: &Cx) -> bool {
        match &e.kind {
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Decimal(_)
            | ExprKind::Text(_)
            | ExprKind::Date(_)
            | ExprKind::None => true,
            ExprKind::Name(n) => !matches!(
                self.env.lookup(cx.module, &n.name),
                Some(Def::Let(_) | Def::Input(_) | Def::List(_))
            ),
            ExprKind::Field(base, _) => matches!(&base.kind, ExprKind::Name(_)) && self.is_constant(base, cx),
            ExprKind::Set(items) => items.iter().all(|i| self.is_constant(i, cx)),
            ExprKind::Unary(UnaryOp::Neg, x) => {
                matches!(x.kind, ExprKind::Int(_) | ExprKind::Decimal(_))
            }
            _ => false,
        }
    }

    /// A row's key written where a reference to list `l` is expected.
    fn reference(&mut self, e: &Expr, l: ListId) {
        let key = match &e.kind {
            ExprKind::Text(t) => KeyValue::Text(t.clone()),
            ExprKind::Name(n) => KeyValue::Text(n.name.clone()),
            ExprKind::Int(i) => KeyValue::Int(*i),
            ExprKind::None => return,
            _ => {
                self.diags.push(
                    Diagnostic::new(
                        Code::E0217,
                        e.span,
                        msg("这里须写被引用条目的键", "the key of the referenced row is needed here"),
                    )
                    .help(msg(
                        "写出另一清单中条目的键，例如 \"民政局\"",
                        "write the key of a row of the other list, e.g. \"civil-affairs\"",
                    )),
                );
                return;
            }
        };
        let (list, list_keys) = (&self.env.lists[l.0], &self.list_keys[l.0]);
        if list_keys.contains_key(&key) {
            return;
        }
        let key_text = key.to_string();
        let keys: Vec<String> = list_keys.keys().map(ToString::to_string).collect();
        let help = did_you_mean(&key_text, keys.iter().map(String::as_str));
        let name = list.name.clone();
        self.diags.push(
            Diagnostic::new(
                Code::E0120,
                e.span,
                msg(
                    format!("清单 `{name}` 中没有键为 `{key_text}` 的条目"),
                    format!("list `{name}` has no row with key `{key_text}`"),
                ),
            )
            .secondary(
                self.env.name_span(list.module, &name).unwrap_or(list.span),
                msg("被引用的清单", "the referenced list"),
            )
            .help_opt(help),
        );
    }
}
