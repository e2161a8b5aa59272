//! The front end as one call: files in, parsed and checked policies plus diagnostics out.
//! Reading files is the caller's job (through [`Loader`]), so this stays free of IO.

use crate::check::{self, Checked, IncludedRows};
use crate::diag::{msg, sort_and_dedup, Code, Diagnostic};
use crate::include::{self, Column};
use crate::source::{FileId, Lang, SourceFile, SourceMap, Span};
use crate::sources::SourceTexts;
use crate::syntax::ast::{Decl, ListBody, ListDecl, Module, RecordDecl, SourceDecl};
use crate::syntax::{self, lex, Comment};

/// Fetches files that policies name (YAML/CSV list rows).
pub trait Loader {
    /// Reads `path`, written relative to the file `from`. Returns the path to show in
    /// messages and the bytes, or why not.
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError>;

    /// Finds the file of policy `name`, used by the file `from` but not given to check
    /// (e.g. a sibling in the same folder).
    fn find_policy(&mut self, from: &str, name: &str) -> Option<(String, Vec<u8>)>;

    /// Reads the full text of an instrument a `来源` names (`全文 "…"`), written relative
    /// to the file `from`. Loaders may look in more places than for data files (the CLI
    /// also looks in the nearest folder called `policies` above); by default, the same.
    fn load_text(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), LoadError> {
        self.load(from, path)
    }
}

/// Why a loader gave no data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// It could not be read: a description of the IO error (E0121).
    Unreadable(String),
    /// The path leads outside the folders this loader may read (E0128): the loader does
    /// not look, so whether such a file exists is never told.
    Outside,
}

impl From<String> for LoadError {
    fn from(why: String) -> Self {
        LoadError::Unreadable(why)
    }
}

/// A loader for callers with no files besides the policies (tests, documentation).
pub struct NoFiles;

impl Loader for NoFiles {
    fn load(&mut self, _from: &str, _path: &str) -> Result<(String, Vec<u8>), LoadError> {
        Err(LoadError::Unreadable("no files can be read here".into()))
    }

    fn find_policy(&mut self, _from: &str, _name: &str) -> Option<(String, Vec<u8>)> {
        None
    }
}

/// A file to check: its path and its bytes, or why it could not be read.
pub type InputFile = (String, Result<Vec<u8>, String>);

#[derive(Debug)]
pub struct ParsedModule {
    pub file: FileId,
    pub module: Module,
    pub comments: Vec<Comment>,
}

