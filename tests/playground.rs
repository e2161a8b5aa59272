//! `qingdan playground`'s server, through real HTTP: the page's files, the JSON API
//! (check with the analyser, format, graph, build), and clear JSON errors for bad requests;
//! it listens on loopback only. Requests here are the page's own (its Host, its token);
//! tests/hostile.rs sends everyone else's. The page itself is tested in a browser by
//! `playground/test/e2e/`.

use std::path::Path;

use qingdan_engine::wasm::host;

mod server;

use server::{edit, web, Server};

fn start(web: &Path) -> Server {
    server::start(web, &Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"), &[])
}

/// A request as the page sends it (its Host, JSON, its token): (status, content type, body).
fn request(s: &Server, method: &str, path: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let r = s.request(method, path, body);
    (r.status, r.kind, r.body)
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

fn review() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/legality_review/review.qd"))
        .expect("policy")
}

#[test]
fn serves_the_page_and_lists_the_policies() {
    let web = web();
    let s = start(web.path());
    assert!(s.addr.ip().is_loopback(), "listens on loopback by default: {}", s.addr);
    let (status, kind, body) = request(&s, "GET", "/", b"");
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert!(String::from_utf8_lossy(&body).contains("清单"));
    let (status, kind, _) = request(&s, "GET", "/app.mjs", b"");
    assert_eq!((status, kind.as_str()), (200, "text/javascript; charset=utf-8"));
    for hidden in ["/test/secret.mjs", "/nothing.mjs", "/%2e%2e/Cargo.toml"] {
        let (status, _, body) = request(&s, "GET", hidden, b"");
        assert_eq!(status, 404, "{hidden}");
        assert_eq!(json(&body)["error"]["code"], "not-found");
    }
    let (status, _, body) = request(&s, "GET", "/api/policies", b"");
    assert_eq!(status, 200);
    let listed = json(&body);
    let paths: Vec<&str> =
        listed["policies"].as_array().expect("list").iter().filter_map(|p| p["path"].as_str()).collect();
    assert!(
        paths.contains(&"grid_admission/admission.qd") && paths.contains(&"legality_review/review.qd"),
        "{paths:?}"
    );
}

#[test]
fn checks_formats_graphs_and_builds_the_text_being_edited() {
    let web = web();
    let s = start(web.path());
    // An error typed into a rule: a diagnostic with its code and place.
    let broken = review().replacen("当 ", "当 未定义的名称 且 ", 1);
    let (status, _, body) = request(&s, "POST", "/api/check", &edit("legality_review/review.qd", &broken));
    assert_eq!(status, 200);
    let checked = json(&body);
    let first = &checked["diagnostics"][0];
    assert_eq!(first["severity"], "error", "{checked}");
    assert!(first["start"]["line"].as_u64().is_some() && first["message"].as_str().is_some());
    assert!(checked["summary"]["errors"].as_u64() >= Some(1));
    // The clean text: only the analyser's warnings, in the language asked for.
    let mut clean =
        serde_json::json!({ "path": "legality_review/review.qd", "text": review(), "lang": "en" });
    let (_, _, body) = request(&s, "POST", "/api/check", &serde_json::to_vec(&clean).expect("json"));
    let checked = json(&body);
    assert_eq!(checked["summary"]["errors"], 0);
    let codes: Vec<&str> =
        checked["diagnostics"].as_array().expect("list").iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.iter().all(|c| c.starts_with("W04")), "{codes:?}");
    let message = checked["diagnostics"][0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with(|c: char| c.is_ascii_alphabetic()), "English messages: {message}");
    // Format: the formatter's text, or 422 with the syntax error.
    let (status, _, body) = request(&s, "POST", "/api/format", &edit("x.qd", "policy p\nenum E {a,b}\n"));
    assert_eq!((status, json(&body)["text"].as_str()), (200, Some("policy p\n\nenum E { a, b }\n")));
    clean["keywords"] = "en".into();
    let (status, _, body) = request(&s, "POST", "/api/format", &serde_json::to_vec(&clean).expect("json"));
    assert_eq!(status, 200);
    assert!(
        json(&body)["text"].as_str().is_some_and(|t| t.contains("\npolicy 合法性审查")),
        "keywords translated"
    );
    let (status, _, body) = request(&s, "POST", "/api/format", &edit("x.qd", "policy p\nenum E { a, b "));
    assert_eq!((status, json(&body)["diagnostics"][0]["code"].as_str()), (422, Some("E0001")));
    // Graph, with what each decision depends on.
    let (status, _, body) = request(&s, "POST", "/api/graph", &edit("legality_review/review.qd", &review()));
    assert_eq!(status, 200);
    let g = json(&body);
    let why = g["why"]["审查意见"].as_array().expect("a decision's dependencies");
    assert!(why.len() > 5 && g["graph"]["nodes"].as_array().is_some_and(|n| n.len() > why.len()));
    // Build: a module the host loads, deciding as the interpreter does.
    let (status, kind, bytes) =
        request(&s, "POST", "/api/build", &edit("legality_review/review.qd", &review()));
    assert_eq!((status, kind.as_str()), (200, "application/wasm"));
    let module = host::Module::load(&bytes).expect("a valid module");
    assert_eq!(module.manifest.policy, "合法性审查");
    let (status, _, body) = request(&s, "POST", "/api/build", &edit("legality_review/review.qd", &broken));
    assert_eq!((status, json(&body)["error"]["code"].as_str()), (422, Some("policy-has-errors")));
}

