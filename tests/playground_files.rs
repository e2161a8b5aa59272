//! `qingdan playground` opening and saving the files of its policy folder, through real HTTP
//! (src/playground_files.rs): the round trip, a save refused when the file changed on disk
//! since it was opened, new files and folders, the file's identity (byte order mark, line
//! endings) kept, every refusal of a path or a caller, and a server killed during saves
//! that never leaves half a file.
#![cfg(unix)]

use std::path::{Path, PathBuf};

use serde_json::json;

mod server;

use server::{web, Reply, Server};

/// A policy folder in a temporary folder, with a secret beside it that no save may reach.
struct Scene {
    dir: tempfile::TempDir,
}

const POLICY: &str = "policy p\n\nenum E { a, b }\n";

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("policies");
        std::fs::create_dir_all(root.join("sub")).expect("folders");
        std::fs::write(root.join("p.qd"), POLICY).expect("policy");
        std::fs::write(root.join("sub/rows.csv"), "\u{feff}代码,名称\r\nA,甲\r\n").expect("rows");
        std::fs::create_dir(dir.path().join("elsewhere")).expect("outside");
        std::fs::write(dir.path().join("secret.qd"), "secret").expect("secret");
        Scene { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("policies")
    }

    fn start(&self, web: &Path) -> Server {
        server::start(web, &self.root(), &[])
    }

    fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.root().join(rel)).expect("file")
    }
}

fn open(s: &Server, path: &str) -> Reply {
    s.request("POST", "/api/file/open", &serde_json::to_vec(&json!({ "path": path })).expect("json"))
}

fn save(s: &Server, path: &str, text: &str, version: Option<&str>) -> Reply {
    let body = json!({ "path": path, "text": text, "version": version });
    s.request("POST", "/api/file/save", &serde_json::to_vec(&body).expect("json"))
}

fn version(r: &Reply) -> String {
    r.json()["version"].as_str().unwrap_or_else(|| panic!("no version: {}", r.text())).to_string()
}

#[test]
fn a_file_is_opened_saved_and_opened_again_with_its_new_version() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path());
    let opened = open(&s, "p.qd");
    assert_eq!(opened.status, 200, "{}", opened.text());
    assert_eq!(opened.json()["text"], POLICY);
    let v1 = version(&opened);
    assert_eq!(v1.len(), 64);
    let edited = format!("{POLICY}\nenum F {{ c }}\n");
    let saved = save(&s, "p.qd", &edited, Some(&v1));
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(scene.read("p.qd"), edited.as_bytes());
    let again = open(&s, "p.qd");
    assert_eq!((again.json()["text"].as_str(), version(&again)), (Some(edited.as_str()), version(&saved)));
    assert_ne!(version(&saved), v1);
    let names: Vec<String> = std::fs::read_dir(scene.root())
        .expect("listing")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "no temporary file left: {names:?}");
}

#[test]
fn a_file_changed_on_disk_since_it_was_opened_is_not_overwritten() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path());
    let v1 = version(&open(&s, "p.qd"));
    let theirs = "policy p\n\nenum E { a, b, c }\n";
    std::fs::write(scene.root().join("p.qd"), theirs).expect("someone else's edit");
    let refused = save(&s, "p.qd", "policy p\n// mine\n", Some(&v1));
    assert_eq!((refused.status, refused.code().as_str()), (409, "changed-on-disk"));
    let disk = &refused.json()["disk"];
    assert_eq!(disk["text"], theirs, "the answer shows the disk's text");
    assert_eq!(scene.read("p.qd"), theirs.as_bytes(), "nothing overwritten");
    // Keeping mine: saved over the version the conflict showed.
    let kept = save(&s, "p.qd", "policy p\n// mine\n", disk["version"].as_str());
    assert_eq!(kept.status, 200, "{}", kept.text());
    assert_eq!(scene.read("p.qd"), b"policy p\n// mine\n");
    // A file deleted meanwhile: a conflict too, with no text on disk.
    std::fs::remove_file(scene.root().join("p.qd")).expect("deleted");
    let gone = save(&s, "p.qd", "x", Some(&version(&kept)));
    assert_eq!(
        (gone.status, gone.code().as_str(), gone.json()["disk"].is_null()),
        (409, "changed-on-disk", true)
    );
    assert!(!scene.root().join("p.qd").exists());
}

