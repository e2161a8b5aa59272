"""Lossless JSON: `parse_json` keeps a number with a point or an exponent as a `JsonFloat` (its
text), so that a case read from JSON keeps every digit and is read as the engine reads the same
text (cases/json.rs): integers that fit 64 bits are ints, the others are numbers as `serde_json`
has them (a float: `-0`, or beyond 64 bits), kept as their text too."""

import json

from ._errors import QingdanError


class JsonFloat:
    """A JSON number with a point or an exponent, kept as its text ("12.50", "1e3")."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"JsonFloat({self.text!r})"

    def __eq__(self, other):
        return isinstance(other, JsonFloat) and other.text == self.text

    def __hash__(self):
        return hash(self.text)


def _integer(text):
    # serde_json: `-0` and integers beyond i64/u64 are floats, every other integer exact.
    v = int(text)
    if text == "-0" or not -(2**63) <= v <= 2**64 - 1:
        return JsonFloat(text)
    return v


def _object(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"key `{k}` is given twice")
        obj[k] = v
    return obj


def _constant(name):
    raise ValueError(f"`{name}` is not JSON")


def parse_json(text):
    """A case (or any JSON value) from its text; malformed text raises QingdanError E0301."""
    try:
        return json.loads(text, parse_float=JsonFloat, parse_int=_integer, object_pairs_hook=_object, parse_constant=_constant)
    except ValueError as e:
        raise QingdanError("E0301", f"JSON 格式错误：{e}", f"malformed JSON: {e}") from None


_U64_MAX = 2**64 - 1
_I32_MAX = 2**31 - 1
_POW10 = [float(f"1e{i}") for i in range(309)]


def serde_f64(text):
    """The f64 `serde_json` (without `float_roundtrip`, as the engine builds it) reads from a
    JSON number's text: the first 19-20 significant digits, then one multiplication or division
    by a power of ten, so not always the nearest float. None when it is out of range."""
    at = 1 if text[:1] == "-" else 0
    positive = at == 0
    significand, exponent, long_integer, overflowed = 0, 0, False, False
    n = len(text)
    while at < n and text[at].isdigit():
        if long_integer or significand * 10 + int(text[at]) > _U64_MAX:
            long_integer = True
            exponent += 1  # digits past the 64 bits only scale (parse_long_integer)
        else:
            significand = significand * 10 + int(text[at])
        at += 1
    if at < n and text[at] == ".":
        at += 1
        # parse_decimal goes on adding digits after a long integer part while they fit;
        # from the first that does not, the rest is dropped (parse_decimal_overflow).
        while at < n and text[at].isdigit():
            if not overflowed and significand * 10 + int(text[at]) <= _U64_MAX:
                significand = significand * 10 + int(text[at])
                exponent -= 1
            else:
                overflowed = True  # parse_decimal_overflow: the rest is dropped
            at += 1
    if at < n and text[at] in "eE":
        at += 1
        positive_exp = text[at : at + 1] != "-"
        if text[at : at + 1] in ("+", "-"):
            at += 1
        exp = 0
        for c in text[at:]:
            exp = exp * 10 + int(c)
            if exp > _I32_MAX:
                if significand != 0 and positive_exp:
                    return None
                return 0.0 if positive else -0.0
        exponent = exponent + exp if positive_exp else exponent - exp
        exponent = max(min(exponent, _I32_MAX), -(2**31))
    f = float(significand)
    while True:
        if abs(exponent) < len(_POW10):
            if exponent >= 0:
                f *= _POW10[exponent]
                if f == float("inf"):
                    return None
            else:
                f /= _POW10[-exponent]
            break
        if f == 0.0:
            break
        if exponent >= 0:
            return None
        f /= 1e308
        exponent += 308
    return f if positive else -f
