"""The Python host against the conformance corpus (tests/conformance/): every case of every
entry, decided by the module playground/test/prepare.sh builds (target/wasm/conformance/<name>.wasm)
through `Policy.decide_json`, gives byte for byte the expected line of the result model — the
line the interpreter, `qingdan eval --format json`, the Rust host and the JavaScript host give.
conftest.py prints the totals: `conformance: python same/total`."""

import json
import pathlib
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


EXPLAINED = ["admission", "withdrawal", "duties", "catalogue", "review", "handback", "referral", "community", "edge"]


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


def test_json_text_keeps_every_digit_and_refuses_what_is_not_json():
    assert str(parse_json('{"x": 12.50}')["x"]) == "12.50"
    assert parse_json("123456789012345678901234567890") == 123456789012345678901234567890
    for bad in ['{"a": 1, "a": 2}', "{", "NaN", '{"a": 1} x']:
        with pytest.raises(QingdanError) as e:
            parse_json(bad)
        assert e.value.code == "E0301", bad
