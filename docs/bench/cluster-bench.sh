#!/usr/bin/env bash
# The measurements of docs/PERFORMANCE.md, "Cluster: three nodes and PostgreSQL (issue 12)", one per call, each
# against processes started with docs/bench/cluster.sh (PostgreSQL and three nodes, or the single process).
# Prints the load average before and after, and keeps the generator's output and JSON in $BENCH_DIR/results.
#
#   docs/bench/cluster-bench.sh idle [CONC]      54,000 connections, 18,000 per node, 4 generator processes, CONC (300)
#                                                connects at once per process
#   docs/bench/cluster-bench.sh fanout [RATES]   1,000 clients over the 3 nodes in one room (default 20,50,200)
#   docs/bench/cluster-bench.sh fanout-single [RATES]   the same against the single process (port 28090)
#   docs/bench/cluster-bench.sh durable          200 connections over the nodes: closed loop W=1,4, then paced
#   docs/bench/cluster-bench.sh durable-single   the same against the single process
#   docs/bench/cluster-bench.sh presence [JOINS] join/leave convergence of chat.presence across the nodes (300)
#   docs/bench/cluster-bench.sh failover [URL]   SIGKILL of node 3 while 300 clients send; reconnect through URL
#                                                (default nginx, http://127.0.0.1:28000; "direct" = the nodes)
set -euo pipefail
B=${BENCH_DIR:-/tmp/vc-bench}
LG=${LOADGEN:-target/vertx-chat-loadgen.jar}
NODES="http://127.0.0.1:28081,http://127.0.0.1:28082,http://127.0.0.1:28083"
SINGLE=http://127.0.0.1:28090
mkdir -p "$B/results"
what=${1:?what to measure}
stamp=$(date -u +%H%M%S)
out=$B/results/$what-$stamp

# CPU ticks (1/100 s) of the benchmark's PostgreSQL: the postmaster (with its ended children, cutime/cstime)
# and its live children (backends, WAL writer ...)
pg_ticks() {
  local pg t=0 p
  pg=$(cat "$B/pg.pid" 2>/dev/null) || { echo 0; return; }
  t=$(sed 's/.*) //' "/proc/$pg/stat" | awk '{print $12 + $13 + $14 + $15}')
  for p in $(ps --ppid "$pg" -o pid= 2>/dev/null); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo $t
}

run() {
  local t0 pg0
  echo "# $(date -u +%FT%TZ) load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out.txt"
  echo "# java -jar $LG $*" | tee -a "$out.txt"
  t0=$(date +%s.%N); pg0=$(pg_ticks)
  java -jar "$LG" --json "$out.json" "$@" 2>&1 | tee -a "$out.txt"
  echo "# $(date -u +%FT%TZ) load after: $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL CPU over the whole run" \
    "(set-up included): $(( $(pg_ticks) - pg0 ))0 ms in $(echo "$(date +%s.%N) - $t0" | bc | cut -d. -f1) s" | tee -a "$out.txt"
}

pids() { "$(dirname "$0")/cluster.sh" pids; }

case "$what" in
  idle)
    run --url "$NODES" --server-pid "$(pids)" --scenario idle --transport raw --clients 54000 --room-size 10 \
      --processes 4 --source-addresses 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5 --hold-seconds 20 --server-heap \
      --connect-concurrency "${2:-300}" --connect-timeout-seconds 1500 --max-seconds 2400 ;;
  fanout)
    run --url "$NODES" --server-pid "$(pids)" --scenario fanout --transport raw --clients 1000 --senders 50 \
      --rates "${2:-20,50,200}" --step-seconds 10 --warmup-seconds 10 --max-seconds 400 ;;
  fanout-single)
    run --url "$SINGLE" --server-pid "$(cat "$B/single.pid")" --scenario fanout --transport raw --clients 1000 \
      --senders 50 --rates "${2:-20,50,200}" --step-seconds 10 --warmup-seconds 10 --max-seconds 400 ;;
  durable)
    run --url "$NODES" --server-pid "$(pids)" --scenario durable --transport raw --clients 200 --window 1,4 \
      --step-seconds 10 --warmup-seconds 10 --max-seconds 300 --name-prefix dw
    out=$out-paced
    run --url "$NODES" --server-pid "$(pids)" --scenario durable --transport raw --clients 200 \
      --rates "${2:-5000,10000,20000}" --step-seconds 10 --warmup-seconds 10 --max-seconds 300 --name-prefix dp ;;
  durable-single)
    run --url "$SINGLE" --server-pid "$(cat "$B/single.pid")" --scenario durable --transport raw --clients 200 \
      --window 1,4 --step-seconds 10 --warmup-seconds 10 --max-seconds 300 --name-prefix dw
    out=$out-paced
    run --url "$SINGLE" --server-pid "$(cat "$B/single.pid")" --scenario durable --transport raw --clients 200 \
      --rates "${2:-5000,10000,20000}" --step-seconds 10 --warmup-seconds 10 --max-seconds 300 --name-prefix dp ;;
  presence)
    run --url "$NODES" --server-pid "$(pids)" --scenario presence --transport raw --joins "${2:-300}" --poll-ms 5 \
      --max-seconds 600 --name-prefix pr ;;
  failover)
    url=${2:-http://127.0.0.1:28000}
    [ "$url" = direct ] && url=$NODES
    run --url "$url" --server-pid "$(pids)" --scenario failover --transport raw --clients 300 --senders 30 --rates 100 \
      --kill-pid "$(cat "$B/node3.pid")" --kill-after-seconds 10 --max-seconds 300 --name-prefix fo --room-prefix "fo-$stamp" ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
