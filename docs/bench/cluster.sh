#!/usr/bin/env bash
# Benchmark harness for docs/PERFORMANCE.md, "Cluster: three nodes and PostgreSQL (issue 12)": a throwaway
# PostgreSQL, N nodes of the fat jar (-cluster), one single-process service for comparison, nginx in front of
# the nodes. Everything listens on 127.0.0.1; every process started is remembered by PID in $BENCH_DIR and
# stopped by that PID only. Run from the repository root after `mvn -o -q package -DskipNpm -DskipTests`.
#
#   docs/bench/cluster.sh pg-start            PostgreSQL on $PG_PORT (initdb as user postgres, default durability)
#   docs/bench/cluster.sh nodes-start [N]     N (3) nodes on 28081.., admin 29461.., Hazelcast 5801..
#   docs/bench/cluster.sh node-start I        (re)start node I alone (after a kill)
#   docs/bench/cluster.sh single-start [h2|postgres]   one process without -cluster on 28090
#   docs/bench/cluster.sh nginx-start         nginx on 28000 in front of the nodes
#   docs/bench/cluster.sh pids                the node PIDs, comma-separated (for --server-pid)
#   docs/bench/cluster.sh status | stop-all | nodes-stop | single-stop | nginx-stop | pg-stop
#
# Environment: BENCH_DIR (/tmp/vc-bench), PG_PORT (55432), PG_OPTS (extra postgres -c settings, none by default:
# fsync and synchronous_commit stay on), JAR (target/vertx-chat.jar, copied to $BENCH_DIR when no service of
# this harness runs), HEAP (1g), NODE_ENV (extra VAR=value
# words for every node), JAVA_OPTS (extra JVM options for the nodes).
set -euo pipefail

B=${BENCH_DIR:-/tmp/vc-bench}
PG_PORT=${PG_PORT:-55432}
JAR_SRC=${JAR:-target/vertx-chat.jar}
# the processes run a copy, so that a rebuild of target/ never changes a jar under a running JVM
JAR=$B/vertx-chat.jar
HEAP=${HEAP:-1g}
HTTP_BASE=28080
ADMIN_BASE=29460
SINGLE_PORT=28090
NGINX_PORT=28000
SECRET_FILE=$B/jwt-secret
PG_URL="postgresql://chat:chat@127.0.0.1:$PG_PORT/chat"
mkdir -p "$B"

pgbin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# waits (at most $2 s) until $1 answers 200
wait_ready() {
  local url=$1 max=${2:-120} i
  for ((i = 0; i < max * 2; i++)); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" = 200 ]; then return 0; fi
    sleep 0.5
  done
  echo "not ready after ${max}s: $url" >&2
  return 1
}

# refuses a port something else listens on already (another session's service, for instance)
port_free() {
  if [ -n "$(ss -Hltn "sport = :$1")" ]; then echo "port $1 is taken: $(ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -1)" >&2; return 1; fi
}

stop_pid_file() {
  local f=$1 sig=${2:-TERM} i
  if alive "$f"; then
    local pid
    pid=$(cat "$f")
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    echo "stopped $(basename "$f" .pid) ($pid)"
  fi
  rm -f "$f"
}

secret() {
  [ -f "$SECRET_FILE" ] || head -c 48 /dev/urandom | base64 -w0 > "$SECRET_FILE"
  cat "$SECRET_FILE"
}

# the environment of every service process: the raised limits of PERFORMANCE.md's Method
common_env() {
  echo CHAT_HTTP_HOST=127.0.0.1 CHAT_HTTP_ACCESSLOG=false \
    CHAT_LIMITS_MESSAGESPERSECOND=100000 CHAT_LIMITS_MESSAGEBURST=100000 CHAT_LIMITS_GLOBALMESSAGESPERSECOND=1000000 \
    CHAT_LIMITS_GUESTSIGNINSPERMINUTE=1000000 CHAT_LIMITS_SIGNINSPERMINUTE=1000000 \
    CHAT_HTTP_MAXCONNECTIONSPERADDRESS=100000 CHAT_HTTP_MAXCONNECTIONS=30000 \
    CHAT_AUTH_JWT_SECRET="$(secret)" ${NODE_ENV:-}
}

