//! How deeply a YAML text can nest flow collections (`[…]`, `{…}`), worked out before
//! the YAML parser sees it.
//!
//! The scanner under `serde_yaml` (libyaml) keeps one pending "simple key" per open flow
//! collection and looks at every one of them for every token: a text nesting n brackets
//! costs it n² steps (32,000 brackets, a 64 KB file: over 10 s), and its own depth limit
//! applies only later, when values are built from the whole document. Every reader of
//! YAML files (case files, test files, list rows) asks [`too_deep`] first and refuses a
//! text that could nest deeper than [`MAX_DEPTH`] — nothing that deep could be read anyway
//! (`serde_yaml` stops at 128 levels of any kind).
//!
//! The answer must hold for libyaml's reading of the text, whatever it is, or a crafted
//! text could hide its brackets from this check (inside what looks like a quoted string
//! here but is not one there). So this is an automaton over every reading at once:
//!
//! - outside brackets (block context), any `[` or `{` may open a collection (it does when
//!   a token starts there); the readings of everything else in block context (quoted
//!   scalars, comments, block scalars, plain text) lead nowhere else, so they need no
//!   states of their own;
//! - inside brackets (flow context), libyaml's tokens are followed exactly: token starts,
//!   plain scalars (which end at `,[]{}`, `: ` and ` #`), quoted scalars and their
//!   escapes, comments, anchors and tags; each state is kept for every depth it can have
//!   (a bit set), so the work is linear in the text.
//!
//! The depth found is at least libyaml's, so a text passed here costs libyaml at most
//! [`MAX_DEPTH`] steps per token. It can be more than libyaml's for a text whose strings
//! hold many unmatched brackets (a reading that takes such a string for structure): such a
//! text is refused although libyaml would read it.

use crate::diag::{msg, Msg};

/// The deepest nesting of flow collections a YAML file may have.
pub const MAX_DEPTH: usize = 128;

/// What every reader says of a text [`too_deep`] refuses.
pub fn too_deep_message() -> Msg {
    msg(
        format!("YAML 的方括号或花括号嵌套超过 {MAX_DEPTH} 层，未读取"),
        format!("the YAML nests brackets or braces deeper than {MAX_DEPTH} levels and was not read"),
    )
}

/// The states of flow context, each kept as the set of depths (bit `d - 1` for depth `d`)
/// it can be reached at.
#[derive(Clone, Copy, Default)]
struct Flow {
    /// Between tokens.
    start: u128,
    /// Inside a plain scalar's word.
    plain: u128,
    /// After blanks inside a plain scalar (it may go on with another word).
    plain_blank: u128,
    double: u128,
    double_escape: u128,
    single: u128,
    /// A `'` inside a single-quoted scalar: the end, or the first of `''`.
    single_quote: u128,
    comment: u128,
    anchor: u128,
    tag: u128,
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t')
}

fn is_blankz(c: Option<char>) -> bool {
    c.is_none_or(|c| is_blank(c) || is_break(c) || c == '\0')
}

fn is_flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

/// The 1-based line of the first bracket that could open a flow collection deeper than
/// `limit` (at most 128), if there is one.
pub fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let limit = limit.clamp(1, 128);
    let deepest: u128 = 1 << (limit - 1);
    let mut now = Flow::default();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    let mut prev = None;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let mut to = Flow::default();
        if (c == '[' || c == '{') && may_start_token(prev) {
            to.start |= 1;
        }
        let opened = step(&now, c, next, &mut to);
        prev = Some(c);
        if opened & deepest != 0 {
            return Some(line);
        }
        if c == '\n' {
            line += 1;
        }
        now = to;
    }
    None
}

/// Outside brackets, whether a token can start right after `prev`: after blanks and line
/// breaks (comments end at one), a byte-order mark, and the tokens that need nothing
/// after them (a quoted scalar, a flow collection). After anything else a bracket is text
/// (`见[1`), an error, or not outside brackets.
fn may_start_token(prev: Option<char>) -> bool {
    prev.is_none_or(|p| is_blank(p) || is_break(p) || matches!(p, '"' | '\'' | ']' | '}' | '\u{feff}'))
}

