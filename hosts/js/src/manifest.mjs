// manifest.mjs — the manifest's shape: a module's `qingdan` section is believed only once it
// is of the shape engine/src/wasm/manifest.rs writes, every index within its table.

const SCALARS = new Set(["Bool", "Int", "Decimal", "Text", "Date"]);

/** Why the manifest is not of the shape `manifest.rs` writes (null when it is). */
export function checkManifest(mf) {
  const u32 = (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
  const str = (x) => typeof x === "string";
  const arr = Array.isArray;
  const optStr = (x) => x === null || x === undefined || str(x);
  const need = (ok, what) => {
    if (!ok) throw new Error(what);
  };
  try {
    for (const k of ["policy", "lang", "hash"]) need(str(mf[k]), `\`${k}\``);
    const L = mf.layout;
    need(L && typeof L === "object", "`layout`");
    for (const k of [
      "result", "slots", "let_values", "let_flags", "speakers", "scratch", "outcomes", "outcome_stride",
      "fired", "overridden", "conflicts", "ranks", "statics", "arena", "arena_size", "heap", "pages",
    ]) need(u32(L[k]), `\`layout.${k}\``);
    for (const k of ["inputs", "slots", "enums", "lists", "sources", "lets", "rules", "decisions", "checks", "sites"]) {
      need(arr(mf[k]), `\`${k}\``);
    }
    const nEnums = mf.enums.length;
    const nLists = mf.lists.length;
    const type = (t, where) => {
      if (str(t)) return need(SCALARS.has(t), where);
      need(t && typeof t === "object" && Object.keys(t).length === 1, where);
      const [k, v] = Object.entries(t)[0];
      if (k === "Enum") return need(u32(v) && v < nEnums, where);
      if (k === "Row") return need(u32(v) && v < nLists, where);
      need(k === "Set" || k === "Opt", where);
      type(v, where);
    };
    mf.enums.forEach((e, i) => {
      need(e && str(e.name) && arr(e.variants), `\`enums[${i}]\``);
      e.variants.forEach((v, j) => {
        need(v && str(v.name) && arr(v.fields), `\`enums[${i}].variants[${j}]\``);
        v.fields.forEach((f) => need(arr(f) && f.length === 2 && str(f[0]), `\`enums[${i}].variants[${j}]\``));
        v.fields.forEach((f) => type(f[1], `\`enums[${i}].variants[${j}]\``));
      });
    });
    mf.lists.forEach((l, i) => {
      const w = `\`lists[${i}]\``;
      need(l && str(l.name) && arr(l.fields) && u32(l.key) && l.key < l.fields.length && u32(l.rows), w);
      l.fields.forEach((f) => need(arr(f) && f.length === 2 && str(f[0]), w));
      l.fields.forEach((f) => type(f[1], w));
      need(arr(l.columns), w);
      l.columns.forEach((c) => {
        need(c && u32(c.field) && c.field < l.fields.length && u32(c.at), w);
        need([1, 2, 4, 8].includes(c.width), w);
      });
    });
    mf.inputs.forEach((inp, i) => {
      need(inp && str(inp.name) && arr(inp.fields), `\`inputs[${i}]\``);
      inp.fields.forEach((s) => need(u32(s) && s < mf.slots.length, `\`inputs[${i}]\``));
    });
    mf.slots.forEach((s, i) => {
      const w = `\`slots[${i}]\``;
      need(s && u32(s.input) && s.input < mf.inputs.length && arr(s.path) && s.path.length > 0, w);
      s.path.forEach((p) => need(str(p), w));
      type(s.ty, w);
    });
    mf.sources.forEach((s, i) => {
      need(s && str(s.name) && str(s.title) && arr(s.clauses), `\`sources[${i}]\``);
      s.clauses.forEach((c) => need(arr(c) && c.length === 2 && str(c[0]) && str(c[1]), `\`sources[${i}]\``));
    });
    mf.lets.forEach((l, i) => {
      need(l && str(l.name), `\`lets[${i}]\``);
      type(l.ty, `\`lets[${i}]\``);
    });
    const cites = (cs, w) => {
      need(arr(cs), w);
      cs.forEach((c) => {
        need(arr(c) && c.length === 2 && u32(c[0]) && c[0] < mf.sources.length, w);
        need(u32(c[1]) && c[1] < mf.sources[c[0]].clauses.length, w);
      });
    };
    mf.decisions.forEach((d, i) => {
      const w = `\`decisions[${i}]\``;
      need(d && str(d.name) && u32(d.outcome_enum) && d.outcome_enum < nEnums && str(d.combining), w);
      need(["priority", "first", "collect", "unique"].includes(d.combining), w);
      need(arr(d.ranks) && d.ranks.every(u32) && arr(d.rules), w);
      need(d.rules.every((r) => u32(r) && r < mf.rules.length), w);
      const n = mf.enums[d.outcome_enum].variants.length;
      need(d.default === null || d.default === undefined || (u32(d.default) && d.default < n), w);
      need(optStr(d.default_reason), w);
      cites(d.default_cites ?? [], w);
    });
    mf.rules.forEach((r, i) => {
      const w = `\`rules[${i}]\``;
      need(r && str(r.name) && u32(r.decision) && r.decision < mf.decisions.length, w);
      need(r.exception_to === null || r.exception_to === undefined || (u32(r.exception_to) && r.exception_to < mf.rules.length), w);
      const n = mf.enums[mf.decisions[r.decision].outcome_enum].variants.length;
      need(r.outcome === null || r.outcome === undefined || (u32(r.outcome) && r.outcome < n), w);
      need(optStr(r.reason), w);
      cites(r.cites, w);
      need(arr(r.reads), w);
      r.reads.forEach((x) => {
        need(x && typeof x === "object", w);
        if ("Slot" in x) need(u32(x.Slot) && x.Slot < mf.slots.length, w);
        else need(u32(x.Let) && x.Let < mf.lets.length, w);
      });
    });
    mf.checks.forEach((c, i) => {
      const w = `\`checks[${i}]\``;
      need(c && str(c.name) && str(c.modality) && optStr(c.reason) && typeof c.reads_case === "boolean", w);
      if (c.over !== null && c.over !== undefined) type(c.over, w);
      cites(c.cites, w);
    });
    mf.sites.forEach((s, i) => need(arr(s) && s.length === 3 && s.every(u32), `\`sites[${i}]\``));
  } catch (e) {
    return `${e.message} is missing or not as \`qingdan build\` writes it`;
  }
  return null;
}
