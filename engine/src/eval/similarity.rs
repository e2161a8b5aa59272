//! `similarity(a, b)` / `相似度(a, b)`: how alike two texts are, for near-duplicate task
//! names and data items — the Dice coefficient of their sets of character bigrams,
//! `2·|A ∩ B| / (|A| + |B|)`, as a decimal from 0 to 1 rounded down to six places.
//!
//! Character bigrams suit Chinese, where words are not separated: "养老服务补贴政策宣传"
//! and "养老补贴政策宣传" share 6 of their 9 and 7 bigrams (0.75). The definition, made
//! exact so that the module (`wasm/runtime.rs`, `Rt::Similarity`) computes the same:
//! - a character is identified by its UTF-8 bytes read as a big-endian number;
//! - a text's units are the pairs of adjacent characters, each once (a set); a text of one
//!   character has the single unit (that character, `u32::MAX`), which no pair can equal;
//! - equal texts (the empty text included) are 1; otherwise a text without units (the
//!   empty one) makes 0.
//!
//! Nothing is normalised (case, spaces, punctuation count as they are written).

use qingdan_dsl::check::builtins::Builtin;
use smallvec::SmallVec;

use crate::value::DECIMAL_SCALE;

/// The similarity of `a` and `b`, scaled by [`DECIMAL_SCALE`].
pub fn similarity(a: &str, b: &str) -> i64 {
    similarity_known(a, b, &KnownUnits::default())
}

/// The same, with the units of texts known in advance (a policy's list cells) read from
/// `known` rather than computed again.
pub fn similarity_known(a: &str, b: &str, known: &KnownUnits) -> i64 {
    if a == b {
        return DECIMAL_SCALE;
    }
    known.with_units(a, |x| {
        known.with_units(b, |y| {
            let common = common_count(x, y) as i64;
            // a ≠ b, so at least one of them has a unit.
            2 * common * DECIMAL_SCALE / (x.len() + y.len()) as i64
        })
    })
}

thread_local! {
    /// The last text not known in advance (a case's text) with its units: a search compares
    /// one case text with every row of a list, so it is split into units once, not per row.
    /// Keyed by the text itself, so a new case's text is never taken for an old one's.
    static RECENT: std::cell::RefCell<(String, Units)> = std::cell::RefCell::new((String::new(), SmallVec::new()));
}

/// The units of texts that live as long as the policy (its list cells), by the address
/// of their bytes: a list's texts are fixed when it loads, so their units are computed
/// once instead of at every comparison.
#[derive(Default)]
pub struct KnownUnits {
    by_address: std::collections::HashMap<(usize, usize), Units, foldhash::fast::FixedState>,
}

impl KnownUnits {
    /// Remembers the units of `t`, which must stay where it is while this is used.
    pub fn learn(&mut self, t: &str) {
        self.by_address.entry((t.as_ptr() as usize, t.len())).or_insert_with(|| units(t));
    }

    /// Calls `f` with the units of `t`: known in advance, the last unknown text's, or
    /// computed now (when both texts of a comparison are unknown, the second one).
    fn with_units<R>(&self, t: &str, f: impl FnOnce(&Units) -> R) -> R {
        if let Some(known) = self.by_address.get(&(t.as_ptr() as usize, t.len())) {
            return f(known);
        }
        RECENT.with(|recent| match recent.try_borrow_mut() {
            Ok(mut recent) => {
                if recent.0 != t {
                    recent.0.clear();
                    recent.0.push_str(t);
                    recent.1 = units(t);
                }
                f(&recent.1)
            }
            Err(_) => f(&units(t)),
        })
    }
}

/// Whether `policy` compares texts by similarity anywhere.
pub(super) fn compared_in(policy: &crate::ir::Policy) -> bool {
    let mut uses = false;
    for e in policy.exprs() {
        crate::ir::visit::walk(e, &mut |x| {
            uses |= matches!(x.kind, crate::ir::ExprKind::Call(Builtin::Similarity, _))
        });
    }
    uses
}

/// A text's units, sorted and each once; names and data items fit on the stack.
pub(crate) type Units = SmallVec<[u64; 32]>;

/// The character bigrams of `t`, each as one number (see the module's definition).
pub(crate) fn units(t: &str) -> Units {
    let chars: SmallVec<[u64; 32]> = t.chars().map(packed).collect();
    let mut units: Units = match chars.as_slice() {
        [] => SmallVec::new(),
        [c] => SmallVec::from_slice(&[c << 32 | u64::from(u32::MAX)]),
        _ => chars.windows(2).map(|w| w[0] << 32 | w[1]).collect(),
    };
    units.sort_unstable();
    units.dedup();
    units
}

/// How many units two sorted, repeat-free unit lists share.
fn common_count(x: &[u64], y: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn packed(c: char) -> u64 {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf).bytes().fold(0, |n, byte| n << 8 | u64::from(byte))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ONE: i64 = DECIMAL_SCALE;

    #[test]
    fn reworded_names_are_close_and_unrelated_ones_far() {
        assert_eq!(similarity("养老服务补贴政策宣传", "养老补贴政策宣传"), 750_000);
        assert_eq!(similarity("防汛巡查", "防汛巡查"), ONE);
        assert_eq!(similarity("防汛巡查", "招商引资"), 0);
        assert_eq!(similarity("", ""), ONE);
        assert_eq!(similarity("", "a"), 0);
        assert_eq!(similarity("a", "ab"), 0);
        // 2 × 1 / (2 + 1), rounded down.
        assert_eq!(similarity("abc", "ab"), 666_666);
        // Sets: a repeated bigram counts once.
        assert_eq!(similarity("aaaa", "aa"), ONE);
    }

    /// The definition computed afresh, without any cache.
    fn direct(a: &str, b: &str) -> i64 {
        if a == b {
            return ONE;
        }
        let (x, y) = (units(a), units(b));
        2 * common_count(&x, &y) as i64 * ONE / (x.len() + y.len()) as i64
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// The last unknown text's units are reused: whatever order texts come in (the same
        /// one again, a new one, one known in advance), every answer is the definition's.
        #[test]
        fn answers_through_the_cache_are_the_definitions(
            pairs in proptest::collection::vec(("[ab网格]{0,4}", "[ab网格]{0,4}"), 1..12),
            row in "[ab网格]{0,4}",
        ) {
            let mut known = KnownUnits::default();
            known.learn(&row);
            for (a, b) in &pairs {
                prop_assert_eq!(similarity_known(a, b, &known), direct(a, b));
                prop_assert_eq!(similarity_known(&row, a, &known), direct(&row, a));
                prop_assert_eq!(similarity_known(b, &row, &known), direct(b, &row));
            }
        }

        #[test]
        fn symmetric_bounded_and_one_only_for_the_same_bigrams(a in "[ab网格 ]{0,6}", b in "[ab网格 ]{0,6}") {
            let s = similarity(&a, &b);
            prop_assert_eq!(s, similarity(&b, &a));
            prop_assert!((0..=ONE).contains(&s));
            prop_assert_eq!(similarity(&a, &a), ONE);
            if s == ONE {
                prop_assert_eq!(units(&a), units(&b));
            }
        }
    }
}
