//! One self-contained binary: `qingdan playground` copied alone into an empty folder (with
//! a copy of `policies/` beside it, nothing else) serves its page and the page's modules
//! from inside itself, with the content types a browser needs for ES modules, and answers
//! the page's API: build, the case files (`/api/cases`) and the rows' names (`/api/rows`).

mod server;

use std::path::Path;

use server::{edit, Server};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The binary alone in a fresh folder, `policies/` beside it, started there.
fn alone() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("qingdan");
    std::fs::copy(env!("CARGO_BIN_EXE_qingdan"), &bin).expect("copy the binary");
    copy_tree(&repo().join("policies"), &dir.path().join("policies"));
    let s = server::start_binary(&bin, dir.path(), &[]);
    (dir, s)
}

fn get(s: &Server, path: &str) -> server::Reply {
    let host = s.addr.to_string();
    s.raw("GET", path, &[("Host", &host), ("X-Qingdan-Token", &s.token)], b"")
}

#[test]
fn a_binary_copied_alone_serves_its_page_and_modules_from_inside_itself() {
    let (dir, s) = alone();
    assert!(!dir.path().join("playground").exists(), "no page files beside the binary");
    let page = get(&s, "/");
    assert_eq!(page.status, 200);
    assert!(page.kind.starts_with("text/html"), "{}", page.kind);
    assert!(page.text().contains(r#"<script type="module" src="app.mjs">"#), "{}", page.text());
    // Every module the page imports, directly or not, as JavaScript (browsers refuse ES
    // modules of another type), byte for byte the files the binary was built from.
    let mut modules: Vec<String> = std::fs::read_dir(repo().join("playground"))
        .expect("playground/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".mjs") || n.ends_with(".css"))
        .collect();
    modules.sort();
    assert!(modules.len() >= 12, "{modules:?}");
    for name in &modules {
        let got = get(&s, &format!("/{name}"));
        assert_eq!(got.status, 200, "{name}");
        let kind = if name.ends_with(".css") { "text/css" } else { "text/javascript" };
        assert!(got.kind.starts_with(kind), "{name}: {}", got.kind);
        assert_eq!(got.body, std::fs::read(repo().join("playground").join(name)).expect("file"), "{name}");
    }
    // The JavaScript host, the npm package's source (hosts/js/src), under host/: every module
    // of it, byte for byte.
    let mut host: Vec<String> = std::fs::read_dir(repo().join("hosts/js/src"))
        .expect("hosts/js/src/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".mjs"))
        .collect();
    host.sort();
    assert!(host.len() >= 12 && host.contains(&"qingdan.mjs".to_string()), "{host:?}");
    for name in &host {
        let got = get(&s, &format!("/host/{name}"));
        assert_eq!(got.status, 200, "host/{name}");
        assert!(got.kind.starts_with("text/javascript"), "host/{name}: {}", got.kind);
        assert_eq!(got.body, std::fs::read(repo().join("hosts/js/src").join(name)).expect("file"), "{name}");
    }
    // The page's tests are not part of it.
    assert_eq!(get(&s, "/test/host.test.mjs").status, 404);
    assert_eq!(get(&s, "/test/e2e/playground.test.mjs").status, 404);
}

#[test]
fn a_binary_copied_alone_builds_a_bundled_policy_and_reads_its_cases_and_rows() {
    let (dir, s) = alone();
    let path = "grid_admission/admission.qd";
    let text = std::fs::read_to_string(dir.path().join("policies").join(path)).expect("policy");
    let built = s.request("POST", "/api/build", &edit(path, &text));
    assert_eq!(built.status, 200, "{}", built.text());
    assert_eq!(built.kind, "application/wasm");
    assert_eq!(&built.body[..4], b"\0asm");

    let cases = s.request("POST", "/api/cases", &edit(path, &text));
    assert_eq!(cases.status, 200, "{}", cases.text());
    let cases = cases.json();
    let groups = cases["groups"].as_array().expect("groups");
    let sources: Vec<&str> = groups.iter().filter_map(|g| g["source"].as_str()).collect();
    assert!(sources.contains(&"grid_admission/cases.yaml"), "{sources:?}");
    assert!(
        !sources.iter().any(|s| s.ends_with("withdrawal.cases.yaml")),
        "another policy's cases: {sources:?}"
    );
    // As many cases as `qingdan test` runs for the policy (its test blocks and its case file).
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .args(["test", "--format", "json"])
        .arg(dir.path().join("policies").join(path))
        .output()
        .expect("qingdan test");
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    let count: usize = groups.iter().map(|g| g["cases"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(count, report["policies"][0]["cases"].as_array().expect("cases").len());
    assert!(count >= 10, "{count}");
    let inline = groups.iter().find(|g| g["inline"] == true).expect("the test blocks");
    assert_eq!(inline["source"], path);

    let duties = "township_duties/duties.qd";
    let text = std::fs::read_to_string(dir.path().join("policies").join(duties)).expect("policy");
    let rows = s.request("POST", "/api/rows", &edit(duties, &text));
    assert_eq!(rows.status, 200, "{}", rows.text());
    let rows = rows.json();
    let list = &rows["lists"]["职责清单"];
    assert_eq!(list["name"], "名称", "{list}");
    let all = list["rows"].as_array().expect("rows");
    // Every row of the CSV (its header line aside), well over the 146 a picker must cope with.
    let csv = std::fs::read_to_string(repo().join("policies/township_duties/职责清单.csv")).expect("csv");
    assert_eq!(all.len(), csv.lines().filter(|l| !l.trim().is_empty()).count() - 1);
    assert!(all.len() >= 146);
    assert_eq!(all[0][0], "JB-001");
    assert_eq!(all[0][1], "落实街道党工委全面从严治党主体责任");
}
