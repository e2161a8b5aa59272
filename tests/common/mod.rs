//! Helpers shared by the integration tests.

use std::ffi::OsString;

/// Runs the CLI in-process with `args` (without the program name) and returns
/// (exit code, stdout, stderr).
pub fn run_in_process<A: Into<OsString>>(args: impl IntoIterator<Item = A>) -> (u8, String, String) {
    let mut argv: Vec<OsString> = vec!["qingdan".into()];
    argv.extend(args.into_iter().map(Into::into));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = qingdan::run(argv, &mut out, &mut err);
    (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}