pg_start() {
  if alive "$B/pg.pid"; then echo "PostgreSQL already running ($(cat "$B/pg.pid"))"; return; fi
  local bin
  bin=$(pgbin)
  rm -rf "$B/pg" && mkdir -p "$B/pg" && chown postgres: "$B/pg" && chmod 700 "$B/pg"
  runuser -u postgres -- "$bin/initdb" -D "$B/pg/data" -U postgres -A trust -E UTF8 >"$B/pg-initdb.log"
  # shellcheck disable=SC2086
  runuser -u postgres -- "$bin/pg_ctl" -D "$B/pg/data" -l "$B/pg/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $B/pg -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_OPTS:-}" start >/dev/null
  head -1 "$B/pg/data/postmaster.pid" > "$B/pg.pid"
  psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE ROLE chat LOGIN PASSWORD 'chat'" \
    -c "CREATE DATABASE chat OWNER chat" >/dev/null
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT, pid $(cat "$B/pg.pid"), $PG_URL"
  psql -At -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "SELECT 'fsync=' || current_setting('fsync') || ' synchronous_commit=' \
    || current_setting('synchronous_commit') || ' shared_buffers=' || current_setting('shared_buffers') \
    || ' wal_level=' || current_setting('wal_level')"
}

pg_stop() {
  if alive "$B/pg.pid"; then
    runuser -u postgres -- "$(pgbin)/pg_ctl" -D "$B/pg/data" -m fast -w -t 60 stop >/dev/null || true
    echo "stopped PostgreSQL ($(cat "$B/pg.pid"))"
  fi
  rm -f "$B/pg.pid"
}

hazelcast_config() {
  # a copy of conf/cluster.xml with a cluster name of its own and ports 5801-5810 (other clusters on this
  # machine never join it)
  if [ ! -f "$B/cluster.xml" ]; then
    sed -e "s|<cluster-name>[^<]*</cluster-name>|<cluster-name>vc-bench-$(date +%s)-$$</cluster-name>|" \
      -e 's|<port auto-increment="true" port-count="20">5701</port>|<port auto-increment="true" port-count="10">5801</port>|' \
      conf/cluster.xml > "$B/cluster.xml"
    grep -q 5801 "$B/cluster.xml" || { echo "conf/cluster.xml: port element not found" >&2; return 1; }
  fi
  echo "$B/cluster.xml"
}

node_start() {
  local i=$1 hz
  hz=$(hazelcast_config)
  if alive "$B/node$i.pid"; then echo "node $i already running ($(cat "$B/node$i.pid"))"; return; fi
  port_free $((HTTP_BASE + i)) && port_free $((ADMIN_BASE + i))
  mkdir -p "$B/node$i/data"
  # shellcheck disable=SC2046,SC2086
  env $(common_env) CHAT_HTTP_PORT=$((HTTP_BASE + i)) CHAT_ADMIN_PORT=$((ADMIN_BASE + i)) CHAT_DATA_DIR="$B/node$i/data" \
    CHAT_STORE_TYPE=postgres CHAT_STORE_POSTGRES_URL="$PG_URL" \
    nohup java -Xms$HEAP -Xmx$HEAP ${JAVA_OPTS:-} -Dvertx.hazelcast.config="$hz" -jar "$JAR" \
    -conf conf/config.cluster.json -cluster >"$B/node$i/out.log" 2>&1 &
  echo $! > "$B/node$i.pid"
}

# copies the jar to $B unless a service started from the copy still runs
copy_jar() {
  local f
  for f in "$B"/node*.pid "$B/single.pid"; do
    if [ -e "$f" ] && alive "$f"; then return 0; fi
  done
  cp "$JAR_SRC" "$JAR"
}

nodes_start() {
  local n=${1:-3} i
  copy_jar
  echo "$n" > "$B/nodes"
  for ((i = 1; i <= n; i++)); do node_start "$i"; done
  for ((i = 1; i <= n; i++)); do
    wait_ready "http://127.0.0.1:$((HTTP_BASE + i))/health/ready" 180 || { tail -20 "$B/node$i/out.log" >&2; return 1; }
    alive "$B/node$i.pid" || { echo "node $i exited" >&2; tail -5 "$B/node$i/out.log" >&2; return 1; }
    echo "node $i: pid $(cat "$B/node$i.pid"), http 127.0.0.1:$((HTTP_BASE + i)), $(grep 'open files' /proc/"$(cat "$B/node$i.pid")"/limits | awk '{print "open files " $4}')"
  done
}

nodes_stop() {
  local f
  for f in "$B"/node*.pid; do [ -e "$f" ] && stop_pid_file "$f" TERM; done
  rm -f "$B/cluster.xml"
}

single_start() {
  local type=${1:-h2}
  if alive "$B/single.pid"; then echo "single already running ($(cat "$B/single.pid"))"; return; fi
  port_free $SINGLE_PORT && port_free $((ADMIN_BASE + 9))
  copy_jar
  rm -rf "$B/single" && mkdir -p "$B/single/data"
  local extra=""
  [ "$type" = postgres ] && extra="CHAT_STORE_TYPE=postgres CHAT_STORE_POSTGRES_URL=$PG_URL"
  # shellcheck disable=SC2046,SC2086
  env $(common_env) $extra CHAT_HTTP_PORT=$SINGLE_PORT CHAT_ADMIN_PORT=$((ADMIN_BASE + 9)) CHAT_DATA_DIR="$B/single/data" \
    nohup java -Xms$HEAP -Xmx$HEAP ${JAVA_OPTS:-} -jar "$JAR" >"$B/single/out.log" 2>&1 &
  echo $! > "$B/single.pid"
  wait_ready "http://127.0.0.1:$SINGLE_PORT/health/ready" 120 || { tail -20 "$B/single/out.log" >&2; return 1; }
  echo "single ($type): pid $(cat "$B/single.pid"), http 127.0.0.1:$SINGLE_PORT"
}

