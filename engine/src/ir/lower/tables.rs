//! Lowering the tables: enums, lists and their rows (constants checked against their
//! types and keys), sources, and the inputs flattened into slots.

use super::expr::literal;
use super::*;
use qingdan_dsl::include::ListRows;

/// A list's rows by key: what a constant naming a row (in another list's row, or in a
/// test) is lowered to. Looked up by the written text, with no key made for the lookup.
#[derive(Default)]
pub(super) struct RowKeys {
    texts: HashMap<String, u32, foldhash::fast::RandomState>,
    ints: HashMap<i64, u32, foldhash::fast::RandomState>,
}

impl<'a> Lowerer<'a> {
    /// Enums, lists and sources of every policy checked together, with the checker's ids.
    pub(super) fn tables(&mut self) -> Lowered<()> {
        let field =
            |f: &qingdan_dsl::check::env::FieldInfo| Ok((f.name.clone(), declared_type(&f.ty, f.span)?));
        self.policy.enums = self
            .env
            .enums
            .iter()
            .map(|e| {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| {
                        let fields = v.fields.iter().map(field).collect::<Lowered<_>>()?;
                        Ok(VariantDef { name: v.name.clone(), fields })
                    })
                    .collect::<Lowered<_>>()?;
                Ok(EnumDef { name: e.name.clone(), variants })
            })
            .collect::<Lowered<_>>()?;
        self.policy.sources = self
            .env
            .sources
            .iter()
            .map(|s| SourceDef {
                name: s.name.clone(),
                title: s.title.clone(),
                clauses: s
                    .clauses
                    .iter()
                    .map(|c| ClauseDef { id: c.id.clone(), text: c.text.clone() })
                    .collect(),
            })
            .collect();
        let keys = self.key_indexes();
        for (id, info) in self.env.lists.iter().enumerate() {
            let record = self.env.row_record(qingdan_dsl::check::env::ListId(id));
            let fields: Vec<(String, Type)> = match record {
                Some(r) => r.fields.iter().map(field).collect::<Lowered<_>>()?,
                None => Vec::new(),
            };
            let key = info.key_field.unwrap_or(0);
            let mut fields = fields;
            let dates = self.date_columns(id, &mut fields);
            let rows = self.rows(id, &fields, key, dates.is_some(), &keys)?;
            let row_spans = self.list_items(id).heads().map(|item| item.span).collect();
            self.policy.lists.push(ListDef {
                name: info.name.clone(),
                fields,
                key,
                rows,
                row_spans,
                span: info.span,
                dates,
            });
        }
        self.row_keys = keys;
        Ok(())
    }

    /// For every list, its rows in order: (module, declaration index). Borrowed, never
    /// copied: a list read from a file may hold 100,000 rows.
    pub(super) fn list_items(&self, list: usize) -> ListRows<'a> {
        let mut n = 0;
        for (m, pm) in self.program.modules.iter().enumerate() {
            for (i, decl) in pm.module.decls.iter().enumerate() {
                if let Decl::List(l) = decl {
                    if n == list {
                        return ListRows::of(l, self.program.included.get(&(m, i)), &self.program.sources);
                    }
                    n += 1;
                }
            }
        }
        ListRows::Written(&[])
    }

    /// Each list's rows by key.
    fn key_indexes(&self) -> Vec<RowKeys> {
        (0..self.env.lists.len())
            .map(|l| {
                let mut keys = RowKeys::default();
                for (row, head) in self.list_items(l).heads().enumerate() {
                    match head.key().into_owned().value {
                        ast::KeyValue::Text(t) => keys.texts.insert(t, row as u32),
                        ast::KeyValue::Int(i) => keys.ints.insert(i, row as u32),
                    };
                }
                keys
            })
            .collect()
    }

    /// A list's rows, one value per field of `fields`; a dated list's last two fields are
    /// its rows' first and last days.
    pub(super) fn rows(
        &self,
        list: usize,
        fields: &[(String, Type)],
        key: usize,
        dated: bool,
        keys: &[RowKeys],
    ) -> Lowered<Rows> {
        let items = self.list_items(list);
        let mut rows = Rows::with_capacity(fields.len(), items.len());
        let mut row = vec![Value::None; fields.len()];
        // Rows name the same few sets again and again (the departments that assist): each
        // distinct set is kept once, and rows share it.
        let mut sets: std::collections::HashSet<Value, foldhash::fast::RandomState> = Default::default();
        let mut items = items.cursor();
        while let Some(item) = items.next_row() {
            row.fill(Value::None);
            row[key] = match &item.key.value {
                ast::KeyValue::Text(t) => Value::text(t),
                ast::KeyValue::Int(i) => Value::Int(*i),
            };
            for init in &item.fields {
                let Some(f) = fields.iter().position(|(n, _)| *n == init.name.name) else { continue };
                row[f] = match self.constant(&init.value, &fields[f].1, keys)? {
                    set @ Value::Set(_) => sets.get(&set).cloned().unwrap_or_else(|| {
                        sets.insert(set.clone());
                        set
                    }),
                    value => value,
                };
            }
            if let (true, [.., from, until]) = (dated, row.as_mut_slice()) {
                (*from, *until) = super::dated_rows::row_days(item.in_force);
            }
            rows.push(row.iter_mut().map(std::mem::take));
        }
        Ok(rows)
    }

    /// A constant of a row or test: literals, variants, sets, and row keys.
    pub(super) fn constant(&self, e: &ast::Expr, ty: &Type, keys: &[RowKeys]) -> Lowered<Value> {
        let ty = match ty {
            Type::Opt(inner) => inner,
            other => other,
        };
        Ok(match (&e.kind, ty) {
            (A::None, _) => Value::None,
            (A::Set(items), Type::Set(inner)) => {
                Value::set(items.iter().map(|i| self.constant(i, inner, keys)).collect::<Lowered<_>>()?)
            }
            (A::Text(t) | A::Name(ast::Ident { name: t, .. }), Type::Row(l)) => {
                let row = keys[*l as usize].texts.get(t.as_str());
                Value::Row(*row.ok_or_else(|| LowerError {
                    message: format!("dangling key `{t}`"),
                    span: Some(e.span),
                })?)
            }
            (A::Int(i), Type::Row(l)) => {
                Value::Row(*keys[*l as usize].ints.get(i).ok_or_else(|| LowerError {
                    message: format!("dangling key `{i}`"),
                    span: Some(e.span),
                })?)
            }
            (A::Name(n), Type::Enum(en)) => Value::Enum(self.variant_index(*en, &n.name, e.span)?),
            (A::Field(_, v), Type::Enum(en)) => Value::Enum(self.variant_index(*en, &v.name, e.span)?),
            (A::Unary(UnaryOp::Neg, x), _) => match self.constant(x, ty, keys)? {
                Value::Int(i) => Value::Int(-i),
                Value::Dec(d) => Value::Dec(-d),
                _ => return unsupported("negating this constant", e.span),
            },
            // An int written where a decimal is declared is that decimal.
            (A::Int(_), Type::Decimal) => crate::eval::to_decimal(literal(e)?).ok_or_else(|| LowerError {
                message: "number out of the decimal range".into(),
                span: Some(e.span),
            })?,
            _ => literal(e)?,
        })
    }

    pub(super) fn variant_index(&self, e: EnumId, name: &str, span: Span) -> Lowered<u32> {
        let def = &self.policy.enums[e as usize];
        def.variants.iter().position(|v| v.name == name).map(|i| i as u32).ok_or_else(|| LowerError {
            message: format!("`{name}` is not a variant of `{}`", def.name),
            span: Some(span),
        })
    }

    // ------------------------------------------------------------ inputs

    pub(super) fn inputs(&mut self) -> Lowered<()> {
        let inputs: Vec<_> =
            self.env.records.iter().enumerate().filter(|(_, r)| r.module == self.m && r.is_input).collect();
        for (n, (_, record)) in inputs.into_iter().enumerate() {
            let mut fields = Vec::new();
            for f in &record.fields {
                self.flatten(n as u32, vec![f.name.clone()], &f.ty, f.span, &mut fields, 0)?;
            }
            self.policy.inputs.push(Input { name: record.name.clone(), fields, span: record.span });
        }
        Ok(())
    }

    /// Adds slots for a field, one per leaf of a record-typed field.
    pub(super) fn flatten(
        &mut self,
        input: u32,
        path: Vec<String>,
        ty: &Ty,
        span: Span,
        out: &mut Vec<SlotId>,
        depth: u32,
    ) -> Lowered<()> {
        if depth > 8 {
            return unsupported("records nested more than 8 deep in an input", span);
        }
        let record = match ty {
            Ty::Record(r) => Some(*r),
            Ty::Opt(inner) if matches!(**inner, Ty::Record(_)) => {
                return unsupported("optional record fields", span)
            }
            _ => None,
        };
        match record {
            Some(r) => {
                for f in &self.env.records[r.0].fields {
                    let mut p = path.clone();
                    p.push(f.name.clone());
                    self.flatten(input, p, &f.ty, f.span, out, depth + 1)?;
                }
            }
            None => {
                out.push(self.policy.slots.len() as SlotId);
                self.policy.slots.push(Slot { path, input, ty: declared_type(ty, span)?, span });
            }
        }
        Ok(())
    }

    pub(super) fn slot(&self, input: &str, path: &[String]) -> Option<SlotId> {
        let input = self.policy.inputs.iter().position(|i| i.name == input)? as u32;
        self.policy.slots.iter().position(|s| s.input == input && s.path == path).map(|i| i as SlotId)
    }
}
