fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    match qingdan_dsl::fmt::format_text(&text) {
        Ok(s) => {
            print!("{s}");
            let again = qingdan_dsl::fmt::format_text(&s).expect("reparse");
            if again != s {
                println!("=== NOT IDEMPOTENT ===\n{again}");
            }
            let p1 = qingdan_dsl::syntax::parse(&text, qingdan_dsl::FileId(0))
                .module
                .unwrap();
            let p2 = qingdan_dsl::syntax::parse(&s, qingdan_dsl::FileId(0))
                .module
                .unwrap();
            let (d1, d2) = (
                qingdan_dsl::syntax::dump::dump(&p1),
                qingdan_dsl::syntax::dump::dump(&p2),
            );
            if d1 != d2 {
                println!("=== DUMP DIFFERS ===\n{d1}\n{d2}");
            }
            if std::env::args().nth(2).is_some() {
                print!("{d1}");
            }
        }
        Err(d) => println!("{d:#?}"),
    }
}
