//! The policies a service decides with: every policy of the folder, checked and lowered
//! once, each with the hash of its sources (the version every logged decision names) and
//! one [`JsonDecider`] per decision, so a case is shown exactly as `qingdan eval --format
//! json --explain --decision D` shows it.

use std::collections::BTreeMap;
use std::path::Path;

use qingdan_engine::cases::CaseReader;
use qingdan_engine::ir::Type;
use qingdan_engine::Policy;
use serde_json::{json, Value as Json};

use crate::cli::Format;
use crate::eval_cmd::{EvalArgs, JsonDecider};
use crate::files;
use crate::loader::FsLoader;

/// One version of one policy. Policies and their deciders live as long as the process
/// (they are leaked on purpose): a decision logged under an old version stays explainable,
/// and a version is a few hundred kilobytes.
pub struct Served {
    pub name: String,
    /// SHA-256 of the policy's sources (its file, what it uses, the data files they read),
    /// as `qingdan build` of its file puts in the module.
    pub hash: String,
    pub policy: &'static Policy,
    pub deciders: BTreeMap<String, JsonDecider<'static>>,
    /// Reads cases for this policy (its name tables built once).
    pub reader: CaseReader<'static>,
}

impl Served {
    /// The short form of the hash shown as `version`.
    pub fn version(&self) -> &str {
        self.hash.get(..12).unwrap_or(&self.hash)
    }
}

/// What loading the folder gave: the policies, or the diagnostics that kept them out.
pub struct Loaded {
    pub policies: BTreeMap<String, Served>,
    /// Rendered diagnostics (errors and warnings) of the last load.
    pub diagnostics: String,
    pub has_errors: bool,
}

/// The arguments eval would have: JSON, explained, in the policy's language.
pub(crate) fn eval_args() -> &'static EvalArgs {
    static ARGS: std::sync::OnceLock<EvalArgs> = std::sync::OnceLock::new();
    ARGS.get_or_init(|| EvalArgs {
        input: String::new(),
        input_format: None,
        decision: None,
        explain: true,
        format: Format::Json,
        lang: None,
        as_of: None,
    })
}

/// Checks every policy file under `dir` together and lowers each policy.
pub fn load(dir: &Path) -> Loaded {
    let program = qingdan_dsl::check_files(files::inputs(&[dir.to_path_buf()]), &mut FsLoader::confined());
    let opts = qingdan_dsl::diag::render::RenderOptions { lang: None, color: false };
    let diagnostics = if program.diagnostics.is_empty() {
        String::new()
    } else {
        qingdan_dsl::diag::cap::human(&program.diagnostics, &program.sources, opts)
    };
    let has_errors = program.has_errors();
    let mut policies = BTreeMap::new();
    if has_errors {
        return Loaded { policies, diagnostics, has_errors };
    }
    let args = eval_args();
    for module in &program.modules {
        let name = module.module.name.name.clone();
        if policies.contains_key(&name) {
            continue;
        }
        let hash = policy_hash(Path::new(&program.sources.get(module.file).path));
        let Ok(policy) = qingdan_engine::lower(&program, Some(&name)) else { continue };
        let policy: &'static Policy = Box::leak(Box::new(policy));
        let deciders = (0..policy.decisions.len() as u32)
            .map(|d| (policy.decisions[d as usize].name.clone(), JsonDecider::new(policy, d, args)))
            .collect();
        policies
            .insert(name.clone(), Served { name, hash, policy, deciders, reader: CaseReader::new(policy) });
    }
    Loaded { policies, diagnostics, has_errors }
}

/// The hash `qingdan build FILE` puts in this policy's module: its file, the policies it
/// uses and the data files they read, so an edit to one policy of the folder leaves the
/// others' versions as they were, and a logged decision names the module that decides alike.
fn policy_hash(file: &Path) -> String {
    let program = qingdan_dsl::check_files(files::inputs(&[file.to_path_buf()]), &mut FsLoader::confined());
    crate::build_cmd::source_hash(&program)
}

/// The policy as `GET /v1/policies/{policy}` shows it: its inputs as a JSON Schema (the
/// shape the case reader takes), its decisions and their outcomes.
pub fn describe(s: &Served) -> Json {
    let p = s.policy;
    let decisions: Vec<Json> = p
        .decisions
        .iter()
        .map(|d| {
            let outcomes: Vec<&str> =
                p.enums[d.outcome_enum as usize].variants.iter().map(|v| v.name.as_str()).collect();
            json!({ "name": d.name, "outcomes": outcomes })
        })
        .collect();
    json!({
        "name": s.name,
        "version": s.version(),
        "hash": s.hash,
        "inputs": input_schema(p),
        "decisions": decisions,
    })
}

/// A case as a JSON Schema object: with one input its fields stand at the top (as case
/// files write them), with several each input is an object of its own.
pub fn input_schema(p: &Policy) -> Json {
    let mut root = Node::default();
    let single = p.inputs.len() == 1;
    for input in &p.inputs {
        for &slot in &input.fields {
            let s = &p.slots[slot as usize];
            let mut path: Vec<&str> = Vec::new();
            if !single {
                path.push(&input.name);
            }
            path.extend(s.path.iter().map(String::as_str));
            root.insert(&path, type_schema(p, &s.ty), !matches!(s.ty, Type::Opt(_)));
        }
    }
    let mut schema = root.schema();
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    schema
}

#[derive(Default)]
struct Node {
    leaf: Option<Json>,
    children: Vec<(String, Node, bool)>,
}

impl Node {
    fn insert(&mut self, path: &[&str], leaf: Json, required: bool) {
        let Some((first, rest)) = path.split_first() else {
            self.leaf = Some(leaf);
            return;
        };
        let at = match self.children.iter().position(|(n, _, _)| n == first) {
            Some(i) => i,
            None => {
                self.children.push((first.to_string(), Node::default(), false));
                self.children.len() - 1
            }
        };
        let child = &mut self.children[at];
        child.2 |= required;
        child.1.insert(rest, leaf, required);
    }

    fn schema(&self) -> Json {
        if let Some(leaf) = &self.leaf {
            return leaf.clone();
        }
        let properties: serde_json::Map<String, Json> =
            self.children.iter().map(|(n, c, _)| (n.clone(), c.schema())).collect();
        let required: Vec<&str> = self.children.iter().filter(|c| c.2).map(|c| c.0.as_str()).collect();
        json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
    }
}

fn type_schema(p: &Policy, ty: &Type) -> Json {
    match ty {
        Type::Bool => json!({ "type": "boolean" }),
        Type::Int => json!({ "type": "integer" }),
        // Decimals are read from their digits: a number or a text of digits.
        Type::Decimal => json!({ "type": ["number", "string"] }),
        Type::Text => json!({ "type": "string" }),
        Type::Date => json!({ "type": "string", "format": "date" }),
        Type::Enum(e) => {
            let names: Vec<&str> = p.enums[*e as usize].variants.iter().map(|v| v.name.as_str()).collect();
            json!({ "type": "string", "enum": names })
        }
        Type::Row(l) => {
            json!({ "type": "string", "description": format!("a key of the list `{}`", p.lists[*l as usize].name) })
        }
        Type::Set(inner) => json!({ "type": "array", "items": type_schema(p, inner), "uniqueItems": true }),
        Type::Opt(inner) => {
            let mut s = type_schema(p, inner);
            if let Some(t) = s.get("type").cloned() {
                let mut types = match t {
                    Json::Array(a) => a,
                    other => vec![other],
                };
                types.push(json!("null"));
                s["type"] = Json::Array(types);
            }
            s
        }
    }
}
