"""The Python host against the JavaScript package (hosts/js, itself held to the interpreter by
playground/test/host.test.mjs) on the modules playground/test/prepare.sh builds into
target/wasm/: every bundled case gives the same outcomes, values and fired rules; bad input
gives the engine's codes; an endless module stops on its fuel; the wheel installs and runs."""

import datetime
import decimal
import hashlib
import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "hosts/python/src"))

from qingdan import Policy, QingdanError  # noqa: E402

WASM = REPO / "target/wasm"
POLICIES = ["admission", "withdrawal", "duties", "catalogue", "review", "handback", "referral", "community", "edge"]


def cases_of(name):
    report = json.loads((WASM / f"{name}.cases.json").read_text(encoding="utf-8"))
    return [c for p in report["policies"] for c in p["cases"]]


def js_results(name):
    out = subprocess.run(
        ["node", str(REPO / "hosts/python/tests/js_results.mjs"), str(WASM / f"{name}.wasm"), str(WASM / f"{name}.cases.json")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("name", POLICIES)
def test_every_bundled_case_as_the_js_host_decides_it(name):
    policy = Policy.load(WASM / f"{name}.wasm")
    cases = cases_of(name)
    expected = js_results(name)
    assert len(expected) == len(cases) > 0
    for case, want in zip(cases, expected):
        try:
            got = {
                "decisions": {d: r.to_json() for d, r in policy.decide(case["given"]).items()},
                "checks": policy.check(case["given"]).to_json(),
            }
        except QingdanError as e:
            got = {"error": e.code}
        assert got == want, case["name"]


def test_typed_values_in_the_dataclasses():
    policy = Policy.load(WASM / "admission.wasm")
    seen = set()
    for case in cases_of("admission"):
        try:
            r = policy.decide(case["given"], "准入结论")
        except QingdanError:
            continue
        for o in r.outcomes:
            for v in o.values.values():
                seen.add(type(v).__name__)
    assert {"date", "str", "NoneType"} <= seen, seen
    edge = Policy.load(WASM / "edge.wasm")
    kinds = set()
    for case in cases_of("edge"):
        try:
            results = edge.decide(case["given"])
        except QingdanError:
            continue
        for r in results.values():
            for o in r.outcomes:
                for k, v in o.values.items():
                    kinds.add(type(v).__name__)
                    shown = next(x for x in r.to_json()["outcomes"] if x["outcome"] == o.outcome)["values"][k]
                    if isinstance(v, decimal.Decimal):
                        assert shown == str(v) and decimal.Decimal(shown) == v, (v, shown)
                    if isinstance(v, datetime.date):
                        assert shown == v.isoformat()
    assert {"list", "bool", "Decimal", "int", "date"} <= kinds, kinds


def first_given():
    return cases_of("admission")[0]["given"]


def test_bad_cases_give_the_engines_codes_and_paths():
    policy = Policy.load(WASM / "admission.wasm", lang="en")
    given = first_given()
    field = next(iter(given))
    with pytest.raises(QingdanError) as e:
        policy.decide({**given, field: 12})
    assert (e.value.code, e.value.path.endswith(field)) == ("E0302", True)
    with pytest.raises(QingdanError) as e:
        policy.decide({**given, "没有这个字段": 1})
    assert (e.value.code, e.value.path) == ("E0304", policy.manifest["inputs"][0]["name"] + ".没有这个字段")
    size = policy.manifest["layout"]["arena_size"]
    with pytest.raises(QingdanError) as e:
        policy.decide({**given, field: "字" * (size // 3 + 1)})
    assert e.value.code == "E0503"
    with pytest.raises(QingdanError) as e:
        policy.decide(given, "没有这个决定")
    assert e.value.code == "E0902"
    # The policy goes on deciding after every refusal.
    assert policy.decide(given, "准入结论").outcome


def test_foreign_and_corrupt_modules_are_refused():
    data = (WASM / "admission.wasm").read_bytes()
    for bad, code in [(b"not a module at all", "E0501"), (data[:8], "E0502"), (data[: len(data) // 2], "E0501")]:
        with pytest.raises(QingdanError) as e:
            Policy.from_bytes(bad)
        assert e.value.code == code
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0xFF
    with pytest.raises(QingdanError) as e:
        Policy.from_bytes(bytes(damaged))
    assert e.value.code == "E0501"


def _uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _vec(items):
    return _uleb(len(items)) + b"".join(items)


def _section(sid, body):
    return bytes([sid]) + _uleb(len(body)) + body


def _name(s):
    b = s.encode()
    return _uleb(len(b)) + b


def endless_module():
    """A module whose `begin` loops for ever (as hosts/js/test/modules.mjs builds it), sealed."""
    manifest = json.loads(subprocess.run(
        ["node", "-e", 'import("./hosts/js/test/modules.mjs").then(m => console.log(JSON.stringify(m.ENDLESS_MANIFEST)))'],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout)
    body = lambda code: _uleb(len(code) + 2) + b"\x00" + code + b"\x0b"  # noqa: E731
    zero = bytes([0x41, 0x00])
    loop = bytes([0x03, 0x40, 0x0C, 0x00, 0x0B, 0x41, 0x00])
    names = ["begin", "decide", "check", "read_let"]
    module = (
        b"\0asm\x01\0\0\0"
        + _section(1, _vec([bytes([0x60, 0x00, 0x01, 0x7F]), bytes([0x60, 0x01, 0x7F, 0x01, 0x7F])]))
        + _section(3, _vec([b"\x00", b"\x01", b"\x01", b"\x01"]))
        + _section(5, _vec([bytes([0x01, 8, 16])]))
        + _section(6, _vec([bytes([0x7F, 0x00, 0x41]) + _uleb(manifest["abi"]) + b"\x0b"]))
        + _section(7, _vec([_name("memory") + b"\x02\x00", _name("abi_version") + b"\x03\x00"]
                           + [_name(n) + bytes([0x00, i]) for i, n in enumerate(names)]))
        + _section(10, _vec([body(loop), body(zero), body(zero), body(zero)]))
        + _section(0, _name("qingdan") + json.dumps(manifest).encode())
    )
    return module + _section(0, _name("qingdan.integrity") + bytes([1, 0]) + hashlib.sha256(module).digest())


def test_an_endless_module_stops_on_its_fuel():
    policy = Policy.from_bytes(endless_module(), fuel=1_000_000)
    for _ in range(2):
        with pytest.raises(QingdanError) as e:
            policy.decide({"form": {"name": "x"}})
        assert e.value.code == "E0504"


def test_the_wheel_installs_into_a_fresh_venv_and_decides(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
                    str(REPO / "hosts/python")], check=True)
    wheel = next(wheels.glob("qingdan-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin/python"
    # The wheel and its one dependency, wasmtime (from PyPI or pip's cache).
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    cases = tmp_path / "cases.csv"
    cases.write_text("事项名称,申请部门\n养老服务补贴政策宣传,QU-MZ\n", encoding="utf-8")
    out = subprocess.run(
        [str(python), str(REPO / "hosts/python/examples/decide_csv.py"), str(WASM / "admission.wasm"), str(cases),
         json.dumps(first_given(), ensure_ascii=False)],
        check=True, capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""},
    ).stdout
    assert out.startswith("row 1: 准入结论 → 常态准入 {"), out
    where = subprocess.run([str(python), "-c", "import qingdan; print(qingdan.__file__)"], check=True,
                           capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""}).stdout
    assert where.startswith(str(venv)), where
