//! `--snapshot`: one insta-compatible file per case, named after the policy and the case,
//! and what became of each. A new snapshot is written at once; a changed one is written
//! beside the old as the pending `X.snap.new` (as insta does), for `qingdan test --review`
//! or `cargo insta review` to accept or reject; `--accept` writes the change in place.
//! Snapshots whose case is gone are reported, and removed with `--prune-snapshots`.
//! The body reads in the policy's language (headings in Chinese for a Chinese policy).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use qingdan_dsl::Lang;
use serde_json::{json, Value as Json};

use crate::files;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum SnapshotState {
    Created,
    /// Changed, and written in place (`--accept`).
    Updated,
    /// Changed: the new text waits in `X.snap.new` for review.
    Pending,
    WouldCreate,
    WouldUpdate,
    /// A file for this policy that no case writes any more (left in place).
    Obsolete,
    /// Such a file, removed (`--prune-snapshots`).
    Pruned,
}

impl SnapshotState {
    /// The state as JSON reports it (and the key of its message).
    pub(super) fn name(self) -> &'static str {
        match self {
            SnapshotState::Created => "created",
            SnapshotState::Updated => "updated",
            SnapshotState::Pending => "pending",
            SnapshotState::WouldCreate => "would create",
            SnapshotState::WouldUpdate => "would update",
            SnapshotState::Obsolete => "obsolete",
            SnapshotState::Pruned => "pruned",
        }
    }
}

pub(super) struct SnapshotNote {
    pub(super) path: String,
    pub(super) state: SnapshotState,
}

/// The snapshot files of one policy: where they go, and which names this run has used.
pub(super) struct SnapshotSet {
    pub(super) dir: Option<PathBuf>,
    pub(super) prefix: String,
    pub(super) used: HashSet<String>,
}

impl SnapshotSet {
    pub(super) fn new(dir: Option<PathBuf>, policy: &str) -> SnapshotSet {
        SnapshotSet { dir, prefix: format!("{}__", safe_name(policy)), used: HashSet::new() }
    }

    /// `<policy>__<case>.snap`; a second case of the same name (an inline test and a case
    /// file often share one) gets `-2`, and so on, in run order.
    pub(super) fn path_for(&mut self, case: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let base = format!("{}{}", self.prefix, safe_name(case));
        let mut name = format!("{base}.snap");
        let mut n = 1;
        while !self.used.insert(name.clone()) {
            n += 1;
            name = format!("{base}-{n}.snap");
        }
        Some(dir.join(name))
    }

    /// Files of this policy in the folder that no case of this run wrote (snapshots and
    /// pending snapshots alike); removed when `prune`.
    pub(super) fn obsolete(&self, prune: bool, notes: &mut Vec<SnapshotNote>) {
        let Some(dir) = &self.dir else { return };
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut stale: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&self.prefix))
            .filter(|n| {
                let snap = n.strip_suffix(".new").unwrap_or(n);
                snap.ends_with(".snap") && !self.used.contains(snap)
            })
            .collect();
        stale.sort();
        for name in stale {
            let path = dir.join(&name);
            let state = if prune && std::fs::remove_file(&path).is_ok() {
                SnapshotState::Pruned
            } else {
                SnapshotState::Obsolete
            };
            notes.push(SnapshotNote { path: files::display(&path), state });
        }
    }
}

/// `X.snap.new` beside `X.snap`: where insta keeps a snapshot waiting for review.
pub(super) fn pending_path(snap: &Path) -> PathBuf {
    let mut name = snap.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// A name that is safe as a file name everywhere: letters (any script), digits, `-`,
/// `_` and inner `.` are kept, anything else becomes `_`; at most 80 characters, so that
/// even all-CJK names stay under the usual 255-byte limit.
pub(super) fn safe_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .take(80)
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' { c } else { '_' })
        .collect();
    if s.starts_with('.') || s.is_empty() {
        s.insert(0, '_');
    }
    s
}

/// What a snapshot file says about one case.
pub(super) struct SnapshotOf<'a> {
    /// The file the case comes from (the `.qd` or the case file), insta's `source`.
    pub(super) source: &'a str,
    pub(super) policy: &'a str,
    pub(super) case: &'a str,
    pub(super) lang: Lang,
}

/// An insta snapshot: the `---` header insta reads (`source`, `description`, `expression`;
/// the field names are insta's, the description in the policy's language), then the body
/// as YAML, its headings in the policy's language.
pub(super) fn snapshot_text(of: &SnapshotOf<'_>, body: &Json) -> String {
    let description = match of.lang {
        Lang::Zh => format!("政策 {} 的案例：每个决定的结论、理由和依据", of.policy),
        Lang::En => {
            format!("a case of policy {}, every decision with its outcome, reasons and clauses", of.policy)
        }
    };
    let header = serde_yaml::to_string(&json!({
        "source": of.source,
        "description": description,
        "expression": of.case,
    }))
    .unwrap_or_default();
    let body = serde_yaml::to_string(&in_language(body, of.lang)).unwrap_or_default();
    format!("---\n{header}---\n{body}")
}

/// The body of a snapshot (what follows its header), as insta compares it: a header
/// rewritten by `cargo insta accept` is not a change.
pub(super) fn body_of(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").unwrap_or(text);
    match rest.find("\n---\n") {
        Some(end) => rest[end + 5..].trim_end(),
        None => text.trim_end(),
    }
}

/// The explanation's field names, and in Chinese how each reads.
const HEADINGS_ZH: &[(&str, &str)] = &[
    ("outcomes", "得出"),
    ("outcome", "结论"),
    ("values", "字段值"),
    ("name", "名称"),
    ("value", "值"),
    ("reason", "理由"),
    ("rule", "规则"),
    ("cites", "依据"),
    ("source", "来源"),
    ("clause", "条款"),
    ("text", "原文"),
    ("by_default", "按默认"),
    ("fired", "触发"),
    ("overridden", "被推翻"),
    ("conflicts", "冲突"),
    ("read", "读取"),
    ("exception_to", "例外针对"),
    ("error", "错误"),
];

/// A snapshot body in `lang`: in Chinese, every heading the explanation writes in
/// Chinese, and yes/no as 是/否. Names from the policy (decisions, fields) are its own.
fn in_language(body: &Json, lang: Lang) -> Json {
    if lang == Lang::En {
        return body.clone();
    }
    match body {
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| {
                    let heading = HEADINGS_ZH.iter().find(|(en, _)| en == k).map_or(k.as_str(), |(_, zh)| zh);
                    (heading.to_string(), in_language(v, lang))
                })
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(|v| in_language(v, lang)).collect()),
        Json::Bool(b) => Json::String(if *b { "是" } else { "否" }.into()),
        Json::Null => Json::String("无".into()),
        Json::String(s) => Json::String(crate::i18n::shown_value(lang, s).to_string()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_found_after_the_header() {
        assert_eq!(body_of("---\nsource: a\n---\nx: 1\n\n"), "x: 1");
        assert_eq!(body_of("x: 1\n"), "x: 1");
    }

    #[test]
    fn a_chinese_body_has_chinese_headings_and_shi_fou() {
        let body =
            json!({ "准入结论": { "outcomes": [{ "outcome": "准入", "rule": null }], "by_default": true } });
        let text = serde_yaml::to_string(&in_language(&body, Lang::Zh)).expect("yaml");
        assert!(text.contains("准入结论:\n  得出:\n  - 结论: 准入\n    规则: 无\n  按默认: 是"), "{text}");
        assert_eq!(in_language(&body, Lang::En), body);
    }
}
