#!/usr/bin/env bash
# A throw-away single-node SLURM cluster for alloysim's cluster check, run
# as root without systemd or cgroups:
#
#   scripts/slurm-test-cluster.sh start   # install what is missing, start munged, slurmctld, slurmd
#   scripts/slurm-test-cluster.sh env     # print the export the clients need (SLURM_CONF)
#   scripts/slurm-test-cluster.sh stop    # cancel every job, stop the three daemons started here
#
# Everything lives in $ALLOYSIM_SLURM_DIR (default /tmp/alloysim-slurm):
# configuration, munge key (in a folder of its own, mode 700) and socket
# (mode 755, or munged refuses to start), state, logs and PID files. The
# daemons listen on 127.0.0.1 only, on ports 16817/16818.
set -euo pipefail

BASE=${ALLOYSIM_SLURM_DIR:-/tmp/alloysim-slurm}
CONF=$BASE/etc/slurm.conf
SOCKET=$BASE/munge-run/munge.socket
PACKAGES=(slurmctld slurmd slurm-client munge)

log() { echo "slurm-test-cluster: $*" >&2; }

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    # The packages' services must not start (there is no init system to
    # run them); policy-rc.d says so to invoke-rc.d while installing.
    local policy=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        created=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$BASE/apt.log" 2>&1; then
        apt-get update -q >>"$BASE/apt.log" 2>&1
        apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$BASE/apt.log" 2>&1 || {
            [ $created -eq 1 ] && rm -f "$policy"
            log "apt-get install failed; see $BASE/apt.log"
            tail -20 "$BASE/apt.log" >&2
            exit 1
        }
    fi
    [ $created -eq 1 ] && rm -f "$policy"
    return 0
}

write_config() {
    local node host
    host=$(hostname -s)
    # The node as slurmd sees it (CPUs, sockets, cores, memory), reached on 127.0.0.1.
    node=$(slurmd -C | head -n 1)
    cat >"$CONF" <<EOF
ClusterName=alloysim-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/run/slurmctld.pid
SlurmdPidFile=$BASE/run/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

pid_of() { [ -s "$1" ] && cat "$1" 2>/dev/null || true; }

start() {
    mkdir -p "$BASE"
    install_packages
    if [ -n "$(pid_of "$BASE/run/slurmctld.pid")" ] && kill -0 "$(pid_of "$BASE/run/slurmctld.pid")" 2>/dev/null; then
        log "already running (SLURM_CONF=$CONF)"
        return 0
    fi
    mkdir -p "$BASE"/{etc,munge-key,munge-run,munge-lib,state,spool,log,run}
    chmod 700 "$BASE/munge-key"
    chmod 755 "$BASE" "$BASE/munge-run"
    if [ ! -s "$BASE/munge-key/munge.key" ]; then
        dd if=/dev/urandom of="$BASE/munge-key/munge.key" bs=1024 count=1 status=none
    fi
    chmod 400 "$BASE/munge-key/munge.key"
    munged --force \
        --key-file="$BASE/munge-key/munge.key" \
        --socket="$SOCKET" \
        --pid-file="$BASE/run/munged.pid" \
        --log-file="$BASE/log/munged.log" \
        --seed-file="$BASE/munge-lib/munged.seed"
    write_config
    export SLURM_CONF=$CONF
    # A throw-away cluster: no jobs recovered from an earlier start.
    slurmctld -c -f "$CONF"
    slurmd -f "$CONF"
    # Up when the node takes jobs.
    local i state=""
    for i in $(seq 1 100); do
        state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
        case "$state" in idle | mixed | allocated) break ;; esac
        sleep 0.2
    done
    case "$state" in
    idle | mixed | allocated) log "up: node $(hostname -s) $state (SLURM_CONF=$CONF)" ;;
    *)
        log "the node did not come up (state \"$state\"); logs in $BASE/log"
        tail -n 20 "$BASE"/log/*.log >&2 || true
        exit 1
        ;;
    esac
}

stop() {
    export SLURM_CONF=$CONF
    if [ ! -f "$CONF" ]; then
        log "not set up in $BASE"
        return 0
    fi
    # Job steps outlive slurmd: cancel the jobs first, and give them a moment.
    local jobs i
    jobs=$(squeue -h -o '%i' 2>/dev/null || true)
    if [ -n "$jobs" ]; then
        scancel $jobs 2>/dev/null || true
        for i in $(seq 1 50); do
            [ -z "$(squeue -h -o '%i' 2>/dev/null || true)" ] && break
            sleep 0.2
        done
    fi
    # The daemons delete their PID files early in shutdown: read every PID
    # first, then stop only those.
    local pids=() name pid
    for name in slurmd slurmctld munged; do
        pid=$(pid_of "$BASE/run/$name.pid")
        [ -n "$pid" ] && pids+=("$pid")
    done
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    log "stopped"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env) echo "export SLURM_CONF=$CONF" ;;
*)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
