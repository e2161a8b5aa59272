//! The `qingdan` command line: argument parsing and IO around the pure `qingdan-dsl`
//! front end. `run` is what `main` calls; tests call it in-process.

mod build_cmd;
mod cli;
mod commands;
mod diff_cmd;
mod eval_cmd;
mod files;
mod graph_cmd;
mod playground_cmd;
mod test_cmd;

use std::ffi::OsString;
use std::io::Write;

pub use cli::Cli;

/// Exit codes, as documented in README.md.
pub mod exit {
    pub const OK: u8 = 0;
    /// The input has errors (diagnostics were printed).
    pub const FAILED: u8 = 1;
    /// Bad usage, or a file could not be read or written.
    pub const USAGE: u8 = 2;
}

/// Checks and lowers the policy in `path` (with the policies it uses, found as the CLI
/// finds them); `policy` picks one when the file holds several. For tests, benchmarks
/// and embedders that start from a file; errors are the rendered diagnostics.
pub fn load_policy(path: &std::path::Path, policy: Option<&str>) -> Result<qingdan_engine::Policy, String> {
    let program = qingdan_dsl::check_files(files::inputs(&[path.to_path_buf()]), &mut files::FsLoader);
    if program.has_errors() {
        let opts = qingdan_dsl::diag::render::RenderOptions { lang: None, color: false };
        return Err(qingdan_dsl::diag::cap::human(&program.diagnostics, &program.sources, opts));
    }
    qingdan_engine::lower(&program, policy).map_err(|e| e.message.to_string())
}

/// Runs the CLI with `args` (including the program name), writing to `out` and `err`.
pub fn run(args: Vec<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    use clap::Parser as _;
    match Cli::try_parse_from(args) {
        Ok(cli) => commands::dispatch(cli, out, err),
        Err(e) => {
            let _ = write!(err, "{}", e.render());
            if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            }
        }
    }
}
