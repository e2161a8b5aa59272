"""Lossless JSON (json.mjs): `parse_json` keeps a number with a point or an exponent as a
`JsonFloat` (its text), so that a case read from JSON keeps every digit and is read as the
other hosts read the same text; integers are Python ints, exact at any size."""

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
        return json.loads(text, parse_float=JsonFloat, object_pairs_hook=_object, parse_constant=_constant)
    except ValueError as e:
        raise QingdanError("E0301", f"JSON 格式错误：{e}", f"malformed JSON: {e}") from None
