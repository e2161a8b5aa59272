"""The Python host against the conformance corpus (tests/conformance/): every case of every
entry, decided by the module playground/test/prepare.sh builds (target/wasm/conformance/<name>.wasm)
through `Policy.decide_json`, gives byte for byte the expected line of the result model — the
line the interpreter, `qingdan eval --format json`, the Rust host and the JavaScript host give.
conftest.py prints the totals: `conformance: python same/total`."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "hosts/python/src"))

from qingdan import MODEL_VERSION, Policy, QingdanError, parse_json  # noqa: E402

CORPUS = REPO / "tests/conformance"
MODULES = REPO / "target/wasm/conformance"
ENTRIES = [
    line.split()[0]
    for line in (CORPUS / "corpus.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def lines(name):
    return [f"{line}\n" for line in (CORPUS / name).read_text(encoding="utf-8").split("\n") if line != ""]


def load(name):
    path = MODULES / f"{name}.wasm"
    assert path.exists(), f"{path} is missing: run `QINGDAN=target/debug/qingdan playground/test/prepare.sh` first"
    return Policy.load(path)


def test_the_corpus_has_every_entry_and_speaks_model_version_1():
    assert len(ENTRIES) >= 13, ENTRIES
    assert MODEL_VERSION == 1


@pytest.mark.parametrize("name", ENTRIES)
def test_the_python_host_gives_the_expected_lines_byte_for_byte(name, conformance_totals):
    policy = load(name)
    cases = lines(f"{name}.cases.jsonl")
    expected = lines(f"{name}.expected.jsonl")
    assert len(cases) == len(expected) > 0, f"{name}: one expected line per case"
    differ = []
    for n, (text, want) in enumerate(zip(cases, expected), start=1):
        got = policy.decide_json(parse_json(text), n=n)
        conformance_totals["total"] += 1
        if got == want:
            conformance_totals["same"] += 1
        else:
            differ.append(f"case {n}:\n  got  {got}  want {want}")
    assert not differ, f"{name}: {len(differ)} of {len(cases)} differ\n" + "\n".join(differ[:3])


def test_a_decision_alone_a_name_and_explanations_keep_the_models_shape():
    policy = load("admission")
    first = parse_json(lines("admission.cases.jsonl")[0])
    one = json.loads(policy.decide_json(first, n=7, name="甲", decision="准入结论"))
    assert list(one) == ["model", "case", "name", "decisions", "violations", "permissions"]
    assert (one["case"], one["name"], list(one["decisions"])) == (7, "甲", ["准入结论"])
    explained = json.loads(policy.decide_json(first, explain=True))
    outcome = explained["decisions"]["准入结论"]["outcomes"][0]
    assert all(isinstance(c["text"], str) for c in outcome["cites"]), "clauses carry their text"
    with pytest.raises(QingdanError) as e:
        policy.decide_json(first, decision="nope")
    assert e.value.code == "E0902"


EXPLAINED = ["admission", "withdrawal", "duties", "catalogue", "review", "handback", "referral", "community", "edge", "dated"]


@pytest.mark.parametrize("name", EXPLAINED)
def test_explanations_are_the_interpreters_byte_for_byte(name):
    """With `explain`, every case of the policy's case file gives the line `qingdan eval
    --format json --explain` printed for it (target/wasm/<name>.interp.json, from prepare.sh):
    the values each rule read, lets among them, and the clauses' text."""
    policy = Policy.load(REPO / f"target/wasm/{name}.wasm")
    report = parse_json((REPO / f"target/wasm/{name}.cases.json").read_text(encoding="utf-8"))
    cases = [c for c in report["policies"][0]["cases"] if c["source"] == "case file"]
    interp = [f"{line}\n" for line in (REPO / f"target/wasm/{name}.interp.json").read_text(encoding="utf-8").split("\n") if line.strip()]
    assert len(cases) == len(interp) > 0
    reads = 0
    for c, want in zip(cases, interp):
        n = json.loads(want)["case"]
        got = policy.decide_json(c["given"], n=n, name=c["name"], explain=True)
        assert got == want, c["name"]
        reads += got.count('"read":[{')
    assert name == "edge" or reads > 0, "some rule read a value"


# JSON numbers as written, for a decimal field, an int field and an int-keyed row, beside other
# values of the wrong type: the Python host reads each text as `qingdan eval` does (cases/json.rs:
# integers of 64 bits exact, other numbers as serde_json's f64, a decimal from its own text).
# `1e400` is left out of the int fields: serde_json refuses it there, naming its column.
NUMBERS = [
    "120.50", "1e2", "1E2", "1.5e1", "0.1e1", "2.0", "101.0", "1.01e2", "-0", "0.0", "1e-7", "0.0000001",
    "123456789.1234567", "1.00000000000000000001", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "123456789012345678901234", "1e19", "-1e19", "9.3e18", "12345678901234567890.5", "1e21", "1e-400",
    "3.000000", "0.30000000000000004", "0.1e-5", "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308",
    "0.000000000000000000000000001e30", "123456789012345678901.5", "98765432109876543210987654321e-10", "101", "true", '"12"', '"1e2"', "[1]", "{}", "null",
]
QINGDAN = pathlib.Path(os.environ.get("QINGDAN", REPO / "target/debug/qingdan"))


def test_json_numbers_are_read_as_qingdan_eval_reads_them(tmp_path):
    assert QINGDAN.exists(), f"{QINGDAN} is missing: `cargo build`, or set QINGDAN"
    base = lines("edge.cases.jsonl")[0]
    variants = [base.replace('"budget":120.5', '"budget":1e400', 1)]
    for text in NUMBERS:
        for field in ('"budget":120.5', '"factor":0', '"code":101'):
            assert field in base
            variants.append(base.replace(field, field.split(":")[0] + ":" + text, 1))
    cases = tmp_path / "numbers.jsonl"
    cases.write_text("\n".join(variants) + "\n", encoding="utf-8")
    edge = next(line.split()[1] for line in (CORPUS / "corpus.txt").read_text(encoding="utf-8").splitlines() if line.startswith("edge "))
    run = subprocess.run([str(QINGDAN), "eval", str(REPO / edge), "--input", str(cases), "--format", "json"],
                         capture_output=True, text=True, encoding="utf-8")
    assert run.returncode in (0, 1), run.stderr
    want = run.stdout.splitlines(keepends=True)
    policy = load("edge")
    got = [policy.decide_json(parse_json(v), n=n) for n, v in enumerate(variants, start=1)]
    assert len(want) == len(variants) == 1 + 3 * len(NUMBERS)
    differ = [f"{v.strip()}\n  python {g}  cli    {w}" for v, g, w in zip(variants, got, want) if g != w]
    assert not differ, f"{len(differ)} differ:\n" + "\n".join(differ[:3])
    assert sum('"error"' in g for g in got) > len(NUMBERS), "most are refused, each with its message"


def test_bad_input_is_the_rust_hosts_error_line_and_the_next_case_is_unharmed(tmp_path):
    """A text too long for the module's input arena (E0503) and a case of more than 10,000
    fields (E0307), beside a good case: the lines of `qingdan eval --wasm` (the Rust host)."""
    assert QINGDAN.exists(), f"{QINGDAN} is missing: `cargo build`, or set QINGDAN"
    policy = load("admission")
    first = lines("admission.cases.jsonl")[0]
    case = parse_json(first)
    field = next(k for k, v in case.items() if isinstance(v, str))
    too_long = {**case, field: "字" * (policy.manifest["layout"]["arena_size"] // 3 + 1)}
    too_many = {**case, **{f"k{i}": i for i in range(10_001)}}
    texts = [json.dumps(c, ensure_ascii=False) + "\n" for c in (too_long, too_many)] + [first]
    cases = tmp_path / "bad.jsonl"
    cases.write_text("".join(texts), encoding="utf-8")
    run = subprocess.run([str(QINGDAN), "eval", "--wasm", str(MODULES / "admission.wasm"), "--input", str(cases), "--format", "json"],
                         capture_output=True, text=True, encoding="utf-8")
    assert run.returncode == 1, run.stderr
    got = [policy.decide_json(parse_json(t), n=n) for n, t in enumerate(texts, start=1)]
    assert [json.loads(g).get("error", {}).get("code") for g in got] == ["E0503", "E0307", None]
    assert got == run.stdout.splitlines(keepends=True)


def test_json_text_keeps_every_digit_and_refuses_what_is_not_json():
    assert str(parse_json('{"x": 12.50}')["x"]) == "12.50"
    assert parse_json("[18446744073709551615, -9223372036854775808]") == [2**64 - 1, -(2**63)]
    # Beyond 64 bits, and minus zero, serde_json has floats: kept as written.
    assert [str(x) for x in parse_json("[123456789012345678901234567890, -0]")] == ["123456789012345678901234567890", "-0"]
    for bad in ['{"a": 1, "a": 2}', "{", "NaN", '{"a": 1} x']:
        with pytest.raises(QingdanError) as e:
            parse_json(bad)
        assert e.value.code == "E0301", bad
