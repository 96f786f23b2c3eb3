#!/usr/bin/env bash
# Instructions per event of the engine, one replication on one thread: the
# difference of two callgrind runs of different horizons divided by the
# difference of their events, so that loading, building the line and writing
# the results cancel out. Repeats exactly from run to run, unlike wall time
# on a shared machine.
#
#   benches/instructions.sh                                   # line5, 100 000 / 200 000 min
#   benches/instructions.sh benches/models/big20.toml 50000 100000
#   benches/instructions.sh scenarios/pilot_line.toml 86400 172800
#   BIN=/path/to/other/alloysim benches/instructions.sh       # another build
#
# Needs valgrind.
set -euo pipefail
# A binary given relative to where the script was called from.
if [ -n "${BIN:-}" ]; then BIN=$(realpath "$BIN"); fi
cd "$(dirname "$0")/.."
model=${1:-benches/models/line5.toml}
short=${2:-100000}
long=${3:-200000}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/alloysim
fi
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is needed" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1" \
    "$BIN" run "$model" -j 1 -r 1 --horizon "$1" --no-charts -q -o "$out/res.$1" \
    >/dev/null 2>"$out/err.$1"
  instructions=$(grep -E '^(summary|totals):' "$out/cg.$1" | head -1 | awk '{print $2}')
  events=$(grep -o '"events": *[0-9]*' "$out/res.$1/summary.json" | head -1 | grep -o '[0-9]*$')
  echo "$instructions $events"
}
read -r i1 e1 < <(count "$short")
read -r i2 e2 < <(count "$long")
awk -v i1="$i1" -v i2="$i2" -v e1="$e1" -v e2="$e2" -v m="$model" \
  'BEGIN { printf "%s: %.1f instructions per event (%d -> %d events)\n", m, (i2 - i1) / (e2 - e1), e1, e2 }'
