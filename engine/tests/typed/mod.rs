//! A type-directed generator of well-typed policies, for differential tests.
//!
//! Expressions are built by the type they must have (as Cedar's generators do), so that
//! every operator is produced at every pair of operand types the checker allows, every
//! int → decimal conversion the language makes implicitly is produced (an int where a
//! decimal is wanted: a declared let, an `if` branch, a set literal, a list row, an
//! outcome value, a comparison, membership, arithmetic, `min`/`max`, a sum, a set of
//! ints used as a set of decimals), and every place a value can flow is reached. A
//! generated policy that the checker refuses is a bug of the generator, not a skipped
//! case.
//!
//! The generator draws from a small deterministic RNG seeded by proptest, so a failure
//! is reproduced from its seed and reported with the policy's text.

/// Types the generator builds expressions of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Int,
    Dec,
    Text,
    Date,
    Kind,
    Set(Box<Ty>),
}

impl Ty {
    fn set(self) -> Ty {
        Ty::Set(Box::new(self))
    }

    /// The type as written in a policy.
    pub fn written(&self) -> String {
        match self {
            Ty::Bool => "bool".into(),
            Ty::Int => "int".into(),
            Ty::Dec => "decimal".into(),
            Ty::Text => "text".into(),
            Ty::Date => "date".into(),
            Ty::Kind => "K".into(),
            Ty::Set(inner) => format!("set of {}", inner.written()),
        }
    }
}

/// splitmix64: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Fixed declarations every generated policy starts with: an enum, a list whose record
/// has a field of every kind (decimal cells written as ints too), and an input with a
/// field of every type, optional ones included.
const PRELUDE: &str = r#"policy g
source s "S" { clause c "a clause" }
enum K { k0, k1, k2 }
enum Out { ok, held { days: int }, fee { amount: decimal }, no { notes: set of text }, scaled { values: set of decimal } }
enum Twin { same, apart }
record R { code: text, kind: K, n: int, amount: decimal, due: date?, tags: set of text, weights: set of decimal }
input x { b: bool, i: int, j: int, d: decimal, s: text, t: date, k: K, o: int?, od: decimal?, ns: set of int, ds: set of decimal, ss: set of text, ks: set of K, r: rows? }
"#;

/// Declared after the list: a row looked up by key.
const LOOKUP: &str = "let picked = rows[x.s]\n";

const INTS: &[&str] =
    &["-3", "0", "1", "2", "5", "40", "9223372036854", "9223372036855", "4611686018427387904"];
const DECS: &[&str] = &["0.5", "2.25", "-1.5", "100", "0.000001", "3.0", "9223372036854.775807"];
// Characters of one to four UTF-8 bytes (similarity reads texts by character).
const TEXTS: &[&str] = &["\"\"", "\"a\"", "\"ab\"", "\"b\"", "\"网格\"", "\"é网格\"", "\"😀ab\""];
const DATES: &[&str] = &["2024-01-01", "2024-03-01", "2023-12-31", "9999-12-31"];
const KINDS: &[&str] = &["k0", "k1", "k2"];

/// One generated policy: its text and how many twin pairs it holds (see
/// [`Gen::twins`]).
pub struct Generated {
    pub text: String,
    pub twins: usize,
}

