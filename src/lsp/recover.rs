//! Navigation while the document has a syntax error: the front end checks nothing of a
//! file that does not parse, so hover, definition and references would go silent at the
//! first slip. Here the declarations holding the errors are blanked out — every byte of
//! their lines but the line breaks becomes a space — and the rest is checked again. Byte
//! offsets, lines and the columns of every other line stay those of the editor's text, so
//! the answers need no mapping back.

use super::analysis::{self, Analysis, Snapshot};
use crate::loader::FsLoader;

/// How many rounds of blanking are tried (each a re-check) before giving up: an error that
/// moves on to the next declaration each time (an unclosed `{`) is not chased through the file.
const ROUNDS: usize = 6;

/// The document checked with its broken declarations blanked, when that parses.
pub fn parse_what_parses(uri: &str, open: &Snapshot, fs: &FsLoader, broken: &Analysis) -> Option<Analysis> {
    let mut text = open.files.iter().find(|(u, _, _)| u == uri)?.2.clone();
    let mut errors = error_offsets(broken);
    let mut tried = Vec::new();
    for _ in 0..ROUNDS {
        let mut blanked_any = false;
        for offset in errors {
            // An error at the first word of a declaration is most often the one before it
            // left unfinished (`令 甲 =` and then the next `令`): that one goes first, and
            // this one only if the error is still there.
            let before = !tried.contains(&offset);
            tried.push(offset);
            let (start, end) = declaration_around(&text, offset, before)?;
            blanked_any |= blank(&mut text, start, end);
        }
        if !blanked_any {
            return None;
        }
        let mut trial = open.clone();
        trial.files.iter_mut().filter(|(u, _, _)| u == uri).for_each(|f| f.2 = text.clone());
        let attempt = analysis::analyse(uri, &trial, fs);
        if attempt.module.is_some() {
            return Some(attempt);
        }
        errors = error_offsets(&attempt);
    }
    None
}

/// Where the errors of the document itself start.
fn error_offsets(a: &Analysis) -> Vec<usize> {
    let in_file = a.program.diagnostics.iter().filter(|d| d.is_error() && d.span.file == a.file);
    in_file.map(|d| d.span.start as usize).collect()
}

/// The lines of the top-level declaration holding byte `offset`: from the nearest line
/// before it that starts a declaration (a word in the first column) to the next such line;
/// with `before`, the declaration before that one when `offset` is where its own starts.
/// `None` when that is the policy's header (the first declaration line), whose loss would
/// leave nothing to check.
fn declaration_around(text: &str, offset: usize, before: bool) -> Option<(usize, usize)> {
    let offset = offset.min(text.len());
    let starts: Vec<usize> = line_starts(text).filter(|&s| starts_declaration(&text[s..])).collect();
    let mut at = starts.iter().rposition(|&s| s <= offset)?;
    if before && starts[at] == offset {
        at = at.checked_sub(1)?;
    }
    if at == 0 {
        return None;
    }
    Some((starts[at], starts.get(at + 1).copied().unwrap_or(text.len())))
}

fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).filter(move |&s| s < text.len())
}

/// A declaration starts in the first column with a word (not a comment, not a closing `}`).
fn starts_declaration(line: &str) -> bool {
    let first = line.chars().next();
    first.is_some_and(|c| !c.is_whitespace() && !matches!(c, '}' | '｝' | '/' | '#'))
}

/// Spaces over `text[start..end]` but its line breaks; whether anything changed.
fn blank(text: &mut String, start: usize, end: usize) -> bool {
    let region = &text[start..end];
    let spaces: String =
        region.bytes().map(|b| if b == b'\n' || b == b'\r' { b as char } else { ' ' }).collect();
    if spaces == region {
        return false;
    }
    text.replace_range(start..end, &spaces);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declaration_around_an_error_is_blanked_to_its_byte_length() {
        let text = "政策 甲\n\n令 甲一 = 1\n令 乙 = (\n  2\n// 注\n规则 丙\n  当 真\n";
        let error = text.find("(").expect("(");
        let (start, end) = declaration_around(text, error, true).expect("a declaration");
        assert_eq!(&text[start..end], "令 乙 = (\n  2\n// 注\n");
        let mut blanked = text.to_string();
        assert!(blank(&mut blanked, start, end));
        assert_eq!(blanked.len(), text.len());
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert!(blanked.contains("令 甲一 = 1\n") && blanked.contains("规则 丙"));
        assert!(!blank(&mut blanked, start, end), "a blank region stays as it is");
        assert_eq!(declaration_around(text, 2, true), None, "the header is not blanked");
        let next = text.find("规则").expect("规则");
        assert_eq!(declaration_around(text, next, true), Some((start, end)), "the unfinished one before");
        assert_eq!(&text[declaration_around(text, next, false).expect("its own").0..next + 6], "规则");
    }
}
