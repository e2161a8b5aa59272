//! Keyword searches at automaton speed. A catalogue row lists the words that identify it
//! (`识别词: 集合 文本`), and a search asks which rows have a word the case's text contains:
//! `任一(r 属于 非网格事项目录 满足 任一(w 属于 r.识别词 满足 包含(申请.事项名称, w)))`. A scan
//! looks for every word of every row in the text, once per search: the grid admission
//! policy asks it in a let, six rules and a check, 17 rows of 3–6 words each.
//!
//! Here the words of each column so searched are compiled, when the policy loads, into
//! one Aho–Corasick automaton. One pass over the case's text finds every word it contains
//! (overlapping ones too), and with them the rows that list one, as a bit per row. The
//! inner search `任一(w 属于 r.识别词 满足 包含(X, w))` then reads its row's bit. The bits are
//! kept in the frame with the text they were found in, so every search of the same
//! column in the same text makes one pass.
//!
//! Exactness: the inner search is true for row `r` when some word `w` of `r`'s column has
//! `包含(X, w)`, which is `X.contains(w)` when `X` is a text, and false otherwise (`包含`
//! of an absent text has no value). The automaton reports every occurrence of every
//! non-empty word; the empty word, which every text contains, marks its rows whatever the
//! text. `X` is evaluated once rather than at each row; the search is only planned when
//! `X` reads no variable and cannot fail (see `index.rs`), so its value is the same each
//! time, and a scan that would not have evaluated it (no row has a word) loses nothing.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use qingdan_dsl::check::builtins::Builtin;
use qingdan_dsl::syntax::ast::QuantKind;

use crate::ir::{Expr, ExprKind, ListId, Quant, Rows, Type};
use crate::value::Value;

/// How one inner search reads the bits: whose row, which table, in which text.
pub(super) struct Plan<'p> {
    /// The binder level of the row variable whose column is searched.
    pub row_level: u32,
    /// The binder level of the word variable (checked again at run time).
    pub level: u32,
    /// Which of the tables ([`super::index::Indexes`]) holds the column's words.
    pub table: usize,
    /// The text the words are looked for in (reads no variable, cannot fail).
    pub text: &'p Expr,
}

/// `任一(w 属于 r.列 满足 包含(X, w))` at binder `level`, where `r` is an outer row variable
/// and `列` a column of texts: `r`'s level, its list, the column, and `X` (which the caller
/// still has to find free of variables and errors).
pub(crate) fn recognise(q: &Quant, level: u32) -> Option<(u32, ListId, u32, &Expr)> {
    if q.kind != QuantKind::Any || *q.over.ty.required() != Type::Set(Box::new(Type::Text)) {
        return None;
    }
    let ExprKind::RowField { row, list, field } = &q.over.kind else { return None };
    let ExprKind::Local(row_level) = row.kind else { return None };
    let ExprKind::Call(Builtin::Contains, args) = &q.filter.as_ref()?.kind else { return None };
    let [text, word] = args.as_slice() else { return None };
    let is_word = matches!(word.kind, ExprKind::Local(n) if n == level);
    (row_level < level && is_word && *text.ty.required() == Type::Text)
        .then_some((row_level, *list, *field, text))
}

/// The words of one column of one list, compiled for searching.
pub(super) struct Table {
    /// Every distinct non-empty word of the column.
    automaton: AhoCorasick,
    /// For each word, by its number in the automaton, the rows that list it.
    rows_of: Vec<Vec<u32>>,
    /// The rows that list the empty word: every text contains it.
    always: Vec<u32>,
    /// How many words of bits a row set takes.
    width: usize,
}

impl Table {
    /// The table of column `field` of `rows`; `None` if the automaton cannot be built (too
    /// many words for its limits), in which case searches scan.
    pub fn new(rows: &Rows, field: u32) -> Option<Table> {
        let mut number: std::collections::HashMap<&str, usize> = Default::default();
        let (mut words, mut rows_of, mut always) = (Vec::new(), Vec::<Vec<u32>>::new(), Vec::new());
        for (r, row) in rows.iter().enumerate() {
            let Some(Value::Set(cell)) = row.get(field as usize) else { continue };
            for word in cell.iter() {
                let Value::Text(word) = word else { continue };
                if word.is_empty() {
                    always.push(r as u32);
                    continue;
                }
                let n = *number.entry(&**word).or_insert_with(|| {
                    words.push(&**word);
                    rows_of.push(Vec::new());
                    words.len() - 1
                });
                // A row listing a word twice is marked once.
                if rows_of[n].last() != Some(&(r as u32)) {
                    rows_of[n].push(r as u32);
                }
            }
        }
        always.dedup();
        let automaton = AhoCorasick::builder().match_kind(MatchKind::Standard).build(&words).ok()?;
        Some(Table { automaton, rows_of, always, width: rows.len().div_ceil(64) })
    }

    /// Sets `bits` to the rows with a word that `text` contains.
    fn mark(&self, text: &str, bits: &mut Vec<u64>) {
        bits.clear();
        bits.resize(self.width, 0);
        let mut set = |r: u32| bits[r as usize / 64] |= 1 << (r % 64);
        self.always.iter().copied().for_each(&mut set);
        for found in self.automaton.find_overlapping_iter(text) {
            self.rows_of[found.pattern().as_usize()].iter().copied().for_each(&mut set);
        }
    }
}

