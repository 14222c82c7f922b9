#!/usr/bin/env bash
# bench/export/run.sh — radscope export into ClickHouse, next to
# clickhouse-client ingesting the very same rows from a file.
#
#   bench/export/run.sh                      # 10 M messages (about 5 GB of ODBC logs)
#   MESSAGES=1000000 bench/export/run.sh     # a quicker run
#   RADSCOPE_BIN=/path/to/radscope bench/export/run.sh   # measure that binary instead of building one
#   GZIP1=0 bench/export/run.sh              # leave out the run with --gzip-level 1
#
# Needs Debian's clickhouse-server and clickhouse-client. Starts its own
# server on free 127.0.0.1 ports with a minimal config under $BENCH_DIR,
# stops it by PID at the end. Prints a Markdown table for RESULTS.md.
set -euo pipefail

MESSAGES=${MESSAGES:-10000000}
BENCH_DIR=${BENCH_DIR:-/tmp/radscope-bench-export}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CH_SERVER=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
CH_CLIENT=$(command -v clickhouse-client || true)
[ -x "$CH_SERVER" ] && [ -n "$CH_CLIENT" ] || { echo "bench/export: needs clickhouse-server and clickhouse-client (apt-get install clickhouse-server clickhouse-client)" >&2; exit 2; }

mkdir -p "$BENCH_DIR"
cd "$ROOT"
if [ -n "${RADSCOPE_BIN:-}" ]; then cp "$RADSCOPE_BIN" "$BENCH_DIR/radscope"; else
  go build -o "$BENCH_DIR/radscope" ./cmd/radscope || { echo "bench/export: building ./cmd/radscope failed" >&2; exit 2; }
fi
go build -o "$BENCH_DIR/gen" ./bench/gen || { echo "bench/export: building ./bench/gen failed" >&2; exit 2; }
RS="$BENCH_DIR/radscope"

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

# 1. Logs of about $MESSAGES messages (calibrated on a 16 MB sample), kept for later runs.
LOG="$BENCH_DIR/odbc-$MESSAGES.log"
if [ ! -s "$LOG" ]; then
  "$BENCH_DIR/gen" -format odbc -size 16MB -seed 7 -o "$BENCH_DIR/sample.log"
  n=$("$RS" parse -q --tz UTC --format csv --fields Time "$BENCH_DIR/sample.log" | tail -n +2 | wc -l)
  bytes=$(( 16 * 1000 * 1000 * MESSAGES / n ))
  "$BENCH_DIR/gen" -format odbc -size "${bytes}" -seed 7 -o "$LOG"
  rm -f "$BENCH_DIR/sample.log"
fi

# 2. A server of our own.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
HTTP=$(free_port); TCP=$(free_port)
SRV="$BENCH_DIR/server"
rm -rf "$SRV"; mkdir -p "$SRV"/{data,tmp,user_files,log}
cat > "$SRV/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$SRV/log/server.log</log><errorlog>$SRV/log/err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>$HTTP</http_port><tcp_port>$TCP</tcp_port><listen_host>127.0.0.1</listen_host>
  <keep_alive_timeout>1</keep_alive_timeout><max_concurrent_queries>16</max_concurrent_queries>
  <mark_cache_size>268435456</mark_cache_size><uncompressed_cache_size>268435456</uncompressed_cache_size>
  <path>$SRV/data/</path><tmp_path>$SRV/tmp/</tmp_path><user_files_path>$SRV/user_files/</user_files_path>
  <users_config>users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
  <timezone>UTC</timezone><mlock_executable>false</mlock_executable>
</yandex>
XML
cat > "$SRV/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
"$CH_SERVER" --config-file="$SRV/config.xml" >"$SRV/log/stdout.log" 2>&1 &
PID=$!   # the server itself: no subshell, no cd
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
CH() { "$CH_CLIENT" --host 127.0.0.1 --port "$TCP" "$@"; }
for _ in $(seq 100); do CH --query "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
CH --query "SELECT 1" >/dev/null

