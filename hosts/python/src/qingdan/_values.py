"""Values as the engine keeps them: exact decimals (scaled by 10^6), dates as days since
1970-01-01, and the engine's order of texts and sets (values.mjs)."""

import datetime
import re

ABSENT = -(2**63)
I64_MAX = 2**63 - 1
I128_MAX = 2**127 - 1
EPOCH = datetime.date(1970, 1, 1)


def kind_of(ty):
    return ty if isinstance(ty, str) else next(iter(ty))


def strip(ty):
    while isinstance(ty, dict) and "Opt" in ty:
        ty = ty["Opt"]
    return ty


def format_decimal(scaled):
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), 1_000_000)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}." + f"{frac:06d}".rstrip("0")


def format_date(days):
    return (EPOCH + datetime.timedelta(days=days)).isoformat()


def parse_date(text):
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return (datetime.date.fromisoformat(text) - EPOCH).days
    except ValueError:
        return None


_DIGITS = re.compile(r"[0-9]*")


def parse_decimal(text):
    """Exactly, scaled by 10^6 (cases/mod.rs `parse_decimal`): an int, or one of
    "not-a-number", "too-precise", "out-of-range"."""
    rest = text
    negative = False
    if rest[:1] in ("-", "+"):
        negative = rest[0] == "-"
        rest = rest[1:]
    e = re.search(r"[eE]", rest)
    mantissa = rest[: e.start()] if e else rest
    exp_text = rest[e.start() + 1 :] if e else None
    dot = mantissa.find(".")
    whole = mantissa[:dot] if dot >= 0 else mantissa
    frac = mantissa[dot + 1 :] if dot >= 0 else ""
    if whole == "" or not _DIGITS.fullmatch(whole) or not _DIGITS.fullmatch(frac) or (dot >= 0 and frac == ""):
        return "not-a-number"
    exponent = 0
    if exp_text is not None:
        body = exp_text[1:] if exp_text[:1] in ("+", "-") else exp_text
        if body == "" or not _DIGITS.fullmatch(body):
            return "not-a-number"
        magnitude = 1_000_000 if len(body) > 6 else int(body)
        exponent = -magnitude if exp_text[:1] == "-" else magnitude
    whole = whole.lstrip("0")
    frac = frac.rstrip("0")
    digits = whole + frac
    if len(digits) > 40:
        return "out-of-range"
    sig = int(digits) if digits else 0
    if sig > I128_MAX:
        return "out-of-range"
    if sig == 0:
        return 0
    shift = exponent - len(frac) + 6
    while shift < 0 and sig % 10 == 0:
        sig //= 10
        shift += 1
    if shift < 0:
        return "too-precise"
    if shift > 38:
        return "out-of-range"
    scaled = sig * 10**shift
    if scaled > I128_MAX:
        return "out-of-range"
    signed = -scaled if negative else scaled
    if signed > I64_MAX or signed <= ABSENT:
        return "out-of-range"
    return signed


def _order_key(v):
    # Texts in code point order (UTF-8 byte order), as the engine orders them.
    return v.encode("utf-8") if isinstance(v, str) else v


def canonical_set(items):
    out = []
    for v in sorted(items, key=_order_key):
        if not out or out[-1] != v:
            out.append(v)
    return out