#[test]
fn a_new_policy_is_created_with_its_folders_but_never_over_an_existing_file() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path());
    let made = save(&s, "新政策/草稿/新政策.qd", POLICY, None);
    assert_eq!(made.status, 200, "{}", made.text());
    assert_eq!(scene.read("新政策/草稿/新政策.qd"), POLICY.as_bytes());
    let listed = s.request("GET", "/api/policies", b"").json();
    assert!(listed["policies"]
        .as_array()
        .expect("list")
        .iter()
        .any(|p| p["path"] == "新政策/草稿/新政策.qd"));
    let exists = save(&s, "p.qd", "policy q\n", None);
    assert_eq!((exists.status, exists.code().as_str()), (409, "exists"));
    assert_eq!(exists.json()["disk"]["text"], POLICY);
    assert_eq!(scene.read("p.qd"), POLICY.as_bytes());
}

#[test]
fn a_file_keeps_its_byte_order_mark_and_line_endings() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path());
    let opened = open(&s, "sub/rows.csv");
    assert_eq!(opened.json()["text"], "代码,名称\nA,甲\n", "the page edits plain lines");
    let saved = save(&s, "sub/rows.csv", "代码,名称\nA,甲\nB,乙\n", Some(&version(&opened)));
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(scene.read("sub/rows.csv"), "\u{feff}代码,名称\r\nA,甲\r\nB,乙\r\n".as_bytes());
    // Text that is not UTF-8 is not the editor's.
    std::fs::write(scene.root().join("gbk.csv"), b"\xB4\xFA\xC2\xEB\r\n").expect("GBK bytes");
    let r = open(&s, "gbk.csv");
    assert_eq!((r.status, r.code().as_str()), (422, "not-text"));
}

#[test]
fn paths_outside_the_folder_or_of_other_kinds_are_refused() {
    let (scene, web) = (Scene::new(), web());
    let root = scene.root();
    std::os::unix::fs::symlink("../secret.qd", root.join("link.qd")).expect("a link out");
    std::os::unix::fs::symlink("p.qd", root.join("inside.qd")).expect("a link in");
    std::os::unix::fs::symlink("../elsewhere", root.join("away")).expect("a linked folder");
    std::os::unix::fs::symlink("sub", root.join("near")).expect("a linked folder inside");
    std::fs::write(root.join("notes.txt"), "x").expect("a text file");
    let made = std::process::Command::new("mkfifo").arg(root.join("pipe.qd")).status().expect("mkfifo");
    assert!(made.success());
    let s = scene.start(web.path());
    let secret = scene.dir.path().join("secret.qd");
    let cases: [(&str, u16, &str); 16] = [
        ("../secret.qd", 400, "bad-path"),
        ("sub/../../secret.qd", 400, "bad-path"),
        (secret.to_str().expect("utf-8"), 400, "bad-path"),
        ("/etc/passwd.qd", 400, "bad-path"),
        ("", 400, "bad-path"),
        ("./p.qd", 400, "bad-path"),
        ("sub\\..\\..\\secret.qd", 400, "bad-path"),
        (".git/config.yaml", 400, "hidden"),
        ("sub/.p.qd.swp.qd", 400, "hidden"),
        ("notes.txt", 400, "file-kind"),
        ("run.sh", 400, "file-kind"),
        ("p.qd/x.qd", 400, "not-a-folder"),
        ("link.qd", 403, "outside-folder"),
        ("away/new.qd", 403, "outside-folder"),
        ("near/rows.csv", 403, "outside-folder"),
        ("pipe.qd", 400, "not-regular"),
    ];
    for (path, status, code) in cases {
        let r = save(&s, path, "written", None);
        assert_eq!((r.status, r.code().as_str()), (status, code), "save {path:?}: {}", r.text());
        let r = open(&s, path);
        assert_eq!((r.status, r.code().as_str()), (status, code), "open {path:?}: {}", r.text());
    }
    assert_eq!(std::fs::read(&secret).expect("secret"), b"secret");
    assert!(!scene.dir.path().join("elsewhere/new.qd").exists());
    assert!(!root.join("notes.txt").metadata().is_ok_and(|m| m.len() != 1));
    // A link that stays inside the folder is followed, and stays a link.
    let v = version(&open(&s, "inside.qd"));
    assert_eq!(save(&s, "inside.qd", "policy linked\n", Some(&v)).status, 200);
    assert_eq!(scene.read("p.qd"), b"policy linked\n");
    assert!(root.join("inside.qd").is_symlink());
}