count() { CH --query "SELECT (SELECT count() FROM $1.radscope_messages FINAL) + (SELECT count() FROM $1.radscope_flows FINAL)"; }
cpu() { awk '{print $14+$15+$16+$17}' "/proc/$PID/stat"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
TICK=$(getconf CLK_TCK)

# 3. radscope: logs in, rows out (parse, join into flows, encode, gzip-frame, two
#    INSERTs in flight). $1: database, the rest: extra flags. Sets S, ROWS, SRV_CPU,
#    CLI_CPU, RSS, LOAD.
radscope_run() {
  local db=$1; shift
  CH --query "CREATE DATABASE $db"
  "$RS" export --to "clickhouse://127.0.0.1:$HTTP/$db" --print-schema | CH --multiquery
  local c0 c1 t0 t1 u sy
  LOAD="$(load) →"; c0=$(cpu); t0=$(now)
  /usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/$db.time" "$RS" export -q --tz UTC --to "clickhouse://127.0.0.1:$HTTP/$db" "$@" "$LOG"
  t1=$(now); c1=$(cpu); LOAD="$LOAD $(load)"
  S=$(secs "$t0" "$t1"); ROWS=$(count "$db")
  SRV_CPU=$(echo "($c1 - $c0) / $TICK" | bc -l)
  read -r _ u sy RSS < "$BENCH_DIR/$db.time"
  CLI_CPU=$(echo "$u + $sy" | bc -l)
}
radscope_run rs
RS_S=$S RS_ROWS=$ROWS RS_SRV_CPU=$SRV_CPU RS_CPU=$CLI_CPU RS_RSS=$RSS RS_LOAD=$LOAD

# The same rows as files, for the client.
CH --query "SELECT * FROM rs.radscope_messages FORMAT JSONEachRow" > "$BENCH_DIR/messages.json"
CH --query "SELECT * FROM rs.radscope_flows FORMAT JSONEachRow" > "$BENCH_DIR/flows.json"
JSON_BYTES=$(( $(stat -c %s "$BENCH_DIR/messages.json") + $(stat -c %s "$BENCH_DIR/flows.json") ))

# 4. clickhouse-client: the same rows from files, one INSERT per table, in blocks of
#    100,000 rows as radscope sends them (one block of 1 M rows of this width
#    exceeds an 8 GB memory limit on 18.16).
CH --query "CREATE DATABASE cl"
"$RS" export --to "clickhouse://127.0.0.1:$HTTP/cl" --print-schema | CH --multiquery
CL_LOAD="$(load) →"; c0=$(cpu); t0=$(now)
/usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/cl1.time" "$CH_CLIENT" --host 127.0.0.1 --port "$TCP" --max_insert_block_size=100000 \
  --query "INSERT INTO cl.radscope_messages FORMAT JSONEachRow" < "$BENCH_DIR/messages.json"
/usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/cl2.time" "$CH_CLIENT" --host 127.0.0.1 --port "$TCP" --max_insert_block_size=100000 \
  --query "INSERT INTO cl.radscope_flows FORMAT JSONEachRow" < "$BENCH_DIR/flows.json"
t1=$(now); c1=$(cpu); CL_LOAD="$CL_LOAD $(load)"
CL_S=$(secs "$t0" "$t1"); CL_ROWS=$(count cl)
CL_SRV_CPU=$(echo "($c1 - $c0) / $TICK" | bc -l)
read -r _ u1 s1 r1 < "$BENCH_DIR/cl1.time"; read -r _ u2 s2 r2 < "$BENCH_DIR/cl2.time"
CL_CPU=$(echo "$u1 + $s1 + $u2 + $s2" | bc -l); CL_RSS=$(( r1 > r2 ? r1 : r2 ))

# 5. The same export compressing its bodies (--gzip-level 1), as it does by default
#    for a server on another machine.
if [ "${GZIP1:-1}" != 0 ]; then
  radscope_run gz
  GZ_S=$S GZ_ROWS=$ROWS GZ_SRV_CPU=$SRV_CPU GZ_CPU=$CLI_CPU GZ_RSS=$RSS GZ_LOAD=$LOAD
  CH --query "DROP DATABASE gz"
fi

# 6. radscope reading and encoding alone (no server): export --to ndjson.
ND_LOAD="$(load) →"; t0=$(now)
/usr/bin/time -f "%e %U %S %M" -o "$BENCH_DIR/nd.time" "$RS" export -q --tz UTC --to ndjson -o /dev/null "$LOG"
t1=$(now); ND_S=$(secs "$t0" "$t1"); ND_LOAD="$ND_LOAD $(load)"
read -r _ u sy ND_RSS < "$BENCH_DIR/nd.time"; ND_CPU=$(echo "$u + $sy" | bc -l)

RS_RATE=$(echo "$RS_ROWS / $RS_S" | bc -l); CL_RATE=$(echo "$CL_ROWS / $CL_S" | bc -l)
printf '\n%s, %s messages (%s MB of ODBC logs), %s rows (messages + flows), %s MB of JSONEachRow\n\n' \
  "$(CH --query 'SELECT version()')" "$MESSAGES" "$(( $(stat -c %s "$LOG") / 1000000 ))" "$RS_ROWS" "$(( JSON_BYTES / 1000000 ))"
echo "| run | rows | seconds | rows/s | server CPU s | client CPU s | client max RSS MB | load avg before → after |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
printf '| radscope export (logs → ClickHouse; loopback: bodies gzip level 0) | %d | %.1f | %.0f | %.1f | %.1f | %d | %s |\n' "$RS_ROWS" "$RS_S" "$RS_RATE" "$RS_SRV_CPU" "$RS_CPU" $(( RS_RSS / 1024 )) "$RS_LOAD"
printf '| clickhouse-client INSERT … FORMAT JSONEachRow (same rows, from files) | %d | %.1f | %.0f | %.1f | %.1f | %d | %s |\n' "$CL_ROWS" "$CL_S" "$CL_RATE" "$CL_SRV_CPU" "$CL_CPU" $(( CL_RSS / 1024 )) "$CL_LOAD"
if [ "${GZIP1:-1}" != 0 ]; then
  printf '| radscope export --gzip-level 1 (as for a remote server) | %d | %.1f | %.0f | %.1f | %.1f | %d | %s |\n' "$GZ_ROWS" "$GZ_S" "$(echo "$GZ_ROWS / $GZ_S" | bc -l)" "$GZ_SRV_CPU" "$GZ_CPU" $(( GZ_RSS / 1024 )) "$GZ_LOAD"
fi
printf '| radscope export --to ndjson -o /dev/null (reading + encoding alone) | – | %.1f | – | – | %.1f | %d | %s |\n' "$ND_S" "$ND_CPU" $(( ND_RSS / 1024 )) "$ND_LOAD"
printf '\n**radscope / clickhouse-client = %.0f %%** (target ≥ 80 %%)\n' "$(echo "100 * $RS_RATE / $CL_RATE" | bc -l)"
[ "$RS_ROWS" = "$CL_ROWS" ] || echo "bench/export: row counts differ: radscope $RS_ROWS, client $CL_ROWS" >&2
