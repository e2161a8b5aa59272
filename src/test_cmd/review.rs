//! `qingdan test --review`: the pending snapshots (`X.snap.new`) of the given policies,
//! each shown as a diff against `X.snap` and accepted (it becomes `X.snap`), rejected
//! (it is removed) or skipped (it stays pending): asked one by one, or all at once with
//! `--accept` / `--reject`. What `cargo insta review` does, without cargo.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use qingdan_dsl::Lang;

use super::snapshots::body_of;
use super::{snapshot_dir, TestArgs};
use crate::i18n::messages;
use crate::{exit, files};

/// What to do with a pending snapshot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Choice {
    Accept,
    Reject,
    Skip,
}

/// `qingdan test --review PATHS`: the pending snapshots of the policies in `paths`, in
/// the language asked for, else that of most of those policies.
pub(super) fn run(args: &TestArgs, lang: Option<Lang>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let policies = files::expand(&args.paths);
    let mut dirs: Vec<PathBuf> = policies.iter().filter_map(|p| snapshot_dir(args, p)).collect();
    dirs.dedup();
    let lang = lang.unwrap_or_else(|| most_common_lang(&policies));
    let fixed = match (args.accept, args.reject) {
        (true, _) => Some(Choice::Accept),
        (_, true) => Some(Choice::Reject),
        _ => None,
    };
    let stdin = std::io::stdin();
    review(&pending_in(&dirs), fixed, &mut stdin.lock(), lang, out, err)
}

/// The keyword language of most of the policies (read only as far as the parser needs).
fn most_common_lang(policies: &[PathBuf]) -> Lang {
    let inputs = policies.iter().map(|p| (files::display(p), files::read_capped(p))).collect();
    let parsed = qingdan_dsl::program::parse_files(inputs);
    let zh = parsed.modules.iter().filter(|m| m.module.lang == Lang::Zh).count();
    if zh > 0 && zh * 2 >= parsed.modules.len() {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The pending snapshots in `dirs`, in name order.
pub(super) fn pending_in(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        let mut here: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".snap.new") && p.is_file())
            .collect();
        here.sort();
        found.extend(here);
    }
    found
}

/// Reviews `pending`: `fixed` decides every one when given, else `answers` (a terminal,
/// or whatever stands for one) is asked; when it runs dry, the rest are skipped.
pub(super) fn review(
    pending: &[PathBuf],
    fixed: Option<Choice>,
    answers: &mut dyn BufRead,
    lang: Lang,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if pending.is_empty() {
        let _ = writeln!(out, "{}", messages::no_pending_snapshots(lang));
        return exit::OK;
    }
    let (mut counts, mut code) = ([0usize; 3], exit::OK);
    // Once the answers run dry, the rest are skipped without asking.
    let mut closed = false;
    for (i, new) in pending.iter().enumerate() {
        let snap = snap_of(new);
        let _ = writeln!(out, "{}", messages::reviewing(lang, i + 1, pending.len(), &files::display(&snap)));
        let old = std::fs::read_to_string(&snap).ok();
        let Ok(text) = std::fs::read_to_string(new) else {
            let _ = writeln!(err, "qingdan: {}", messages::cannot_read(lang, &files::display(new)));
            code = exit::USAGE;
            continue;
        };
        let _ = write!(out, "{}", diff(old.as_deref().map_or("", body_of), body_of(&text), lang));
        let choice = match fixed {
            Some(choice) => choice,
            None if closed => Choice::Skip,
            None => ask(answers, lang, err).unwrap_or_else(|| {
                closed = true;
                let _ = writeln!(err);
                Choice::Skip
            }),
        };
        let done = match choice {
            Choice::Accept => accept(new, &snap, &text),
            Choice::Reject => std::fs::remove_file(new).map_err(|e| e.to_string()),
            Choice::Skip => Ok(()),
        };
        match done {
            Ok(()) => counts[choice as usize] += 1,
            Err(why) => {
                let _ = writeln!(err, "qingdan: {}: {why}", files::display(new));
                code = exit::USAGE;
            }
        }
    }
    let _ = writeln!(out, "{}", messages::review_summary(lang, counts[0], counts[1], counts[2]));
    code
}

