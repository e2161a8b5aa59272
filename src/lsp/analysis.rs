//! One document checked with everything it names: the policies it `使用`s and the CSV/YAML
//! rows its lists come from, found by the CLI's own loader (with its confinement), the
//! editor's unsaved text standing in for a file wherever that file is open.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use qingdan_dsl::program::check_files;
use qingdan_dsl::syntax::parse::policy_name;
use qingdan_dsl::{FileId, LoadError, Loader, Program};

use super::documents::{Documents, LineIndex};
use super::index::Index;
use super::uri;
use crate::loader::FsLoader;

/// The open documents' texts, as one run of the checker sees them (cheap to send to the
/// analyser's thread).
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// (URI, path, text)
    pub files: Vec<(String, String, String)>,
}

impl Snapshot {
    pub fn of(docs: &Documents) -> Snapshot {
        let files = docs.iter().map(|(u, d)| (u.clone(), path_of(u), d.text.clone())).collect();
        Snapshot { files }
    }

    fn by_path(&self, path: &str) -> Option<&(String, String, String)> {
        let wanted = canonical(path);
        self.files.iter().find(|(_, p, _)| canonical(p) == wanted)
    }
}

/// The path a document is checked under: its file's, or (for `untitled:` and other
/// schemes) the URI itself, under which no neighbour is found.
pub fn path_of(uri: &str) -> String {
    uri::to_path(uri).unwrap_or_else(|| uri.to_string())
}

fn canonical(path: &str) -> PathBuf {
    Path::new(path).canonicalize().unwrap_or_else(|_| PathBuf::from(path))
}

/// The CLI's loader, with open documents read from the editor rather than the disk.
struct Overlay<'a> {
    fs: FsLoader,
    open: &'a Snapshot,
}

impl Overlay<'_> {
    fn prefer_open(&self, found: (String, Vec<u8>)) -> (String, Vec<u8>) {
        match self.open.by_path(&found.0) {
            Some((_, _, text)) => (found.0, text.clone().into_bytes()),
            None => found,
        }
    }
}

impl Loader for Overlay<'_> {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        self.fs.load(from, path).map(|f| self.prefer_open(f))
    }

    fn load_text(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        self.fs.load_text(from, path)
    }

    fn find_policy(&mut self, from: &str, name: &str) -> Option<(String, Vec<u8>)> {
        let open = self.open.files.iter().find(|(_, p, text)| p != from && policy_name(text) == Some(name));
        if let Some((_, path, text)) = open {
            return Some((path.clone(), text.clone().into_bytes()));
        }
        self.fs.find_policy(from, name).map(|f| self.prefer_open(f))
    }
}

/// A checked document and what the editor features need to answer about it.
pub struct Analysis {
    pub program: Program,
    pub index: Index,
    /// Per file of the program: its line index (made when first needed: the full texts
    /// of sources and long CSV files rarely are) and its URI.
    pub lines: Vec<OnceCell<LineIndex>>,
    pub uris: Vec<String>,
    /// The document's own file and policy (module), when it parsed.
    pub file: FileId,
    pub module: Option<usize>,
}

/// Checks the document `uri` (which must be in `open`) with the front end only.
pub fn analyse(uri: &str, open: &Snapshot, fs: &FsLoader) -> Analysis {
    let path = path_of(uri);
    let text = open.files.iter().find(|(u, _, _)| u == uri).map(|(_, _, t)| t.clone()).unwrap_or_default();
    let mut loader = Overlay { fs: fs.clone(), open };
    let program = check_files(vec![(path.clone(), Ok(text.into_bytes()))], &mut loader);
    let index = Index::build(&program);
    let lines = program.sources.iter().map(|_| OnceCell::new()).collect();
    let uris = program.sources.iter().map(|f| uri_of(&f.path, &path, uri)).collect();
    let file = program.sources.find(&path).unwrap_or_default();
    let module = program.modules.iter().position(|m| m.file == file);
    Analysis { program, index, lines, uris, file, module }
}

/// The front end alone (no index), for the benchmark's comparison.
pub fn check_only(uri: &str, open: &Snapshot, fs: &FsLoader) -> Program {
    let path = path_of(uri);
    let text = open.files.iter().find(|(u, _, _)| u == uri).map(|(_, _, t)| t.clone()).unwrap_or_default();
    let mut loader = Overlay { fs: fs.clone(), open };
    check_files(vec![(path, Ok(text.into_bytes()))], &mut loader)
}

/// The policy file at `path` (the editor's text if it is open, else the disk's) checked with
/// what it names, for the diagnostics of a data file it reads.
pub fn check_path(path: &str, open: &Snapshot, fs: &FsLoader) -> Program {
    let bytes = match open.by_path(path) {
        Some((_, _, text)) => Ok(text.clone().into_bytes()),
        None => crate::files::read_capped(Path::new(path)),
    };
    let mut loader = Overlay { fs: fs.clone(), open };
    check_files(vec![(path.to_string(), bytes)], &mut loader)
}

/// Whether `a` and `b` name the same file (links resolved).
pub fn same_file(a: &str, b: &str) -> bool {
    canonical(a) == canonical(b)
}

/// The front end and then the analyser (E04xx/W04xx), as `qingdan check` runs them: the
/// slow part, run off the typing path.
pub fn analyse_fully(uri: &str, open: &Snapshot, fs: &FsLoader) -> Program {
    let path = path_of(uri);
    let text = open.files.iter().find(|(u, _, _)| u == uri).map(|(_, _, t)| t.clone()).unwrap_or_default();
    let mut loader = Overlay { fs: fs.clone(), open };
    crate::commands::check_and_analyse(vec![(path, Ok(text.into_bytes()))], &mut loader)
}

/// The URI of a file of the program: the document's own, or the file's path made absolute.
pub fn uri_of(path: &str, doc_path: &str, doc_uri: &str) -> String {
    if path == doc_path {
        return doc_uri.to_string();
    }
    let p = Path::new(path);
    let absolute = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    };
    uri::from_path(&absolute.to_string_lossy())
}

impl Analysis {
    pub fn line_index(&self, file: FileId) -> &LineIndex {
        self.lines[file.0 as usize].get_or_init(|| LineIndex::new(self.text(file)))
    }

    pub fn text(&self, file: FileId) -> &str {
        &self.program.sources.get(file).text
    }

    pub fn range(&self, span: qingdan_dsl::Span) -> lsp_types::Range {
        let text = self.text(span.file);
        self.line_index(span.file).range(text, span.start as usize, span.end as usize)
    }

    /// A `Location` (URI and range) of the protocol.
    pub fn location(&self, span: qingdan_dsl::Span) -> serde_json::Value {
        serde_json::json!({ "uri": self.uris[span.file.0 as usize], "range": self.range(span) })
    }

    /// The language of the document's keywords (for the words of hovers and lenses).
    pub fn lang(&self) -> qingdan_dsl::Lang {
        self.program.sources.get(self.file).lang
    }
}
