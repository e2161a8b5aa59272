"""A case (a dict shaped as a case file's `given`) read into slot values, as cases/mod.rs and
casereader.mjs read it: the same codes (E0301-E0307), field paths and messages (both languages,
"did you mean"), so that a case's error line in the result model is the engine's, byte for byte.

Numbers as `serde_json` gives them to the engine: an int that fits 64 bits is an integer; a
float, a decimal.Decimal, a `JsonFloat` (what `parse_json` gives for a number with a point or
an exponent, `-0`, or an integer beyond 64 bits) or a larger int is a float, which no int field
takes (`2.0` is not an integer) and which messages show as Rust prints an f64. A decimal field
reads the number's own text, every digit."""

import decimal
import math

from ._errors import QingdanError
from ._json import JsonFloat, serde_f64
from ._values import ABSENT, I64_MAX, canonical_set, kind_of, parse_date, parse_decimal, plain_number, strip

# Most fields (over all levels) or set elements one case may have (cases/mod.rs).
MAX_FIELDS = 10000


def _m(zh, en):
    return (zh, en)


def _closest(name, candidates):
    """"Did you mean" (dsl/src/check/suggest.rs `closest`): edit distance over characters."""
    limit = 0 if len(name) <= 1 else max(len(name) // 3, 1)
    best = None
    for c in candidates:
        if c == name:
            continue
        d = _levenshtein(name, c)
        if d > limit:
            continue
        if best is None or d < best[0] or (d == best[0] and c < best[1]):
            best = (d, c)
    return best[1] if best else None


def _levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i]
        for j in range(1, len(b) + 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (0 if a[i - 1] == b[j - 1] else 1)))
        prev = cur
    return prev[len(b)]


def _shorten(text):
    """User text quoted in a message, cut at 40 characters."""
    return text[:40] + "…" if len(text) > 40 else text


def _with_suggestion(head, name, names, what):
    c = _closest(name, names)
    if c is not None:
        return _m(f"{head[0]}；是不是想写 `{c}`？", f"{head[1]}; did you mean `{c}`?")
    items = [f"`{n}`" for n in names[:20]]
    if len(names) > 20:
        items.append("…")
    if not items:
        return head
    return _m(f"{head[0]}（{what[0]}：{'、'.join(items)}）", f"{head[1]} ({what[1]}: {', '.join(items)})")


def _number(v):
    """A number as the engine has it: ("int", n) for an integer of 64 bits, ("f64", f, text)
    for any other (`text` the number as written); None when `v` is no number."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return ("int", v) if -(2**63) <= v <= 2**64 - 1 else ("f64", float(v), str(v))
    if isinstance(v, float):
        return ("f64", v, repr(v))
    if isinstance(v, (JsonFloat, decimal.Decimal)):
        text = str(v)
        f = serde_f64(text)
        return ("f64", float("inf") if f is None else f, text)
    return None


def _f64_text(f):
    """An f64 as Rust's `{}` prints it: no exponent, the shortest digits, `-0` for minus zero."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    return plain_number(f)


def _too_big():
    # serde_json refuses a number beyond an f64 (`1e400`) where the engine asks for a float.
    return _Bad("E0301", _m("JSON 格式错误：数值超出范围", "malformed JSON: number out of range"))


def _found(v):
    """What a value is, for "found …" in messages (cases/de.rs `Found`)."""
    if v is None:
        return _m("null", "null")
    if isinstance(v, bool):
        t = "true" if v else "false"
        return _m(f"`{t}`", f"`{t}`")
    num = _number(v)
    if num is not None:
        t = str(num[1]) if num[0] == "int" else _f64_text(num[1])
        return _m(f"数 `{t}`", f"the number `{t}`")
    if isinstance(v, str):
        return _m(f'文本 `"{_shorten(v)}"`', f'text `"{_shorten(v)}"`')
    if isinstance(v, (list, tuple)):
        return _m("列表", "a list")
    return _m("对象", "an object")


class _Bad:
    """A problem with one value; `at` continues the field's path (`[2]`)."""

    def __init__(self, code, message, at=""):
        self.code, self.message, self.at = code, message, at