/// One character for every flow state; returns the depths at which a bracket opened
/// (before opening).
fn step(now: &Flow, c: char, next: Option<char>, to: &mut Flow) -> u128 {
    let mut opened = token(now.start, c, next, to);
    // A plain scalar ends at `: ` (and `:` before a flow indicator, an error libyaml
    // stops at) and at flow indicators, which start the next token.
    let plain_end =
        |c: char| c == ':' && (is_blankz(next) || next.is_some_and(|n| is_flow_indicator(n) || n == '?'));
    for (set, after_blank) in [(now.plain, false), (now.plain_blank, true)] {
        if set == 0 {
            continue;
        }
        if plain_end(c) {
            to.start |= set;
        } else if is_flow_indicator(c) {
            opened |= token(set, c, next, to);
        } else if is_blank(c) || is_break(c) {
            to.plain_blank |= set;
        } else if after_blank && c == '#' {
            to.comment |= set;
        } else {
            to.plain |= set;
        }
    }
    match c {
        '\\' => to.double_escape |= now.double,
        '"' => to.start |= now.double,
        _ => to.double |= now.double,
    }
    to.double |= now.double_escape;
    match c {
        '\'' => to.single_quote |= now.single,
        _ => to.single |= now.single,
    }
    // `''` is a quote inside the scalar; anything else after `'` is the next token.
    match c {
        '\'' => to.single |= now.single_quote,
        _ => opened |= token(now.single_quote, c, next, to),
    }
    if is_break(c) {
        to.start |= now.comment;
    } else {
        to.comment |= now.comment;
    }
    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
        to.anchor |= now.anchor;
    } else {
        opened |= token(now.anchor, c, next, to);
    }
    // A tag ends at a blank or (in flow context) a comma; any bracket in it is either
    // part of a verbatim tag or an error libyaml stops at.
    if is_blank(c) || is_break(c) || c == ',' {
        to.start |= now.tag;
    } else {
        to.tag |= now.tag;
    }
    opened
}

