//! The manifest a module carries in its `qingdan` custom section (JSON): the policy's
//! interface and names — inputs and their slots, enums, lists, sources with clause
//! texts, lets, rules, decisions, checks — the memory layout, and the spans of the
//! places evaluation can fail. A host needs nothing else to place a case, call the
//! module and tell the result with names and citations.

use serde::{Deserialize, Serialize};

use crate::abi::Layout;
use crate::value::Type;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub abi: u32,
    pub policy: String,
    /// `zh` or `en`: the language of the policy's keywords, for labels shown to people.
    pub lang: String,
    /// SHA-256 of the policy's source files, hex.
    pub hash: String,
    pub layout: Layout,
    pub inputs: Vec<Input>,
    pub slots: Vec<Slot>,
    pub enums: Vec<Enum>,
    pub lists: Vec<List>,
    pub sources: Vec<Source>,
    pub lets: Vec<Named>,
    pub rules: Vec<Rule>,
    pub decisions: Vec<Decision>,
    pub checks: Vec<Check>,
    /// `[file, start, end]` byte spans of the expressions that can fail, by site number.
    pub sites: Vec<[u32; 3]>,
    /// The slot of the case's decision date (`以 … 为准`), for a host that decides as of
    /// another day; absent from the manifests of policies without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub name: String,
    pub fields: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub input: u32,
    pub path: Vec<String>,
    pub ty: Type,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    pub name: String,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub name: String,
    pub fields: Vec<(String, Type)>,
}

/// A list's shape; its rows are in the module's memory, a column at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct List {
    pub name: String,
    pub fields: Vec<(String, Type)>,
    pub key: usize,
    pub rows: u32,
    /// The fields the module holds (those the policy reads, and the key), each a
    /// column of `rows` entries of `width` bytes at `at`.
    pub columns: Vec<Column>,
    /// For a list with dated rows: its first-day and last-day fields, which the module
    /// holds, so that explanations name a row with its days. Absent otherwise (and in
    /// modules made before it), so an undated policy's manifest is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<(usize, usize)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub field: usize,
    pub at: u32,
    /// 1, 2, 4 or 8 bytes, little-endian two's complement; the smallest value of a
    /// narrow width means absent.
    pub width: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub title: String,
    /// `(id, text)` of each clause.
    pub clauses: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub name: String,
    pub ty: Type,
    /// A let's versions, for explanations (absent for a let without versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<Version>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub decision: u32,
    pub exception_to: Option<u32>,
    /// The variant its `then` gives (none for an exception that only cancels).
    pub outcome: Option<u32>,
    pub reason: Option<String>,
    /// `(source, clause)` indices.
    pub cites: Vec<(u32, u32)>,
    /// The input fields and lets it reads directly, for explanations.
    pub reads: Vec<TraceRead>,
    /// For a version of a rule, its days (left out otherwise, so manifests of policies
    /// without versions are as they were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub name: String,
    pub outcome_enum: u32,
    /// `priority`, `first`, `collect` or `unique`.
    pub combining: String,
    /// For `priority`: the rank of each variant, 0 the most severe.
    pub ranks: Vec<u32>,
    /// `priority … merge`: set fields of the winning outcome are unions.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub merge: bool,
    pub default: Option<u32>,
    pub default_reason: Option<String>,
    /// `(source, clause)` indices the default cites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_cites: Vec<(u32, u32)>,
    pub rules: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    /// `must`, `may` or `must not`.
    pub modality: String,
    /// The type of the collection it ranges over, if it has `for`.
    pub over: Option<Type>,
    pub reason: Option<String>,
    pub cites: Vec<(u32, u32)>,
    /// Whether it reads the case (else it is about the lists alone).
    pub reads_case: bool,
}

/// An input field or let that a rule reads directly, shown in its trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TraceRead {
    Slot(u32),
    Let(u32),
}

/// The days a version of a rule or let is in force, both ends inclusive (`None`: open).
/// Dates as `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub from: Option<String>,
    pub until: Option<String>,
}

impl Manifest {
    /// The manifest of a module (its `qingdan` custom section), read but not yet checked
    /// for consistency ([`crate::Module::load`] does both).
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}
