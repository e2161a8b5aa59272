#!/usr/bin/env bash
# Makes the bundled policies' decision-notice templates: every `notices/*.fodt` (and
# `notices/<决定>/*.fodt`) under policies/ becomes the `.docx` beside it, written by
# LibreOffice. The .fodt files are the sources (flat ODT, readable in a diff, editable in
# LibreOffice Writer); the .docx files are committed so that `qingdan eval --notice` needs
# no office software. Run again after editing a source: `policies/make-notices.sh`.
set -euo pipefail
cd "$(dirname "$0")"
command -v soffice >/dev/null || { echo "make-notices: needs LibreOffice (soffice); Debian: apt-get install libreoffice-writer-nogui" >&2; exit 1; }
# A profile of its own, so that a LibreOffice already open does not swallow the request.
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
find . -path '*/notices/*' -name '*.fodt' -print0 | sort -z | while IFS= read -r -d '' src; do
  soffice -env:UserInstallation="file://$profile" --headless --convert-to docx:"MS Word 2007 XML" \
    --outdir "$(dirname "$src")" "$src" >/dev/null
  echo "${src%.fodt}.docx"
done