class CaseReader:
    """Reads case dicts into slot values for one manifest (cases/mod.rs `CaseReader`)."""

    def __init__(self, mf, keys):
        self.mf = mf
        single = len(mf["inputs"]) == 1
        self.levels = []  # {entries: {name: ("slot", s) | ("level", l)}, names, path, input}

        def add(path, inp):
            self.levels.append({"entries": {}, "names": [], "path": path, "input": inp})
            return len(self.levels) - 1

        def insert(level, name, entry):
            lv = self.levels[level]
            if name not in lv["entries"]:
                lv["entries"][name] = entry
                lv["names"].append(name)

        if not single:
            add("", None)
        for i, inp in enumerate(mf["inputs"]):
            at = add(inp["name"], i)
            if not single:
                insert(0, inp["name"], ("level", at))
            for s in inp["fields"]:
                path = mf["slots"][s]["path"]
                cur = at
                for depth, name in enumerate(path):
                    if depth + 1 == len(path):
                        insert(cur, name, ("slot", s))
                        continue
                    e = self.levels[cur]["entries"].get(name)
                    if e and e[0] == "level":
                        cur = e[1]
                    else:
                        nxt = add(f"{self.levels[cur]['path']}.{name}", None)
                        insert(cur, name, ("level", nxt))
                        cur = nxt
        first_input = mf["inputs"][0]["name"]
        self.wrapper = first_input if single and first_input not in self.levels[0]["entries"] else None
        self.slot_paths = [".".join([mf["inputs"][s["input"]]["name"], *s["path"]]) for s in mf["slots"]]
        self.required = [i for i, s in enumerate(mf["slots"]) if kind_of(s["ty"]) != "Opt"]
        self.variants = [{v["name"]: i for i, v in reversed(list(enumerate(e["variants"])))} for e in mf["enums"]]
        # Per list: key → row. Text keys: the first row with the key (the reader's `Names`);
        # int keys: the last (a `HashMap` collected in row order).
        self.rows = []
        for l, lst in enumerate(mf["lists"]):
            int_keyed = lst["fields"][lst["key"]][1] == "Int"
            index = {}
            for r, k in enumerate(keys[l]):
                if int_keyed and isinstance(k, int):
                    index[k] = r
                elif not int_keyed and isinstance(k, str) and k not in index:
                    index[k] = r
            self.rows.append({"int_keyed": int_keyed, "index": index, "keys": keys[l]})

    # ------------------------------------------------------------ messages

    def describe(self, ty):
        k = kind_of(ty)
        if k == "Bool":
            return _m("真假值（true 或 false）", "true or false")
        if k == "Int":
            return _m("整数", "an integer")
        if k == "Decimal":
            return _m("小数", "a decimal number")
        if k == "Text":
            return _m("文本", "text")
        if k == "Date":
            return _m("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)")
        if k == "Enum":
            name = self.mf["enums"][ty["Enum"]]["name"]
            return _m(f"`{name}` 的值", f"a value of `{name}`")
        if k == "Row":
            name = self.mf["lists"][ty["Row"]]["name"]
            return _m(f"`{name}` 中条目的键", f"the key of a row of `{name}`")
        if k == "Set":
            inner = self.describe(ty["Set"])
            return _m(f"列表（每项为{inner[0]}）", f"a list (each element {inner[1]})")
        inner = self.describe(ty["Opt"])
        return _m(f"{inner[0]}或 null", f"{inner[1]} or null")

    def _wrong(self, ty, v):
        e = self.describe(ty)
        f = _found(v)
        return _Bad("E0302", _m(f"应为{e[0]}，实际是{f[0]}", f"expected {e[1]}, found {f[1]}"))

    def _unknown_variant(self, e, name):
        d = self.mf["enums"][e]
        head = _m(f"`{d['name']}` 没有值 `{_shorten(name)}`", f"`{d['name']}` has no variant `{_shorten(name)}`")
        return _with_suggestion(head, name, [v["name"] for v in d["variants"]], _m("可选的值", "its variants"))

    def _unknown_key(self, l, key):
        name = self.mf["lists"][l]["name"]
        head = _m(f"`{name}` 中没有键为 `{_shorten(key)}` 的条目", f"`{name}` has no row with key `{_shorten(key)}`")
        rows = self.rows[l]
        keys = [k for k in rows["keys"] if isinstance(k, str)] if not rows["int_keyed"] and len(rows["index"]) <= 1000 else []
        c = _closest(key, keys)
        return head if c is None else _m(f"{head[0]}；是不是想写 `{c}`？", f"{head[1]}; did you mean `{c}`?")

    # ------------------------------------------------------------ reading

    def read(self, case, lang):
        """The slot values of one case, or a QingdanError naming the field."""
        ctx = {
            "values": [None] * len(self.mf["slots"]),
            "seen": [False] * len(self.mf["slots"]),
            "inputs": [False] * len(self.mf["inputs"]),
            "error": None,
            "fields": 0,
            "too_large": False,
        }
        self._level(ctx, 0, True, case)
        problem = ctx["error"] or self._missing(ctx)
        if problem:
            code, (zh, en), path = problem
            raise QingdanError(code, zh, en, path, lang)
        return ctx["values"]

    def _fail(self, ctx, code, message, path):
        if not ctx["error"]:
            ctx["error"] = (code, message, path)

    def _count(self, ctx):
        ctx["fields"] += 1
        if ctx["fields"] > MAX_FIELDS and not ctx["too_large"]:
            ctx["too_large"] = True
            ctx["error"] = (
                "E0307",
                _m(f"案例的字段超过 {MAX_FIELDS} 个，其余部分未读", f"the case has more than {MAX_FIELDS} fields; the rest was not read"),
                "",
            )

    def _level(self, ctx, level, root, obj):
        lv = self.levels[level]
        if not isinstance(obj, dict):
            fields = [f"`{n}`" for n in lv["names"][:8]]
            more = "…" if len(lv["names"]) > 8 else ""
            f = _found(obj)
            message = _m(
                f"应为对象（含字段 {'、'.join(fields)}{more}），实际是{f[0]}",
                f"expected an object (with fields {', '.join(fields)}{more}), found {f[1]}",
            )
            self._fail(ctx, "E0302", message, lv["path"])
            return
        if lv["input"] is not None:
            ctx["inputs"][lv["input"]] = True
        first = True
        wrapped = False
        for key, value in obj.items():
            if ctx["too_large"]:
                return
            if ctx["error"]:
                self._count(ctx)
                continue
            wrapper = self.wrapper if root and first else None
            first = False
            self._count(ctx)
            if ctx["too_large"]:
                continue
            entry = None if wrapped else lv["entries"].get(key)
            if entry and entry[0] == "slot":
                s = entry[1]
                ctx["seen"][s] = True
                r = self._field(self.mf["slots"][s]["ty"], value)
                if isinstance(r, _Bad):
                    self._fail(ctx, r.code, r.message, self.slot_paths[s] + r.at)
                else:
                    ctx["values"][s] = r
            elif entry:
                self._level(ctx, entry[1], False, value)
            elif not wrapped and wrapper == key:
                wrapped = True
                self._level(ctx, level, False, value)
            else:
                self._fail(ctx, "E0304", *self._unknown_field(level, key, wrapped))

    def _unknown_field(self, level, name, wrapped):
        lv = self.levels[level]
        path = name if lv["path"] == "" else f"{lv['path']}.{name}"
        if wrapped:
            w = self.wrapper
            return (
                _m(f"案例已写在 `{w}` 之下，顶层不能再有 `{_shorten(name)}`", f"the case is nested under `{w}`, so `{_shorten(name)}` cannot also be at the top"),
                path,
            )
        if lv["path"] == "":
            head = _m(f"没有名为 `{_shorten(name)}` 的输入", f"there is no input `{_shorten(name)}`")
            what = _m("输入", "inputs")
        else:
            head = _m(f"`{lv['path']}` 没有字段 `{_shorten(name)}`", f"`{lv['path']}` has no field `{_shorten(name)}`")
            what = _m("字段", "fields")
        return (_with_suggestion(head, name, lv["names"], what), path)

    def _missing(self, ctx):
        slots = self.mf["slots"]
        for i, inp in enumerate(self.mf["inputs"]):
            required = any(kind_of(slots[s]["ty"]) != "Opt" for s in inp["fields"])
            if required and not ctx["inputs"][i]:
                return ("E0303", _m(f"缺少输入 `{inp['name']}`", f"missing input `{inp['name']}`"), inp["name"])
        s = next((s for s in self.required if not ctx["seen"][s]), None)
        if s is None:
            return None
        name = slots[s]["path"][-1]
        ty = self.describe(slots[s]["ty"])
        return ("E0303", _m(f"缺少字段 `{name}`（{ty[0]}）", f"missing field `{name}` ({ty[1]})"), self.slot_paths[s])

    def _field(self, ty, v):
        """A field's value of `ty`: None means absent for an optional field, missing otherwise."""
        if kind_of(ty) == "Opt":
            return self._value(strip(ty), v, "absent")
        return self._value(ty, v, "missing")

    def _null(self, ty, null_mode):
        if null_mode == "absent":
            return None
        if null_mode == "missing":
            d = self.describe(ty)
            return _Bad("E0303", _m(f"必填字段（{d[0]}）的值是 null", f"the field is required ({d[1]}) but is null"))
        return self._wrong(ty, None)

    def _value(self, ty, v, null_mode):
        k = kind_of(ty)
        if k == "Opt":
            return self._field(ty, v)
        if v is None:
            return self._null(ty, null_mode)
        if k == "Bool":
            return v if isinstance(v, bool) else self._wrong(ty, v)
        if k == "Int":
            return self._int(ty, v)
        if k == "Decimal":
            return self._decimal(v)
        if k == "Text":
            return self._text(ty, v)
        if k == "Date":
            if not isinstance(v, str):
                return self._wrong(ty, v)
            d = parse_date(v)
            if d is not None:
                return d
            s = _shorten(v)
            return _Bad(
                "E0302",
                _m(f"`{s}` 不是有效的日期（应写作 YYYY-MM-DD，如 2024-07-01）", f"`{s}` is not a valid date (write YYYY-MM-DD, e.g. 2024-07-01)"),
            )
        if k == "Enum":
            if not isinstance(v, str):
                return self._wrong(ty, v)
            i = self.variants[ty["Enum"]].get(v)
            return _Bad("E0305", self._unknown_variant(ty["Enum"], v)) if i is None else i
        if k == "Row":
            return self._row(ty, v)
        return self._set(ty, v)

    def _text(self, ty, v):
        if not isinstance(v, str):
            return self._wrong(ty, v)
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            return _Bad("E0301", _m("文本含有孤立的代理码元，不是有效的 Unicode", "the text has a lone surrogate: it is not valid Unicode"))
        return v

    def _int(self, ty, v):
        """An integer of 64 bits (cases/de.rs `Typed::int`, `visit_f64`)."""

        def out_of_range(t):
            return _Bad("E0302", _m(f"整数 `{t}` 超出范围", f"the integer `{t}` is out of range"))

        num = _number(v)
        if num is None:
            return self._wrong(ty, v)
        if num[0] == "int":
            return num[1] if ABSENT < num[1] <= I64_MAX else out_of_range(num[1])
        f = num[1]
        if math.isinf(f) or math.isnan(f):
            return _too_big()
        if f == int(f) and abs(f) >= 9.2e18:
            return out_of_range(_f64_text(f))
        t = _f64_text(f)
        return _Bad("E0302", _m(f"应为整数，实际是 `{t}`", f"expected an integer, found `{t}`"))

    def _decimal(self, v):
        """A decimal from the number's own text, or from a text (cases/json.rs `json_decimal`)."""
        num = _number(v)
        if isinstance(v, str):
            text = v
        elif num is not None:
            text = str(num[1]) if num[0] == "int" else num[2]
        else:
            f = _found(v)
            return _Bad("E0302", _m(f"应为小数，实际是{f[0]}", f"expected a decimal number, found {f[1]}"))
        d = parse_decimal(text)
        if isinstance(d, int):
            return d
        s = _shorten(text)
        if d == "too-precise":
            return _Bad(
                "E0302",
                _m(f"`{s}` 的小数点后超过 6 位：金额按原值精确计算，不会四舍五入", f"`{s}` has more than 6 digits after the point; amounts are exact and never rounded"),
            )
        if d == "out-of-range":
            return _Bad("E0302", _m(f"`{s}` 超出小数的范围", f"`{s}` is out of range for a decimal"))
        f = _found(text)
        return _Bad("E0302", _m(f"应为小数，实际是{f[0]}", f"expected a decimal number, found {f[1]}"))

    def _row(self, ty, v):
        l = ty["Row"]
        rows = self.rows[l]
        num = _number(v)
        if rows["int_keyed"] and num is not None and num[0] == "int":
            # Beyond i64 no row has the key; a float is no key at all.
            r = rows["index"].get(num[1]) if num[1] <= I64_MAX else None
            return _Bad("E0306", self._unknown_key(l, str(num[1]))) if r is None else r
        if rows["int_keyed"] or not isinstance(v, str):
            if num is not None and num[0] == "f64" and math.isinf(num[1]):
                return _too_big()
            return self._wrong(ty, v)
        r = rows["index"].get(v)
        return _Bad("E0306", self._unknown_key(l, v)) if r is None else r

    def _set(self, ty, v):
        if not isinstance(v, (list, tuple)):
            return self._wrong(ty, v)
        items = []
        bad = None
        for n, item in enumerate(v, start=1):
            if not bad:
                r = self._value(ty["Set"], item, "wrong")
                if isinstance(r, _Bad):
                    r.at = f"[{n - 1}]{r.at}"
                    bad = r
                else:
                    items.append(r)
            if n > MAX_FIELDS and not bad:
                bad = _Bad("E0307", _m(f"集合的元素超过 {MAX_FIELDS} 个", f"the set has more than {MAX_FIELDS} elements"))
        return bad or canonical_set(items)


