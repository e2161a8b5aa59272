//! The analyser (gaps, overlaps, dead rules: `qingdan check`'s E04xx/W04xx) off the typing
//! path: a thread that waits until no edit has come for [`QUIET`], then checks and analyses
//! the latest text of each document it was given, and hands the diagnostics to the loop; an
//! open data file gets its diagnostics again (the policies reading it may have changed).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use super::analysis::{self, Snapshot};
use super::Event;
use super::{data_files, diagnostics};
use crate::loader::FsLoader;

/// How long typing must pause before the analyser runs.
pub const QUIET: Duration = Duration::from_millis(300);

struct Job {
    uri: String,
    version: i32,
    open: Snapshot,
    /// The workspace's root (how far up a data file's policies are looked for).
    root: Option<PathBuf>,
}

pub struct Handle {
    jobs: Sender<Job>,
}

impl Handle {
    pub fn submit(&self, uri: String, version: i32, open: Snapshot, root: Option<PathBuf>) {
        let _ = self.jobs.send(Job { uri, version, open, root });
    }
}

pub(super) fn start(fs: FsLoader, events: Sender<Event>) -> Handle {
    let (jobs, inbox) = mpsc::channel::<Job>();
    std::thread::spawn(move || {
        while let Ok(first) = inbox.recv() {
            // The latest job per document, once QUIET has passed without another.
            let mut latest = BTreeMap::new();
            latest.insert(first.uri.clone(), first);
            loop {
                match inbox.recv_timeout(QUIET) {
                    Ok(job) => {
                        latest.insert(job.uri.clone(), job);
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            for job in latest.into_values() {
                let Some(diagnostics) = analyse(&job, &fs) else { continue };
                let event = Event::Analysed { uri: job.uri, version: job.version, diagnostics };
                if events.send(event).is_err() {
                    return;
                }
            }
        }
    });
    Handle { jobs }
}

/// A policy's diagnostics with the analyser's findings; a data file's again from the
/// policies that read it (one of them may have changed).
fn analyse(job: &Job, fs: &FsLoader) -> Option<Vec<serde_json::Value>> {
    if data_files::is_data_file(&job.uri) {
        return Some(data_files::diagnostics(&job.uri, &job.open, fs, job.root.as_deref()));
    }
    let program = analysis::analyse_fully(&job.uri, &job.open, fs);
    let path = analysis::path_of(&job.uri);
    let file = program.sources.find(&path)?;
    let uri_of = |f: qingdan_dsl::FileId| analysis::uri_of(&program.sources.get(f).path, &path, &job.uri);
    Some(diagnostics::of_file(&program, file, &uri_of))
}
