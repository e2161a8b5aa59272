"""Values as the engine keeps them: exact decimals (scaled by 10^6), dates as days since
1970-01-01, and the engine's order of texts and sets (values.mjs)."""

import datetime
import decimal
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


def _days_from_civil(year, month, day):
    y = year - (1 if month <= 2 else 0)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_date(text):
    """A date written exactly YYYY-MM-DD (years 0000-9999, as the engine), as days since
    1970-01-01; None if it is not one."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    if not 1 <= month <= 12:
        return None
    dim = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    if day == 0 or day > dim:
        return None
    return _days_from_civil(year, month, day)


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


def civil_date(days):
    """Days since 1970-01-01 as YYYY-MM-DD for any year (civil_from_days, as the engine)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    y = f"-{-year:03d}" if year < 0 else f"{year:04d}"
    return f"{y}-{month:02d}-{day:02d}"


def _shortest_digits(f):
    """(digits, n) of a finite non-zero float: f = 0.digits × 10^n, the shortest digits that
    read back as f (what both Python's repr and ECMAScript's Number::toString choose)."""
    sign, digits, exponent = decimal.Decimal(repr(abs(f))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    return text, len(digits) + exponent


def js_number_text(f):
    """A float as JavaScript's `String(n)` writes it: the text the JavaScript host reads
    a JSON number as, so that messages and decimals agree byte for byte."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "Infinity" if f > 0 else "-Infinity"
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    s, n = _shortest_digits(f)
    k = len(s)
    if k <= n <= 21:
        body = s + "0" * (n - k)
    elif 0 < n <= 21:
        body = f"{s[:n]}.{s[n:]}"
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + s
    else:
        e = n - 1
        body = s[0] + (f".{s[1:]}" if k > 1 else "") + ("e+" if e >= 0 else "e-") + str(abs(e))
    return sign + body


def plain_number(f):
    """A float as Rust prints an f64 (no exponent), for messages (values.mjs `plainNumber`)."""
    s = js_number_text(f)
    if "e" not in s:
        return s
    mant, exp = s.split("e")
    neg = mant.startswith("-")
    w, _, frac = (mant[1:] if neg else mant).partition(".")
    digits = w + frac
    point = len(w) + int(exp)
    if point <= 0:
        out = "0." + "0" * (-point) + digits
    elif point >= len(digits):
        out = digits + "0" * (point - len(digits))
    else:
        out = f"{digits[:point]}.{digits[point:]}"
    return ("-" if neg else "") + out