#[test]
fn only_the_page_may_open_or_save() {
    let (scene, web) = (Scene::new(), web());
    let s = scene.start(web.path());
    let host = s.addr.to_string();
    let body = serde_json::to_vec(&json!({ "path": "p.qd", "text": "policy evil\n", "version": null }))
        .expect("json");
    let page = [("Host", host.as_str()), ("Content-Type", "application/json"), ("X-Qingdan-Token", &s.token)];
    type Refusal<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let refusals: [Refusal; 6] = [
        (vec![page[0], page[1]], 403, "no-token"),
        (vec![page[0], page[1], ("X-Qingdan-Token", "00")], 403, "wrong-token"),
        (vec![("Host", "evil.example"), page[1], page[2]], 421, "foreign-host"),
        (vec![page[0], page[1], page[2], ("Origin", "http://evil.example")], 403, "foreign-origin"),
        (vec![page[0], page[1], page[2], ("Sec-Fetch-Site", "cross-site")], 403, "foreign-origin"),
        (vec![page[0], ("Content-Type", "text/plain"), page[2]], 415, "not-json"),
    ];
    for path in ["/api/file/save", "/api/file/open"] {
        for (headers, status, code) in &refusals {
            let r = s.raw("POST", path, headers, &body);
            assert_eq!((r.status, r.code().as_str()), (*status, *code), "{path} {headers:?}");
        }
    }
    let huge = serde_json::to_vec(&json!({ "path": "big.qd", "text": "x".repeat(3 << 20), "version": null }))
        .expect("json");
    let r = s.request("POST", "/api/file/save", &huge);
    assert_eq!((r.status, r.code().as_str()), (413, "too-large"));
    let r = s.request("POST", "/api/file/save", b"{\"path\": 1}");
    assert_eq!((r.status, r.code().as_str()), (400, "malformed"));
    assert!(!scene.root().join("big.qd").exists());
    assert_eq!(scene.read("p.qd"), POLICY.as_bytes(), "nothing written by anyone else");
}

/// The file's contents for round `i`: about 1.5 MB, every round's different throughout.
fn large(i: usize) -> String {
    let line = format!("// 第 {i} 版：一行注释，使文件足够大，保存需要一些时间 {}\n", "x".repeat(40));
    format!("policy p{i}\n\n{}", line.repeat(1_500_000 / line.len()))
}

/// What one round of [`kill_during_a_save`] found.
#[derive(Debug, PartialEq)]
enum Found {
    Old,
    New,
}

/// Starts the server, sends a save of the next version of `big.qd`, kills the server
/// (SIGKILL, by dropping it) `delay_ms` after the request is sent, and checks that the file
/// is exactly the old version or the new one. Also says whether the kill left the
/// temporary file of an unfinished write (it came in the middle of writing).
fn kill_during_a_save(scene: &Scene, web: &Path, round: usize, delay_ms: u64) -> (Found, bool) {
    let file = scene.root().join("big.qd");
    let s = scene.start(web);
    let old = std::fs::read_to_string(&file).expect("the file");
    let new = large(round);
    let body = serde_json::to_vec(&json!({ "path": "big.qd", "text": new, "version": version_of(&old) }))
        .expect("json");
    let host = s.addr.to_string();
    let headers =
        [("Host", host.as_str()), ("Content-Type", "application/json"), ("X-Qingdan-Token", &s.token)];
    let _connection = s.send("POST", "/api/file/save", &headers, &body);
    std::thread::sleep(std::time::Duration::from_millis(delay_ms));
    drop(s);
    let now = std::fs::read_to_string(&file).expect("the file is there and is text");
    assert!(now == old || now == new, "round {round}: a file of {} bytes, neither version", now.len());
    let mut unfinished = false;
    for entry in std::fs::read_dir(scene.root()).expect("listing") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(".big.qd.qingdan-")) {
            unfinished = true;
            std::fs::remove_file(path).expect("the leftover removed");
        }
    }
    (if now == new { Found::New } else { Found::Old }, unfinished)
}