pub struct Gen {
    rng: Rng,
    /// Lets declared so far, with their types.
    lets: Vec<(String, Ty)>,
    /// Quantifier variables in scope: name, and whether it is a row (else its type).
    locals: Vec<(String, Option<Ty>)>,
    fresh: usize,
}

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen { rng: Rng::new(seed), lets: Vec::new(), locals: Vec::new(), fresh: 0 }
    }

    /// A whole policy: list rows, lets, rules and exceptions of a decision with a random
    /// combining form, twin rules, and checks.
    pub fn policy(&mut self) -> Generated {
        let mut text = PRELUDE.to_string();
        text.push_str(&self.list());
        text.push_str(LOOKUP);
        for i in 0..self.rng.below(6) {
            text.push_str(&self.let_decl(i));
        }
        let rules = 1 + self.rng.below(5);
        for i in 0..rules {
            let when = self.expr(&Ty::Bool, 3);
            let unless = if self.rng.chance(30) {
                format!(" unless {}", self.expr(&Ty::Bool, 2))
            } else {
                String::new()
            };
            let then = self.outcome();
            text.push_str(&format!("rule r{i} cite s.c {{ when {when} then {then}{unless} }}\n"));
        }
        for i in 0..self.rng.below(3) {
            let target = self.rng.below(rules + i);
            let target = if target < rules { format!("r{target}") } else { format!("e{}", target - rules) };
            let when = self.expr(&Ty::Bool, 2);
            let then = if self.rng.chance(60) { format!(" then {}", self.outcome()) } else { String::new() };
            text.push_str(&format!("exception e{i} to {target} cite s.c {{ when {when}{then} }}\n"));
        }
        let combining = *self.rng.pick(&[
            "priority no > scaled > fee > held > ok",
            "priority no > scaled > fee > held > ok merge",
            "first",
            "collect",
            "unique",
        ]);
        let end = if self.rng.chance(50) { " default ok \"by default\"" } else { " total" };
        text.push_str(&format!("decision d: Out by {combining}{end}\n"));
        let twins = 1 + self.rng.below(3);
        for i in 0..twins {
            text.push_str(&self.twin(i));
        }
        text.push_str("decision twin: Twin by collect default apart \"none\"\n");
        text.push_str(&self.checks());
        Generated { text, twins }
    }

    /// The list, with 2–4 generated rows: decimal cells written as ints or decimals, sets
    /// of decimals mixing both.
    fn list(&mut self) -> String {
        let mut out = String::from("list rows: R key code {\n");
        for (n, code) in ["a", "b", "c", "d"].iter().enumerate().take(2 + self.rng.below(3)) {
            let kind = KINDS[n % 3];
            let int = *self.rng.pick(&["-2", "0", "3", "7"]);
            let amount = *self.rng.pick(&["7", "2.5", "-1", "0"]);
            let due = if self.rng.chance(50) { ", due: 2024-05-01" } else { "" };
            let weights = *self.rng.pick(&["[]", "[1, 2.5]", "[3]", "[0.25, -4]"]);
            let tags = *self.rng.pick(&[
                "[]",
                "[\"a\"]",
                "[\"a\", \"网格\"]",
                "[\"\", \"b网\"]",
                "[\"ab\", \"b\"]",
                "[\"😀ab\", \"b\"]",
            ]);
            out.push_str(&format!(
                "  item \"{code}\" {{ kind: {kind}, n: {int}, amount: {amount}{due}, tags: {tags}, weights: {weights} }}\n"
            ));
        }
        out.push_str("}\n");
        out
    }

    /// A let of a random type; sometimes declared, and a declared decimal (or set of
    /// decimals) is often given an int (set of ints) value.
    fn let_decl(&mut self, i: usize) -> String {
        let ty = self.any_type();
        let name = format!("l{i}");
        let declared = self.rng.chance(50);
        let value_ty = match (&ty, declared && self.rng.chance(60)) {
            (Ty::Dec, true) => Ty::Int,
            (Ty::Set(inner), true) if **inner == Ty::Dec => Ty::Int.set(),
            _ => ty.clone(),
        };
        let value = self.expr(&value_ty, 3);
        let decl = if declared {
            format!("let {name}: {} = {value}\n", ty.written())
        } else {
            format!("let {name} = {value}\n")
        };
        // An undeclared let has its value's type.
        self.lets.push((name, if declared { ty } else { value_ty }));
        decl
    }

    fn any_type(&mut self) -> Ty {
        let scalar =
            self.rng.pick(&[Ty::Bool, Ty::Int, Ty::Dec, Ty::Dec, Ty::Text, Ty::Date, Ty::Kind]).clone();
        match self.rng.below(4) {
            0 => self.rng.pick(&[Ty::Int, Ty::Dec, Ty::Dec, Ty::Text, Ty::Kind]).clone().set(),
            _ => scalar,
        }
    }

    fn outcome(&mut self) -> String {
        match self.rng.below(5) {
            0 => "ok \"fine\"".into(),
            1 => format!("held {{ days: {} }} \"wait\"", self.expr(&Ty::Int, 2)),
            2 => format!("fee {{ amount: {} }} \"pay\"", self.numeric(2)),
            3 => format!("no {{ notes: {} }} \"no\"", self.expr(&Ty::Text.set(), 1)),
            _ => format!("scaled {{ values: {} }} \"scaled\"", self.numeric_set(2)),
        }
    }

    /// Twin rules: `a == b` and `b in [a]` (and `contains([a], b)`) must fire together
    /// whatever the types of `a` and `b` — the two must agree in both back ends and with
    /// each other.
    fn twin(&mut self, i: usize) -> String {
        let (a, b) = (self.numeric(2), self.numeric(2));
        let form = match self.rng.below(3) {
            0 => format!("{b} in [{a}]"),
            1 => format!("contains([{a}], {b})"),
            _ => format!("[{a}] == [{b}]"),
        };
        format!(
            "rule q{i}a for twin {{ when {a} == {b} then same \"eq\" }}\nrule q{i}b for twin {{ when {form} then same \"in\" }}\n"
        )
    }

    /// A check over the rows, a `must not` and a `may` over the case.
    fn checks(&mut self) -> String {
        let var = self.locals_var_name();
        let filter = self.with_named_row(&var, |g| g.expr(&Ty::Bool, 1));
        let body = self.with_named_row(&var, |g| g.expr(&Ty::Bool, 2));
        let must_not = self.expr(&Ty::Bool, 2);
        let may = self.expr(&Ty::Bool, 1);
        format!(
            "check c0 cite s.c {{\n  for {var} in rows where {filter}\n  must {body} \"rows\"\n}}\n\
             check c1 cite s.c {{ must not {must_not} \"not\" }}\ncheck c2 cite s.c {{ may {may} \"may\" }}\n"
        )
    }

    /// A fresh variable name, so that no quantifier shadows another.
    fn locals_var_name(&mut self) -> String {
        self.fresh += 1;
        format!("w{}", self.fresh)
    }

    fn with_named_row<T>(&mut self, var: &str, f: impl FnOnce(&mut Gen) -> T) -> T {
        self.locals.push((var.to_string(), None));
        let out = f(self);
        self.locals.pop();
        out
    }

    fn with_elem<T>(&mut self, var: &str, ty: &Ty, f: impl FnOnce(&mut Gen) -> T) -> T {
        self.locals.push((var.to_string(), Some(ty.clone())));
        let out = f(self);
        self.locals.pop();
        out
    }

    /// An int or a decimal expression (the checker lets either stand for a decimal).
    fn numeric(&mut self, depth: u32) -> String {
        let ty = if self.rng.chance(50) { Ty::Int } else { Ty::Dec };
        self.expr(&ty, depth)
    }

    fn numeric_set(&mut self, depth: u32) -> String {
        let ty = if self.rng.chance(50) { Ty::Int } else { Ty::Dec };
        self.expr(&ty.set(), depth)
    }

    /// An expression of type `ty`, at most `depth` levels deep.
    pub fn expr(&mut self, ty: &Ty, depth: u32) -> String {
        if depth == 0 || self.rng.chance(30) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match ty {
            Ty::Bool => self.boolean(d),
            Ty::Int => self.int(d),
            Ty::Dec => self.decimal(d),
            Ty::Text | Ty::Date | Ty::Kind if self.rng.chance(40) => self.branch(ty, d),
            Ty::Date if self.rng.chance(30) => {
                let f = *self.rng.pick(&["min", "max"]);
                format!("{f}({}, {})", self.expr(&Ty::Date, d), self.expr(&Ty::Date, d))
            }
            Ty::Date => {
                let op = *self.rng.pick(&["+", "-"]);
                format!("({} {op} {})", self.expr(&Ty::Date, d), self.small_int(d))
            }
            Ty::Set(inner) => self.set(inner, d),
            _ => self.leaf(ty),
        }
    }

    /// A variable, field, let or literal of type `ty`.
    fn leaf(&mut self, ty: &Ty) -> String {
        let mut options: Vec<String> = Vec::new();
        for (name, t) in &self.lets {
            if t == ty {
                options.push(name.clone());
            }
        }
        for (name, t) in &self.locals {
            match t {
                Some(t) if t == ty => options.push(name.clone()),
                None => options.extend(row_fields(name, ty)),
                _ => {}
            }
        }
        options.extend(input_fields(ty));
        let literal = match ty {
            Ty::Bool => self.rng.pick(&["true", "false"]).to_string(),
            Ty::Int => self.rng.pick(INTS).to_string(),
            Ty::Dec => self.rng.pick(DECS).to_string(),
            Ty::Text => self.rng.pick(TEXTS).to_string(),
            Ty::Date => self.rng.pick(DATES).to_string(),
            Ty::Kind => self.rng.pick(KINDS).to_string(),
            Ty::Set(inner) => format!("[{}]", self.leaf(inner)),
        };
        if options.is_empty() || self.rng.chance(30) {
            return literal;
        }
        let pick = self.rng.below(options.len());
        options.swap_remove(pick)
    }

    fn branch(&mut self, ty: &Ty, d: u32) -> String {
        format!("(if {} then {} else {})", self.expr(&Ty::Bool, d), self.expr(ty, d), self.expr(ty, d))
    }

    fn small_int(&mut self, d: u32) -> String {
        if self.rng.chance(60) {
            self.rng.pick(&["1", "30", "-7", "400"]).to_string()
        } else {
            self.expr(&Ty::Int, d.min(1))
        }
    }

    fn int(&mut self, d: u32) -> String {
        match self.rng.below(14) {
            0..=2 => {
                let op = *self.rng.pick(&["+", "-", "*"]);
                format!("({} {op} {})", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d))
            }
            3 => format!("(-{})", self.expr(&Ty::Int, d)),
            4 => self.branch(&Ty::Int, d),
            5 => {
                let f = *self.rng.pick(&["min", "max"]);
                format!("{f}({}, {})", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d))
            }
            6 => format!("count({})", self.rows_where(d)),
            7 => {
                let var = self.locals_var_name();
                let of = self.with_named_row(&var, |g| g.expr(&Ty::Int, d));
                if self.rng.chance(40) {
                    // A column summed over a column's group: what an index answers from
                    // the group's total when the equality is the whole filter.
                    let of = if self.rng.chance(50) { format!("{var}.n") } else { of };
                    let filter = self.column_filter(&var, d);
                    return format!("sum({var} in rows of {of} where {filter})");
                }
                let filter = self.with_named_row(&var, |g| g.expr(&Ty::Bool, d.min(1)));
                format!("sum({var} in rows of {of} where {filter})")
            }
            8 => {
                let var = self.locals_var_name();
                format!("sum({var} in {})", self.expr(&Ty::Int.set(), d))
            }
            9 => format!("length({})", self.expr(&Ty::Text, d)),
            10 => format!("({} - {})", self.expr(&Ty::Date, d), self.expr(&Ty::Date, d)),
            11 => format!("days_between({}, {})", self.expr(&Ty::Date, d), self.expr(&Ty::Date, d)),
            12 => format!("(if x.o is some then x.o else {})", self.expr(&Ty::Int, d)),
            _ => format!("(if x.r is some then x.r.n else {})", self.expr(&Ty::Int, d)),
        }
    }

    fn decimal(&mut self, d: u32) -> String {
        match self.rng.below(14) {
            // Near-duplicate texts: bigram sets of the case's, the rows' and literal texts.
            13 => format!("similarity({}, {})", self.expr(&Ty::Text, d), self.expr(&Ty::Text, d)),
            // An int where a decimal is wanted: the conversion.
            0 | 1 => self.expr(&Ty::Int, d),
            2..=4 => {
                let op = *self.rng.pick(&["+", "-", "*", "/"]);
                let (a, b) = match self.rng.below(3) {
                    0 => (self.expr(&Ty::Int, d), self.expr(&Ty::Dec, d)),
                    1 => (self.expr(&Ty::Dec, d), self.expr(&Ty::Int, d)),
                    _ => (self.expr(&Ty::Dec, d), self.expr(&Ty::Dec, d)),
                };
                format!("({a} {op} {})", divisor(op, b))
            }
            5 => format!("({} / {})", self.expr(&Ty::Int, d), divisor("/", self.expr(&Ty::Int, d))),
            6 => format!("(-{})", self.expr(&Ty::Dec, d)),
            7 => {
                let (a, b) = (self.numeric(d), self.expr(&Ty::Dec, d));
                let f = *self.rng.pick(&["min", "max"]);
                if self.rng.chance(50) {
                    format!("{f}({a}, {b})")
                } else {
                    format!("{f}({b}, {a})")
                }
            }
            // A branch joining an int and a decimal.
            8 => {
                let c = self.expr(&Ty::Bool, d);
                let (a, b) = (self.expr(&Ty::Int, d), self.expr(&Ty::Dec, d));
                if self.rng.chance(50) {
                    format!("(if {c} then {a} else {b})")
                } else {
                    format!("(if {c} then {b} else {a})")
                }
            }
            9 => {
                let var = self.locals_var_name();
                if self.rng.chance(30) {
                    let filter = self.column_filter(&var, d);
                    return format!("sum({var} in rows of {var}.amount where {filter})");
                }
                let of = self.with_named_row(&var, |g| g.expr(&Ty::Dec, d));
                let filter = self.with_named_row(&var, |g| g.expr(&Ty::Bool, d.min(1)));
                format!("sum({var} in rows of {of} where {filter})")
            }
            10 => {
                let var = self.locals_var_name();
                format!("sum({var} in {})", self.expr(&Ty::Dec.set(), d))
            }
            11 => "(if x.od is some then x.od else 0.5)".to_string(),
            _ => "(if x.o is some then x.o else 0.5)".to_string(),
        }
    }

    fn set(&mut self, inner: &Ty, d: u32) -> String {
        match self.rng.below(4) {
            // A set literal; for decimals, ints mixed in.
            0 | 1 => {
                let n = 1 + self.rng.below(3);
                let items: Vec<String> = (0..n)
                    .map(|_| if *inner == Ty::Dec { self.numeric(d) } else { self.expr(inner, d) })
                    .collect();
                format!("[{}]", items.join(", "))
            }
            // A set of ints where a set of decimals is wanted.
            2 if *inner == Ty::Dec => self.expr(&Ty::Int.set(), d),
            _ => self.branch(&inner.clone().set(), d),
        }
    }

    fn rows_where(&mut self, d: u32) -> String {
        let var = self.locals_var_name();
        if self.rng.chance(40) {
            let filter = self.column_filter(&var, d);
            return format!("{var} in rows where {filter}");
        }
        let filter = self.with_named_row(&var, |g| g.expr(&Ty::Bool, d.min(2)));
        format!("{var} in rows where {filter}")
    }

    /// A search the interpreter answers from an index (eval/index.rs): a column compared
    /// with a value, or tested for membership in a set, that does not read the row
    /// (either side, sometimes behind a guard `c or …`), or the row's words looked for in
    /// a text (eval/words.rs), with other conjuncts before and after it that do — which
    /// may fail, so that which rows are tested shows.
    fn column_filter(&mut self, var: &str, d: u32) -> String {
        let (column, ty) = self
            .rng
            .pick(&[
                ("code", Ty::Text),
                ("code", Ty::Text),
                ("kind", Ty::Kind),
                ("n", Ty::Int),
                ("amount", Ty::Dec),
            ])
            .clone();
        let mut eq = match self.rng.below(7) {
            0 | 1 => format!("{var}.{column} == {}", self.expr(&ty, d.min(1))),
            2 => format!("{} == {var}.{column}", self.expr(&ty, d.min(1))),
            3 | 4 => format!("{var}.{column} in {}", self.set(&ty, d.min(1))),
            5 => {
                let word = self.locals_var_name();
                let text = self.expr(&Ty::Text, d.min(1));
                format!("any({word} in {var}.tags where contains({text}, {word}))")
            }
            _ => self.near(var, d),
        };
        if self.rng.chance(25) {
            eq = format!("({}) or {eq}", self.expr(&Ty::Bool, d.min(1)));
        }
        let mut filter = format!("({eq})");
        if self.rng.chance(30) {
            let before = self.with_named_row(var, |g| g.expr(&Ty::Bool, d.min(1)));
            filter = format!("({before}) and {filter}");
        }
        if self.rng.chance(20) {
            filter = format!("{filter} and {}", self.near(var, d));
        }
        if self.rng.chance(60) {
            let after = self.with_named_row(var, |g| g.expr(&Ty::Bool, d.min(2)));
            filter = format!("{filter} and ({after})");
        }
        filter
    }

    /// A similarity conjunct the interpreter narrows rows by (eval/near.rs): the row's
    /// code against a text that does not read the row, at a threshold above, at or below 0.
    fn near(&mut self, var: &str, d: u32) -> String {
        let text = self.expr(&Ty::Text, d.min(1));
        let at_least = self.rng.pick(&["0.5", "0.3", "1", "0", "x.d"]).to_string();
        match self.rng.below(3) {
            0 => format!("similarity({var}.code, {text}) >= {at_least}"),
            1 => format!("similarity({text}, {var}.code) > {at_least}"),
            _ => format!("{at_least} <= similarity({var}.code, {text})"),
        }
    }

    fn boolean(&mut self, d: u32) -> String {
        match self.rng.below(17) {
            16 => format!("picked is some and picked.amount < {}", self.numeric(d)),
            0..=3 => self.compare(d),
            4 | 5 => self.member(d),
            6 => format!("({}) and ({})", self.expr(&Ty::Bool, d), self.expr(&Ty::Bool, d)),
            7 => format!("({}) or ({})", self.expr(&Ty::Bool, d), self.expr(&Ty::Bool, d)),
            8 => format!("not ({})", self.expr(&Ty::Bool, d)),
            9 => format!("any({})", self.rows_where(d)),
            10 => format!("all({})", self.rows_where(d)),
            11 => {
                let elem = self.rng.pick(&[Ty::Int, Ty::Dec, Ty::Text, Ty::Kind]).clone();
                let var = self.locals_var_name();
                let over = self.expr(&elem.clone().set(), d);
                let filter = self.with_elem(&var, &elem, |g| g.expr(&Ty::Bool, d.min(1)));
                let q = *self.rng.pick(&["any", "all"]);
                format!("{q}({var} in {over} where {filter})")
            }
            12 => format!("x.o is some and x.o > {}", self.numeric(d)),
            13 => format!("x.r is some and x.r.amount >= {}", self.numeric(d)),
            14 => {
                let f = *self.rng.pick(&["contains", "starts_with"]);
                format!("{f}({}, {})", self.expr(&Ty::Text, d), self.expr(&Ty::Text, d))
            }
            _ => self.branch(&Ty::Bool, d),
        }
    }

    /// A comparison at a random pair of types the checker allows.
    fn compare(&mut self, d: u32) -> String {
        let ordered = *self.rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
        let equality = *self.rng.pick(&["==", "!="]);
        match self.rng.below(10) {
            0 => format!("{} {ordered} {}", self.expr(&Ty::Int, d), self.expr(&Ty::Int, d)),
            1 => format!("{} {ordered} {}", self.expr(&Ty::Int, d), self.expr(&Ty::Dec, d)),
            2 => format!("{} {ordered} {}", self.expr(&Ty::Dec, d), self.expr(&Ty::Int, d)),
            3 => format!("{} {ordered} {}", self.expr(&Ty::Dec, d), self.expr(&Ty::Dec, d)),
            4 => format!("{} {ordered} {}", self.expr(&Ty::Date, d), self.expr(&Ty::Date, d)),
            5 => format!("{} {equality} {}", self.expr(&Ty::Text, d), self.expr(&Ty::Text, d)),
            6 => format!("{} {equality} {}", self.expr(&Ty::Kind, d), self.expr(&Ty::Kind, d)),
            7 => format!("{} {equality} {}", self.numeric_set(d), self.numeric_set(d)),
            8 => format!("{} {equality} {}", self.expr(&Ty::Text.set(), d), self.expr(&Ty::Text.set(), d)),
            _ => format!("({}) {equality} ({})", self.expr(&Ty::Bool, d), self.expr(&Ty::Bool, d)),
        }
    }

    /// Membership: a number in a set of numbers of either type, texts, kinds, list keys.
    fn member(&mut self, d: u32) -> String {
        let not = if self.rng.chance(25) { "not in" } else { "in" };
        match self.rng.below(5) {
            0 | 1 => format!("{} {not} {}", self.numeric(d), self.numeric_set(d)),
            2 => format!("{} {not} {}", self.expr(&Ty::Text, d), self.expr(&Ty::Text.set(), d)),
            3 => format!("{} {not} {}", self.expr(&Ty::Kind, d), self.expr(&Ty::Kind.set(), d)),
            _ => format!("{} {not} rows", self.expr(&Ty::Text, d)),
        }
    }
}

