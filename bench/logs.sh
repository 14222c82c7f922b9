#!/usr/bin/env bash
# bench/logs.sh — how fast `radscope parse` reads NPS text logs, next to `wc -l`.
#
# Builds ./cmd/radscope and ./bench/gen, generates (once) a 1 GB ODBC, IAS and
# DTS log under $BENCH_DIR, then for each file measures in one run
#   radscope parse --format ndjson FILE >/dev/null
#   wc -l FILE            and   LC_ALL=C wc -l FILE
# (wall time and max RSS from /usr/bin/time), and prints MB/s and the ratio of
# radscope's throughput to wc -l's. A last run parses several files at once
# (NFILES files of FILE_SIZE) to show parsing on all cores.
#
# Environment: BENCH_DIR (default /tmp/radscope-bench), SIZE (default 1GB),
# NFILES (default 4), FILE_SIZE (default 256MB), FORMATS (default "odbc ias dts"),
# TIMEOUT (seconds per measured command, default 1800: a hung run fails the script).
# Sizes use bench/gen's units: KB, MB, GB are powers of 1024.
set -euo pipefail

cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/radscope-bench}
SIZE=${SIZE:-1GB}
NFILES=${NFILES:-4}
FILE_SIZE=${FILE_SIZE:-256MB}
FORMATS=${FORMATS:-odbc ias dts}
TIMEOUT=${TIMEOUT:-1800}

die() { echo "bench/logs.sh: $*" >&2; exit 1; }

if [[ ! -x /usr/bin/time ]]; then
	echo "bench/logs.sh: /usr/bin/time is missing; installing the 'time' package" >&2
	if command -v apt-get >/dev/null && [[ $(id -u) -eq 0 ]]; then
		apt-get install -y time >/dev/null || die "apt-get install time failed; install GNU time"
	else
		die "install GNU time (package 'time') and run again"
	fi
fi

mkdir -p "$BENCH_DIR"
RADSCOPE=$BENCH_DIR/radscope
GEN=$BENCH_DIR/gen
echo "building ./cmd/radscope and ./bench/gen into $BENCH_DIR" >&2
go build -o "$RADSCOPE" ./cmd/radscope || die "building ./cmd/radscope failed (see the errors above)"
go build -o "$GEN" ./bench/gen || die "building ./bench/gen failed (see the errors above)"

# gen FORMAT SIZE SEED FILE: write FILE unless it already has that size.
gen() {
	local f=$4
	if [[ -s $f ]]; then return; fi
	echo "generating $f ($1, $2)" >&2
	"$GEN" -format "$1" -size "$2" -seed "$3" -o "$f.tmp" || die "bench/gen failed for $f"
	mv "$f.tmp" "$f"
}

# measure CMD...: runs CMD with stdout to /dev/null; sets WALL (s, from the
# nanosecond clock), RSS (KB), CPU (user+sys s). Fails the script when CMD
# fails or runs longer than $TIMEOUT seconds.
measure() {
	local out rc t0 t1 e
	out=$(mktemp)
	set +e
	t0=$(date +%s%N)
	timeout "$TIMEOUT" /usr/bin/time -f '%e %M %U %S' -o "$out" "$@" >/dev/null 2>"$out.err"
	rc=$?
	t1=$(date +%s%N)
	set -e
	if [[ $rc -ne 0 ]]; then
		tail -n 5 "$out.err" >&2
		rm -f "$out" "$out.err"
		if [[ $rc -eq 124 ]]; then
			die "'$*' did not finish within ${TIMEOUT}s"
		fi
		die "'$*' exited with status $rc"
	fi
	read -r e RSS user sys < <(tail -n 1 "$out")
	WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	rm -f "$out" "$out.err"
}

mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s <= 0) s = 0.001; printf "%.0f", b / 1e6 / s }'; }

echo "# radscope parse vs wc -l — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo); $(go version | cut -d' ' -f3-4); radscope $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| format | file MB | radscope s | radscope MB/s | radscope CPU s | max RSS MB | wc -l s | wc -l MB/s | LC_ALL=C wc -l s | LC_ALL=C MB/s | radscope / wc -l |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
seed=1
for fmt in $FORMATS; do
	f=$BENCH_DIR/$fmt-$SIZE.log
	gen "$fmt" "$SIZE" "$seed" "$f"
	seed=$((seed + 1))
	bytes=$(stat -c %s "$f")
	cat "$f" >/dev/null # same warm page cache for every tool
	measure "$RADSCOPE" parse --format ndjson "$f"
	r_wall=$WALL r_rss=$RSS r_cpu=$CPU
	measure wc -l "$f"
	w_wall=$WALL
	measure env LC_ALL=C wc -l "$f"
	c_wall=$WALL
	r_mbps=$(mbps "$bytes" "$r_wall")
	w_mbps=$(mbps "$bytes" "$w_wall")
	ratio=$(awk -v a="$r_mbps" -v b="$w_mbps" 'BEGIN { printf "%.1f%%", 100 * a / b }')
	printf '| %s | %.0f | %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n' "$fmt" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" \
		"$r_wall" "$r_mbps" "$r_cpu" "$(awk -v k="$r_rss" 'BEGIN { print k / 1024 }')" "$w_wall" "$w_mbps" "$c_wall" "$(mbps "$bytes" "$c_wall")" "$ratio"
done

# Several files in one run: radscope should use every core.
files=()
total=0
for i in $(seq 1 "$NFILES"); do
	f=$BENCH_DIR/odbc-$FILE_SIZE-$i.log
	gen odbc "$FILE_SIZE" $((100 + i)) "$f"
	files+=("$f")
	total=$((total + $(stat -c %s "$f")))
done
cat "${files[@]}" >/dev/null
measure "$RADSCOPE" parse --format ndjson "${files[@]}"
m_wall=$WALL m_rss=$RSS m_cpu=$CPU
measure wc -l "${files[@]}"
mw_wall=$WALL
echo
echo "| $NFILES ODBC files of $FILE_SIZE | total MB | radscope s | radscope MB/s | CPU s (user+sys) | cores busy | max RSS MB | wc -l s | wc -l MB/s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '| radscope parse --format ndjson | %.0f | %s | %s | %s | %s | %.0f | %s | %s |\n' "$(awk -v b="$total" 'BEGIN { print b / 1e6 }')" \
	"$m_wall" "$(mbps "$total" "$m_wall")" "$m_cpu" "$(awk -v c="$m_cpu" -v w="$m_wall" 'BEGIN { if (w <= 0) w = 0.001; printf "%.2f", c / w }')" \
	"$(awk -v k="$m_rss" 'BEGIN { print k / 1024 }')" "$mw_wall" "$(mbps "$total" "$mw_wall")"
