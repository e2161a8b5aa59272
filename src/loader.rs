//! The loader through which the front end reads what policies name: the data files of
//! `来自` lists, and the files of policies they `use`.
//!
//! A policy is text someone else may have written (the playground takes it from a web
//! page), so what it can make us read is confined. A data file must lie inside the folder
//! of the policy that names it (subfolders included) once every symbolic link is
//! resolved, or inside a folder the command line allows (`--allow-read`). Without such a
//! folder, an absolute path or one whose `..` climbs out is refused before anything is
//! looked up, so a refusal does not even tell whether the file exists. Only regular files
//! are opened (`files::read_regular`).

use std::path::{Component, Path, PathBuf};

use qingdan_dsl::syntax::lex::MAX_FILE_BYTES;
use qingdan_dsl::syntax::parse::policy_name;
use qingdan_dsl::{LoadError, Loader};

use crate::files::{self, display, io_reason, read_regular};

/// How far below the policy's folder, and its parent's, a used policy is looked for:
/// `policies/甲/x.qd` finds `policies/乙/y.qd` (the parent's subfolder) and one level more.
const SIBLING_DEPTH: usize = 2;

/// At most this many `.qd` files are opened to find a used policy by its name.
const MAX_CANDIDATES: usize = 2_000;

/// Resolves data files relative to the policy that names them, within the folders it may
/// read, and finds used policies among the `.qd` files of its folder and the one above.
#[derive(Debug, Default, Clone)]
pub struct FsLoader {
    /// Further folders data files may come from (`--allow-read`), canonical.
    allowed: Vec<PathBuf>,
    /// When set (the playground), nothing outside this folder (canonical) is read: used
    /// policies are looked for only inside it; otherwise in the naming policy's folder and
    /// the one above it.
    policy_root: Option<PathBuf>,
}

impl FsLoader {
    /// Data files only from each policy's own folder: the command line's default.
    pub fn confined() -> FsLoader {
        FsLoader::default()
    }

    /// Also from these folders (`--allow-read`); a folder that does not exist is an error
    /// of usage, reported with its path.
    pub fn allowing(folders: &[PathBuf]) -> Result<FsLoader, String> {
        let allowed = folders
            .iter()
            .map(|f| match f.canonicalize() {
                Ok(c) if c.is_dir() => Ok(c),
                Ok(_) => Err(format!("--allow-read {}: not a folder", f.display())),
                Err(e) => Err(format!("--allow-read {}: {}", f.display(), io_reason(&e))),
            })
            .collect::<Result<_, _>>()?;
        Ok(FsLoader { allowed, policy_root: None })
    }

    /// Everything inside `root` and nothing outside it: the playground's loader, which
    /// serves policies that arrive over HTTP.
    pub fn within(root: &Path) -> FsLoader {
        FsLoader {
            allowed: Vec::new(),
            policy_root: Some(root.canonicalize().unwrap_or_else(|_| root.into())),
        }
    }

    /// The file `written` (as the policy wrote it) names, relative to the folder `base`,
    /// resolved, if this loader may read it.
    fn permitted(&self, base: &Path, written: &Path) -> Result<PathBuf, LoadError> {
        if self.allowed.is_empty() && !stays_below(written) {
            return Err(LoadError::Outside);
        }
        let unreadable = |e: std::io::Error| LoadError::Unreadable(io_reason(&e));
        let resolved = base.join(written).canonicalize().map_err(unreadable)?;
        let folder = base.canonicalize().map_err(unreadable)?;
        let permitted = resolved.starts_with(&folder) || self.allowed.iter().any(|a| resolved.starts_with(a));
        // In the playground, not even a policy folder that is itself a link leads out.
        let within_root = self.policy_root.as_ref().is_none_or(|root| resolved.starts_with(root));
        if permitted && within_root {
            Ok(resolved)
        } else {
            Err(LoadError::Outside)
        }
    }

    /// The folders searched for a used policy, from the file that uses it.
    fn policy_folders<'a>(&self, dir: &'a Path) -> Vec<&'a Path> {
        let parent = dir.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let parent = if dir == Path::new(".") { None } else { Some(parent) };
        let folders = std::iter::once(dir).chain(parent);
        match &self.policy_root {
            None => folders.collect(),
            Some(root) => folders.filter(|d| d.canonicalize().is_ok_and(|d| d.starts_with(root))).collect(),
        }
    }
}

/// A relative path whose `..` never climbs above where it starts (`data/../x.csv` stays;
/// `../x.csv` and `/x.csv` do not). Judged on the text alone, before any lookup.
fn stays_below(path: &Path) -> bool {
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// The nearest folder called `policies` that holds `dir` (not `dir` itself), as written
/// when the path names it (so every policy shows the same path), else found from the
/// folder's canonical path.
fn policies_folder(dir: &Path) -> Option<PathBuf> {
    let named = |p: &&Path| p.file_name().is_some_and(|n| n == "policies");
    if let Some(found) = dir.ancestors().skip(1).find(named) {
        return Some(found.to_path_buf());
    }
    let canonical = dir.canonicalize().ok()?;
    canonical.ancestors().skip(1).find(named).map(Path::to_path_buf)
}

/// The folder of the file `from` (`.` for a bare file name).
fn folder_of(from: &str) -> &Path {
    Path::new(from).parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

impl Loader for FsLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        let base = folder_of(from);
        let resolved = self.permitted(base, Path::new(path))?;
        let bytes = read_regular(&resolved, MAX_FILE_BYTES)?;
        Ok((display(&base.join(path)), bytes))
    }

    /// The policy's folder first; then the nearest folder called `policies` above it, so
    /// that every bundled policy can name the one copy in `policies/sources/`. The same
    /// confinement as data files holds within each folder.
    fn load_text(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        let first = self.load(from, path);
        let Err(LoadError::Unreadable(_)) = &first else { return first };
        let Some(root) = policies_folder(folder_of(from)) else { return first };
        let Ok(resolved) = self.permitted(&root, Path::new(path)) else { return first };
        let bytes = read_regular(&resolved, MAX_FILE_BYTES)?;
        Ok((display(&root.join(path)), bytes))
    }

    /// Looks in the file's folder, then in the folder above it (with its subfolders), so
    /// that `policies/a/x.qd` finds a policy in `policies/b/`.
    fn find_policy(&mut self, from: &str, name: &str) -> Option<(String, Vec<u8>)> {
        self.policy_folders(folder_of(from)).into_iter().find_map(|d| {
            // The policy's folder and its parent's, with their subfolders — not a whole
            // home folder's tree: a bounded search, at most `MAX_CANDIDATES` files read.
            let mut found = Vec::new();
            files::walk_to(d, SIBLING_DEPTH, &mut found);
            found.into_iter().take(MAX_CANDIDATES).find_map(|p| {
                let bytes = read_regular(&p, MAX_FILE_BYTES).ok()?;
                let text = std::str::from_utf8(&bytes).ok()?;
                (policy_name(text) == Some(name)).then(|| (display(&p), bytes))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::stays_below;
    use std::path::Path;

    #[test]
    fn a_path_stays_below_its_folder_only_as_written_relative_without_climbing_out() {
        for inside in ["x.csv", "data/x.csv", "./data/../x.csv", "a/b/../../x.csv"] {
            assert!(stays_below(Path::new(inside)), "{inside}");
        }
        for outside in ["../x.csv", "data/../../x.csv", "/etc/passwd", "a/../../b/x.csv"] {
            assert!(!stays_below(Path::new(outside)), "{outside}");
        }
    }
}
