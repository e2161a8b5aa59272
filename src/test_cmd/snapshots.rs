//! `--snapshot`: one insta-compatible file per case, named after the policy and the case,
//! and what became of each (created, updated, obsolete).

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::{json, Value as Json};

use crate::files;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SnapshotState {
    Created,
    Updated,
    WouldCreate,
    WouldUpdate,
    /// A file for this policy that no case writes any more (left in place).
    Obsolete,
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

    /// Files of this policy in the folder that no case of this run wrote.
    pub(super) fn obsolete(&self, notes: &mut Vec<SnapshotNote>) {
        let Some(dir) = &self.dir else { return };
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut stale: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&self.prefix) && n.ends_with(".snap") && !self.used.contains(n))
            .collect();
        stale.sort();
        notes.extend(
            stale
                .into_iter()
                .map(|n| SnapshotNote { path: files::display(&dir.join(n)), state: SnapshotState::Obsolete }),
        );
    }
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

/// An insta snapshot: the `---` header with `source` and `expression`, then a YAML body.
pub(super) fn snapshot_text(source: &str, case: &str, body: &Json) -> String {
    let header = serde_yaml::to_string(&json!({ "source": source, "expression": case })).unwrap_or_default();
    let body = serde_yaml::to_string(body).unwrap_or_default();
    format!("---\n{header}---\n{body}")
}
