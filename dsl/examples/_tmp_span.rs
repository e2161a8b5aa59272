fn main() {
    let t = "policy p\nrule r {\n  when a and b // c\n  // d\n  then X \"r\" // e\n  // f\n}\nlet x = a + b // g\n// h\nlet y = f(x) // i\n// j\n";
    let p = qingdan_dsl::syntax::parse(t, qingdan_dsl::FileId(0));
    let m = p.module.unwrap();
    for d in &m.decls {
        let s = d.span();
        println!("decl {:?}", &t[s.range()]);
        match d {
            qingdan_dsl::syntax::ast::Decl::Rule(r) => {
                println!("when {:?}", &t[r.when.span.range()]);
                println!("then {:?}", &t[r.then.as_ref().unwrap().span.range()]);
            }
            qingdan_dsl::syntax::ast::Decl::Let(l) => {
                println!("val {:?}", &t[l.value.span.range()]);
            }
            _ => {}
        }
    }
    println!("module {:?}", m.span);
}
