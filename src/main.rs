//! `qingdan`: the command-line front of the engine.

use std::io::Write;
use std::process::ExitCode;

/// Checking runs on a thread with a large stack: the parser bounds nesting, and this
/// leaves a wide margin for any input that stays within those bounds.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = qingdan::i18n::asked(&args);
    let worker = std::thread::Builder::new().stack_size(STACK_BYTES).spawn(move || {
        let stdout = std::io::stdout();
        let stderr = std::io::stderr();
        // `run` flushes and checks both streams itself.
        qingdan::run(args, &mut stdout.lock(), &mut stderr.lock())
    });
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => {
            // Not `eprintln!`, which panics when standard error cannot be written.
            let _ = writeln!(std::io::stderr(), "{}", qingdan::i18n::messages::internal_error(lang));
            ExitCode::from(3)
        }
    }
}
