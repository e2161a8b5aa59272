"""A loaded policy: one wasmtime instance, the calling sequence of docs/wasm-abi.md (place a
case, `begin`, `decide(d)`, `check(c)`), results read back from memory as typed dataclasses
(instance.mjs, typed.mjs). Each call runs on a fuel budget: an endless module stops with E0504."""

import dataclasses
import datetime
import decimal
import struct

import wasmtime

from ._errors import QingdanError, malformed
from ._module import ABI_VERSION, read_module
from ._reader import CaseReader
from ._resultmodel import ModelTexts, result_json
from ._values import ABSENT, EPOCH, civil_date, format_decimal, kind_of, strip

RESULT = dict(STATUS=0, ERROR_KIND=4, ERROR_SITE=8, BY_DEFAULT=12, N_OUTCOMES=16, N_FIRED=20, N_OVERRIDDEN=24,
              N_CONFLICTS=28, N_HITS=32, HITS=36, VALUE=40, BAD_SLOT=48)
OK, FAILED, BAD_INDEX, BAD_INPUT, NOT_READY = range(5)
DIVISION_BY_ZERO, OVERFLOW, NO_RULE_APPLIES, OUT_OF_MEMORY = 1, 2, 3, 4
DEFAULT_FUEL = 100_000_000


def _json_value(v):
    if isinstance(v, decimal.Decimal):
        return format(v.normalize(), "f") if v != v.to_integral_value() else str(int(v))
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, list):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items()}
    return v


@dataclasses.dataclass
class Outcome:
    outcome: str
    values: dict
    reason: str | None
    rule: str | None


@dataclasses.dataclass
class DecisionResult:
    """One decision's result; values typed (decimal.Decimal, datetime.date, lists for sets)."""

    decision: str
    outcome: str | None
    outcomes: list
    fired: list
    overridden: list
    by_default: bool
    conflicts: list

    def to_json(self):
        """This decision's result as plain JSON values: decimals as exact strings, dates as
        "YYYY-MM-DD". The result model's line itself (docs/result.md) is `Policy.decide_json`."""
        body = dataclasses.asdict(self)
        for o in body["outcomes"]:
            o["values"] = _json_value(o["values"])
        del body["decision"]
        return body


@dataclasses.dataclass
class CheckHit:
    check: str
    reason: str | None
    cites: list
    rows: list

    def to_json(self):
        return {"check": self.check, "reason": self.reason, "cites": self.cites, "rows": _json_value(self.rows)}


@dataclasses.dataclass
class CheckResult:
    violations: list
    permissions: list

    def to_json(self):
        return {"violations": [h.to_json() for h in self.violations], "permissions": [h.to_json() for h in self.permissions]}


