"""A module's bytes before anything runs: its sections, seal (the SHA-256 of its content), manifest,
ABI version, imports and memory cap (load.mjs, seal.mjs). Signatures are not verified here."""

import hashlib
import json

from ._errors import QingdanError, malformed

ABI_VERSION = 2
MAX_PAGES = 1024
MANIFEST_SECTION = "qingdan"
SEAL_SECTION = "qingdan.integrity"
SEAL_FORMAT = 1


def _leb(data, at):
    result = shift = 0
    for _ in range(5):
        if at >= len(data):
            return None, at
        b = data[at]
        at += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, at
        shift += 7
    return None, at


def sections(data):
    """[(id, start, body_start, end)], or None when the bytes do not parse as sections."""
    if len(data) < 8 or data[:4] != b"\0asm":
        return None
    out = []
    at = 8
    while at < len(data):
        start = at
        sid = data[at]
        size, at = _leb(data, at + 1)
        if size is None or at + size > len(data):
            return None
        out.append((sid, start, at, at + size))
        at += size
    return out


def _custom(data, s):
    """(name, payload) of a custom section, or None."""
    sid, _, body, end = s
    if sid != 0:
        return None
    n, at = _leb(data, body)
    if n is None or at + n > end:
        return None
    try:
        return data[at : at + n].decode("utf-8"), data[at + n : end]
    except UnicodeDecodeError:
        return None


def _memory_cap(data, all_sections):
    for sid, _, body, end in all_sections:
        if sid != 5:
            continue
        count, at = _leb(data, body)
        if count != 1 or at >= end:
            return None
        flags = data[at]
        if flags & ~1:
            return None
        _, at = _leb(data, at + 1)
        if not flags & 1:
            return None
        cap, _ = _leb(data, at)
        return cap
    return -1


def read_module(data, lang):
    """The manifest of a module `qingdan build` made, or a QingdanError (E0501, E0502)."""
    all_sections = sections(data)
    if all_sections is None:
        raise malformed("its bytes are not a WebAssembly module", lang)
    customs = [(s, _custom(data, s)) for s in all_sections]
    manifests = [c[1] for s, c in customs if c and c[0] == MANIFEST_SECTION]
    last = customs[-1] if customs else None
    seal = last[1][1] if last and last[1] and last[1][0] == SEAL_SECTION else None
    if seal is None:
        if not manifests:
            raise QingdanError(
                "E0502",
                f"模块没有 `{MANIFEST_SECTION}` 清单段：它不是 `qingdan build` 编译的",
                f"the module has no `{MANIFEST_SECTION}` manifest section: it was not built by `qingdan build`",
                "",
                lang,
            )
        raise malformed(f"it does not end with a `{SEAL_SECTION}` section (the digest of its content)", lang)
    if len(seal) < 34 or seal[0] != SEAL_FORMAT or seal[1] not in (0, 1):
        raise malformed(f"its `{SEAL_SECTION}` section cannot be read", lang)
    if hashlib.sha256(data[: last[0][1]]).digest() != seal[2:34]:
        raise malformed("its content does not match the SHA-256 digest it was built with", lang)
    if not manifests:
        raise QingdanError("E0502", "模块没有清单段", "the module has no manifest section", "", lang)
    try:
        manifest = json.loads(manifests[0].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise malformed(f"its `{MANIFEST_SECTION}` manifest cannot be read: {e}", lang) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("abi"), int):
        raise malformed(f"its `{MANIFEST_SECTION}` manifest cannot be read: no `abi`", lang)
    if manifest["abi"] != ABI_VERSION:
        found = manifest["abi"]
        raise QingdanError(
            "E0502",
            f"模块的接口版本为 {found}，本程序支持版本 {ABI_VERSION}",
            f"the module speaks ABI version {found}, this host speaks {ABI_VERSION}",
            "",
            lang,
        )
    for key in ("layout", "inputs", "slots", "enums", "lists", "lets", "rules", "decisions", "checks", "sources", "sites"):
        if key not in manifest:
            raise malformed(f"its manifest has no `{key}`", lang)
    if any(sid == 2 for sid, *_ in all_sections):
        raise malformed("it imports from its host", lang)
    cap = _memory_cap(data, all_sections)
    if cap == -1:
        raise malformed("it has no memory of its own", lang)
    if cap is None or cap > MAX_PAGES:
        raise malformed(f"its memory may grow beyond {MAX_PAGES} pages", lang)
    return manifest