/// The rows of one table found in one text: what a frame keeps for its case.
#[derive(Default)]
pub(crate) struct Hits {
    text: Option<Arc<str>>,
    bits: Vec<u64>,
}

impl Hits {
    /// Whether row `r` lists a word that `text` contains; the text's rows are found once.
    pub(super) fn has_word(&mut self, table: &Table, text: &Arc<str>, r: u32) -> bool {
        if let Some(found) = self.known(text, r) {
            return found;
        }
        table.mark(text, &mut self.bits);
        self.text = Some(text.clone());
        self.row(r)
    }

    /// The same, if the rows of `text` are found already.
    pub fn known(&self, text: &Arc<str>, r: u32) -> Option<bool> {
        let t = self.text.as_ref()?;
        (Arc::ptr_eq(t, text) || **t == **text).then(|| self.row(r))
    }

    fn row(&self, r: u32) -> bool {
        self.bits.get(r as usize / 64).is_some_and(|b| b >> (r % 64) & 1 == 1)
    }

    /// Forgets the text (for the next case), keeping the buffer.
    pub fn forget(&mut self) {
        self.text = None;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::eval::tests::policy;
    use crate::eval::Evaluator;
    use crate::value::Value;

    /// A catalogue of `words` per row, and a case text; `scan` writes the inner filter so
    /// that no plan applies (`包含(...) 或 假` is not a bare `包含`).
    fn catalogue(rows: &[Vec<String>], scan: bool) -> String {
        let items: String = rows
            .iter()
            .enumerate()
            .map(|(i, words)| {
                let words: Vec<String> = words.iter().map(|w| format!("{w:?}")).collect();
                format!("  item \"R{i}\" {{ words: [{}] }}\n", words.join(", "))
            })
            .collect();
        let filter = if scan { "contains(x.name, w) or false" } else { "contains(x.name, w)" };
        format!(
            "policy words\nsource s \"S\" {{ clause c \"c\" }}\nenum Out {{ yes, no }}\n\
             record Row {{ code: text, words: set of text }}\n\
             list catalogue: Row key code {{\n{items}}}\n\
             input x {{ name: text }}\n\
             let named = any(r in catalogue where any(w in r.words where {filter}))\n\
             let how_many = count(r in catalogue where any(w in r.words where {filter}))\n\
             rule found cite s.c {{ when named and how_many > 0 then yes \"yes\" }}\n\
             decision d: Out by first default no \"no\"\n\
             check listed cite s.c {{ for r in catalogue where any(w in r.words where {filter}) must false \"hit\" }}\n"
        )
    }

    /// The lets and the check's hits for `name`, with a frame reused across the names so
    /// that a stale text would show. An absent name (which a case reader would refuse)
    /// still gets the scan's answer.
    fn answers(p: &crate::ir::Policy, names: &[Option<String>]) -> Vec<String> {
        let ev = Evaluator::new(p);
        let mut frame = Some(ev.frame(&[]));
        let mut out = Vec::new();
        for name in names {
            let case = [name.as_deref().map_or(Value::None, Value::text)];
            let mut f = frame.take().expect("frame").rebind(&case);
            let lets: Vec<_> = (0..p.lets.len() as u32).map(|l| ev.let_value(l, &mut f)).collect();
            out.push(format!("{lets:?} {:?}", ev.check(0, &mut f).map(|c| c.hits)));
            frame = Some(f.rebind(&[]));
        }
        out
    }

    #[test]
    fn overlapping_repeated_and_empty_words_are_found() {
        let rows = vec![
            vec!["招商".to_string(), "引资".to_string()],
            vec!["商引".to_string()],
            vec![String::new()],
            vec![],
            vec!["资".to_string(), "资".to_string()],
        ];
        let indexed = policy(&catalogue(&rows, false));
        assert_eq!(Evaluator::new(&indexed).indexed_searches(), 3);
        let names = ["招商引资".to_string(), "宣传".to_string()].map(Some);
        let got = answers(&indexed, &[names[0].clone(), names[1].clone(), None]);
        // Every row but the empty one in the first name; the empty word alone in the second;
        // nothing in an absent name.
        assert!(got[0].starts_with("[Ok(Bool(true)), Ok(Int(4))]"), "{}", got[0]);
        assert!(got[1].starts_with("[Ok(Bool(true)), Ok(Int(1))]"), "{}", got[1]);
        assert!(got[2].starts_with("[Ok(Bool(false)), Ok(Int(0))]"), "{}", got[2]);
        let scanned = policy(&catalogue(&rows, true));
        assert_eq!(Evaluator::new(&scanned).indexed_searches(), 0);
        assert_eq!(got, answers(&scanned, &[names[0].clone(), names[1].clone(), None]));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the words and the texts (repeated, overlapping, empty, absent), the
        /// automaton's answers are a scan's.
        #[test]
        fn answers_are_a_scans(
            rows in proptest::collection::vec(proptest::collection::vec("[ab网格]{0,3}", 0..4), 1..8),
            names in proptest::collection::vec(proptest::option::weighted(0.9, "[ab网格]{0,6}"), 1..6),
        ) {
            let indexed = answers(&policy(&catalogue(&rows, false)), &names);
            prop_assert_eq!(indexed, answers(&policy(&catalogue(&rows, true)), &names));
        }
    }
}