/// `b` as the right operand of `op`: a literal zero divisor is refused by the checker
/// (E0216), so it becomes a field, which may still be zero at run time.
fn divisor(op: &str, b: String) -> String {
    if op == "/"
        && b.trim_start_matches('-')
            .trim_end_matches('0')
            .trim_end_matches('.')
            .trim_start_matches('0')
            .is_empty()
    {
        "x.j".to_string()
    } else {
        b
    }
}

/// Fields of a row variable of type `ty`.
fn row_fields(var: &str, ty: &Ty) -> Vec<String> {
    let fields: &[&str] = match ty {
        Ty::Text => &["code"],
        Ty::Kind => &["kind"],
        Ty::Int => &["n"],
        Ty::Dec => &["amount"],
        Ty::Set(inner) if **inner == Ty::Text => &["tags"],
        Ty::Set(inner) if **inner == Ty::Dec => &["weights"],
        _ => &[],
    };
    fields.iter().map(|f| format!("{var}.{f}")).collect()
}

/// Input fields of type `ty` (present ones; optional ones are used in their own forms).
fn input_fields(ty: &Ty) -> Vec<String> {
    let fields: &[&str] = match ty {
        Ty::Bool => &["x.b"],
        Ty::Int => &["x.i", "x.j"],
        Ty::Dec => &["x.d"],
        Ty::Text => &["x.s"],
        Ty::Date => &["x.t"],
        Ty::Kind => &["x.k"],
        Ty::Set(inner) => match **inner {
            Ty::Int => &["x.ns"],
            Ty::Dec => &["x.ds"],
            Ty::Text => &["x.ss"],
            Ty::Kind => &["x.ks"],
            _ => &[],
        },
    };
    fields.iter().map(|f| f.to_string()).collect()
}
