//! Full-width forms. Drafters type with a Chinese input method, which gives `｛`, `＞`,
//! `１８` as readily as `{`, `>`, `18`. The grammar accepts the forms that have one ASCII
//! meaning (listed in [`ACCEPTED`]); the parser reads them as that ASCII form, so the tree
//! does not know how they were typed and `fmt` writes the ASCII one. The few that cannot
//! be mapped safely are named by the pre-scan with the character to type ([`REFUSED`]).

use std::borrow::Cow;

/// Full-width (or CJK) characters the grammar accepts, with the ASCII text they stand for.
/// `“”`, `、` and `？` are accepted too, but have no one-character ASCII twin here: the
/// parser reads strings, lists and optional marks by their meaning.
pub const ACCEPTED: &[(char, char)] = &[
    ('｛', '{'),
    ('｝', '}'),
    ('［', '['),
    ('］', ']'),
    ('【', '['),
    ('】', ']'),
    ('（', '('),
    ('）', ')'),
    ('：', ':'),
    ('，', ','),
    ('＝', '='),
    ('＜', '<'),
    ('＞', '>'),
    ('！', '!'),
    ('＋', '+'),
    ('－', '-'),
    ('＊', '*'),
    ('／', '/'),
    ('．', '.'),
];

/// Full-width characters the grammar does not accept, with what to type instead. They are
/// not read as their ASCII look-alikes because the meaning is not certain: `‘…’` may
/// quote a name inside a text, `＂` stands alone, `！` alone is no operator.
pub const REFUSED: &[(char, &str)] = &[('‘', "\""), ('’', "\""), ('＂', "\""), ('！', "!=")];

/// Whether `c` is a digit, ASCII or full-width.
pub fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// The ASCII form of a token the grammar accepted: full-width digits and punctuation
/// mapped, everything else unchanged.
pub fn to_ascii(text: &str) -> String {
    ascii_form(text).into_owned()
}

/// As [`to_ascii`], borrowing when nothing changes.
pub fn ascii_form(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(ascii_char).collect())
}

fn ascii_char(c: char) -> char {
    if ('０'..='９').contains(&c) {
        return char::from(b'0' + (c as u32 - '０' as u32) as u8);
    }
    ACCEPTED.iter().find(|(f, _)| *f == c).map_or(c, |(_, a)| *a)
}

/// The ASCII bracket a bracket stands for (full-width or not), for nesting checks.
pub fn ascii_bracket(c: char) -> Option<char> {
    let a = if c.is_ascii() { c } else { ascii_char(c) };
    matches!(a, '(' | ')' | '[' | ']' | '{' | '}').then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_digits_and_punctuation_and_keeps_the_rest() {
        assert_eq!(to_ascii("１８"), "18");
        assert_eq!(to_ascii("２０２４－０１－３１"), "2024-01-31");
        assert_eq!(to_ascii("＞＝"), ">=");
        assert_eq!(to_ascii("！="), "!=");
        assert_eq!(to_ascii("年龄"), "年龄");
        assert_eq!(ascii_bracket('【'), Some('['));
        assert_eq!(ascii_bracket('）'), Some(')'));
        assert_eq!(ascii_bracket('＞'), None);
    }
}