#[test]
fn bad_requests_get_json_errors() {
    let web = web();
    let s = start(web.path());
    let huge = vec![b'a'; 3 * 1024 * 1024];
    let (status, _, body) = request(&s, "POST", "/api/check", &huge);
    assert_eq!((status, json(&body)["error"]["code"].as_str()), (413, Some("too-large")));
    // Refused from its declared length alone, before any of the body is sent: the answer
    // reaches a client that waits for it (rather than in a reset after the excess arrives).
    let early = s.head_only("/api/check", huge.len());
    assert_eq!((early.status, early.code().as_str()), (413, "too-large"));
    for malformed in [&b"{not json"[..], b"{\"path\": 1}", b"[]", b""] {
        let (status, _, body) = request(&s, "POST", "/api/check", malformed);
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(malformed));
        assert_eq!(json(&body)["error"]["code"], "malformed");
    }
    for path in ["../../etc/passwd", "/etc/passwd", ""] {
        let (status, _, body) = request(&s, "POST", "/api/check", &edit(path, "policy p\n"));
        assert_eq!((status, json(&body)["error"]["code"].as_str()), (400, Some("bad-path")), "{path}");
    }
    // The server is still there after all that.
    let (status, _, _) = request(&s, "GET", "/api/policies", b"");
    assert_eq!(status, 200);
}

/// `--web DIR` serves the page from DIR and the JavaScript host under `host/`: from
/// `DIR/../hosts/js/src` in the repository's layout (so both are edited without rebuilding),
/// else the host built into the binary.
#[test]
fn with_web_the_host_comes_from_hosts_js_src_beside_the_folder_else_from_inside() {
    let web = web();
    let s = start(web.path());
    let (status, kind, body) = request(&s, "GET", "/host/qingdan.mjs", b"");
    assert_eq!((status, kind.as_str()), (200, "text/javascript; charset=utf-8"));
    let built =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("hosts/js/src/qingdan.mjs")).expect("host");
    assert_eq!(body, built);

    let repo = tempfile::tempdir().expect("temp dir");
    let page = repo.path().join("playground");
    std::fs::create_dir(&page).expect("page dir");
    std::fs::write(page.join("index.html"), "<!doctype html><title>清单</title>").expect("page");
    std::fs::create_dir_all(repo.path().join("hosts/js/src")).expect("host dir");
    std::fs::write(repo.path().join("hosts/js/src/qingdan.mjs"), "export const edited = 1;").expect("host");
    let s = start(&page);
    let (status, _, body) = request(&s, "GET", "/host/qingdan.mjs", b"");
    assert_eq!((status, body.as_slice()), (200, b"export const edited = 1;".as_slice()));
    let (status, _, _) = request(&s, "GET", "/host/load.mjs", b"");
    assert_eq!(status, 404, "only the folder beside, not a mix");
    let (status, _, _) = request(&s, "GET", "/host/../index.html", b"");
    assert_eq!(status, 404);
}

/// The graph's answer carries the clause coverage `qingdan trace --as json` gives for the
/// same text (the page shows it beside the graph), and follows an edit of that text.
#[test]
fn the_graph_comes_with_the_clause_coverage_of_the_text_being_edited() {
    let web = web();
    let s = start(web.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let text = std::fs::read_to_string(root.join("community_work/admission.qd")).expect("policy");
    let (status, _, body) = request(&s, "POST", "/api/graph", &edit("community_work/admission.qd", &text));
    assert_eq!(status, 200);
    let coverage = json(&body)["coverage"].clone();
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .args(["trace", "community_work/admission.qd", "--as", "json"])
        .current_dir(&root)
        .output()
        .expect("qingdan trace");
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    assert_eq!(coverage, json(&cli.stdout), "the page's coverage is the CLI's");
    let hangzhou = coverage["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["declared_as"][0] == "社区工作事项准入.杭州决定"))
        .expect("the Hangzhou decision");
    let clause = |id: &str| {
        hangzhou["clauses"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(hangzhou["clauses"].as_array().map(Vec::len), Some(21));
    assert_eq!(
        (clause("十九")["status"].as_str(), clause("十九")["out_of_scope"].as_str()),
        (Some("out_of_scope"), Some("人大的地方性立法工作"))
    );
    assert_eq!(
        clause("十五")["cited_by"],
        serde_json::json!([{ "policy": "社区工作事项准入", "kind": "exception", "name": "法定创建" }])
    );
    // The edited text, not the file: a rule citing clause (二) makes it implemented.
    let cited = text.replacen("  条款 十五 ", "  条款 二\n  条款 十五 ", 1).replacen(
        "\n规则 依法履职相近事项",
        "\n规则 新加的规则 引用 杭州决定.二 {\n  当 申请.对应清单编号 有值\n  则 不予准入 \"试\"\n}\n\n规则 依法履职相近事项",
        1,
    );
    let (status, _, body) = request(&s, "POST", "/api/graph", &edit("community_work/admission.qd", &cited));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let now = json(&body)["coverage"]["sources"][0]["clauses"][1].clone();
    assert_eq!((now["id"].as_str(), now["status"].as_str()), (Some("二"), Some("implemented")), "{now}");
    assert_eq!(now["cited_by"][0]["name"], "新加的规则");
}