#[test]
fn a_server_killed_during_saves_leaves_the_old_file_or_the_new_one() {
    let (scene, web) = (Scene::new(), web());
    std::fs::write(scene.root().join("big.qd"), large(0)).expect("the first version");
    // First the delay after which a save is done (doubling from 1 ms), then kills spread
    // evenly before it, so that some come in the middle of the write.
    let mut round = 0;
    let mut done_after = None;
    for delay in std::iter::once(0).chain((0..14).map(|k| 1u64 << k)) {
        round += 1;
        if kill_during_a_save(&scene, web.path(), round, delay).0 == Found::New {
            done_after = Some(delay);
            break;
        }
    }
    let done_after = done_after.expect("a save that is let run for 8 s finishes");
    let (mut old, mut new, mut mid_write) = (0, 0, 0);
    for k in 0..16 {
        round += 1;
        let (found, unfinished) = kill_during_a_save(&scene, web.path(), round, done_after * k / 16);
        if found == Found::New {
            new += 1;
        } else {
            old += 1;
        }
        mid_write += usize::from(unfinished);
    }
    // For the log: where the 16 kills came.
    println!("a save is done after {done_after} ms; of 16 kills before that, {old} left the old file ({mid_write} in the middle of writing), {new} the new one");
}

fn version_of(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A copy of the bundled grid admission folder (its policies, lists and case files), with
/// the source texts its sources name in its own `sources/` (the scene's root is not called
/// `policies`, where they would otherwise be looked for).
fn grid_scene() -> Scene {
    let scene = Scene::new();
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let to = scene.root().join("grid_admission");
    copy_files(&bundled.join("grid_admission"), &to);
    copy_files(&bundled.join("sources"), &to.join("sources"));
    scene
}

/// The files of a folder (not its subfolders) into a new folder.
fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("bundled folder") {
        let entry = entry.expect("entry");
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copied");
        }
    }
}

fn record(s: &Server, path: &str, name: &str, given: serde_json::Value) -> Reply {
    let body = json!({ "path": path, "name": name, "given": given });
    s.request("POST", "/api/file/record", &serde_json::to_vec(&body).expect("json"))
}

