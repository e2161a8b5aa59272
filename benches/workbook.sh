#!/usr/bin/env bash
# BENCHMARKS.md, "Lists from workbooks": a 100,000-row list exported to .xlsx by
# `qingdan export`, then the policy reading it (`来自 "事项.xlsx"`) checked by the front
# end (dsl/examples/check_list.rs, release build), against the same rows from CSV.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import random, sys
random.seed(1)
out = sys.argv[1]
cats = ["政策宣传", "基础信息采集", "应急处置"]
with open(f"{out}/事项.csv", "w", encoding="utf-8") as f:
    f.write("编号,名称,次数,类别,起始\n")
    for i in range(100000):
        f.write(f"K{i:06d},网格事项{i}走访登记,{random.randint(1,30)},{random.choice(cats)},2024-{random.randint(1,12):02d}-{random.randint(1,28):02d}\n")
policy = lambda src: f'''政策 十万行
枚举 类别 {{ 政策宣传, 基础信息采集, 应急处置 }}
记录 事项 {{
  编号: 文本
  名称: 文本
  次数: 整数
  类别: 类别
  起始: 日期
}}
清单 事项表: 事项 键 编号 来自 "{src}"
'''
open(f"{out}/csv.qd", "w").write(policy("事项.csv"))
open(f"{out}/xlsx.qd", "w").write(policy("事项.xlsx"))
PY
cargo build --quiet
cargo build --quiet --release -p qingdan-dsl --example check_list
target/debug/qingdan export "$work/csv.qd" --list 事项表 -o "$work/事项.xlsx"
ls -l "$work/事项.xlsx" "$work/事项.csv"
for policy in xlsx csv; do
  /usr/bin/time -f "  %e s wall, %U s user, %M KB max RSS" target/release/examples/check_list "$work/$policy.qd"
done
