//! Diagnostics of the CSV/YAML files that hold a list's rows, published when the editor
//! opens or changes one: the policies near it that name it (in its folder or a folder
//! above, as far as the workspace's root — a policy reads data files only inside its own
//! folder) are checked with the editor's text of the file, and the checker's errors that
//! lie in the file (a ragged row, a bad cell, an unknown key, each with its row and
//! column) become its diagnostics.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::analysis::{self, Snapshot};
use super::diagnostics;
use crate::loader::FsLoader;

/// How many folders up from the data file are searched for policies (its own included),
/// at most, and never above the client's workspace root.
const FOLDERS_UP: usize = 4;

/// At most this many policies are checked for one data file.
const MAX_POLICIES: usize = 16;

/// Whether the document is a data file (by its name's extension), not a policy.
pub fn is_data_file(uri: &str) -> bool {
    let name = uri.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    [".csv", ".yaml", ".yml"].iter().any(|ext| name.ends_with(ext))
}

/// The diagnostics of the data file `uri` (open in `open`), from every policy near it
/// that reads it; none when no policy does.
pub fn diagnostics(uri: &str, open: &Snapshot, fs: &FsLoader, root: Option<&Path>) -> Vec<Value> {
    let path = analysis::path_of(uri);
    let mut found: Vec<Value> = Vec::new();
    for policy in policies_naming(Path::new(&path), root) {
        let program = analysis::check_path(&policy.to_string_lossy(), open, fs);
        let Some(file) = program.sources.iter().position(|f| analysis::same_file(&f.path, &path)) else {
            continue;
        };
        let policy_uri = super::uri::from_path(&policy.to_string_lossy());
        let uri_of = |f: qingdan_dsl::FileId| {
            let file_path = &program.sources.get(f).path;
            if analysis::same_file(file_path, &path) {
                uri.to_string()
            } else {
                analysis::uri_of(file_path, "", &policy_uri)
            }
        };
        let file = qingdan_dsl::FileId(file as u32);
        for d in diagnostics::of_file(&program, file, &uri_of) {
            if !found.contains(&d) {
                found.push(d);
            }
        }
    }
    found
}

/// The policy files in the data file's folder and the folders above it (up to the root, at
/// most [`FOLDERS_UP`] of them) whose text names the data file.
pub(super) fn policies_naming(data: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    let Some(name) = data.file_name().map(|n| n.to_string_lossy().into_owned()) else { return Vec::new() };
    let mut found = Vec::new();
    let mut folder = data.parent();
    let mut depth = 0;
    while let Some(dir) = folder {
        found.extend(policies_in(dir).into_iter().filter(|p| {
            crate::files::read_capped(p).is_ok_and(|bytes| String::from_utf8_lossy(&bytes).contains(&name))
        }));
        depth += 1;
        let at_root = root.is_some_and(|r| dir == r);
        if at_root || depth >= FOLDERS_UP || found.len() >= MAX_POLICIES {
            break;
        }
        folder = dir.parent();
    }
    found.truncate(MAX_POLICIES);
    found
}

/// The `.qd` files directly inside `dir`, by name.
fn policies_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "qd") && p.is_file())
        .collect();
    found.sort();
    found
}
