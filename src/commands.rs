//! One function per subcommand. Each returns its exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use qingdan_dsl::diag::cap;
use qingdan_dsl::diag::render::{self, RenderOptions};
use qingdan_dsl::program::{check_files, parse_files};
use qingdan_dsl::{Code, Diagnostic, Lang, Program};

use crate::cli::{Cli, ColorArg, Command, Format, LangArg};
use crate::exit;
use crate::files;
use crate::i18n::messages;
use crate::loader::FsLoader;

pub fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let loader = match FsLoader::allowing(&cli.allow_read) {
        Ok(l) => l,
        Err(why) => {
            let _ = writeln!(err, "qingdan: {why}");
            return exit::USAGE;
        }
    };
    let opts = Output {
        render: RenderOptions {
            lang: cli.lang.map(Lang::from),
            color: match cli.color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            },
        },
        format: cli.format,
        loader,
    };
    match cli.command {
        Command::Check { paths, deny_warnings } => check(&paths, deny_warnings, &opts, out, err),
        Command::Fmt { paths, check, keywords } => fmt(&paths, check, keywords, &opts, out, err),
        Command::Lsp => {
            crate::lsp::serve(Box::new(std::io::BufReader::new(std::io::stdin())), out, opts.loader.clone())
        }
        Command::Explain { code } => explain(code.as_deref(), cli.lang.map(Lang::from), out, err),
        Command::DumpAst { path } => dump_ast(&path, &opts, out, err),
        Command::Eval {
            policy,
            wasm,
            trust,
            input,
            input_format,
            decision,
            name,
            explain,
            notice,
            notice_date,
            as_of,
        } => {
            let notice_input = input.clone();
            let args = crate::eval_cmd::EvalArgs {
                input,
                input_format,
                decision,
                explain,
                format: opts.format,
                lang: cli.lang.map(Lang::from),
                as_of,
            };
            match (policy, wasm) {
                (_, Some(module)) => {
                    crate::build_cmd::eval_module(&module, &trust, &args, cli.lang, out, err)
                }
                (Some(policy), None) => {
                    // `--as-of` is applied to each case's decision date (`eval_cmd::dated`), as
                    // for a module, so both explain a case alike: the day is read from the case.
                    match load_policy(&policy, name.as_deref(), &opts, out, err) {
                        Ok(p) => {
                            let backend = crate::eval_cmd::Backend::Interpreter(Box::new(
                                qingdan_engine::eval::Evaluator::new(&p),
                            ));
                            let code = crate::eval_cmd::run(&p, backend, &args, out, err);
                            match notice {
                                Some(dir) => {
                                    let n = crate::notice_cmd::NoticeArgs {
                                        policy_path: &policy,
                                        input: &notice_input,
                                        dir: &dir,
                                        date: notice_date,
                                    };
                                    code.max(crate::notice_cmd::run(&p, &n, err))
                                }
                                None => code,
                            }
                        }
                        Err(code) => code,
                    }
                }
                (None, None) => exit::USAGE,
            }
        }
        Command::Build { policy, output, name, sign } => {
            crate::build_cmd::build(&policy, output, name.as_deref(), sign.as_deref(), &opts, out, err)
        }
        Command::Playground(_) if !cli.allow_read.is_empty() => {
            let lang = cli.lang.map_or(Lang::En, Lang::from);
            let _ = writeln!(err, "qingdan: {}", messages::playground_allow_read(lang));
            exit::USAGE
        }
        Command::Keygen { prefix } => crate::keys_cmd::keygen(&prefix, cli.lang, out, err),
        Command::Playground(args) => crate::playground_cmd::run(&args, out, err),
        Command::DumpWat { module } => crate::build_cmd::dump_wat(&module, cli.lang, out, err),
        Command::Graph(args) => crate::graph_cmd::run(&args, &opts, out, err),
        Command::Trace(args) => crate::trace_cmd::run(&args, &opts, out, err),
        Command::Export(args) => crate::export_cmd::run(&args, &opts, out, err),
        Command::Import(args) => crate::import_cmd::run(&args, cli.lang.map(Lang::from), out, err),
        Command::Diff(args) => crate::diff_cmd::run(&args, &opts, cli.lang.map(Lang::from), out, err),
        Command::Test(args) => {
            crate::test_cmd::run(&args, &opts, opts.format, cli.lang.map(Lang::from), out, err)
        }
        Command::Serve(args) => crate::serve::run(&args, out, err),
        Command::Log(args) => crate::serve::log_cmd::log(&args, opts.format, out, err),
        Command::Replay(args) => {
            crate::serve::log_cmd::replay(&args, &opts, cli.lang.map(Lang::from), out, err)
        }
        Command::DumpIr { path, policy } => dump_ir(&path, policy.as_deref(), &opts, out, err),
    }
}

