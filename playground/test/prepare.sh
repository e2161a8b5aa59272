#!/usr/bin/env bash
# Prepares what playground/test/host.test.mjs reads: run from the repository root after
# `cargo build --release`. For each policy it writes into target/wasm/:
#   <name>.wasm          the module (`qingdan build`)
#   <name>.cases.json    its cases with their inputs and expectations (`qingdan test --format json`)
#   <name>.interp.json   the interpreter's results for its case file (`qingdan eval --explain`)
# and for the two fixtures that probe case reading and evaluation errors,
#   <name>.inputs.interp.json   the interpreter on playground/test/fixtures/<name>.inputs.json;
# for the conformance corpus (conformance.test.mjs), conformance/<name>.wasm of each entry;
# for the seal tests (seal.test.mjs), a key pair reviewer.{key,pub} (`qingdan keygen`) and
#   review.signed.wasm   the review policy built with `--sign reviewer.key`.
# Then: node --test playground/test/
set -euo pipefail
cd "$(dirname "$0")/../.."

qingdan="${QINGDAN:-target/release/qingdan}"
out=target/wasm
if [ ! -x "$qingdan" ]; then
  echo "prepare.sh: $qingdan not found; run \`cargo build --release\` first" >&2
  exit 2
fi
mkdir -p "$out"

# name | policy | case file (empty: none) | extra inputs (empty: none)
policies=(
  "admission|policies/grid_admission/admission.qd|policies/grid_admission/cases.yaml|"
  "withdrawal|policies/grid_admission/withdrawal.qd|policies/grid_admission/withdrawal.cases.yaml|"
  "duties|policies/township_duties/duties.qd|policies/township_duties/cases.yaml|"
  "catalogue|policies/enforcement_catalogue/catalogue.qd|policies/enforcement_catalogue/cases.yaml|"
  "review|policies/legality_review/review.qd|policies/legality_review/cases.yaml|"
  "handback|policies/enforcement_catalogue/withdrawal.qd|policies/enforcement_catalogue/withdrawal.cases.yaml|"
  "referral|policies/enforcement_catalogue/referral.qd|policies/enforcement_catalogue/referral.cases.yaml|"
  "community|policies/community_work/admission.qd|policies/community_work/cases.yaml|"
  "edge|playground/test/fixtures/edge.qd|playground/test/fixtures/edge.cases.yaml|playground/test/fixtures/edge.inputs.json"
  "casereading|tests/fixtures/cases/policy.qd||playground/test/fixtures/casereading.inputs.json"
  "conv_int|tests/fixtures/conversions/int_as_decimal.qd|tests/fixtures/conversions/int_as_decimal.cases.yaml|"
  "conv_rows|tests/fixtures/conversions/list_row.qd|tests/fixtures/conversions/list_row.cases.yaml|"
  "conv_member|tests/fixtures/conversions/membership.qd|tests/fixtures/conversions/membership.cases.yaml|"
  "dated|tests/fixtures/result_dates/dated.qd|tests/fixtures/result_dates/dated.cases.yaml|"
)

# `qingdan eval` exits 1 when some case fails (which the fixtures' inputs do on purpose).
eval_json() {
  local code=0
  "$qingdan" eval "$1" --input "$2" --format json --explain >"$3" || code=$?
  if [ "$code" -gt 1 ] || [ ! -s "$3" ]; then
    echo "prepare.sh: qingdan eval $1 --input $2 failed (exit $code)" >&2
    exit 1
  fi
}

for entry in "${policies[@]}"; do
  IFS='|' read -r name policy cases inputs <<<"$entry"
  "$qingdan" build "$policy" -o "$out/$name.wasm" >/dev/null
  if [ -n "$cases" ]; then
    code=0
    "$qingdan" test "$policy" --format json >"$out/$name.cases.json" || code=$?
    if [ "$code" -ne 0 ]; then
      echo "prepare.sh: qingdan test $policy failed (exit $code)" >&2
      exit 1
    fi
    eval_json "$policy" "$cases" "$out/$name.interp.json"
  fi
  if [ -n "$inputs" ]; then
    eval_json "$policy" "$inputs" "$out/$name.inputs.interp.json"
  fi
  echo "prepared $name ($(wc -c <"$out/$name.wasm") bytes)"
done

# The conformance corpus's modules (tests/conformance/corpus.txt: `name policy …`), for
# conformance.test.mjs; the cases and expected results are read from tests/conformance/.
mkdir -p "$out/conformance"
while read -r name policy _; do
  case "$name" in ''|'#'*) continue ;; esac
  "$qingdan" build "$policy" -o "$out/conformance/$name.wasm" >/dev/null
done <tests/conformance/corpus.txt
echo "prepared $(ls "$out/conformance" | wc -l) conformance modules"

# A fresh key pair each time (keygen never replaces keys), and a module signed with it.
rm -f "$out/reviewer.key" "$out/reviewer.pub"
"$qingdan" keygen "$out/reviewer" >/dev/null
"$qingdan" build policies/legality_review/review.qd -o "$out/review.signed.wasm" --sign "$out/reviewer.key" >/dev/null
echo "prepared review.signed.wasm (signed with $out/reviewer.key)"
