#!/usr/bin/env python3
"""Writes the corpus's case files once: tests/conformance/<name>.cases.jsonl for each entry of
corpus.txt, from the cases `qingdan test --format json` reads for the policy (test blocks and
case files, as `given`), a fixture's extra inputs, and bad input made from the first case (a
field of the wrong type, an unknown field). Numbers are copied as their digits, never through a
float. Run from the repository root after `cargo build`:

    python3 tests/conformance/make_cases.py

The expected results are not written here: `QINGDAN_CONFORMANCE=write cargo test --test
conformance` writes them (tests/conformance/README.md).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests/conformance"
QINGDAN = ROOT / "target/debug/qingdan"


class Num(str):
    """A JSON number kept as its text."""


def load(text):
    return json.loads(text, parse_float=Num, parse_int=Num)


def dump(v):
    if isinstance(v, Num):
        return str(v)
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + dump(x) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(dump(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def bad_inputs(first):
    """A field of the wrong type and an unknown field, in the case's first input."""
    out = []
    for key, value in first.items():
        if isinstance(value, dict):
            inner = bad_inputs(value)
            return [{**first, key: x} for x in inner]
        wrong = Num("12345") if isinstance(value, str) and not isinstance(value, Num) else "不是数值"
        out.append({**first, key: wrong})
        break
    out.append({**first, "未知字段": True})
    return out


def main():
    for line in (HERE / "corpus.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, policy, *extra = line.split()
        if (HERE / f"{name}.cases.jsonl").exists():
            continue
        report = subprocess.run([QINGDAN, "test", policy, "--format", "json"], capture_output=True, cwd=ROOT)
        cases = [c["given"] for c in load(report.stdout.decode())["policies"][0]["cases"] if c["given"] is not None]
        for inputs in extra:
            cases += load((ROOT / inputs).read_text(encoding="utf-8"))
        if cases:
            cases += bad_inputs(cases[0])
        (HERE / f"{name}.cases.jsonl").write_text("".join(dump(c) + "\n" for c in cases), encoding="utf-8")
        print(f"{name}: {len(cases)} cases", file=sys.stderr)


main()
