//! The analyser (gaps, overlaps, dead rules: `qingdan check`'s E04xx/W04xx) off the typing
//! path: a thread that waits until no edit has come for [`QUIET`], then checks and analyses
//! the latest text of each document it was given, and hands the diagnostics to the loop.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use super::analysis::{self, Snapshot};
use super::diagnostics;
use super::Event;
use crate::loader::FsLoader;

/// How long typing must pause before the analyser runs.
pub const QUIET: Duration = Duration::from_millis(300);

struct Job {
    uri: String,
    version: i32,
    open: Snapshot,
}

pub struct Handle {
    jobs: Sender<Job>,
}

impl Handle {
    pub fn submit(&self, uri: String, version: i32, open: Snapshot) {
        let _ = self.jobs.send(Job { uri, version, open });
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
                let program = analysis::analyse_fully(&job.uri, &job.open, &fs);
                let path = analysis::path_of(&job.uri);
                let Some(file) = program.sources.find(&path) else { continue };
                let uri_of =
                    |f: qingdan_dsl::FileId| analysis::uri_of(&program.sources.get(f).path, &path, &job.uri);
                let diagnostics = diagnostics::of_file(&program, file, &uri_of);
                let event = Event::Analysed { uri: job.uri, version: job.version, diagnostics };
                if events.send(event).is_err() {
                    return;
                }
            }
        }
    });
    Handle { jobs }
}
