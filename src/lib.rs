//! The `qingdan` command line: argument parsing and IO around the pure `qingdan-dsl`
//! front end. `run` is what `main` calls; tests call it in-process.

mod build_cmd;
mod cli;
mod commands;
mod diff_cmd;
mod diff_docx;
mod docx;
mod eval_cmd;
pub mod export_cmd;
mod files;
mod graph_cmd;
pub mod i18n;
mod import_cmd;
mod keys_cmd;
mod loader;
pub mod lsp;
mod notice_cmd;
mod notice_facts;
mod playground_cases;
mod playground_cmd;
mod playground_files;
mod playground_guard;
mod playground_page;
mod playground_record;
mod playground_row_names;
mod playground_rows;
mod replace;
mod serve;
mod streams;
mod test_cmd;
mod trace_cmd;

use std::ffi::OsString;
use std::io::Write;

pub use cli::Cli;

/// Exit codes, as documented in README.md.
pub mod exit {
    pub const OK: u8 = 0;
    /// The input has errors (diagnostics were printed).
    pub const FAILED: u8 = 1;
    /// Bad usage, or a file (or the output) could not be read or written.
    pub const USAGE: u8 = 2;
    /// The reader of the output went away (`qingdan eval … | head -1`): 128 + SIGPIPE,
    /// what a shell reports for other programs stopped by a closed pipe.
    pub const CLOSED_PIPE: u8 = 141;
}

/// Checks and lowers the policy in `path` (with the policies it uses and the data files
/// it names, found as the CLI finds them, without `--allow-read`); `policy` picks one when the file holds several. For tests, benchmarks
/// and embedders that start from a file; errors are the rendered diagnostics.
pub fn load_policy(path: &std::path::Path, policy: Option<&str>) -> Result<qingdan_engine::Policy, String> {
    let program =
        qingdan_dsl::check_files(files::inputs(&[path.to_path_buf()]), &mut loader::FsLoader::confined());
    if program.has_errors() {
        let opts = qingdan_dsl::diag::render::RenderOptions { lang: None, color: false };
        return Err(qingdan_dsl::diag::cap::human(&program.diagnostics, &program.sources, opts));
    }
    qingdan_engine::lower(&program, policy).map_err(|e| e.message.to_string())
}

/// Runs the CLI with `args` (including the program name), writing to `out` and `err`.
/// Every write is checked, the final flush included: output that could not be written is
/// E0011 and a non-zero exit (see `streams`).
pub fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    use clap::FromArgMatches as _;
    let (mut out, mut err) = (streams::Watched::new(out), streams::Watched::new(err));
    // Known before parsing, so that help and usage errors are in it too.
    let asked = i18n::asked(&args);
    i18n::set_asked_in_run(asked);
    let shown = asked.unwrap_or(qingdan_dsl::Lang::En);
    let parsed = i18n::help::command(shown)
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let (code, lang) = match parsed {
        Ok(mut cli) => {
            // A Chinese locale counts as `--lang zh` for everything after.
            if cli.lang.is_none() {
                cli.lang = asked.map(cli::LangArg::from);
            }
            let lang = cli.lang.map(qingdan_dsl::Lang::from);
            (commands::dispatch(cli, &mut out, &mut err), lang)
        }
        // `--help` and `--version` are output; mistakes are usage errors.
        Err(e) if e.use_stderr() => {
            let _ = write!(err, "{}", i18n::help::render(&e, shown));
            (exit::USAGE, asked)
        }
        Err(e) => {
            let _ = write!(out, "{}", i18n::help::render(&e, shown));
            (exit::OK, asked)
        }
    };
    streams::finish(code, out, err, lang)
}