/// Character `c` at a token start, at the depths in `set`, as libyaml's
/// `fetch_next_token` reads it in flow context; returns the depths where it opens a
/// collection.
fn token(set: u128, c: char, next: Option<char>, to: &mut Flow) -> u128 {
    if set == 0 {
        return 0;
    }
    match c {
        '[' | '{' => {
            to.start |= set << 1;
            return set;
        }
        // Depth 1 closes into block context, which needs no state.
        ']' | '}' => to.start |= set >> 1,
        ',' | '?' | ':' => to.start |= set,
        '#' => to.comment |= set,
        '-' if is_blankz(next) => to.start |= set,
        '*' | '&' => to.anchor |= set,
        '!' => to.tag |= set,
        '"' => to.double |= set,
        '\'' => to.single |= set,
        // A byte-order mark is skipped at the start of a line, and is text elsewhere.
        '\u{feff}' => {
            to.start |= set;
            to.plain |= set;
        }
        c if is_blank(c) || is_break(c) => to.start |= set,
        _ => to.plain |= set,
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(text: &str) -> Option<usize> {
        too_deep(text, 4)
    }

    #[test]
    fn counts_brackets_that_nest() {
        assert_eq!(deep("[[[[1]]]]"), None);
        assert_eq!(deep("- a: [[[[[1]]]]]\n"), Some(1));
        assert_eq!(deep("a:\n  - {x: [1, [2, [3]]]}\n"), None);
        assert_eq!(deep("a:\n  - {x: [1, [2, [3, [4]]]]}\n"), Some(2));
        assert_eq!(deep("[1, 2]\n[[[3]]]\n[[[[[4]]]]]"), Some(3));
        assert_eq!(deep(&format!("{}{}", "[".repeat(32_000), "]".repeat(32_000))), Some(1));
        assert_eq!(too_deep(&format!("{}{}", "[".repeat(128), "]".repeat(128)), MAX_DEPTH), None);
        assert_eq!(too_deep(&format!("{}{}", "[".repeat(129), "]".repeat(129)), MAX_DEPTH), Some(1));
    }

    #[test]
    fn brackets_in_strings_and_comments_are_text() {
        assert_eq!(deep("[\"x[[[[[\", 'x[[[[[', a#b # x[[[[[\n]"), None);
        assert_eq!(deep("名称: 见 [1] 与 [2]\n说明: \"x[[[[[[\"\n# x[[[[[[\n标签: 见[[[[[[\n"), None);
        assert_eq!(deep("[\"\\\"x[[[[[\", 'it''s x[[[[['] "), None);
        // Inside brackets, a bracket in a plain word is structure.
        assert_eq!(deep("[a[b[c[d[e]]]]]"), Some(1));
    }

    #[test]
    fn closing_brackets_in_strings_do_not_hide_depth() {
        // Each level opens with a string holding `]`: a count of brackets would see none.
        let hidden = "[\"]\" ".repeat(6);
        assert_eq!(deep(&hidden), Some(1));
        let single = "['a]' ".repeat(6);
        assert_eq!(deep(&single), Some(1));
    }

    #[test]
    fn a_string_libyaml_reads_as_plain_text_hides_nothing() {
        // In block context `y, 'q` is plain text for libyaml, and the next line nests
        // deeply; a reading that took `'q` for a quote would skip that line.
        let text = "a: x [1\nb: y, 'q\nc: [[[[[[1]]]]]]\nd: '\n";
        assert_eq!(deep(text), Some(3));
        // A comment that is not one (`#` inside a plain word) hides nothing either.
        assert_eq!(deep("[a#b, [[[[1]]]]]"), Some(1));
    }

    /// Nesting of collections in a value (keys included).
    fn nesting(v: &serde_yaml::Value) -> usize {
        match v {
            serde_yaml::Value::Sequence(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
            serde_yaml::Value::Mapping(m) => {
                1 + m.iter().map(|(k, v)| nesting(k).max(nesting(v))).max().unwrap_or(0)
            }
            serde_yaml::Value::Tagged(t) => nesting(&t.value),
            _ => 0,
        }
    }

    /// A small deterministic generator (splitmix64).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n as u64) as usize
        }

        fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
            options[self.below(options.len())]
        }
    }

    /// A flow node whose strings, comments and plain words are full of brackets.
    fn node(r: &mut Rng, budget: usize, out: &mut String) {
        let gap = [" ", "", "\n  ", " # ]] [[ }\n ", "\t"];
        match r.below(if budget == 0 { 1 } else { 4 }) {
            0 => out.push_str(r.pick(&[
                "a",
                "a#b",
                "a\"]b",
                "a'}b",
                "\"x]\\\"[{\"",
                "'x]''[{'",
                "\"]\"",
                "'}'",
                "!t a",
                "&a x",
                "-1",
                "\"a #\"",
            ])),
            1 | 2 => {
                out.push('[');
                for i in 0..r.below(4) {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(r.pick(&gap));
                    node(r, budget - 1, out);
                }
                out.push_str(r.pick(&gap));
                out.push(']');
            }
            _ => {
                out.push('{');
                for i in 0..r.below(3) {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(r.pick(&["k", "\"k]\"", "'k['"]));
                    out.push_str(r.pick(&[": ", ":", " : "]));
                    node(r, budget - 1, out);
                }
                out.push('}');
            }
        }
    }

    /// Random flow nodes after a few block prefixes, some with a character of YAML's
    /// syntax put in or taken out: whenever `serde_yaml` reads one, the collections it
    /// nested are never more than this scanner allows (a block prefix adds levels of its
    /// own; keys are written only inside braces, so every level inside is a bracket).
    #[test]
    fn never_allows_less_than_libyaml_nests() {
        let prefixes =
            [("", 0), ("a: ", 1), ("- ", 1), ("k:\n  - ", 2), ("\"q #\": ", 1), ("x: y, 'q\nz: ", 1)];
        // No `:` or `?`: inside brackets they make pairs (`[a: b]` is a mapping in a
        // sequence), which nest values without brackets.
        let special: Vec<char> = "[]{},\"'#\n\\ -&!".chars().collect();
        let mut r = Rng(7);
        let (mut read, mut deep) = (0, 0);
        for _ in 0..40_000 {
            let (prefix, levels) = prefixes[r.below(prefixes.len())];
            let mut body = String::new();
            node(&mut r, 6, &mut body);
            let mut chars: Vec<char> = body.chars().collect();
            if r.below(3) == 0 && !chars.is_empty() {
                let at = r.below(chars.len());
                match r.below(2) {
                    0 => chars.insert(at, special[r.below(special.len())]),
                    _ => {
                        chars.remove(at);
                    }
                }
            }
            let text: String = prefix.chars().chain(chars).collect();
            let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(&text) else { continue };
            read += 1;
            let flow = nesting(&value).saturating_sub(levels);
            if flow > 3 {
                deep += 1;
                assert!(too_deep(&text, 3).is_some(), "{text:?} nests {flow} deep");
            }
        }
        assert!(read > 10_000 && deep > 1_000, "{read} texts read, {deep} deep ones");
    }
}
