//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "qingdan",
    version,
    about = "清单：基层治理的政策即代码 / policy-as-code for grassroots governance"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Language of messages (default: Chinese under a Chinese locale, else the language of
    /// each file's keywords).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// Output format for diagnostics.
    #[arg(long, global = true, value_enum, default_value = "human")]
    pub format: Format,
    /// Colour in human output: auto (on a terminal), always, never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Also read data files (`来自`/`from`) from this folder; by default a policy reads
    /// them only from its own folder and below. Repeatable. Not for `playground`.
    #[arg(long, global = true, value_name = "DIR")]
    pub allow_read: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve names and type-check policy files or folders.
    Check {
        /// Files (`.qd`) or folders to check; folders are searched recursively.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Fail on warnings too (exit code 1, as for errors): for CI, where a rule
        /// without a citation must not pass.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Format policy files in place (canonical layout, ASCII punctuation).
    Fmt {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Only report files that are not formatted; change nothing.
        #[arg(long)]
        check: bool,
        /// Print keywords in this language instead of the file's dominant one.
        #[arg(long, value_enum)]
        keywords: Option<LangArg>,
    },
    /// Explain a diagnostic code (e.g. E0101), or list all codes.
    Explain { code: Option<String> },
    /// Decide cases: each case in the input file gets every decision (or `--decision`).
    Eval {
        /// The policy file (or a folder holding it with the policies it uses).
        #[arg(required_unless_present = "wasm", conflicts_with = "wasm")]
        policy: Option<PathBuf>,
        /// Decide with a module built by `qingdan build` instead of the interpreter.
        #[arg(long)]
        wasm: Option<PathBuf>,
        /// Run the module only if it is signed by this public key (a `.pub` file from
        /// `qingdan keygen`); repeat to trust several keys.
        #[arg(long, value_name = "PUBKEY", requires = "wasm")]
        trust: Vec<PathBuf>,
        /// Case file: `.yaml`/`.yml`, `.json`, or JSON Lines (`.jsonl`, and `-` for stdin).
        #[arg(long, short)]
        input: String,
        /// Read the input as this format regardless of its name.
        #[arg(long, value_enum)]
        input_format: Option<InputFormat>,
        /// Only this decision.
        #[arg(long)]
        decision: Option<String>,
        /// Which policy, when the path holds several.
        #[arg(long)]
        name: Option<String>,
        /// Show why: fired and overridden rules, values read, clauses cited.
        #[arg(long)]
        explain: bool,
        /// Also write one decision notice (`.docx`) per case into this folder, from the
        /// templates in the policy's `notices/` folder (one per outcome).
        #[arg(long, value_name = "DIR", conflicts_with = "wasm")]
        notice: Option<PathBuf>,
        /// The date notices bear (`YYYY-MM-DD`; default: today).
        #[arg(long, value_name = "DATE", requires = "notice", value_parser = parse_date)]
        notice_date: Option<qingdan_dsl::value::Date>,
        /// Decide every case under the versions and list rows in force on this day
        /// (`YYYY-MM-DD`) instead of the date its case field gives (with --wasm: that day
        /// put into each case's date field).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<qingdan_dsl::value::Date>,
    },
    /// What adopting a revision changes: per decision the inputs whose outcome changes
    /// (each with an example), rows added/removed/changed per list, and with `--cases` the
    /// recorded cases decided differently; `--markdown` for a 修订对照表. Exit 0 when
    /// nothing changes, 1 when something does, 2 on usage errors or a policy with errors.
    Diff(crate::diff_cmd::DiffArgs),
    /// A list as a published workbook (`--as xlsx`, the default), or CSV, Markdown, HTML.
    Export(crate::export_cmd::ExportArgs),
    /// From a workbook or CSV file the office keeps, the record and list declarations to
    /// start a policy from (types inferred from the cells, the key guessed and checked).
    Import(crate::import_cmd::ImportArgs),
    /// Dependency graph of a policy (`--as dot|mermaid|json`), or what a field or clause
    /// affects (`--impact`) and what a decision depends on (`--why`).
    Graph(crate::graph_cmd::GraphArgs),
    /// Clause coverage: per source and clause, what cites it, how its words are known, and the clauses nothing cites (`--as text|markdown|json`).
    Trace(crate::trace_cmd::TraceArgs),
    /// Run each policy's `test` blocks and case files (`X.cases.yaml`, `cases.yaml`):
    /// pass/fail with diffs, rule coverage, and `--snapshot` files of every decision.
    Test(crate::test_cmd::TestArgs),
    /// Compile a policy to a self-contained WebAssembly module (see docs/wasm-abi.md).
    Build {
        /// The policy file (or a folder holding it with the policies it uses).
        policy: PathBuf,
        /// Where to write the module (default: the policy's name with `.wasm`).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Which policy, when the path holds several.
        #[arg(long)]
        name: Option<String>,
        /// Sign the module with this secret key (a `.key` file from `qingdan keygen`), so
        /// hosts that require it (`eval --trust`) run it.
        #[arg(long, value_name = "KEYFILE")]
        sign: Option<PathBuf>,
    },
    /// Make an Ed25519 key pair for signing modules: PREFIX.key (secret, readable only by
    /// you) and PREFIX.pub (public, for `eval --trust`). Existing files are never replaced.
    Keygen { prefix: PathBuf },
    /// A local web page to edit a policy and try cases (http://127.0.0.1:8700/).
    Playground(crate::playground_cmd::PlaygroundArgs),
    /// A decision service over HTTP (http://127.0.0.1:8710/): cases decided as `eval`
    /// decides them, each decision logged (SQLite) and retrievable by its id.
    Serve(crate::serve::ServeArgs),
    /// The decision log listed or exported (CSV, or JSON Lines).
    Log(crate::serve::log_cmd::LogArgs),
    /// Logged cases decided again under a revised policy: the ones whose outcome changes,
    /// as `diff --cases` reports them. Exit 0 when none changes, 1 when some do.
    Replay(crate::serve::log_cmd::ReplayArgs),
    /// Print a compiled module as WebAssembly text, with its manifest.
    DumpWat { module: PathBuf },
    /// Print the syntax tree of a file (for debugging the language).
    DumpAst { path: PathBuf },
    /// Print the lowered IR of a policy (slots, lets, rules, decisions).
    DumpIr {
        path: PathBuf,
        /// Which policy, when the path holds several.
        #[arg(long)]
        policy: Option<String>,
    },
    /// A language server for editors, over standard input and output (LSP).
    Lsp,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<qingdan_dsl::Lang> for LangArg {
    fn from(l: qingdan_dsl::Lang) -> Self {
        match l {
            qingdan_dsl::Lang::Zh => LangArg::Zh,
            qingdan_dsl::Lang::En => LangArg::En,
        }
    }
}

impl From<LangArg> for qingdan_dsl::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::Zh => qingdan_dsl::Lang::Zh,
            LangArg::En => qingdan_dsl::Lang::En,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// For people (`text` is the same).
    #[value(alias = "text")]
    Human,
    Json,
    Yaml,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum InputFormat {
    Yaml,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

pub(crate) fn parse_date(text: &str) -> Result<qingdan_dsl::value::Date, String> {
    qingdan_dsl::value::Date::parse(text).ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))
}
