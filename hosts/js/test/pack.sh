#!/usr/bin/env bash
# The npm package as an integrator gets it: `npm pack`, the tarball installed into an empty
# project, a TypeScript example checked with `tsc --noEmit` (typescript pinned) and a plain JS
# example run against a module `qingdan build` made from a bundled policy.
# Run from the repository root: QINGDAN=target/debug/qingdan hosts/js/test/pack.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
qingdan="${QINGDAN:-target/debug/qingdan}"
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd hosts/js && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/qingdan-*.tgz)
echo "package: $(basename "$tarball"), $(stat -c %s "$tarball") bytes packed"
tar -tzf "$tarball" | grep -q 'package/index.d.ts'
if tar -tzf "$tarball" | grep -q 'package/test/'; then echo "pack.sh: tests in the package" >&2; exit 1; fi

mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm pkg set type=module
npm install --no-audit --no-fund --loglevel=error "$tarball" typescript@5.6.3 @types/node@20.17.6 >/dev/null
cp "$repo/hosts/js/examples/decide.mjs" "$repo/hosts/js/examples/decide.ts" .
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022", "types": ["node"], "noEmit": true }, "files": ["decide.ts"] }
JSON
npx tsc --noEmit -p tsconfig.json
echo "tsc --noEmit: the TypeScript example checks"

"$repo/$qingdan" build "$repo/policies/grid_admission/admission.qd" -o policy.wasm >/dev/null
# The first case of the policy's case file, as JSON.
"$repo/$qingdan" test --format json "$repo/policies/grid_admission/admission.qd" \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);process.stdout.write(JSON.stringify(r.policies[0].cases.find(c=>c.source!=="test block").given))})' > case.json
got=$(node decide.mjs policy.wasm case.json)
echo "$got"
echo "$got" | grep -q '^准入结论: 常态准入 {.*"纳入日期":"2025-03-01"'
echo '{"事项名称": 12}' > bad.json
if bad=$(node decide.mjs policy.wasm bad.json); then echo "pack.sh: a bad case was decided" >&2; exit 1; fi
echo "$bad" | grep -q '^error E0302 at 申请.事项名称'
echo "pack.sh: the installed package decides and refuses as it should"
