"""One case as a line of the result model (docs/result.schema.json, version 1): byte for byte
the line `qingdan eval --format json [--explain]` writes, the Rust host (engine/src/result)
and the JavaScript host (hosts/js/src/resultmodel.mjs) give. The policy's names, reasons and
clauses are escaped once per policy (`ModelTexts`); values are typed as they are written."""

import json

from ._errors import QingdanError
from ._values import civil_date, format_decimal, kind_of

MODEL_VERSION = 1


def q(s):
    """A JSON string as serde_json and JSON.stringify write it (UTF-8 kept, controls escaped)."""
    return json.dumps(s, ensure_ascii=False)


def q_or_null(s):
    return "null" if s is None else q(s)


def _cites(mf, cites, explain):
    items = []
    for s, c in cites or []:
        source = mf["sources"][s]
        clause, text = source["clauses"][c][0], source["clauses"][c][1]
        items.append(f'{{"source":{q(source["name"])},"clause":{q(clause)}' + (f',"text":{q(text)}' if explain else "") + "}")
    return f"[{','.join(items)}]"


class ModelTexts:
    """The policy's texts, escaped once (as `ResultWriter::new`)."""

    def __init__(self, mf, explain):
        self.explain = explain
        exceptions = [[] for _ in mf["rules"]]
        for r, rule in enumerate(mf["rules"]):
            if rule.get("exception_to") is not None:
                exceptions[rule["exception_to"]].append(r)
        self.rules = []
        for r, rule in enumerate(mf["rules"]):
            variants = mf["enums"][mf["decisions"][rule["decision"]]["outcome_enum"]]["variants"]
            outcome = variants[rule["outcome"]]["name"] if rule.get("outcome") is not None else None
            name = q(rule["name"])
            reason = q_or_null(rule.get("reason"))
            cites = _cites(mf, rule.get("cites"), explain)
            to = mf["rules"][rule["exception_to"]]["name"] if rule.get("exception_to") is not None else None
            version = f',"version":{_days(rule["version"])}' if explain and rule.get("version") else ""
            self.rules.append({
                "name": name,
                "head": f'{{"rule":{name},"exception_to":{q_or_null(to)},"outcome":{q_or_null(outcome)},"reason":{reason},"cites":{cites}{version}',
                "outcome_tail": f'}},"reason":{reason},"rule":{name},"cites":{cites}}}',
                "exceptions": exceptions[r],
            })
        self.decisions = [
            {
                "key": f"{q(d['name'])}:",
                "default_tail": f'}},"reason":{q_or_null(d.get("default_reason"))},"rule":null,"cites":{_cites(mf, d.get("default_cites"), explain)}}}',
            }
            for d in mf["decisions"]
        ]
        self.variants = [
            [{"head": f'{{"outcome":{q(v["name"])},"values":{{', "keys": [f"{q(f[0])}:" for f in v["fields"]]} for v in e["variants"]]
            for e in mf["enums"]
        ]
        self.checks = []
        for c in mf["checks"]:
            over = c.get("over")
            self.checks.append({
                "head": f'{{"check":{q(c["name"])},"reason":{q_or_null(c.get("reason"))},"cites":{_cites(mf, c.get("cites"), explain)},"rows":[',
                "elem": over["Set"] if over and kind_of(over) == "Set" else None,
            })
        self.slot_names = [f'"name":{q(mf["inputs"][s["input"]]["name"] + "." + ".".join(s["path"]))}' for s in mf["slots"]]
        self.let_names = [f'"name":{q(l["name"])}' for l in mf["lets"]]


def value_json(host, v, ty):
    """A raw value of type `ty` in the model's typing (engine/src/result/json.rs `push_value`)."""
    if v is None:
        return "null"
    k = kind_of(ty)
    if k == "Opt":
        return value_json(host, v, ty["Opt"])
    if k == "Bool":
        return "true" if v else "false"
    if k == "Int":
        return str(v)
    if k == "Decimal":
        return f'"{format_decimal(v)}"'
    if k == "Date":
        return f'"{civil_date(v)}"'
    if k == "Text":
        return q(v)
    if k == "Set":
        return f"[{','.join(value_json(host, x, ty['Set']) for x in v)}]"
    # Enum values by variant name, rows by key: as the engine shows them.
    return q(host._show(v, ty))


def _days(v):
    """The days of a version or a dated row: `{"from":"YYYY-MM-DD","until":null}`."""
    return f'{{"from":{q_or_null(v.get("from"))},"until":{q_or_null(v.get("until"))}}}'


def _version_on(versions, day):
    """The version of a let in force on `day` (days since the epoch, or None): the only one
    when the module was made at a fixed day, else the one whose days hold it (`Let::version_on`)."""
    if not versions:
        return None
    if len(versions) == 1:
        return versions[0]
    if day is None:
        return None
    iso = civil_date(day)
    # ISO dates compare as text.
    return next(
        (v for v in versions if (v.get("from") is None or v["from"] <= iso) and (v.get("until") is None or iso <= v["until"])),
        None,
    )


def _row_days(host, v, ty):
    """For a row of a list with dated rows, its days (`Policy::row_days`); None otherwise."""
    if v is None:
        return None
    if kind_of(ty) == "Opt":
        ty = ty["Opt"]
    if kind_of(ty) != "Row":
        return None
    dates = host._row_dates()
    rows = dates[ty["Row"]] if ty["Row"] < len(dates) else []
    if not isinstance(v, int) or not 0 <= v < len(rows):
        return None
    first, last = (civil_date(d) if isinstance(d, int) else None for d in rows[v])
    return None if first is None and last is None else {"from": first, "until": last}