/// `X.snap` for `X.snap.new`.
fn snap_of(pending: &Path) -> PathBuf {
    let shown = pending.as_os_str().to_string_lossy();
    PathBuf::from(shown.strip_suffix(".new").unwrap_or(&shown))
}

/// The pending text becomes the snapshot (written over it atomically, keeping the file's
/// identity), then the pending file goes.
fn accept(new: &Path, snap: &Path, text: &str) -> Result<(), String> {
    crate::replace::replace(snap, text.as_bytes()).map_err(|e| e.message().en)?;
    std::fs::remove_file(new).map_err(|e| e.to_string())
}

/// Asks until an answer is understood; `None` when the input has ended.
fn ask(answers: &mut dyn BufRead, lang: Lang, err: &mut dyn Write) -> Option<Choice> {
    loop {
        let _ = write!(err, "{}", messages::review_prompt(lang));
        let _ = err.flush();
        let mut line = String::new();
        match answers.read_line(&mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        match line.trim() {
            "a" | "A" | "接受" | "是" => return Some(Choice::Accept),
            "r" | "R" | "拒绝" | "否" => return Some(Choice::Reject),
            "s" | "S" | "跳过" | "" => return Some(Choice::Skip),
            _ => {}
        }
    }
}

/// The bodies' difference, line by line: `-` old, `+` new, three lines of context.
fn diff(old: &str, new: &str, lang: Lang) -> String {
    let mut s = format!("{}\n", messages::diff_legend(lang));
    let lines = similar::TextDiff::from_lines(old, new);
    for group in lines.grouped_ops(3) {
        s.push_str("@@\n");
        for op in group {
            for change in lines.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                s.push_str(&format!("{sign} {}", change.value()));
                if change.missing_newline() {
                    s.push('\n');
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending_pair(dir: &Path, name: &str, old: &str, new: &str) -> PathBuf {
        std::fs::write(dir.join(format!("{name}.snap")), old).expect("write");
        let p = dir.join(format!("{name}.snap.new"));
        std::fs::write(&p, new).expect("write");
        p
    }

    /// Answers typed at the prompt: accept the first, reject the second, an unknown
    /// answer asked again, then the input ends and the third is skipped.
    #[test]
    fn answers_accept_reject_and_skip() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let d = tmp.path();
        let a = pending_pair(d, "p__a", "---\nsource: c\n---\nx: 1\n", "---\nsource: c\n---\nx: 2\n");
        let b = pending_pair(d, "p__b", "---\n---\ny: 1\n", "---\n---\ny: 3\n");
        let c = pending_pair(d, "p__c", "---\n---\nz: 1\n", "---\n---\nz: 4\n");
        let pending = pending_in(&[d.to_path_buf()]);
        assert_eq!(pending, vec![a.clone(), b.clone(), c.clone()]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut answers = std::io::Cursor::new("a\nwhat\nr\n");
        let code = review(&pending, None, &mut answers, Lang::En, &mut out, &mut err);
        assert_eq!(code, exit::OK);
        let out = String::from_utf8(out).expect("text");
        assert!(out.contains("- x: 1\n+ x: 2\n"), "{out}");
        assert!(out.contains("accepted 1, rejected 1, skipped 1"), "{out}");
        assert_eq!(
            String::from_utf8(err).expect("text").matches("[a]ccept").count(),
            4,
            "asked again, and once more before the end"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("p__a.snap")).expect("read"),
            "---\nsource: c\n---\nx: 2\n"
        );
        assert!(!a.exists() && !b.exists() && c.exists());
        assert_eq!(std::fs::read_to_string(d.join("p__b.snap")).expect("read"), "---\n---\ny: 1\n");
    }
}
