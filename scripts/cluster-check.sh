#!/usr/bin/env bash
# The cluster check: studies submitted with `alloysim slurm` to a real
# single-node SLURM cluster (scripts/slurm-test-cluster.sh) give, once
# their merge jobs have run, the same files as the one-machine commands,
# byte for byte (timing fields aside); and a task that fails cancels its
# merge job, which is reported.
#
#   scripts/cluster-check.sh [ALLOYSIM_BINARY]   (default target/release/alloysim)
#
# Runs as root (it installs and starts the cluster). Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(realpath "${1:-target/release/alloysim}")
[ -x "$BIN" ] || { echo "cluster check: no alloysim binary at $BIN (cargo build --release)" >&2; exit 1; }
SCENARIO=scenarios/pilot_line.toml
WORK=$(mktemp -d /tmp/alloysim-cluster-check.XXXXXX)

scripts/slurm-test-cluster.sh start
trap 'scripts/slurm-test-cluster.sh stop; rm -rf "$WORK"' EXIT
eval "$(scripts/slurm-test-cluster.sh env)"

fail() {
    echo "cluster check FAILED: $*" >&2
    exit 1
}

# Submits `alloysim slurm ARGS...`; prints "ARRAY_ID MERGE_ID".
submit() {
    local out
    out=$("$BIN" slurm "$@") || fail "alloysim slurm $*"
    echo "$out" >&2
    echo "$out" | sed -n 's/^submitted job array \([0-9]*\) .* merge job \([0-9]*\) .*/\1 \2/p'
}

# Waits until none of the jobs given is queued or running (at most 5 minutes).
wait_for() {
    local i
    for i in $(seq 1 1500); do
        [ -z "$(squeue -h -j "$(
            IFS=,
            echo "$*"
        )" 2>/dev/null)" ] && return 0
        sleep 0.2
    done
    squeue >&2
    fail "jobs $* still queued after 5 minutes"
}

# The state of job (or array task) $1, as scontrol shows it.
state_of() {
    scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1
}

# Compares two result folders: the same files, byte for byte, but for
# summary.json's timing fields.
same_results() {
    python3 - "$1" "$2" <<'PY'
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
files_a, files_b = sorted(os.listdir(a)), sorted(os.listdir(b))
if files_a != files_b:
    sys.exit(f"different files: {files_a} vs {files_b}")
TIMING = ["timing", "wall_s", "events_per_s", "good_parts_per_s", "threads", "peak_rss_kib"]
for name in files_a:
    x, y = (open(os.path.join(d, name), "rb").read() for d in (a, b))
    if name == "summary.json":
        x, y = (json.loads(t) for t in (x, y))
        for s in (x, y):
            for key in TIMING:
                s.pop(key, None)
    if x != y:
        sys.exit(f"{name} differs between {a} and {b}")
print(f"identical: {a} and {b} ({len(files_a)} files)")
PY
}

SWEEP=(sweep "$SCENARIO" --param stations.age.buffer=200..800:200 --variant automated-3-shift-finishing -r 3)
ATTRIBUTE=(attribute "$SCENARIO" -r 3)
RUN=(run "$SCENARIO" -r 4 --horizon 10d)

read -r sweep_array sweep_merge < <(submit "${SWEEP[@]}" -o "$WORK/sweep" --tasks 4)
read -r attr_array attr_merge < <(submit "${ATTRIBUTE[@]}" -o "$WORK/attribute" --tasks 3)
read -r run_array run_merge < <(submit "${RUN[@]}" -o "$WORK/run" --tasks 2)

# The same studies on this machine, while the cluster works.
"$BIN" "${SWEEP[@]}" -q -o "$WORK/sweep-one"
"$BIN" "${ATTRIBUTE[@]}" -q -o "$WORK/attribute-one"
"$BIN" "${RUN[@]}" -q -o "$WORK/run-one"

wait_for "$sweep_array" "$sweep_merge" "$attr_array" "$attr_merge" "$run_array" "$run_merge"
for job in "$sweep_merge" "$attr_merge" "$run_merge"; do
    [ "$(state_of "$job")" = COMPLETED ] || fail "merge job $job is $(state_of "$job")"
done
same_results "$WORK/sweep" "$WORK/sweep-one" || fail "sweep"
same_results "$WORK/attribute" "$WORK/attribute-one" || fail "attribute"
same_results "$WORK/run" "$WORK/run-one" || fail "run"

# A task that fails: a file where shard 1's part should go.
mkdir -p "$WORK/failing.parts"
touch "$WORK/failing.parts/part-0001-of-0003"
read -r fail_array fail_merge < <(submit "${SWEEP[@]}" -o "$WORK/failing" --tasks 3)
wait_for "$fail_array" "$fail_merge"
[ "$(state_of "${fail_array}_1")" = FAILED ] || fail "task 1 is $(state_of "${fail_array}_1"), not FAILED"
[ "$(state_of "${fail_array}_0")" = COMPLETED ] || fail "task 0 is $(state_of "${fail_array}_0")"
[ "$(state_of "$fail_merge")" = CANCELLED ] || fail "the merge job is $(state_of "$fail_merge"), not CANCELLED"
grep -q "not a folder" "$WORK/failing.slurm/logs/task-1.log" || fail "task 1's log does not say why it failed"
[ ! -e "$WORK/failing" ] || fail "results appeared although a task failed"
# Merging by hand names the missing shard and how to rerun it.
set +e
message=$("$BIN" merge "$WORK/failing.parts" -o "$WORK/failing" 2>&1)
code=$?
set -e
[ $code -eq 2 ] || fail "merge with a shard missing exited $code, not 2"
echo "$message" | grep -q "shard 1 of 3 is missing" || fail "merge did not name the missing shard: $message"
echo "$message" | grep -q -- "--shard 1/3" || fail "merge did not give the rerun command: $message"
echo "failed task reported: task ${fail_array}_1 FAILED, merge job $fail_merge CANCELLED; merge says:"
echo "$message"

# Resumed: the same submission again computes only the shard still missing.
rm "$WORK/failing.parts/part-0001-of-0003"
out=$("$BIN" slurm "${SWEEP[@]}" -o "$WORK/failing" --tasks 3) || fail "resubmission"
echo "$out"
echo "$out" | grep -q "2 of the 3 parts are there already" || fail "the resubmission did not keep the parts computed"
echo "$out" | grep -q "(1 task)" || fail "the resubmission did not submit one task"
read -r resume_array resume_merge < <(echo "$out" | sed -n 's/^submitted job array \([0-9]*\) .* merge job \([0-9]*\) .*/\1 \2/p')
wait_for "$resume_array" "$resume_merge"
[ "$(state_of "$resume_merge")" = COMPLETED ] || fail "the resumed merge job is $(state_of "$resume_merge")"
same_results "$WORK/failing" "$WORK/sweep-one" || fail "resumed sweep"
echo "cluster check passed"
