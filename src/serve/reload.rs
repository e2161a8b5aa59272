//! Hot reload: the folder's files are looked at every `--reload-ms` (names, sizes, times);
//! when they change, the whole folder is checked again off the server's thread, and only a
//! clean result is swapped in, all policies at once. With errors the old versions keep
//! serving and `/v1/status` shows the diagnostics.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::catalog::{self, Loaded};
use super::store::{now_ms, rfc3339};
use super::Service;

#[derive(Clone, Default)]
pub struct State {
    pub checked: String,
    pub has_errors: bool,
    pub diagnostics: String,
}

impl State {
    pub fn after(loaded: &Loaded) -> State {
        State {
            checked: rfc3339(now_ms()),
            has_errors: loaded.has_errors,
            diagnostics: loaded.diagnostics.clone(),
        }
    }
}

/// What identifies the folder's state cheaply: every file's path, size and time.
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut seen = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else if !is_log_file(&path) {
                seen.push((path, meta.len(), meta.modified().ok()));
            }
        }
    }
    seen.sort();
    seen
}

/// The decision log beside the policies changes with every decision; it is no policy.
fn is_log_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains(".sqlite"))
}

pub fn watch(svc: Arc<Service>, dir: PathBuf, every: Duration) {
    std::thread::spawn(move || {
        let mut last = fingerprint(&dir);
        loop {
            std::thread::sleep(every);
            let now = fingerprint(&dir);
            if now == last {
                continue;
            }
            last = now;
            let loaded = catalog::load(&dir);
            if let Ok(mut s) = svc.reload.write() {
                *s = State::after(&loaded);
            }
            super::trace::reloaded(loaded.policies.len(), loaded.has_errors, &loaded.diagnostics);
            if !loaded.has_errors {
                svc.install(loaded.policies.into_iter().map(|(k, v)| (k, Arc::new(v))).collect());
                svc.metrics.reloads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    });
}
