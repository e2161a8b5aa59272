//! Weaving comments into the laid-out lines. No comment is ever dropped:
//!
//! - A comment alone on its line goes before the output line whose source range contains
//!   it or follows it, at that line's indentation (a comment inside an expression or a
//!   joined block therefore moves before that statement). One after the last line goes
//!   at the end of the file, after a blank line.
//! - A comment after code stays at the end of the output line that began last before it.
//!   When several land on one line (the source line was joined with the next), all but
//!   the last move before the line, since two `//` comments cannot share a line.
//!
//! Both placements depend only on the order of lines and comments, so formatted text
//! keeps every comment where it is: formatting is idempotent.

use super::{Blank, Line};
use crate::syntax::Comment;

pub(super) fn weave(lines: &[Line], comments: &[Comment], source: &str) -> String {
    let placed = place(lines, comments);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 && wants_blank(&lines[i - 1], line, source) {
            out.push('\n');
        }
        let (trailing, moved) = match placed.after[i].split_last() {
            Some((last, rest)) => (Some(*last), rest),
            None => (None, &[][..]),
        };
        for c in placed.before[i].iter().chain(moved) {
            push_line(&mut out, line.comment_indent, &c.text);
        }
        indent(&mut out, line.indent);
        out.push_str(&line.text);
        if let Some(c) = trailing {
            out.push(' ');
            out.push_str(&c.text);
        }
        out.push('\n');
    }
    if !placed.at_end.is_empty() {
        out.push('\n');
        for c in placed.at_end {
            push_line(&mut out, 0, &c.text);
        }
    }
    out
}

/// Which comments go before, and after, each line.
struct Placed<'c> {
    before: Vec<Vec<&'c Comment>>,
    after: Vec<Vec<&'c Comment>>,
    at_end: Vec<&'c Comment>,
}

fn place<'c>(lines: &[Line], comments: &'c [Comment]) -> Placed<'c> {
    let mut placed = Placed {
        before: lines.iter().map(|_| Vec::new()).collect(),
        after: lines.iter().map(|_| Vec::new()).collect(),
        at_end: Vec::new(),
    };
    let mut sorted: Vec<&Comment> = comments.iter().collect();
    sorted.sort_by_key(|c| c.span.start);
    for c in sorted {
        let at = c.span.start;
        if c.trailing {
            match lines.partition_point(|l| l.range.0 <= at) {
                0 => placed.before.first_mut().map_or(&mut placed.at_end, |b| b).push(c),
                i => placed.after[i - 1].push(c),
            }
        } else {
            match placed.before.get_mut(lines.partition_point(|l| l.range.1 <= at)) {
                Some(b) => b.push(c),
                None => placed.at_end.push(c),
            }
        }
    }
    placed
}

fn indent(out: &mut String, levels: usize) {
    for _ in 0..levels {
        out.push_str("  ");
    }
}

fn push_line(out: &mut String, levels: usize, text: &str) {
    indent(out, levels);
    out.push_str(text);
    out.push('\n');
}

fn wants_blank(prev: &Line, line: &Line, source: &str) -> bool {
    match line.blank {
        Blank::No => false,
        Blank::Always => true,
        Blank::IfSourceHadOne => {
            let gap = source.get(prev.range.1 as usize..line.range.0 as usize);
            gap.is_some_and(has_blank_line)
        }
    }
}

/// Whether a stretch of source holds a whole line of nothing but whitespace.
fn has_blank_line(gap: &str) -> bool {
    let mut lines = gap.split('\n');
    // The first piece ends a line that has code on it, the last starts one.
    lines.next();
    let mut middle: Vec<&str> = lines.collect();
    middle.pop();
    middle.iter().any(|l| l.trim().is_empty())
}