def _rows_in_force(host, fields, values):
    """`,"in_force":{"field":{…},…}` for an outcome's fields that name a dated row; "" if none."""
    items = []
    for (name, ty), v in zip(fields, values):
        days = _row_days(host, v, ty)
        if days:
            items.append(f"{q(name)}:{_days(days)}")
    return ',"in_force":{' + ",".join(items) + "}" if items else ""


def _error_line(head, e):
    # An evaluation error names its decision when no rule applies; a case error its field.
    path = e.decision if e.kind == "no_rule_applies" else e.path
    return f'{head}"error":{{"code":"{e.code}","message":{{"zh":{q(e.zh)},"en":{q(e.en)}}},"path":{q_or_null(path or None)}}}}}\n'


def result_json(host, texts, case, n=1, name=None, decision=None):
    """Case number `n` (a dict, as a case file's `given`) decided by `host` (a Policy), as one
    line of the result model ending in a newline. `decision` names one decision (then no
    checks run); a case that cannot be read or decided gives its `error` object."""
    mf = host.manifest
    head = f'{{"model":{MODEL_VERSION},"case":{n},' + (f'"name":{q(name)},' if name is not None else "")
    decisions = list(range(len(mf["decisions"])))
    checks = [c for c, check in enumerate(mf["checks"]) if check.get("reads_case")]
    if decision is not None:
        decisions = [host._decision_index(decision)]
        checks = []
    try:
        values = host._reader.read(case, host.lang)
        host._place_values(values)
        return head + _decided(host, texts, values, decisions, checks)
    except QingdanError as e:
        return _error_line(head, e)


def _decided(host, texts, values, decisions, checks):
    mf = host.manifest
    lets = {}
    parts = [texts.decisions[d]["key"] + _decision(host, texts, host._decide_raw(d), values, lets) for d in decisions]
    out = '"decisions":{' + ",".join(parts) + "}"
    hits = []
    for c in checks:
        got = host._check_raw(c)
        if got:
            hits.append((c, got, mf["checks"][c].get("modality") == "may"))
    for key, may in ((',"violations":[', False), (',"permissions":[', True)):
        out += key + ",".join(_check_hit(host, texts, c, got) for c, got, m in hits if m == may) + "]"
    return out + "}\n"


def _decision(host, texts, r, values, lets):
    mf = host.manifest
    enum_id = mf["decisions"][r["decision"]]["outcome_enum"]
    variants = mf["enums"][enum_id]["variants"]
    outcomes = []
    for o in r["outcomes"]:
        text = texts.variants[enum_id][o["variant"]]
        fields = [text["keys"][j] + value_json(host, o["fields"][j], f[1]) for j, f in enumerate(variants[o["variant"]]["fields"])]
        tail = texts.rules[o["rule"]]["outcome_tail"] if o["rule"] is not None else texts.decisions[r["decision"]]["default_tail"]
        if texts.explain:
            # The tail closes the outcome; a dated row's days go last, before that brace.
            tail = tail[:-1] + _rows_in_force(host, variants[o["variant"]]["fields"], o["fields"]) + "}"
        outcomes.append(text["head"] + ",".join(fields) + tail)
    held = set(r["fired"]) | set(r["overridden"])

    def rule(rid, overridden):
        t = texts.rules[rid]
        s = t["head"]
        if texts.explain:
            s += _reads(host, texts, mf["rules"][rid]["reads"], values, lets)
        if overridden:
            s += ',"by":[' + ",".join(texts.rules[e]["name"] for e in t["exceptions"] if e in held) + "]"
        return s + "}"

    conflicts = ["[" + ",".join(texts.rules[x]["name"] for x in c) + "]" for c in r["conflicts"]]
    return (
        f'{{"outcomes":[{",".join(outcomes)}],"fired":[{",".join(rule(x, False) for x in r["fired"])}],'
        f'"overridden":[{",".join(rule(x, True) for x in r["overridden"])}],"by_default":{"true" if r["by_default"] else "false"},'
        f'"conflicts":[{",".join(conflicts)}]}}'
    )


def _reads(host, texts, reads, values, lets):
    mf = host.manifest
    date_slot = mf.get("decision_date")
    day = values[date_slot] if date_slot is not None else None

    def in_force(v, ty):
        days = _row_days(host, v, ty)
        return f',"in_force":{_days(days)}' if days else ""

    items = []
    for x in reads:
        if "Slot" in x:
            s = x["Slot"]
            v, ty = values[s], mf["slots"][s]["ty"]
            items.append(f'{{{texts.slot_names[s]},"value":{value_json(host, v, ty)}{in_force(v, ty)}}}')
            continue
        l = x["Let"]
        if l not in lets:
            lets[l] = host._let_raw(l)
        d = mf["lets"][l]
        version = _version_on(d.get("versions"), day if isinstance(day, int) else None)
        named = f',"version":{_days(version)}' if version else ""
        items.append(f'{{{texts.let_names[l]},"value":{value_json(host, lets[l], d["ty"])}{named}{in_force(lets[l], d["ty"])}}}')
    return ',"read":[' + ",".join(items) + "]"


def _check_hit(host, texts, c, hits):
    t = texts.checks[c]
    rows = [] if t["elem"] is None else [value_json(host, h, t["elem"]) for h in hits if h is not None]
    return t["head"] + ",".join(rows) + "]}"
