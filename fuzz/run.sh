#!/bin/sh
# Builds one fuzz target with libFuzzer's coverage instrumentation on the stable toolchain
# and runs it for SECONDS on a copy of its seed corpus. Exit 0 when nothing was found;
# otherwise libFuzzer's exit code, with the input that failed in fuzz/artifacts/TARGET/.
#
#   fuzz/run.sh TARGET [SECONDS] [libFuzzer options…]    TARGET: policy cases lists module
#
# Environment: FUZZ_JOBS (parallel fuzzing processes, default 1); FUZZ_KEEP=1 keeps the
# corpus grown in fuzz/corpus/TARGET (the seeds in fuzz/seeds/TARGET are never changed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer options...]}
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
[ -d "$here/seeds/$target" ] || { echo "fuzz/run.sh: no target '$target' (see fuzz/seeds/)" >&2; exit 2; }

# What `cargo fuzz build -s none` passes: sanitizer coverage for libFuzzer's guidance,
# comparisons traced (so it learns keywords and magic numbers), `cfg(fuzzing)`.
host=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
# --target keeps the instrumentation off build scripts and proc macros.
cargo build --release --locked --manifest-path "$here/Cargo.toml" --target "$host" --bin "$target"
bin="$here/target/$host/release/$target"

corpus="$here/corpus/$target"
if [ "${FUZZ_KEEP:-0}" != 1 ]; then
  corpus=$(mktemp -d)
  trap 'rm -rf "$corpus"' EXIT
fi
mkdir -p "$corpus" "$here/artifacts/$target"
# Inputs that once failed (fuzz/regressions/TARGET/) are replayed first.
if [ -n "$(ls -A "$here/regressions/$target" 2>/dev/null)" ]; then
  "$bin" -runs=1 "$here/regressions/$target"/*
fi
jobs=${FUZZ_JOBS:-1}
[ "$jobs" -gt 1 ] && set -- -jobs="$jobs" -workers="$jobs" "$@"
# Inputs above 64 KiB add nothing the readers' size caps do not already cover.
"$bin" "$corpus" "$here/seeds/$target" -max_total_time="$seconds" -max_len=65536 -timeout=20 \
  -rss_limit_mb=4096 -artifact_prefix="$here/artifacts/$target/" -print_final_stats=1 "$@"