nginx_start() {
  local n i servers="" conf=$B/nginx/nginx.conf
  n=$(cat "$B/nodes" 2>/dev/null || echo 3)
  mkdir -p "$B/nginx"
  port_free $NGINX_PORT
  if [ ! -f conf/nginx.conf ]; then echo "conf/nginx.conf is missing" >&2; return 1; fi
  for ((i = 1; i <= n; i++)); do servers+="    server 127.0.0.1:$((HTTP_BASE + i)) max_fails=1 fail_timeout=5s;\n"; done
  # the shipped sample with mechanical rewrites only: one worker, pid/logs/temp files under $B/nginx, no
  # access log, listen on 127.0.0.1:$NGINX_PORT, the benchmark's nodes as the upstream
  sed -e 's|^worker_processes .*|worker_processes 1;|' \
    -e "s|^pid .*|pid $B/nginx/nginx.pid;|" \
    -e "s|^error_log .*|error_log $B/nginx/error.log warn;|" \
    -e 's|^\( *\)access_log .*|\1access_log off;|' \
    -e "s|^\( *\)listen 8000;|\1listen 127.0.0.1:$NGINX_PORT;|" \
    -e "s|^http {|http {\n  client_body_temp_path $B/nginx/body;\n  proxy_temp_path $B/nginx/proxy;\n  fastcgi_temp_path $B/nginx/fastcgi;\n  uwsgi_temp_path $B/nginx/uwsgi;\n  scgi_temp_path $B/nginx/scgi;|" \
    -e '/^ *server 127\.0\.0\.1:808[0-9] /d' \
    -e "s|^\( *\)hash \$chat_route consistent;|&\n$servers|" \
    conf/nginx.conf > "$conf"
  for line in "worker_processes 1;" "pid $B/nginx/nginx.pid;" "access_log off;" "listen 127.0.0.1:$NGINX_PORT;" \
    "server 127.0.0.1:$((HTTP_BASE + 1))" "proxy_temp_path $B/nginx/proxy;"; do
    grep -qF "$line" "$conf" || { echo "nginx rewrite failed: no '$line' in $conf" >&2; return 1; }
  done
  if grep -q 'server 127.0.0.1:808[0-9]' "$conf"; then echo "nginx rewrite left a sample upstream server" >&2; return 1; fi
  nginx -t -q -c "$conf"
  nginx -c "$conf"
  sleep 0.5
  cp "$B/nginx/nginx.pid" "$B/nginx.pid"
  echo "nginx: pid $(cat "$B/nginx.pid"), http://127.0.0.1:$NGINX_PORT -> $n node(s) ($conf, from conf/nginx.conf)"
}

status() {
  local f
  uptime
  for f in "$B"/*.pid; do
    [ -e "$f" ] || continue
    if alive "$f"; then echo "$(basename "$f" .pid): $(cat "$f") running, RSS $(awk '/VmRSS/{print $2 " kB"}' /proc/"$(cat "$f")"/status)"
    else echo "$(basename "$f" .pid): $(cat "$f") gone"; fi
  done
}

pids() {
  local n i out=""
  n=$(cat "$B/nodes" 2>/dev/null || echo 3)
  for ((i = 1; i <= n; i++)); do out+="${out:+,}$(cat "$B/node$i.pid")"; done
  echo "$out"
}

case "${1:-}" in
  pg-start) pg_start ;;
  pg-stop) pg_stop ;;
  nodes-start) nodes_start "${2:-3}" ;;
  node-start) node_start "$2"; wait_ready "http://127.0.0.1:$((HTTP_BASE + $2))/health/ready" 180; echo "node $2: pid $(cat "$B/node$2.pid")" ;;
  nodes-stop) nodes_stop ;;
  single-start) single_start "${2:-h2}" ;;
  single-stop) stop_pid_file "$B/single.pid" TERM ;;
  nginx-start) nginx_start ;;
  nginx-stop) stop_pid_file "$B/nginx.pid" QUIT ;;
  pids) pids ;;
  status) status ;;
  stop-all) stop_pid_file "$B/nginx.pid" QUIT; nodes_stop; stop_pid_file "$B/single.pid" TERM; pg_stop ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