class Policy:
    """A module built by `qingdan build`, loaded into wasmtime; not for concurrent use."""

    @classmethod
    def load(cls, path, lang=None, fuel=DEFAULT_FUEL):
        with open(path, "rb") as f:
            return cls.from_bytes(f.read(), lang=lang, fuel=fuel)

    @classmethod
    def from_bytes(cls, data, lang=None, fuel=DEFAULT_FUEL):
        msg_lang = lang if lang in ("zh", "en") else "en"
        manifest = read_module(bytes(data), msg_lang)
        if lang not in ("zh", "en"):
            lang = "zh" if manifest.get("lang") == "zh" else "en"
        return cls(bytes(data), manifest, lang, fuel)

    def __init__(self, data, manifest, lang, fuel):
        self.manifest = manifest
        self.lang = lang
        self.fuel = fuel
        self.name = manifest["policy"]
        self.decisions = [d["name"] for d in manifest["decisions"]]
        self.checks = [c["name"] for c in manifest["checks"]]
        config = wasmtime.Config()
        config.consume_fuel = True
        self._engine = wasmtime.Engine(config)
        try:
            self._module = wasmtime.Module(self._engine, data)
        except wasmtime.WasmtimeError as e:
            raise malformed(str(e).splitlines()[0], lang) from None
        self._reset()
        self.keys = [self._list_keys(lst) for lst in manifest["lists"]]
        self._reader = CaseReader(manifest, self.keys)
        self._model_texts = {}

    # ------------------------------------------------------------ the instance

    def _reset(self):
        self._store = wasmtime.Store(self._engine)
        self._store.set_fuel(self.fuel)
        try:
            instance = wasmtime.Instance(self._store, self._module, [])
        except (wasmtime.WasmtimeError, wasmtime.Trap) as e:
            raise self._stopped(e) from None
        ex = instance.exports(self._store)
        try:
            abi = ex["abi_version"].value(self._store)
        except (KeyError, AttributeError):
            abi = -1
        if abi != ABI_VERSION:
            raise QingdanError("E0502", f"模块的接口版本为 {abi}", f"the module speaks ABI version {abi}, this host speaks {ABI_VERSION}", "", self.lang)
        try:
            self._memory = ex["memory"]
            self._funcs = {n: ex[n] for n in ("begin", "decide", "check", "read_let")}
        except KeyError as e:
            raise malformed(f"export `{e.args[0]}` is missing", self.lang) from None
        self._placed = False

    def _stopped(self, e):
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        return QingdanError("E0504", f"模块执行中止：{why}", f"the module stopped: {why}", "", self.lang)

    def _call(self, name, *args):
        self._store.set_fuel(self.fuel)
        try:
            return self._funcs[name](self._store, *args)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            # Memory may be half-written: a fresh instance for the next call.
            error = self._stopped(e)
            self._reset()
            raise error from None

    def _read(self, at, n):
        size = self._memory.data_len(self._store)
        if at < 0 or at + n > size:
            raise malformed("result out of memory", self.lang)
        return self._memory.read(self._store, at, at + n)

    def _i32(self, at):
        return struct.unpack("<i", self._read(at, 4))[0]

    def _i64(self, at):
        return struct.unpack("<q", self._read(at, 8))[0]

    def _field(self, name):
        return self._i32(self.manifest["layout"]["result"] + RESULT[name])

    # ------------------------------------------------------------ values

    def _decode(self, w, ty):
        """A word from memory as a raw value (ints; days; indices; str; lists)."""
        if w == ABSENT:
            return None
        k = kind_of(ty)
        if k == "Opt":
            return self._decode(w, ty["Opt"])
        if k == "Bool":
            return w == 1
        if k in ("Int", "Decimal", "Date", "Enum", "Row"):
            return w
        p, n = (w >> 32) & 0xFFFFFFFF, w & 0xFFFFFFFF
        if k == "Text":
            try:
                return self._read(p, n).decode("utf-8")
            except UnicodeDecodeError:
                raise malformed("a text result is not UTF-8", self.lang) from None
        words = struct.unpack(f"<{n}q", self._read(p, 8 * n))
        return [self._decode(x, ty["Set"]) for x in words]

    def _typed(self, v, ty):
        """A raw value as the typed result model: Decimal, date, names, keys, lists."""
        if v is None:
            return None
        k = kind_of(ty)
        if k == "Opt":
            return self._typed(v, ty["Opt"])
        if k == "Decimal":
            return decimal.Decimal(format_decimal(v))
        if k == "Date":
            try:
                return EPOCH + datetime.timedelta(days=v)
            except OverflowError:
                return civil_date(v)  # year 0000: beyond datetime.date, kept as its ISO text
        if k == "Enum":
            return self.manifest["enums"][ty["Enum"]]["variants"][v]["name"]
        if k == "Row":
            key = self.keys[ty["Row"]][v]
            return None if key is None else str(key)
        if k == "Set":
            return [self._typed(x, ty["Set"]) for x in v]
        return v

    def _list_keys(self, lst):
        return self._list_column(lst, lst["key"])

    def _row_dates(self):
        """For each list with dated rows (`dates` in the manifest), each row's first and last
        day (days since the epoch; None: open), read once from the module's data as the keys
        are; an empty list for other lists. Explanations name a dated row with its days."""
        if getattr(self, "_dates", None) is None:
            self._dates = []
            for lst in self.manifest["lists"]:
                dates = lst.get("dates")
                if not isinstance(dates, list) or len(dates) != 2:
                    self._dates.append([])
                    continue
                first, last = (self._list_column(lst, f) for f in dates)
                self._dates.append([(d, last[r] if r < len(last) else None) for r, d in enumerate(first)])
        return self._dates

    def _list_column(self, lst, field):
        """The values of field `field` of each row of a list, from its column (none: not kept)."""
        col = next((c for c in lst["columns"] if c["field"] == field), None)
        if col is None:
            return []
        fmt = {1: "<b", 2: "<h", 4: "<i", 8: "<q"}[col["width"]]
        narrow_absent = {1: -128, 2: -32768, 4: -(2**31), 8: ABSENT}[col["width"]]
        raw = self._read(col["at"], lst["rows"] * col["width"])
        keys = []
        for r in range(lst["rows"]):
            (w,) = struct.unpack_from(fmt, raw, r * col["width"])
            keys.append(self._decode(ABSENT if w == narrow_absent else w, lst["fields"][field][1]))
        return keys

    # ------------------------------------------------------------ placing a case

    def _place(self, case):
        self._place_values(self._reader.read(case, self.lang))

    def _place_values(self, values):
        """Writes slot values (`CaseReader.read`) into memory and has the module accept them."""
        mf = self.manifest
        layout = mf["layout"]
        arena = bytearray()
        size = layout["arena_size"]

        def put(data):
            arena.extend(b"\0" * ((8 - len(arena) % 8) % 8))
            at = len(arena)
            if at + len(data) > size:
                raise QingdanError(
                    "E0503",
                    f"案例中的文本和集合共需超过 {size} 字节，超出模块的输入区",
                    f"the case's texts and sets need more than the module's {size}-byte input arena",
                    "",
                    self.lang,
                )
            arena.extend(data)
            return layout["arena"] + at

        def word(v, ty):
            if v is None:
                return ABSENT
            t = strip(ty)
            k = kind_of(t)
            if k == "Bool":
                return 1 if v else 0
            if k in ("Int", "Decimal", "Date", "Enum", "Row"):
                return v
            if k == "Text":
                data = v.encode("utf-8")
                return _pack(put(data), len(data))
            words = [word(x, t["Set"]) for x in v]
            return _pack(put(struct.pack(f"<{len(words)}q", *words)), len(words))

        words = [word(v, mf["slots"][s]["ty"]) for s, v in enumerate(values)]
        self._placed = False
        self._memory.write(self._store, struct.pack(f"<{len(words)}q", *words), layout["slots"])
        self._memory.write(self._store, bytes(arena), layout["arena"])
        status = self._call("begin")
        if status == BAD_INPUT:
            slot = self._field("BAD_SLOT")
            path = self._reader.slot_paths[slot] if 0 <= slot < len(self._reader.slot_paths) else f"#{slot}"
            raise QingdanError(
                "E0505",
                f"案例不符合模块的输入布局：字段 `{path}` 不符合模块的输入布局",
                f"the case does not fit the module: field `{path}` does not fit the module's input layout",
                "",
                self.lang,
            )
        if status != OK:
            raise malformed(f"`begin` answered status {status}", self.lang)
        self._placed = True

    def _failure(self, status):
        if status == OK:
            return
        if status != FAILED:
            raise malformed(f"status {status}", self.lang)
        kind = self._field("ERROR_KIND")
        site = self._field("ERROR_SITE")
        if kind == DIVISION_BY_ZERO:
            error = QingdanError("E0601", "除数为零", "division by zero", "", self.lang)
            error.kind = "division_by_zero"
        elif kind == OVERFLOW:
            error = QingdanError("E0602", "数值超出范围", "number out of range", "", self.lang)
            error.kind = "overflow"
        elif kind == NO_RULE_APPLIES:
            name = self.decisions[site]
            error = QingdanError(
                "E0603",
                f"决定 `{name}` 声明为完备，却没有规则适用",
                f"decision `{name}` is declared total but no rule applies",
                "",
                self.lang,
            )
            error.kind = "no_rule_applies"
            error.decision = name
        elif kind == OUT_OF_MEMORY:
            error = QingdanError("E0504", "模块内存不足", "the module ran out of memory", "", self.lang)
        else:
            raise malformed(f"unknown error kind {kind}", self.lang)
        raise error

    # ------------------------------------------------------------ the API

    def _decision_index(self, name):
        if name not in self.decisions:
            raise QingdanError("E0902", f"没有名为 `{name}` 的决定", f"no decision `{name}` (decisions: {', '.join(self.decisions)})", "", self.lang)
        return self.decisions.index(name)

    def decide(self, case, decision=None):
        """Every decision as {name: DecisionResult}, or only `decision` (a name) as its result."""
        if decision is not None:
            self._decision_index(decision)
        self._place(case)
        names = self.decisions if decision is None else [decision]
        out = {name: self._decide(self.decisions.index(name)) for name in names}
        return out if decision is None else out[decision]

    def decide_json(self, case, n=1, name=None, decision=None, explain=False):
        """One case as a line of the result model (docs/result.schema.json), byte for byte the
        line `qingdan eval --format json [--explain]` writes for it, ending in a newline: `n` the
        case's number, `name` its name, `decision` one decision by name (then no checks run),
        `explain` the values each rule read and the clauses' text. A case that cannot be read or
        decided gives the line with its `error` object (code, both messages, path); an unknown
        `decision` raises QingdanError E0902."""
        texts = self._model_texts.get(explain)
        if texts is None:
            texts = self._model_texts[explain] = ModelTexts(self.manifest, explain)
        return result_json(self, texts, case, n=n, name=name, decision=decision)

    def _decide_raw(self, d):
        """Decision `d` (an index) for the case placed last, raw: outcomes with variant, rule
        (None for the default) and field values; fired, overridden, conflicts as rule indices."""
        self._failure(self._call("decide", d))
        layout = self.manifest["layout"]
        variants = self.manifest["enums"][self.manifest["decisions"][d]["outcome_enum"]]["variants"]
        outcomes = []
        for i in range(max(self._field("N_OUTCOMES"), 0)):
            at = layout["outcomes"] + i * layout["outcome_stride"]
            variant = self._i32(at)
            rule = self._i32(at + 4)
            fields = [self._decode(self._i64(at + 8 + 8 * k), ty) for k, (_, ty) in enumerate(variants[variant]["fields"])]
            outcomes.append({"variant": variant, "rule": rule if rule >= 0 else None, "fields": fields})

        def ids(base, n):
            return [self._i32(base + 4 * i) for i in range(n)]

        conflicts = []
        at = layout["conflicts"]
        for _ in range(max(self._field("N_CONFLICTS"), 0)):
            n = max(self._i32(at + 8), 0)
            conflicts.append(ids(at + 12, n))
            at += 12 + 4 * n
        return {
            "decision": d,
            "outcomes": outcomes,
            "fired": ids(layout["fired"], max(self._field("N_FIRED"), 0)),
            "overridden": ids(layout["overridden"], max(self._field("N_OVERRIDDEN"), 0)),
            "conflicts": conflicts,
            "by_default": self._field("BY_DEFAULT") == 1,
        }

    def _decide(self, d):
        raw = self._decide_raw(d)
        mf = self.manifest
        dec = mf["decisions"][d]
        variants = mf["enums"][dec["outcome_enum"]]["variants"]
        rules = mf["rules"]
        outcomes = []
        for o in raw["outcomes"]:
            variant = variants[o["variant"]]
            values = {name: self._typed(v, ty) for (name, ty), v in zip(variant["fields"], o["fields"])}
            rule = o["rule"]
            reason = rules[rule].get("reason") if rule is not None else dec.get("default_reason")
            outcomes.append(Outcome(variant["name"], values, reason, rules[rule]["name"] if rule is not None else None))
        names = lambda xs: [rules[r]["name"] for r in xs]  # noqa: E731
        return DecisionResult(
            decision=dec["name"],
            outcome=outcomes[0].outcome if outcomes else None,
            outcomes=outcomes,
            fired=names(raw["fired"]),
            overridden=names(raw["overridden"]),
            by_default=raw["by_default"],
            conflicts=[names(c) for c in raw["conflicts"]],
        )

    def _check_raw(self, c):
        """Check `c` for the case placed last: its hits (element values, None for the case)."""
        self._failure(self._call("check", c))
        over = self.manifest["checks"][c].get("over")
        elem = over["Set"] if isinstance(over, dict) and kind_of(over) == "Set" else "Bool"
        at = self._field("HITS") & 0xFFFFFFFF
        words = [self._i64(at + 8 * i) for i in range(max(self._field("N_HITS"), 0))]
        return [None if w == ABSENT else self._decode(w, elem) for w in words]

    def _let_raw(self, l):
        """Let `l` for the case placed last, raw."""
        self._failure(self._call("read_let", l))
        return self._decode(self._i64(self.manifest["layout"]["result"] + RESULT["VALUE"]), self.manifest["lets"][l]["ty"])

    def _show(self, v, ty):
        """A raw value as the engine shows it (`Policy::show`): names for variants, keys for rows."""
        if v is None:
            return "none"
        k = kind_of(ty)
        if k == "Opt":
            return self._show(v, ty["Opt"])
        if k == "Enum":
            variants = self.manifest["enums"][ty["Enum"]]["variants"]
            return variants[v]["name"] if 0 <= v < len(variants) else f"#{v}"
        if k == "Row":
            if v >= self.manifest["lists"][ty["Row"]]["rows"]:
                return f"row#{v}"
            key = self.keys[ty["Row"]][v]
            return "none" if key is None else str(key)
        if k == "Set":
            return "[" + ", ".join(self._show(x, ty["Set"]) for x in v) + "]"
        if k == "Bool":
            return "true" if v else "false"
        if k == "Decimal":
            return format_decimal(v)
        if k == "Date":
            return civil_date(v)
        return str(v)

    def check(self, case):
        """The checks that read the case: violations and permissions, rows typed."""
        self._place(case)
        mf = self.manifest
        result = CheckResult([], [])
        for c, check in enumerate(mf["checks"]):
            if not check.get("reads_case"):
                continue
            hits = self._check_raw(c)
            if not hits:
                continue
            over = check.get("over")
            elem = over["Set"] if isinstance(over, dict) and kind_of(over) == "Set" else None
            rows = [] if elem is None else [self._typed(h, elem) for h in hits if h is not None]
            cites = []
            for s, k in check.get("cites", []):
                source = mf["sources"][s]
                cites.append(f"{source['name']}.{source['clauses'][k][0]}")
            hit = CheckHit(check["name"], check.get("reason"), cites, rows)
            (result.permissions if check.get("modality") == "may" else result.violations).append(hit)
        return result


def _pack(ptr, length):
    w = (ptr << 32) | length
    return w - (1 << 64) if w >= 1 << 63 else w