fn qingdan_test(folder: &Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .args(["test", "--lang", "en"])
        .arg(folder)
        .output()
        .expect("qingdan test runs");
    (
        out.status.success(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn a_case_recorded_from_the_form_is_appended_to_the_case_file_and_passes_qingdan_test() {
    let (scene, web) = (grid_scene(), web());
    let s = scene.start(web.path());
    let file = "grid_admission/withdrawal.cases.yaml";
    let before = String::from_utf8(scene.read(file)).expect("text");
    let given = json!({
        "事项": "WG-011", "提出方": "网格化工作机构", "复核日期": "2025-01-06", "运行状态": "平时",
        "法律依据已废止": false, "近一年办理次数": 0, "评估结论": "未评估"
    });
    let r = record(&s, "grid_admission/withdrawal.qd", "临时事项到期退出", given.clone());
    assert_eq!(r.status, 200, "{}", r.text());
    let answer = r.json();
    assert_eq!(answer["file"], file);
    assert_eq!(answer["name"], "临时事项到期退出 2", "the file has a case of that name already");
    assert_eq!(answer["expect"]["退出结论"]["outcome"], "退出清单");
    assert_eq!(answer["expect"]["退出结论"]["values"]["退出日期"], "2024-05-31");
    let after = String::from_utf8(scene.read(file)).expect("text");
    assert!(after.starts_with(&before), "the file's text is kept as it was, the case appended");
    assert!(after[before.len()..].contains("- case: 临时事项到期退出 2\n"), "{}", &after[before.len()..]);
    // Again: another name.
    let again = record(&s, "grid_admission/withdrawal.qd", "临时事项到期退出", given);
    assert_eq!(again.json()["name"], "临时事项到期退出 3");
    let (passed, report) = qingdan_test(&scene.root().join("grid_admission"));
    assert!(passed, "{report}");
    assert!(report.contains("临时事项到期退出 3"), "{report}");
    // The main policy's cases go to the folder's cases.yaml.
    let main = record(&s, "grid_admission/admission.qd", "", json!({}));
    assert_eq!((main.status, main.code().as_str()), (422, "E0303"), "{}", main.text());
}

#[test]
fn a_case_that_cannot_be_recorded_leaves_the_case_file_alone() {
    let (scene, web) = (grid_scene(), web());
    let s = scene.start(web.path());
    let file = "grid_admission/withdrawal.cases.yaml";
    let before = scene.read(file);
    let bad_field = record(&s, "grid_admission/withdrawal.qd", "x", json!({ "没有的字段": 1 }));
    assert_eq!(bad_field.status, 422, "{}", bad_field.text());
    assert!(bad_field.code().starts_with("E030"), "{}", bad_field.text());
    std::fs::write(scene.root().join("grid_admission/withdrawal.qd"), "政策 坏\n规则 {").expect("broken");
    let broken = record(&s, "grid_admission/withdrawal.qd", "x", json!({}));
    assert_eq!((broken.status, broken.code().as_str()), (422, "policy-has-errors"));
    let outside = record(&s, "../withdrawal.qd", "x", json!({}));
    assert_eq!((outside.status, outside.code().as_str()), (400, "bad-path"));
    let not_policy = record(&s, "grid_admission/cases.yaml", "x", json!({}));
    assert_eq!((not_policy.status, not_policy.code().as_str()), (422, "not-a-policy"));
    assert_eq!(scene.read(file), before);
}

fn rows_of(s: &Server, policy: &str) -> serde_json::Value {
    let r =
        s.request("POST", "/api/file/rows", &serde_json::to_vec(&json!({ "path": policy })).expect("json"));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn save_rows(s: &Server, policy: &str, file: &str, version: &str, rows: &serde_json::Value) -> Reply {
    let body = json!({ "path": policy, "file": file, "version": version, "rows": rows });
    s.request("POST", "/api/file/rows/save", &serde_json::to_vec(&body).expect("json"))
}

#[test]
fn a_list_file_is_read_as_a_table_with_typed_columns_and_saved_as_csv_line_for_line() {
    let (scene, web) = (grid_scene(), web());
    let s = scene.start(web.path());
    let file = "grid_admission/网格任务清单.csv";
    let tables = rows_of(&s, "grid_admission/admission.qd");
    let table =
        tables["files"].as_array().expect("files").iter().find(|f| f["file"] == file).expect("the task list");
    assert_eq!(table["lists"], json!(["网格任务清单", "网格任务按序号"]), "two lists from one file");
    let columns = table["columns"].as_array().expect("columns");
    let kind = |name: &str| columns.iter().find(|c| c["name"] == name).map(|c| c["kind"].clone());
    assert_eq!(columns[0]["name"], "编号", "the file's column order");
    assert_eq!(kind("每月频次"), Some(json!("int")));
    assert_eq!(kind("纳入日期"), Some(json!("date")));
    let mut rows = table["rows"].clone();
    let before = String::from_utf8(scene.read(file)).expect("text");
    assert_eq!(rows.as_array().map(Vec::len), Some(before.lines().count() - 1));
    // A cell edited (with a comma, so it must be quoted) and a row removed.
    rows[0][1] = json!("防范电信网络诈骗宣传，含老年人专场, 每季度");
    let removed = rows.as_array_mut().expect("rows").remove(5);
    let saved =
        save_rows(&s, "grid_admission/admission.qd", file, table["version"].as_str().expect("v"), &rows);
    assert_eq!(saved.status, 200, "{}", saved.text());
    let after = String::from_utf8(scene.read(file)).expect("text");
    let (old_lines, new_lines): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(new_lines[0], old_lines[0], "the header line as it was");
    assert!(
        new_lines[1].starts_with("WG-001,\"防范电信网络诈骗宣传，含老年人专场, 每季度\",政策宣传,"),
        "{}",
        new_lines[1]
    );
    let mut expected: Vec<&str> = old_lines.clone();
    expected.remove(6);
    assert_eq!(new_lines[2..], expected[2..], "every other row byte for byte (removed: {removed})");
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_qingdan"))
        .arg("check")
        .arg(scene.root().join("grid_admission/admission.qd"))
        .output()
        .expect("qingdan check runs");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    // The old version again: a conflict, nothing written.
    let stale =
        save_rows(&s, "grid_admission/admission.qd", file, table["version"].as_str().expect("v"), &rows);
    assert_eq!((stale.status, stale.code().as_str()), (409, "changed-on-disk"));
    assert_eq!(stale.json()["disk"]["rows"].as_array().map(Vec::len), Some(new_lines.len() - 1));
}

#[test]
fn rows_that_would_break_the_policy_are_refused_with_the_diagnostics() {
    let (scene, web) = (grid_scene(), web());
    let s = scene.start(web.path());
    let file = "grid_admission/网格任务清单.csv";
    let policy = "grid_admission/admission.qd";
    let before = scene.read(file);
    let table = rows_of(&s, policy)["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["file"] == file)
        .cloned()
        .expect("table");
    let version = table["version"].as_str().expect("v").to_string();
    let columns: Vec<String> = table["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect();
    let freq = columns.iter().position(|c| c == "每月频次").expect("column");
    let mut not_a_number = table["rows"].clone();
    not_a_number[0][freq] = json!("很多");
    let r = save_rows(&s, policy, file, &version, &not_a_number);
    assert_eq!((r.status, r.code().as_str()), (422, "rows-break-policy"), "{}", r.text());
    assert!(r.json()["diagnostics"][0]["code"].as_str().is_some_and(|c| c.starts_with('E')), "{}", r.text());
    let mut same_key = table["rows"].clone();
    same_key[1][0] = same_key[0][0].clone();
    let r = save_rows(&s, policy, file, &version, &same_key);
    assert_eq!((r.status, r.code().as_str()), (422, "rows-break-policy"), "{}", r.text());
    let mut narrow = table["rows"].clone();
    narrow[0].as_array_mut().expect("row").pop();
    let r = save_rows(&s, policy, file, &version, &narrow);
    assert_eq!((r.status, r.code().as_str()), (400, "row-width"));
    let r = save_rows(&s, policy, "grid_admission/cases.yaml", &version, &table["rows"]);
    assert_eq!((r.status, r.code().as_str()), (422, "not-a-list-file"));
    assert_eq!(scene.read(file), before, "nothing written");
}

#[test]
fn yaml_rows_stay_yaml_with_their_line_endings() {
    let (scene, web) = (Scene::new(), web());
    let root = scene.root();
    std::fs::write(
        root.join("l.qd"),
        "policy l\n\nenum Kind { a, b }\n\nrecord Row {\n  code: text\n  n: int\n  kind: Kind\n  note: text?\n}\n\nlist rows: Row key code from \"rows.yaml\"\n",
    )
    .expect("policy");
    std::fs::write(root.join("rows.yaml"), "- code: X1\r\n  n: 1\r\n  kind: a\r\n").expect("rows");
    let s = scene.start(web.path());
    let tables = rows_of(&s, "l.qd");
    let table = &tables["files"][0];
    assert_eq!(table["format"], "yaml");
    assert_eq!(table["rows"], json!([["X1", "1", "a", ""]]));
    assert_eq!(table["columns"][2]["variants"], json!(["a", "b"]));
    assert_eq!(table["columns"][3]["optional"], true);
    let rows = json!([["X1", "1", "a", ""], ["X2", "20", "b", "两行, 含逗号"]]);
    let saved = save_rows(&s, "l.qd", "rows.yaml", table["version"].as_str().expect("v"), &rows);
    assert_eq!(saved.status, 200, "{}", saved.text());
    let text = String::from_utf8(scene.read("rows.yaml")).expect("text");
    assert_eq!(
        text,
        "- code: X1\r\n  n: 1\r\n  kind: a\r\n- code: X2\r\n  n: 20\r\n  kind: b\r\n  note: 两行, 含逗号\r\n"
    );
    let bad = save_rows(&s, "l.qd", "rows.yaml", &version_of(&text), &json!([["X1", "1", "c", ""]]));
    assert_eq!((bad.status, bad.code().as_str()), (422, "rows-break-policy"), "{}", bad.text());
}

#[test]
fn a_yaml_list_with_comments_is_saved_from_the_table_only_when_the_drafter_drops_them() {
    let (scene, web) = (Scene::new(), web());
    let root = scene.root();
    std::fs::write(
        root.join("c.qd"),
        "policy c\n\nrecord Row {\n  code: text\n  note: text?\n}\n\nlist rows: Row key code from \"rows.yaml\"\n",
    )
    .expect("policy");
    let original = "# 2026 年修订：X1 由区民政局提出\n- code: X1\n  note: \"a # in quotes\"\n";
    std::fs::write(root.join("rows.yaml"), original).expect("rows");
    let s = scene.start(web.path());
    let table = &rows_of(&s, "c.qd")["files"][0];
    assert_eq!(table["comments"], true, "{table}");
    let version = table["version"].as_str().expect("v").to_string();
    let rows = json!([["X1", "a # in quotes"], ["X2", ""]]);
    let refused = save_rows(&s, "c.qd", "rows.yaml", &version, &rows);
    assert_eq!((refused.status, refused.code().as_str()), (409, "yaml-comments"), "{}", refused.text());
    assert_eq!(scene.read("rows.yaml"), original.as_bytes(), "nothing written");
    let body = json!({ "path": "c.qd", "file": "rows.yaml", "version": version, "rows": rows, "drop_comments": true });
    let saved = s.request("POST", "/api/file/rows/save", &serde_json::to_vec(&body).expect("json"));
    assert_eq!(saved.status, 200, "{}", saved.text());
    let text = String::from_utf8(scene.read("rows.yaml")).expect("text");
    assert!(text.contains("X2") && !text.contains("修订"), "{text}");
    assert_eq!(rows_of(&s, "c.qd")["files"][0]["comments"], false, "a quoted # is not a comment");
}

#[test]
fn a_gbk_list_file_is_written_back_in_gb18030_with_its_line_endings() {
    let (scene, web) = (Scene::new(), web());
    let root = scene.root();
    std::fs::write(
        root.join("g.qd"),
        "policy g\n\nrecord Row {\n  code: text\n  name: text\n  n: int\n}\n\nlist rows: Row key code from \"部门.csv\"\n",
    )
    .expect("policy");
    let gbk = |text: &str| encoding_rs::GBK.encode(text).0.into_owned();
    std::fs::write(root.join("部门.csv"), gbk("code,name,n\r\nA,民政局,1\r\n")).expect("GBK rows");
    let s = scene.start(web.path());
    let tables = rows_of(&s, "g.qd");
    let table = &tables["files"][0];
    assert_eq!(table["rows"], json!([["A", "民政局", "1"]]), "{tables}");
    let rows = json!([["A", "民政局", "1"], ["B", "卫生健康局", "2"]]);
    let saved = save_rows(&s, "g.qd", "部门.csv", table["version"].as_str().expect("v"), &rows);
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(scene.read("部门.csv"), gbk("code,name,n\r\nA,民政局,1\r\nB,卫生健康局,2\r\n"));
    let bad = json!([["A", "民政局", "一"]]);
    let refused = save_rows(&s, "g.qd", "部门.csv", saved.json()["version"].as_str().expect("v"), &bad);
    assert_eq!((refused.status, refused.code().as_str()), (422, "rows-break-policy"));
}
