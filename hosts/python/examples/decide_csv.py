"""Decide a CSV of cases, no pandas: python decide_csv.py POLICY.wasm CASES.csv [BASE.json]

Each row's columns are fields of the policy's input (by their last name); BASE, a JSON case,
gives the fields a row leaves out. Cells are converted by the field's type: true/false, whole
numbers, sets split on "|"; decimals and dates stay text (read exactly)."""

import csv
import json
import sys

from qingdan import Policy, QingdanError


def cell(text, ty):
    kind = ty if isinstance(ty, str) else next(iter(ty))
    if kind == "Opt":
        return None if text == "" else cell(text, ty["Opt"])
    if kind == "Bool":
        return text.strip().lower() in ("true", "是", "1")
    if kind == "Int":
        return int(text)
    if kind == "Set":
        return [cell(x, ty["Set"]) for x in text.split("|") if x]
    return text


def main(wasm, cases_csv, base="{}"):
    policy = Policy.load(wasm)
    types = {slot["path"][-1]: slot["ty"] for slot in policy.manifest["slots"]}
    with open(cases_csv, newline="", encoding="utf-8-sig") as f:
        for n, row in enumerate(csv.DictReader(f), start=1):
            case = json.loads(base)
            case.update({k: cell(v, types[k]) for k, v in row.items() if k in types})
            try:
                for name, r in policy.decide(case).items():
                    print(f"row {n}: {name} → {r.outcome} {json.dumps(r.to_json()['outcomes'][0]['values'], ensure_ascii=False)}")
            except QingdanError as e:
                print(f"row {n}: {e.code} {e.path}")


if __name__ == "__main__":
    main(*sys.argv[1:])
