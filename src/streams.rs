//! Standard output and standard error as the commands see them: writers that remember
//! their first failure. Commands write with `let _ = write!(…)` where a failure could not
//! change what they do next; the failure is not lost, because [`finish`] looks at both
//! streams once the command is done (after the final flush) and turns a lost write into
//! E0011 and a non-zero exit. A closed pipe (`qingdan eval … | head -1`) is not an error
//! but the reader saying it has seen enough: the run ends quietly with [`exit::CLOSED_PIPE`].

use std::io::{self, ErrorKind, Write};

use qingdan_dsl::diag::{msg, Msg};
use qingdan_dsl::{Code, Lang};

use crate::exit;

/// A writer that keeps the first error of the one it wraps, and refuses every write after
/// it (so that a command writing a stream stops at once, with nothing half-written after).
pub struct Watched<'a> {
    inner: &'a mut dyn Write,
    failure: Option<io::Error>,
}

impl<'a> Watched<'a> {
    pub fn new(inner: &'a mut dyn Write) -> Watched<'a> {
        Watched { inner, failure: None }
    }

    fn note<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        result.inspect_err(|e| {
            // An interrupted write is retried by `write_all`; it lost nothing.
            if e.kind() != ErrorKind::Interrupted && self.failure.is_none() {
                self.failure = Some(io::Error::new(e.kind(), e.to_string()));
            }
        })
    }

    fn refuse_after_failure(&self) -> io::Result<()> {
        match &self.failure {
            Some(e) => Err(io::Error::new(e.kind(), "an earlier write to this stream failed")),
            None => Ok(()),
        }
    }
}

impl Write for Watched<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.refuse_after_failure()?;
        let result = match self.inner.write(buf) {
            // `write_all` would report this itself, past this wrapper: note it here.
            Ok(0) if !buf.is_empty() => Err(io::Error::from(ErrorKind::WriteZero)),
            other => other,
        };
        self.note(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.refuse_after_failure()?;
        let result = self.inner.flush();
        self.note(result)
    }
}

/// The exit code of a finished run, given what became of its output. `lang` is the
/// language asked for with `--lang` (without it the message is in both).
pub fn finish(code: u8, mut out: Watched<'_>, mut err: Watched<'_>, lang: Option<Lang>) -> u8 {
    let _ = out.flush();
    let _ = err.flush();
    let (out_failure, err_failure) = (out.failure.take(), err.failure.take());
    let closed = |f: &Option<io::Error>| f.as_ref().is_some_and(|e| e.kind() == ErrorKind::BrokenPipe);
    if closed(&out_failure) || closed(&err_failure) {
        return exit::CLOSED_PIPE;
    }
    match (out_failure, err_failure) {
        (None, None) => code,
        (Some(e), None) => {
            let what = msg("标准输出", "standard output");
            let _ = write!(err.inner, "{}", e0011_line(&write_failure(&what, &e), lang));
            let _ = err.inner.flush();
            code.max(exit::USAGE)
        }
        // Standard error is where the message would go: the exit code is all that is left.
        (_, Some(_)) => code.max(exit::USAGE),
    }
}

/// `qingdan: E0011[write-failed]: cannot write …: why`, in `lang` or (without) in both.
pub fn e0011_line(message: &Msg, lang: Option<Lang>) -> String {
    let head = format!("qingdan: {}[{}]: ", Code::E0011, Code::E0011.slug());
    match lang {
        Some(lang) => format!("{head}{}\n", message.get(lang)),
        None => format!("{head}{}\n{}{}\n", message.zh, " ".repeat(head.len()), message.en),
    }
}

/// "cannot write X: why" in both languages.
pub fn write_failure(what: &Msg, e: &io::Error) -> Msg {
    let (zh, en) = reason(e);
    msg(format!("无法写入{}：{zh}", what.zh), format!("cannot write {}: {en}", what.en))
}

/// Why a write failed, in both languages (the system's own words in English).
fn reason(e: &io::Error) -> (String, String) {
    let zh = match e.kind() {
        ErrorKind::StorageFull => "磁盘已满",
        ErrorKind::PermissionDenied => "没有写入权限",
        ErrorKind::ReadOnlyFilesystem => "文件系统只读",
        ErrorKind::QuotaExceeded => "超出磁盘配额",
        ErrorKind::FileTooLarge => "文件过大",
        _ => "写入出错",
    };
    (format!("{zh}（{e}）"), e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails every write with `kind`.
    struct Failing(ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_stdout_is_reported_on_stderr_with_its_code() {
        let (mut full, mut shown) = (Failing(ErrorKind::StorageFull), Vec::new());
        let mut out = Watched::new(&mut full);
        let _ = writeln!(out, "decision");
        assert!(writeln!(out, "after").is_err(), "later writes are refused");
        let code = finish(exit::OK, out, Watched::new(&mut shown), Some(Lang::En));
        assert_eq!(code, exit::USAGE);
        let shown = String::from_utf8(shown).expect("text");
        assert!(shown.starts_with("qingdan: E0011[write-failed]: cannot write standard output"), "{shown}");
    }

    #[test]
    fn a_closed_pipe_ends_quietly() {
        let (mut closed, mut shown) = (Failing(ErrorKind::BrokenPipe), Vec::new());
        let mut out = Watched::new(&mut closed);
        let _ = writeln!(out, "decision");
        assert_eq!(finish(exit::OK, out, Watched::new(&mut shown), None), exit::CLOSED_PIPE);
        assert!(shown.is_empty());
    }

    #[test]
    fn interrupted_writes_are_not_failures() {
        struct OnceInterrupted(bool, Vec<u8>);
        impl Write for OnceInterrupted {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                if std::mem::replace(&mut self.0, false) {
                    return Err(ErrorKind::Interrupted.into());
                }
                self.1.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let (mut inner, mut err) = (OnceInterrupted(true, Vec::new()), Vec::new());
        let mut out = Watched::new(&mut inner);
        writeln!(out, "case 1").expect("retried");
        assert_eq!(finish(exit::FAILED, out, Watched::new(&mut err), None), exit::FAILED);
        assert_eq!(inner.1, b"case 1\n");
    }
}