pub(crate) struct Output {
    render: RenderOptions,
    pub(crate) format: Format,
    /// What policies may read: their own folder, and the folders of `--allow-read`.
    loader: FsLoader,
}

impl Output {
    /// Prints diagnostics: human text on stderr, or one JSON document on stdout.
    fn report(
        &self,
        program: &Program,
        summary: serde_json::Value,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) {
        let diags = &program.diagnostics;
        match self.format {
            Format::Json | Format::Yaml => {
                let (shown, omitted) = cap::cap(diags, &program.sources, cap::JSON_PER_CODE);
                let mut json = serde_json::json!({
                    "diagnostics": render::to_json(&shown, &program.sources, self.render),
                    "summary": summary,
                });
                // Only when some were left out, so that the usual document is unchanged.
                if !omitted.is_empty() {
                    json["omitted"] = serde_json::json!(omitted);
                }
                let text = if self.format == Format::Json {
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                } else {
                    serde_yaml::to_string(&json).unwrap_or_default()
                };
                let _ = writeln!(out, "{}", text.trim_end());
            }
            Format::Human => {
                let _ = write!(err, "{}", cap::human(diags, &program.sources, self.render));
            }
        }
    }

    /// The language asked for with `--lang`, if any.
    pub(crate) fn asked_lang(&self) -> Option<Lang> {
        self.render.lang
    }

    /// The language of summary lines: asked for, else that of most files.
    pub(crate) fn lang(&self, program: &Program) -> Lang {
        self.render.lang.unwrap_or_else(|| {
            let langs: Vec<Lang> = program.sources.ids().map(|id| program.sources.get(id).lang).collect();
            let zh = langs.iter().filter(|l| **l == Lang::Zh).count();
            if zh > 0 && zh * 2 >= langs.len() {
                Lang::Zh
            } else {
                Lang::En
            }
        })
    }
}

