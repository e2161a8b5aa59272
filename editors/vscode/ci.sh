#!/usr/bin/env bash
# The VS Code extension in CI (.ci/run): its pinned npm packages (package-lock.json), the
# grammar's tests on the bundled policies, then the .vsix, whose contents are checked.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error
node --test test/
npx vsce package --skip-license --allow-missing-repository --out ../../target/qingdan.vsix
# A .vsix is a zip: the manifest, the client, the grammar and the client library must be in it.
listing=$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' ../../target/qingdan.vsix)
for f in extension/package.json extension/extension.js extension/impact.js extension/language-configuration.json \
  extension/syntaxes/qingdan.tmLanguage.json extension/node_modules/vscode-languageclient/package.json; do
  grep -qx "$f" <<<"$listing" || { echo "qingdan.vsix lacks $f" >&2; exit 1; }
done
ls -l ../../target/qingdan.vsix
