//! A module's manifest is untrusted input: a host checks it whole, once, when the module
//! loads, so that nothing later (the case reader, explanations, reading results) meets an
//! index, a count, an offset or a type that points nowhere. Every manifest `compile`
//! writes passes; anything else is E0501, with the first inconsistency named.

use std::collections::HashSet;

use crate::abi::{result, MAX_PAGES};
use crate::manifest::{List, Manifest, TraceRead};
use crate::value::Type;

/// The first inconsistency in `m`, in words (`rules[0].decision is 999, but there are 1
/// decisions`).
pub(super) fn check(m: &Manifest) -> Result<(), String> {
    let c = Consistency { m };
    c.header()?;
    c.types()?;
    c.inputs()?;
    c.lists()?;
    c.rules()?;
    c.decisions()?;
    c.checks()?;
    c.layout()
}

/// `what` (an index) must be below `len`.
fn index(what: &str, i: impl Into<u64>, len: usize, of: &str) -> Result<(), String> {
    let i = i.into();
    if i < len as u64 {
        Ok(())
    } else {
        Err(format!("{what} is {i}, but there are {len} {of}"))
    }
}

struct Consistency<'m> {
    m: &'m Manifest,
}

impl Consistency<'_> {
    fn header(&self) -> Result<(), String> {
        match self.m.lang.as_str() {
            "zh" | "en" => Ok(()),
            other => Err(format!("lang is `{other}`, not `zh` or `en`")),
        }
    }

    /// Every type names an enum or list that exists.
    fn ty(&self, at: &str, t: &Type) -> Result<(), String> {
        match t {
            Type::Enum(e) => index(&format!("{at} (an enum)"), *e, self.m.enums.len(), "enums"),
            Type::Row(l) => index(&format!("{at} (a list)"), *l, self.m.lists.len(), "lists"),
            Type::Set(inner) | Type::Opt(inner) => self.ty(at, inner),
            Type::Bool | Type::Int | Type::Decimal | Type::Text | Type::Date => Ok(()),
        }
    }

    fn types(&self) -> Result<(), String> {
        let m = self.m;
        for (e, en) in m.enums.iter().enumerate() {
            for (v, variant) in en.variants.iter().enumerate() {
                for (f, (_, t)) in variant.fields.iter().enumerate() {
                    self.ty(&format!("enums[{e}].variants[{v}].fields[{f}]"), t)?;
                }
            }
        }
        for (l, list) in m.lists.iter().enumerate() {
            for (f, (_, t)) in list.fields.iter().enumerate() {
                self.ty(&format!("lists[{l}].fields[{f}]"), t)?;
            }
        }
        for (s, slot) in m.slots.iter().enumerate() {
            self.ty(&format!("slots[{s}].ty"), &slot.ty)?;
        }
        for (l, x) in m.lets.iter().enumerate() {
            self.ty(&format!("lets[{l}].ty"), &x.ty)?;
        }
        for (c, check) in m.checks.iter().enumerate() {
            if let Some(t) = &check.over {
                self.ty(&format!("checks[{c}].over"), t)?;
            }
        }
        Ok(())
    }

    /// Each slot belongs to one input, which lists it once; within an input no field
    /// path repeats or is the start of another (a field holds a value or a record, not both).
    fn inputs(&self) -> Result<(), String> {
        let m = self.m;
        let mut listed = vec![0u32; m.slots.len()];
        for (i, input) in m.inputs.iter().enumerate() {
            for (k, &s) in input.fields.iter().enumerate() {
                let at = format!("inputs[{i}].fields[{k}]");
                index(&at, s, m.slots.len(), "slots")?;
                if m.slots[s as usize].input != i as u32 {
                    return Err(format!(
                        "{at} is slot {s}, which belongs to input {}",
                        m.slots[s as usize].input
                    ));
                }
                listed[s as usize] += 1;
            }
        }
        for (s, slot) in m.slots.iter().enumerate() {
            index(&format!("slots[{s}].input"), slot.input, m.inputs.len(), "inputs")?;
            if slot.path.is_empty() {
                return Err(format!("slots[{s}].path is empty"));
            }
            if listed[s] != 1 {
                return Err(format!("slot {s} is listed by its input {} times, not once", listed[s]));
            }
        }
        if let Some(s) = m.decision_date {
            index("decision_date", s, m.slots.len(), "slots")?;
            if m.slots[s as usize].ty != Type::Date {
                return Err(format!("decision_date names slot {s}, which is not a required date"));
            }
        }
        let mut paths: Vec<(u32, &[String])> = m.slots.iter().map(|s| (s.input, s.path.as_slice())).collect();
        paths.sort();
        // Sorted, a path comes right before the paths it starts.
        for pair in paths.windows(2) {
            let ((i, a), (j, b)) = (pair[0], pair[1]);
            if i == j && b.starts_with(a) {
                return Err(format!(
                    "input {i} has field `{}` both as a value and within `{}`",
                    a.join("."),
                    b.join(".")
                ));
            }
        }
        Ok(())
    }

    fn lists(&self) -> Result<(), String> {
        for (l, list) in self.m.lists.iter().enumerate() {
            self.list(l, list)?;
        }
        Ok(())
    }

    /// The key is a text or integer field; each column is one field, of a width the host
    /// reads, inside the initial memory.
    fn list(&self, l: usize, list: &List) -> Result<(), String> {
        index(&format!("lists[{l}].key"), list.key as u64, list.fields.len(), "fields")?;
        if !matches!(list.fields[list.key].1, Type::Text | Type::Int) {
            return Err(format!("lists[{l}].key names a field that is neither text nor an integer"));
        }
        let mut held = HashSet::new();
        for (k, c) in list.columns.iter().enumerate() {
            let at = format!("lists[{l}].columns[{k}]");
            index(&format!("{at}.field"), c.field as u64, list.fields.len(), "fields")?;
            if !held.insert(c.field) {
                return Err(format!("{at} holds field {} a second time", c.field));
            }
            if ![1, 2, 4, 8].contains(&c.width) {
                return Err(format!("{at}.width is {}, not 1, 2, 4 or 8", c.width));
            }
            self.region(&at, c.at, u64::from(list.rows) * u64::from(c.width))?;
        }
        // A list the policy never refers to is not held at all; one that is, by its key too.
        if !held.is_empty() && !held.contains(&list.key) {
            return Err(format!("lists[{l}] holds columns but none for its key"));
        }
        Ok(())
    }

    fn cites(&self, at: &str, cites: &[(u32, u32)]) -> Result<(), String> {
        for (k, &(s, c)) in cites.iter().enumerate() {
            index(&format!("{at}.cites[{k}] (a source)"), s, self.m.sources.len(), "sources")?;
            let clauses = self.m.sources[s as usize].clauses.len();
            index(&format!("{at}.cites[{k}] (a clause)"), c, clauses, "clauses in that source")?;
        }
        Ok(())
    }

    /// Each rule's decision, outcome, citations and reads exist; an exception overrides a
    /// rule of its own decision, through a chain that ends at a rule.
    fn rules(&self) -> Result<(), String> {
        let m = self.m;
        for (r, rule) in m.rules.iter().enumerate() {
            let at = format!("rules[{r}]");
            index(&format!("{at}.decision"), rule.decision, m.decisions.len(), "decisions")?;
            let outcome_enum = m.decisions[rule.decision as usize].outcome_enum;
            let variants = m.enums.get(outcome_enum as usize).map_or(0, |e| e.variants.len());
            if let Some(v) = rule.outcome {
                index(&format!("{at}.outcome"), v, variants, "variants in its decision's outcome enum")?;
            }
            if let Some(base) = rule.exception_to {
                index(&format!("{at}.exception_to"), base, m.rules.len(), "rules")?;
                if m.rules[base as usize].decision != rule.decision {
                    return Err(format!("{at} is an exception to rule {base} of another decision"));
                }
            }
            self.cites(&at, &rule.cites)?;
            for (k, read) in rule.reads.iter().enumerate() {
                match *read {
                    TraceRead::Slot(s) => index(&format!("{at}.reads[{k}]"), s, m.slots.len(), "slots")?,
                    TraceRead::Let(l) => index(&format!("{at}.reads[{k}]"), l, m.lets.len(), "lets")?,
                }
            }
        }
        for r in 0..m.rules.len() {
            let mut current = r;
            for _ in 0..=m.rules.len() {
                match m.rules[current].exception_to {
                    Some(base) => current = base as usize,
                    None => break,
                }
            }
            if m.rules[current].exception_to.is_some() {
                return Err(format!("rules[{r}] is an exception in a cycle of exceptions"));
            }
        }
        Ok(())
    }

    /// Each decision's enum, ranks and default exist, and it lists exactly the rules (not
    /// exceptions) that name it.
    fn decisions(&self) -> Result<(), String> {
        let m = self.m;
        let mut listed = vec![0u32; m.rules.len()];
        for (d, decision) in m.decisions.iter().enumerate() {
            let at = format!("decisions[{d}]");
            index(&format!("{at}.outcome_enum"), decision.outcome_enum, m.enums.len(), "enums")?;
            let variants = m.enums[decision.outcome_enum as usize].variants.len();
            match decision.combining.as_str() {
                "priority" if decision.ranks.len() != variants => {
                    return Err(format!("{at} ranks {} variants of {variants}", decision.ranks.len()))
                }
                "priority" | "first" | "collect" | "unique" => {}
                other => return Err(format!("{at}.combining is `{other}`")),
            }
            if decision.merge && decision.combining != "priority" {
                return Err(format!("{at} merges outcomes but combines by `{}`", decision.combining));
            }
            if let Some(v) = decision.default {
                index(&format!("{at}.default"), v, variants, "variants in its outcome enum")?;
            }
            self.cites(&format!("{at}.default"), &decision.default_cites)?;
            for (k, &r) in decision.rules.iter().enumerate() {
                index(&format!("{at}.rules[{k}]"), r, m.rules.len(), "rules")?;
                let rule = &m.rules[r as usize];
                if rule.decision as usize != d || rule.exception_to.is_some() {
                    return Err(format!("{at}.rules[{k}] is rule {r}, which is not a rule of this decision"));
                }
                listed[r as usize] += 1;
            }
        }
        for (r, rule) in m.rules.iter().enumerate() {
            let expected = u32::from(rule.exception_to.is_none());
            if listed[r] != expected {
                return Err(format!(
                    "rule {r} is listed by its decision {} times, not {expected}",
                    listed[r]
                ));
            }
        }
        Ok(())
    }

    fn checks(&self) -> Result<(), String> {
        for (c, check) in self.m.checks.iter().enumerate() {
            if !["must", "may", "must not"].contains(&check.modality.as_str()) {
                return Err(format!("checks[{c}].modality is `{}`", check.modality));
            }
            self.cites(&format!("checks[{c}]"), &check.cites)?;
        }
        for (k, [_, start, end]) in self.m.sites.iter().enumerate() {
            if start > end {
                return Err(format!("sites[{k}] ends before it starts"));
            }
        }
        Ok(())
    }

    /// `size` bytes at `at` lie in the module's initial memory.
    fn region(&self, what: &str, at: u32, size: u64) -> Result<(), String> {
        let memory = u64::from(self.m.layout.pages) * 65536;
        if u64::from(at) + size <= memory {
            Ok(())
        } else {
            Err(format!("{what}: {size} bytes at {at} do not fit in {memory} bytes of memory"))
        }
    }

    /// Every area of the layout is 8-aligned, inside memory and as large as the counts in
    /// the manifest need (the host reads results and writes cases there).
    fn layout(&self) -> Result<(), String> {
        let (m, lay) = (self.m, &self.m.layout);
        if u64::from(lay.pages) > MAX_PAGES {
            return Err(format!("layout.pages is {}, more than {MAX_PAGES}", lay.pages));
        }
        let widest = m.enums.iter().flat_map(|e| &e.variants).map(|v| v.fields.len()).max().unwrap_or(0);
        if u64::from(lay.outcome_stride) < 8 + 8 * widest as u64 {
            return Err(format!(
                "layout.outcome_stride is {}, too small for {widest} fields",
                lay.outcome_stride
            ));
        }
        let (rules, n) = (m.rules.len() as u64, |k: usize| k as u64);
        let stride = u64::from(lay.outcome_stride);
        let areas = [
            ("result", lay.result, u64::from(result::SIZE)),
            ("slots", lay.slots, 8 * n(m.slots.len())),
            ("let_values", lay.let_values, 8 * n(m.lets.len())),
            ("let_flags", lay.let_flags, 4 * n(m.lets.len())),
            ("speakers", lay.speakers, 4 * rules),
            ("scratch", lay.scratch, 2 * stride),
            ("outcomes", lay.outcomes, stride * (rules + 1)),
            ("outcome_stride", lay.outcome_stride, 0),
            ("fired", lay.fired, 4 * (2 * rules + 1)),
            ("overridden", lay.overridden, 4 * rules),
            ("conflicts", lay.conflicts, 4 * (rules + 1) * (rules + 3)),
            ("ranks", lay.ranks, 4 * rules),
            ("statics", lay.statics, 0),
            ("arena", lay.arena, u64::from(lay.arena_size)),
            ("heap", lay.heap, 0),
        ];
        for (name, at, size) in areas {
            if at % 8 != 0 {
                return Err(format!("layout.{name} is {at}, not a multiple of 8"));
            }
            self.region(&format!("layout.{name}"), at, size)?;
        }
        Ok(())
    }
}
