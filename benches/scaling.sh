#!/usr/bin/env bash
# Parallel scaling of a replication batch: line5, 64 replications of the full
# horizon, at 1, 2, 4, 8 and 16 threads (or the threads given as arguments),
# three runs each, interleaved so that a slow spell of the machine hits every
# thread count alike. Prints each run, then per thread count the best and the
# median wall time, the speed-ups against one thread, the CPUs kept busy
# (user + system time / wall time) and the parallel efficiency.
#
#   benches/scaling.sh               # 1 2 4 8 16
#   benches/scaling.sh 1 2           # on a two-core machine
#
# Every run must give the same results whatever the thread count; the script
# checks that too (summary.json without its timing fields).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2 4 8 16)
runs=${RUNS:-3}
replications=${REPLICATIONS:-64}
cargo build --release --quiet
bin=target/release/alloysim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for run in $(seq 1 "$runs"); do
  for t in "${threads[@]}"; do
    # bash's own `time` (GNU time may be missing on a fresh machine).
    TIMEFORMAT='%R %U %S'
    { time "$bin" run benches/models/line5.toml -j "$t" -r "$replications" --no-charts -q -o "$out/t$t" 2>>"$out/log"; } 2> "$out/time"
    read -r wall user sys < "$out/time"
    echo "$t $wall $user $sys" >> "$out/runs"
    echo "run $run, $t threads: $wall s wall, $user s user, $sys s system"
  done
done
python3 - "$out" "${threads[@]}" <<'PY'
import json, statistics, sys
out, threads = sys.argv[1], [int(t) for t in sys.argv[2:]]
rows = [line.split() for line in open(f"{out}/runs")]
def timing_free(t):
    d = json.load(open(f"{out}/t{t}/summary.json"))
    for key in ("wall_s", "events_per_s", "good_parts_per_s", "threads", "peak_rss_kib", "timing"):
        d.pop(key, None)
    return json.dumps(d, sort_keys=True)
reference = timing_free(threads[0])
identical = all(timing_free(t) == reference for t in threads)
walls = {t: [float(w) for (n, w, _, _) in rows if int(n) == t] for t in threads}
busy = {t: statistics.median((float(u) + float(s)) / float(w) for (n, w, u, s) in rows if int(n) == t) for t in threads}
base_best, base_median = min(walls[threads[0]]), statistics.median(walls[threads[0]])
print()
print("| threads | best wall (s) | median wall (s) | speed-up (best) | speed-up (median) | CPUs busy | efficiency (best) |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for t in threads:
    best, median = min(walls[t]), statistics.median(walls[t])
    speedup = base_best / best
    print(f"| {t} | {best:.3f} | {median:.3f} | {speedup:.2f} | {base_median / median:.2f} | {busy[t]:.2f} | {speedup / t * threads[0]:.0%} |")
print()
print("results identical at every thread count:", "yes" if identical else "NO")
sys.exit(0 if identical else 1)
PY