/// Exit code for a finished run: IO problems are usage-level, other errors are failures.
fn exit_code(diags: &[Diagnostic]) -> u8 {
    if diags.iter().any(|d| d.code == Code::E0009) {
        exit::USAGE
    } else if diags.iter().any(Diagnostic::is_error) {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// Checks files, then runs the analyser on them: what `qingdan check` reports, and the
/// playground shows as a drafter types.
pub(crate) fn check_and_analyse(
    inputs: Vec<qingdan_dsl::program::InputFile>,
    loader: &mut dyn qingdan_dsl::Loader,
) -> Program {
    let mut program = check_files(inputs, loader);
    // The analyser looks at what the decisions and lists do over every input; it needs a
    // program without errors (one it can lower), and adds E04xx/W04xx.
    let analysed = qingdan_engine::analyse::program_diagnostics(&program);
    program.diagnostics.extend(analysed);
    qingdan_dsl::diag::sort_and_dedup(&mut program.diagnostics);
    program
}

fn check(
    paths: &[PathBuf],
    deny_warnings: bool,
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let inputs = files::inputs(paths);
    let n = inputs.len();
    let program = check_and_analyse(inputs, &mut opts.loader.clone());
    let diags = &program.diagnostics;
    let errors = diags.iter().filter(|d| d.is_error()).count();
    // `--deny-warnings` (CI): a warning fails the check as an error does.
    let denied = deny_warnings && errors == 0 && !diags.is_empty() && exit_code(diags) == exit::OK;
    let summary = serde_json::json!({
        "files": n,
        "errors": errors,
        "warnings": diags.len() - errors,
    });
    opts.report(&program, summary, out, err);
    if opts.format == Format::Human {
        let lang = opts.lang(&program);
        let counts = render::summary(diags, lang);
        let mut line = match lang {
            Lang::Zh => format!("检查了 {n} 个政策文件：{counts}"),
            Lang::En => format!("checked {n} policy file{}: {counts}", if n == 1 { "" } else { "s" }),
        };
        if denied {
            line.push_str(match lang {
                Lang::Zh => "（--deny-warnings：有警告即不通过）",
                Lang::En => " (--deny-warnings: warnings fail the check)",
            });
        }
        let _ = writeln!(out, "{line}");
    }
    if denied {
        return exit::FAILED;
    }
    exit_code(diags)
}

fn fmt(
    paths: &[PathBuf],
    check_only: bool,
    keywords: Option<LangArg>,
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut code = exit::OK;
    // (file, the language its message is in: asked for, else the file's own)
    let mut unformatted: Vec<(String, Lang)> = Vec::new();
    for path in files::expand(paths) {
        let name = files::display(&path);
        let program = parse_files(vec![(name.clone(), files::read_capped(&path))]);
        let pm = match program.modules.first() {
            Some(pm) if !program.has_errors() => pm,
            // Unreadable or with syntax errors (where the tree holds placeholders): say
            // why and leave the file untouched.
            _ => {
                opts.report(&program, serde_json::json!({ "file": name }), out, err);
                code = code.max(exit_code(&program.diagnostics)).max(exit::FAILED);
                continue;
            }
        };
        let source = &program.sources.get(pm.file).text;
        let lang = keywords.map(Lang::from).unwrap_or(pm.module.lang);
        let formatted = qingdan_dsl::fmt::format_with(&pm.module, &pm.comments, source, lang);
        if &formatted == source {
            continue;
        }
        let said = opts.asked_lang().unwrap_or(pm.module.lang);
        if check_only {
            unformatted.push((name, said));
            continue;
        }
        // Named as formatted only once the file really holds the new text.
        match crate::replace::replace(&path, formatted.as_bytes()) {
            Ok(()) => unformatted.push((name, said)),
            Err(e) => {
                let lang = opts.asked_lang().unwrap_or(pm.module.lang);
                let _ = write!(err, "{}", crate::streams::e0011_line(&e.message(), Some(lang)));
                code = exit::USAGE;
            }
        }
    }
    for (name, lang) in &unformatted {
        let _ = writeln!(out, "{}", messages::fmt_file(*lang, check_only, name));
    }
    if check_only && !unformatted.is_empty() {
        code = code.max(exit::FAILED);
    }
    code
}

fn explain(code: Option<&str>, lang: Option<Lang>, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let Some(code) = code else {
        for c in Code::ALL {
            let (zh, en) = c.title();
            let title = match lang {
                Some(Lang::Zh) => zh.to_string(),
                Some(Lang::En) => en.to_string(),
                None => format!("{zh} / {en}"),
            };
            let _ = writeln!(out, "{c}  {:<28} {title}", c.slug());
        }
        return exit::OK;
    };
    match Code::parse(code).and_then(|c| c.explanation()) {
        Some(text) => {
            let _ = writeln!(out, "{text}");
            exit::OK
        }
        None => {
            let _ = writeln!(err, "qingdan: {}", messages::unknown_code(lang.unwrap_or(Lang::En), code));
            exit::USAGE
        }
    }
}

fn dump_ast(path: &std::path::Path, opts: &Output, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let name = files::display(path);
    let program = parse_files(vec![(name, files::read_capped(path))]);
    match program.modules.first() {
        Some(pm) => {
            let _ = write!(out, "{}", qingdan_dsl::syntax::dump::dump(&pm.module));
            exit::OK
        }
        None => {
            opts.report(&program, serde_json::Value::Null, out, err);
            exit_code(&program.diagnostics).max(exit::FAILED)
        }
    }
}

/// Checks `path` and lowers one policy of it, reporting diagnostics on failure.
pub(crate) fn load_policy(
    path: &std::path::Path,
    policy: Option<&str>,
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<qingdan_engine::Policy, u8> {
    load_program(path, policy, opts, out, err).map(|(_, p)| p)
}

/// As [`load_policy`]; with a day, the policy as in force on it (`--as-of`, `diff --at`).
pub(crate) fn load_policy_at(
    path: &std::path::Path,
    policy: Option<&str>,
    at: Option<qingdan_dsl::value::Date>,
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<qingdan_engine::Policy, u8> {
    let Some(day) = at else { return load_policy(path, policy, opts, out, err) };
    let (program, _) = load_program(path, policy, opts, out, err)?;
    qingdan_engine::ir::lower_at(&program, policy, Some(day)).map_err(|e| {
        let _ = writeln!(err, "qingdan: {}", e.message);
        exit::FAILED
    })
}

/// As [`load_policy`], with the checked program (its sources show spans as written).
pub(crate) fn load_program(
    path: &std::path::Path,
    policy: Option<&str>,
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(Program, qingdan_engine::Policy), u8> {
    let program = check_files(files::inputs(&[path.to_path_buf()]), &mut opts.loader.clone());
    if program.has_errors() {
        opts.report(&program, serde_json::Value::Null, out, err);
        return Err(exit_code(&program.diagnostics).max(exit::FAILED));
    }
    let lowered = qingdan_engine::lower(&program, policy).map_err(|e| {
        let _ = writeln!(err, "qingdan: {}", e.message);
        exit::FAILED
    })?;
    Ok((program, lowered))
}

/// Checks policy files and folders together; with errors, reports them and gives the exit code.
pub(crate) fn load_checked(
    paths: &[PathBuf],
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Program, u8> {
    let program = check_files(files::inputs(paths), &mut opts.loader.clone());
    if program.has_errors() || program.checked.is_none() {
        opts.report(&program, serde_json::Value::Null, out, err);
        return Err(exit_code(&program.diagnostics).max(exit::FAILED));
    }
    Ok(program)
}

fn dump_ir(
    path: &std::path::Path,
    policy: Option<&str>,
    opts: &Output,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match load_policy(path, policy, opts, out, err) {
        Ok(p) => {
            let _ = write!(out, "{}", p.dump());
            exit::OK
        }
        Err(code) => code,
    }
}
