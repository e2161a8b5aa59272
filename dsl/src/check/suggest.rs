//! "Did you mean …?" for misspelled names, by edit distance over characters (so that one
//! wrong Chinese character counts as one edit, like one wrong letter).

use crate::diag::{msg, Msg};

/// The closest candidate, if it is close enough to be a likely misspelling.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    // None for one-character names (any other would be "one edit away"), one edit for
    // short names, roughly one in three characters for longer ones.
    let limit = if len <= 1 { 0 } else { (len / 3).max(1) };
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<Msg> {
    closest(name, candidates).map(|c| msg(format!("是不是想写 `{c}`？"), format!("did you mean `{c}`?")))
}

/// One help text from an optional "did you mean" and a general hint: a diagnostic has a
/// single help, so the suggestion goes on the first line and the hint on the next.
pub fn with_hint(suggestion: Option<Msg>, hint: Msg) -> Msg {
    match suggestion {
        Some(s) => msg(format!("{}\n{}", s.zh, hint.zh), format!("{}\n{}", s.en, hint.en)),
        None => hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_in_both_scripts() {
        assert_eq!(closest("每月频率", ["每月频次", "单次耗时分钟"]), Some("每月频次"));
        assert_eq!(closest("frequncy", ["frequency", "duration"]), Some("frequency"));
        assert_eq!(closest("完全不同", ["每月频次"]), None);
    }
}
