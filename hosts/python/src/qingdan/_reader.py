"""A case (a dict shaped as a case file's `given`) read into slot values, as cases/mod.rs and
casereader.mjs read it: the same codes (E0301-E0307) and field paths."""

import datetime
import decimal

from ._errors import QingdanError
from ._values import ABSENT, I64_MAX, canonical_set, kind_of, parse_date, parse_decimal, strip

MAX_FIELDS = 100_000


class _Bad(Exception):
    def __init__(self, code, zh, en, at=""):
        super().__init__(en)
        self.code, self.zh, self.en, self.at = code, zh, en, at


def _found(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, decimal.Decimal)):
        return f"the number `{v}`"
    if isinstance(v, str):
        return f'text `"{v[:40]}"`'
    if isinstance(v, list):
        return "a list"
    return "an object"


class CaseReader:
    def __init__(self, mf, keys):
        self.mf = mf
        single = len(mf["inputs"]) == 1
        self.levels = []  # {entries: {name: ("slot", s) | ("level", l)}, path, input}

        def add(path, inp):
            self.levels.append({"entries": {}, "path": path, "input": inp})
            return len(self.levels) - 1

        if not single:
            add("", None)
        for i, inp in enumerate(mf["inputs"]):
            at = add(inp["name"], i)
            if not single:
                self.levels[0]["entries"].setdefault(inp["name"], ("level", at))
            for s in inp["fields"]:
                path = mf["slots"][s]["path"]
                cur = at
                for depth, name in enumerate(path):
                    entries = self.levels[cur]["entries"]
                    if depth + 1 == len(path):
                        entries.setdefault(name, ("slot", s))
                    elif name in entries and entries[name][0] == "level":
                        cur = entries[name][1]
                    else:
                        nxt = add(f"{self.levels[cur]['path']}.{name}", None)
                        entries.setdefault(name, ("level", nxt))
                        cur = nxt
        first_input = mf["inputs"][0]["name"]
        self.wrapper = first_input if single and first_input not in self.levels[0]["entries"] else None
        self.slot_paths = [".".join([mf["inputs"][s["input"]]["name"], *s["path"]]) for s in mf["slots"]]
        self.variants = [{v["name"]: i for i, v in reversed(list(enumerate(e["variants"])))} for e in mf["enums"]]
        self.rows = []
        for l, lst in enumerate(mf["lists"]):
            int_keyed = lst["fields"][lst["key"]][1] == "Int"
            index = {}
            for r, k in enumerate(keys[l]):
                if int_keyed and isinstance(k, int):
                    index[k] = r
                elif not int_keyed and isinstance(k, str) and k not in index:
                    index[k] = r
            self.rows.append((int_keyed, index))

    def read(self, case, lang):
        ctx = {
            "values": [None] * len(self.mf["slots"]),
            "seen": [False] * len(self.mf["slots"]),
            "inputs": [False] * len(self.mf["inputs"]),
            "error": None,
            "fields": 0,
        }
        self._level(ctx, 0, True, case)
        problem = ctx["error"] or self._missing(ctx)
        if problem:
            code, zh, en, path = problem
            raise QingdanError(code, zh, en, path, lang)
        return ctx["values"]

    def _fail(self, ctx, code, zh, en, path):
        if not ctx["error"]:
            ctx["error"] = (code, zh, en, path)

    def _level(self, ctx, level, root, obj):
        lv = self.levels[level]
        if not isinstance(obj, dict):
            f = _found(obj)
            self._fail(ctx, "E0302", f"应为对象，实际是{f}", f"expected an object, found {f}", lv["path"])
            return
        if lv["input"] is not None:
            ctx["inputs"][lv["input"]] = True
        first = True
        wrapped = False
        for key, value in obj.items():
            ctx["fields"] += 1
            if ctx["fields"] > MAX_FIELDS:
                ctx["error"] = ("E0307", f"案例的字段超过 {MAX_FIELDS} 个", f"the case has more than {MAX_FIELDS} fields", "")
                return
            if ctx["error"]:
                continue
            wrapper = self.wrapper if root and first else None
            first = False
            entry = None if wrapped else lv["entries"].get(key)
            if entry and entry[0] == "slot":
                s = entry[1]
                ctx["seen"][s] = True
                try:
                    ctx["values"][s] = self._field(self.mf["slots"][s]["ty"], value)
                except _Bad as b:
                    self._fail(ctx, b.code, b.zh, b.en, self.slot_paths[s] + b.at)
            elif entry:
                self._level(ctx, entry[1], False, value)
            elif not wrapped and wrapper == key:
                wrapped = True
                self._level(ctx, level, False, value)
            else:
                path = key if lv["path"] == "" else f"{lv['path']}.{key}"
                where = "没有名为" if lv["path"] == "" else f"`{lv['path']}` 没有字段"
                self._fail(ctx, "E0304", f"{where} `{key}`", f"there is no field `{key}`", path)

    def _missing(self, ctx):
        slots = self.mf["slots"]
        for i, inp in enumerate(self.mf["inputs"]):
            required = any(kind_of(slots[s]["ty"]) != "Opt" for s in inp["fields"])
            if required and not ctx["inputs"][i]:
                return ("E0303", f"缺少输入 `{inp['name']}`", f"missing input `{inp['name']}`", inp["name"])
        for s, slot in enumerate(slots):
            if kind_of(slot["ty"]) != "Opt" and not ctx["seen"][s]:
                name = slot["path"][-1]
                return ("E0303", f"缺少字段 `{name}`", f"missing field `{name}`", self.slot_paths[s])
        return None

    def _field(self, ty, v):
        if kind_of(ty) == "Opt":
            return self._value(strip(ty), v, "absent")
        return self._value(ty, v, "missing")

    def _wrong(self, ty, v):
        f = _found(v)
        return _Bad("E0302", f"类型不符（应为 {kind_of(ty)}），实际是{f}", f"expected {kind_of(ty)}, found {f}")

    def _value(self, ty, v, null_mode):
        if kind_of(ty) == "Opt":
            return self._field(ty, v)
        if v is None:
            if null_mode == "absent":
                return None
            if null_mode == "missing":
                raise _Bad("E0303", "必填字段的值是 null", "the field is required but is null")
            raise self._wrong(ty, v)
        k = kind_of(ty)
        if k == "Bool":
            if isinstance(v, bool):
                return v
            raise self._wrong(ty, v)
        if k == "Int":
            return self._int(ty, v)
        if k == "Decimal":
            return self._decimal(v)
        if k == "Text":
            if not isinstance(v, str):
                raise self._wrong(ty, v)
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise _Bad("E0301", "文本含有孤立的代理码元", "the text has a lone surrogate: it is not valid Unicode") from None
            return v
        if k == "Date":
            if isinstance(v, datetime.date):
                v = v.isoformat()
            if not isinstance(v, str):
                raise self._wrong(ty, v)
            d = parse_date(v)
            if d is None:
                raise _Bad("E0302", f"`{v[:40]}` 不是有效的日期", f"`{v[:40]}` is not a valid date (write YYYY-MM-DD, e.g. 2024-07-01)")
            return d
        if k == "Enum":
            if not isinstance(v, str):
                raise self._wrong(ty, v)
            i = self.variants[ty["Enum"]].get(v)
            if i is None:
                name = self.mf["enums"][ty["Enum"]]["name"]
                raise _Bad("E0305", f"`{name}` 没有值 `{v[:40]}`", f"`{name}` has no variant `{v[:40]}`")
            return i
        if k == "Row":
            return self._row(ty, v)
        return self._set(ty, v)

    def _int(self, ty, v):
        if isinstance(v, bool) or not isinstance(v, (int, float, decimal.Decimal)):
            raise self._wrong(ty, v)
        if isinstance(v, float):
            if v != v or _inf(v):
                raise self._wrong(ty, v)
            if not v.is_integer():
                raise _Bad("E0302", f"应为整数，实际是 `{v}`", f"expected an integer, found `{v}`")
            v = int(v)
        elif isinstance(v, decimal.Decimal):
            if not v.is_finite() or v != v.to_integral_value():
                raise _Bad("E0302", f"应为整数，实际是 `{v}`", f"expected an integer, found `{v}`")
            v = int(v)
        if v > I64_MAX or v <= ABSENT:
            raise _Bad("E0302", f"整数 `{v}` 超出范围", f"the integer `{v}` is out of range")
        return v

    def _decimal(self, v):
        if isinstance(v, bool):
            raise _Bad("E0302", "应为小数", f"expected a decimal number, found {_found(v)}")
        if isinstance(v, str):
            text = v
        elif isinstance(v, int):
            text = str(v)
        elif isinstance(v, decimal.Decimal) and v.is_finite():
            text = str(v)
        elif isinstance(v, float) and not _inf(v) and v == v:
            text = repr(v)
        else:
            raise _Bad("E0302", "应为小数", f"expected a decimal number, found {_found(v)}")
        d = parse_decimal(text)
        if isinstance(d, int):
            return d
        if d == "too-precise":
            raise _Bad("E0302", f"`{text[:40]}` 的小数点后超过 6 位", f"`{text[:40]}` has more than 6 digits after the point; amounts are exact and never rounded")
        if d == "out-of-range":
            raise _Bad("E0302", f"`{text[:40]}` 超出小数的范围", f"`{text[:40]}` is out of range for a decimal")
        raise _Bad("E0302", "应为小数", f"expected a decimal number, found {_found(v)}")

    def _row(self, ty, v):
        int_keyed, index = self.rows[ty["Row"]]
        name = self.mf["lists"][ty["Row"]]["name"]
        if int_keyed:
            if isinstance(v, (str, bool, list, dict)):
                raise self._wrong(ty, v)
            try:
                k = self._int("Int", v)
            except _Bad:
                raise _Bad("E0306", f"`{name}` 中没有键为 `{v}` 的条目", f"`{name}` has no row with key `{v}`") from None
        else:
            if not isinstance(v, str):
                raise self._wrong(ty, v)
            k = v
        r = index.get(k)
        if r is None:
            raise _Bad("E0306", f"`{name}` 中没有键为 `{str(k)[:40]}` 的条目", f"`{name}` has no row with key `{str(k)[:40]}`")
        return r

    def _set(self, ty, v):
        if not isinstance(v, (list, tuple, set, frozenset)):
            raise self._wrong(ty, v)
        items = []
        for n, item in enumerate(v):
            if n >= MAX_FIELDS:
                raise _Bad("E0307", f"集合的元素超过 {MAX_FIELDS} 个", f"the set has more than {MAX_FIELDS} elements")
            try:
                items.append(self._value(ty["Set"], item, "wrong"))
            except _Bad as b:
                b.at = f"[{n}]{b.at}"
                raise
        return canonical_set(items)


def _inf(v):
    return isinstance(v, float) and v in (float("inf"), float("-inf"))