/// Everything the front end learnt about a set of files checked together.
#[derive(Debug)]
pub struct Program {
    pub sources: SourceMap,
    pub modules: Vec<ParsedModule>,
    pub included: IncludedRows,
    /// Present when every file parsed; name and type checking needs the whole set.
    pub checked: Option<Checked>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Program {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses policy files without checking them (for the formatter): a program whose
/// `checked` is `None` and whose diagnostics are the syntax errors.
pub fn parse_files(files: Vec<InputFile>) -> Program {
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let modules = files
        .into_iter()
        .filter_map(|(path, bytes)| parse_file(&mut sources, path, bytes, &mut diagnostics))
        .collect();
    Program { sources, modules, included: IncludedRows::new(), checked: None, diagnostics }
}

/// Parses and checks policy files, together with the policies they `use` that the
/// loader finds.
pub fn check_files(files: Vec<InputFile>, loader: &mut dyn Loader) -> Program {
    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let mut modules = Vec::new();
    let mut all_parsed = true;
    let mut queue: Vec<InputFile> = files;
    while !queue.is_empty() {
        for (path, bytes) in std::mem::take(&mut queue) {
            let parsed = parse_file(&mut sources, path, bytes, &mut diagnostics);
            match parsed {
                Some(pm) => modules.push(pm),
                None => all_parsed = false,
            }
        }
        queue = missing_policies(&modules, &sources, loader);
    }
    let mut cells = Vec::new();
    let included = load_included(&modules, &mut sources, loader, &mut diagnostics, &mut cells);
    let texts = load_source_texts(&modules, &mut sources, loader, &mut diagnostics);
    let checked = all_parsed.then(|| {
        let asts: Vec<Module> = modules.iter().map(|m| m.module.clone()).collect();
        let mut checked = check::check(&asts, &included, &sources);
        let refs: Vec<&Module> = asts.iter().collect();
        crate::sources::verify(&refs, &texts, &sources, &mut checked.env, &mut checked.diagnostics);
        checked
    });
    if let Some(c) = &checked {
        diagnostics.extend(c.diagnostics.iter().map(|d| at_cell(d.clone(), &cells)));
    }
    suppress_after_missing_use(&mut diagnostics, &modules);
    sort_and_dedup(&mut diagnostics);
    Program { sources, modules, included, checked, diagnostics }
}

fn parse_file(
    sources: &mut SourceMap,
    path: String,
    bytes: Result<Vec<u8>, String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ParsedModule> {
    let bytes = match bytes {
        Ok(b) => b,
        Err(why) => {
            let file = sources.add(SourceFile::new(path.clone(), ""));
            diagnostics.push(unreadable(file, &path, &why));
            return None;
        }
    };
    let file = add_file(sources, path, &bytes, diagnostics)?;
    let parsed = syntax::parse(&sources.get(file).text, file);
    diagnostics.extend(parsed.diagnostics);
    let module = parsed.module?;
    sources.get_mut(file).lang = module.lang;
    Some(ParsedModule { file, module, comments: parsed.comments })
}

/// Files of policies that are used but not yet loaded, as the loader finds them.
fn missing_policies(
    modules: &[ParsedModule],
    sources: &SourceMap,
    loader: &mut dyn Loader,
) -> Vec<InputFile> {
    let mut known: Vec<String> = modules.iter().map(|m| m.module.name.name.clone()).collect();
    let mut found = Vec::new();
    for pm in modules {
        for decl in &pm.module.decls {
            let Decl::Use(name) = decl else { continue };
            if known.contains(&name.name) {
                continue;
            }
            known.push(name.name.clone());
            if let Some((path, bytes)) = loader.find_policy(&sources.get(pm.file).path, &name.name) {
                if sources.find(&path).is_none() {
                    found.push((path, Ok(bytes)));
                }
            }
        }
    }
    found
}

fn unreadable(file: FileId, path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0009,
        Span::new(file, 0, 0),
        msg(format!("无法读取文件 `{path}`：{why}"), format!("cannot read file `{path}`: {why}")),
    )
    .help(msg("检查路径是否正确、文件是否有读权限", "check that the path is right and the file is readable"))
}

/// Names a policy would have imported are unknown when its `use` fails, and every mention
/// of them (a whole CSV of references, say) would be an error of its own. Keep the `use`
/// error, drop the unknown-name errors in that policy and its data files, and say how many.
fn suppress_after_missing_use(diags: &mut Vec<Diagnostic>, modules: &[ParsedModule]) {
    const FOLLOW_ON: &[Code] =
        &[Code::E0101, Code::E0104, Code::E0105, Code::E0110, Code::E0111, Code::E0116, Code::E0120];
    let failed: Vec<FileId> = diags.iter().filter(|d| d.code == Code::E0106).map(|d| d.span.file).collect();
    if failed.is_empty() {
        return;
    }
    let policy_files: Vec<FileId> = modules.iter().map(|m| m.file).collect();
    let affected = |file: FileId| failed.contains(&file) || !policy_files.contains(&file);
    let before = diags.len();
    diags.retain(|d| !(FOLLOW_ON.contains(&d.code) && affected(d.span.file)));
    let dropped = before - diags.len();
    if dropped > 0 {
        for d in diags.iter_mut().filter(|d| d.code == Code::E0106) {
            let note = msg(
                format!("因此省略了 {dropped} 个后续的未知名称错误；引入成功后再检查"),
                format!("{dropped} follow-on unknown-name errors were left out; check again once the use resolves"),
            );
            d.help = Some(match d.help.take() {
                Some(h) => msg(format!("{}\n{}", h.zh, note.zh), format!("{}\n{}", h.en, note.en)),
                None => note,
            });
        }
    }
}

/// Adds a file's text to the map, or records why its bytes are not a policy file.
pub fn add_file(
    sources: &mut SourceMap,
    path: String,
    bytes: &[u8],
    diags: &mut Vec<Diagnostic>,
) -> Option<FileId> {
    let id = sources.add(SourceFile::new(path, ""));
    match lex::decode(bytes, id) {
        Ok(text) => {
            let mut file = SourceFile::new(sources.get(id).path.clone(), text);
            // Until the parse counts keywords, the header keyword is the best guess.
            file.lang = if syntax::parse::header_is_chinese(text) { Lang::Zh } else { Lang::En };
            *sources.get_mut(id) = file;
            Some(id)
        }
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Where each data cell of a workbook's sheet is in its shown text, with its address.
type CellAddresses = Vec<(Span, String)>;

/// A diagnostic the checker raised in a workbook's cell, its message led by the cell's
/// address (`职责清单!D17：…`) as the readers' own messages are: the shown sheet text's
/// line is the row, but its columns are not the sheet's.
fn at_cell(mut d: Diagnostic, cells: &CellAddresses) -> Diagnostic {
    let within = |c: &Span| c.file == d.span.file && c.start <= d.span.start && d.span.end <= c.end;
    if let Some((_, address)) = cells.iter().find(|(c, _)| within(c)) {
        if !d.message.en.starts_with(address.as_str()) {
            d.message = msg(format!("{address}：{}", d.message.zh), format!("{address}: {}", d.message.en));
        }
    }
    d
}

fn load_included(
    modules: &[ParsedModule],
    sources: &mut SourceMap,
    loader: &mut dyn Loader,
    diags: &mut Vec<Diagnostic>,
    cells: &mut CellAddresses,
) -> IncludedRows {
    let mut rows = IncludedRows::new();
    for (m, pm) in modules.iter().enumerate() {
        for (i, decl) in pm.module.decls.iter().enumerate() {
            let Decl::List(list @ ListDecl { body: ListBody::From(path), .. }) = decl else {
                continue;
            };
            let from = sources.get(pm.file).path.clone();
            let (file_path, sheet) = include::split_sheet(&path.value);
            let loaded = loader.load(&from, file_path);
            let (shown, bytes) = match loaded {
                Ok(found) => found,
                Err(LoadError::Unreadable(why)) => {
                    diags.push(not_found(path.span, &path.value, &why));
                    continue;
                }
                Err(LoadError::Outside) => {
                    diags.push(outside(path.span, &path.value));
                    continue;
                }
            };
            let columns = row_columns(modules, m, &list.row_type.name);
            let columns: Vec<Column<'_>> = columns
                .map(|r| r.fields.iter().map(|f| Column { name: &f.name.name, ty: Some(&f.ty) }).collect())
                .unwrap_or_default();
            let source = DataSource { shown, bytes: &bytes, written: file_path, sheet, at: path.span };
            let Some((file, (items, problems), addresses)) =
                read_data_file(sources, source, &list.key.name, &columns, diags)
            else {
                continue;
            };
            cells.extend(addresses);
            // Problems in the data file are told in the language of the policy naming it.
            sources.get_mut(file).lang = pm.module.lang;
            diags.extend(problems);
            rows.insert((m, i), items);
        }
    }
    rows
}

/// The full texts that sources name, each file read once however many sources name it.
fn load_source_texts(
    modules: &[ParsedModule],
    sources: &mut SourceMap,
    loader: &mut dyn Loader,
    diags: &mut Vec<Diagnostic>,
) -> SourceTexts {
    let mut texts = SourceTexts::new();
    for (m, pm) in modules.iter().enumerate() {
        for (i, decl) in pm.module.decls.iter().enumerate() {
            let Decl::Source(SourceDecl { full_text: Some(path), .. }) = decl else { continue };
            let from = sources.get(pm.file).path.clone();
            let (shown, bytes) = match loader.load_text(&from, &path.value) {
                Ok(found) => found,
                Err(LoadError::Unreadable(why)) => {
                    diags.push(text_unreadable(path.span, &path.value, &why));
                    continue;
                }
                Err(LoadError::Outside) => {
                    diags.push(outside(path.span, &path.value));
                    continue;
                }
            };
            let file = match sources.find(&shown) {
                Some(file) => file,
                None => match add_file(sources, shown, &bytes, diags) {
                    Some(file) => file,
                    None => continue,
                },
            };
            sources.get_mut(file).lang = pm.module.lang;
            texts.insert((m, i), file);
        }
    }
    texts
}

fn text_unreadable(span: Span, path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0129,
        span,
        msg(format!("无法读取来源全文 `{path}`：{why}"), format!("cannot read the source text `{path}`: {why}")),
    )
    .help(msg(
        "路径相对于本政策文件所在的文件夹；找不到时再到上级名为 `policies` 的文件夹中找（如 `sources/杭州决定.txt`）",
        "the path is relative to this policy file's folder, then to the nearest folder called `policies` above it (e.g. `sources/hangzhou.txt`)",
    ))
}

/// A data file as loaded: the path to show, its bytes, the path as written (without a
/// `#sheet`), the sheet, and where the policy names it.
struct DataSource<'a> {
    shown: String,
    bytes: &'a [u8],
    written: &'a str,
    sheet: Option<&'a str>,
    at: Span,
}

/// Reads a data file by its kind (workbook, CSV in UTF-8 or GB18030, YAML) into items and
/// the problems of its rows; `None` when the file itself could not be read (reported).
fn read_data_file(
    sources: &mut SourceMap,
    source: DataSource<'_>,
    key: &str,
    columns: &[Column<'_>],
    diags: &mut Vec<Diagnostic>,
) -> Option<(FileId, include::Rows, CellAddresses)> {
    if include::is_workbook(source.written) {
        let file = sources.add(SourceFile::new(source.shown.clone(), ""));
        return match include::workbook_rows(
            source.bytes,
            source.written,
            source.sheet,
            source.at,
            file,
            key,
            columns,
        ) {
            Ok(read) => {
                *sources.get_mut(file) =
                    SourceFile::new(format!("{}#{}", source.shown, read.sheet), read.text);
                Some((file, read.rows, read.cells))
            }
            Err(d) => {
                diags.push(d);
                None
            }
        };
    }
    if source.written.to_lowercase().ends_with(".csv") && source.bytes.len() <= lex::MAX_FILE_BYTES {
        let Some((text, _)) = include::decode_csv(source.bytes) else {
            diags.push(undecodable(source.at, source.written));
            return None;
        };
        let file = sources.add(SourceFile::new(source.shown, text));
        return Some((file, include::csv_rows(&sources.get(file).text, file, key, columns), Vec::new()));
    }
    let file = add_file(sources, source.shown, source.bytes, diags)?;
    Some((file, include::yaml_rows(&sources.get(file).text, file, key, columns), Vec::new()))
}

fn undecodable(span: Span, path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0122,
        span,
        msg(
            format!("CSV 文件 `{path}` 既不是 UTF-8 也不是 GBK/GB18030 编码"),
            format!("CSV file `{path}` is neither UTF-8 nor GBK/GB18030"),
        ),
    )
    .help(msg(
        "在 Excel 或 WPS 里另存为“CSV UTF-8（逗号分隔）”",
        "save it again from Excel or WPS as \"CSV UTF-8 (comma delimited)\"",
    ))
}

/// The row record's declaration, looked up by name in the module, then in the others.
fn row_columns<'a>(modules: &'a [ParsedModule], m: usize, name: &str) -> Option<&'a RecordDecl> {
    let find = |pm: &'a ParsedModule| {
        pm.module.decls.iter().find_map(|d| match d {
            Decl::Record(r) if r.name.name == name => Some(r),
            _ => None,
        })
    };
    find(&modules[m]).or_else(|| modules.iter().find_map(find))
}

fn not_found(span: Span, path: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0121,
        span,
        msg(format!("无法读取数据文件 `{path}`：{why}"), format!("cannot read data file `{path}`: {why}")),
    )
    .help(msg("路径相对于本政策文件所在的文件夹", "the path is relative to this policy file's folder"))
}

fn outside(span: Span, path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0128,
        span,
        msg(
            format!("数据文件 `{path}` 不在本政策文件所在的文件夹内，不予读取"),
            format!("data file `{path}` is outside this policy file's folder and is not read"),
        ),
    )
    .help(msg(
        "把数据文件放在政策文件所在的文件夹或其子文件夹中，写相对路径（不用 `..`，不用绝对路径，也不经符号链接出去）；命令行可用 `--allow-read 文件夹` 允许读取别的文件夹",
        "put the data file in the policy file's folder or below it and write a relative path (no `..`, no absolute path, no symbolic link leading out); on the command line, `--allow-read DIR` allows another folder",
    ))
}
