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

use std::collections::BTreeSet;

use crate::value::DECIMAL_SCALE;

/// The similarity of `a` and `b`, scaled by [`DECIMAL_SCALE`].
pub fn similarity(a: &str, b: &str) -> i64 {
    if a == b {
        return DECIMAL_SCALE;
    }
    let (x, y) = (units(a), units(b));
    let common = x.intersection(&y).count() as i64;
    // a ≠ b, so at least one of them has a unit.
    2 * common * DECIMAL_SCALE / (x.len() + y.len()) as i64
}

/// The character bigrams of `t`, each as one number (see the module's definition).
fn units(t: &str) -> BTreeSet<u64> {
    let chars: Vec<u64> = t.chars().map(packed).collect();
    match chars.as_slice() {
        [] => BTreeSet::new(),
        [c] => BTreeSet::from([c << 32 | u64::from(u32::MAX)]),
        _ => chars.windows(2).map(|w| w[0] << 32 | w[1]).collect(),
    }
}

/// A character's UTF-8 bytes as a big-endian number (at most four bytes).
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

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
