#!/usr/bin/env bash
# Paired wall-clock comparison of two alloysim binaries: N alternating runs of
# the same study on one thread, so that a slow spell of a shared machine hits
# both alike; prints the median of the per-pair speed ratios (above 1: B is
# faster) with their range.
#
#   benches/paired.sh OLD_BIN NEW_BIN 9 benches/models/line5.toml -r 8 --horizon 200000
#
# Both binaries must give the same results; the script checks the last
# pair's replications.csv and stations.csv.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: benches/paired.sh A B PAIRS SCENARIO [run options]" >&2; exit 2; }
a=$1 b=$2 pairs=$3 scenario=$4
shift 4
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
TIMEFORMAT='%U'
for i in $(seq 1 "$pairs"); do
  { time "$a" run "$scenario" -j 1 --no-charts -q -o "$out/a" "$@" >/dev/null; } 2> "$out/ta"
  { time "$b" run "$scenario" -j 1 --no-charts -q -o "$out/b" "$@" >/dev/null; } 2> "$out/tb"
  echo "$(tail -1 "$out/ta") $(tail -1 "$out/tb")" >> "$out/pairs"
done
for f in replications.csv stations.csv; do
  cmp -s "$out/a/$f" "$out/b/$f" || echo "paired.sh: the two binaries give different results ($f)" >&2
done
awk '{ print $1 / $2 }' "$out/pairs" | sort -n | awk '
  { r[NR] = $1 }
  END {
    n = NR
    med = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
    printf "B/A speed: median %.3f (range %.3f-%.3f over %d pairs)\n", med, r[1], r[n], n
  }'
