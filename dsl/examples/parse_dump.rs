fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    let p = qingdan_dsl::syntax::parse(&text, qingdan_dsl::FileId(0));
    println!("{:#?}", p.diagnostics);
    if let Some(m) = p.module {
        println!("lang={:?} decls={}", m.lang, m.decls.len());
    }
}
