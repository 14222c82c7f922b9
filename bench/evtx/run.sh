#!/usr/bin/env bash
# bench/evtx/run.sh — how fast `radscope parse` reads a large .evtx, next to
# libevtx's evtxexport and python-evtx's evtx_dump.py, in one run.
#
# Builds ./cmd/radscope and ./bench/evtx/gen, generates (once) a SIZE MB
# .evtx under $BENCH_DIR — by repeating the chunks of the real sample
# ../shared/samples/evtx/security.evtx when it exists, else with synthetic
# NPS events — and measures the wall time of
#   radscope parse --format ndjson FILE >/dev/null   (GOMAXPROCS=1, and all cores)
#   evtxexport -f xml FILE >/dev/null                (libevtx-utils)
#   evtx_dump.py SMALL >/dev/null                    (python3-evtx, on a PY_MB MB file:
#                                                     it reads ~0.1 MB/s, 100 MB would take hours)
# then prints MB/s and radscope's ratio to each tool as a Markdown table.
# With WRITE=1 the table replaces the figures in bench/evtx/RESULTS.md.
#
# Environment: BENCH_DIR (default /tmp/radscope-bench), SIZE (MB, default 100),
# PY_MB (default 2), SYNTHETIC=1 to use generated events even when the sample exists.
set -euo pipefail

cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/radscope-bench}
SIZE=${SIZE:-100}
PY_MB=${PY_MB:-2}
SAMPLE=../shared/samples/evtx/security.evtx

die() { echo "bench/evtx/run.sh: $*" >&2; exit 1; }

mkdir -p "$BENCH_DIR"
RADSCOPE=$BENCH_DIR/radscope
GEN=$BENCH_DIR/evtxgen
echo "building ./cmd/radscope and ./bench/evtx/gen into $BENCH_DIR" >&2
go build -o "$RADSCOPE" ./cmd/radscope || die "building ./cmd/radscope failed"
go build -o "$GEN" ./bench/evtx/gen || die "building ./bench/evtx/gen failed"

FROM=()
KIND=synthetic
if [[ -f $SAMPLE && -z ${SYNTHETIC:-} ]]; then
	FROM=(-from "$SAMPLE")
	KIND="chunks of security.evtx"
fi
BIG=$BENCH_DIR/evtx-${SIZE}MB-${KIND// /_}.evtx
SMALL=$BENCH_DIR/evtx-${PY_MB}MB-${KIND// /_}.evtx
[[ -f $BIG ]] || "$GEN" -o "$BIG" -size "$SIZE" "${FROM[@]}"
[[ -f $SMALL ]] || "$GEN" -o "$SMALL" -size "$PY_MB" "${FROM[@]}"

# secs CMD... runs CMD with stdout to /dev/null and prints the wall time.
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>"$BENCH_DIR/stderr.txt" || { echo "failed: $*" >&2; tail -3 "$BENCH_DIR/stderr.txt" >&2; echo NaN; return; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
mb() { echo "$(stat -c %s "$1") / 1048576" | bc -l; }
rate() { [[ $2 == NaN ]] && { echo NaN; return; }; echo "$1 / $2" | bc -l; }
fmt() { [[ $1 == NaN ]] && { echo "n/a"; return; }; printf "%.2f" "$1"; }

BIG_MB=$(mb "$BIG")
SMALL_MB=$(mb "$SMALL")
records=$("$RADSCOPE" parse --format ndjson "$BIG" | wc -l)

echo "measuring on $(printf %.0f "$BIG_MB") MB ($records records; $KIND)" >&2
t_r1=$(GOMAXPROCS=1 secs "$RADSCOPE" parse --format ndjson "$BIG")
t_rn=$(secs "$RADSCOPE" parse --format ndjson "$BIG")
t_lib=NaN
if command -v evtxexport >/dev/null; then
	t_lib=$(secs evtxexport -f xml "$BIG")
else
	echo "evtxexport not found (Debian package libevtx-utils); skipped" >&2
fi
t_rs=$(GOMAXPROCS=1 secs "$RADSCOPE" parse --format ndjson "$SMALL")
t_py=NaN
if command -v evtx_dump.py >/dev/null; then
	t_py=$(secs evtx_dump.py "$SMALL")
else
	echo "evtx_dump.py not found (Debian package python3-evtx); skipped" >&2
fi

r1=$(rate "$BIG_MB" "$t_r1")
rn=$(rate "$BIG_MB" "$t_rn")
rlib=$(rate "$BIG_MB" "$t_lib")
rs=$(rate "$SMALL_MB" "$t_rs")
rpy=$(rate "$SMALL_MB" "$t_py")
ratio() { [[ $1 == NaN || $2 == NaN ]] && { echo "n/a"; return; }; printf "%.1f×" "$(echo "$1 / $2" | bc -l)"; }

table=$(cat <<EOF
| tool | input | seconds | MB/s | radscope (1 core) is |
|---|---|---:|---:|---|
| radscope parse --format ndjson, GOMAXPROCS=1 | $(printf %.0f "$BIG_MB") MB | $(fmt "$t_r1") | $(fmt "$r1") | — |
| radscope parse --format ndjson, $(nproc) cores | $(printf %.0f "$BIG_MB") MB | $(fmt "$t_rn") | $(fmt "$rn") | — |
| evtxexport -f xml (libevtx) | $(printf %.0f "$BIG_MB") MB | $(fmt "$t_lib") | $(fmt "$rlib") | $(ratio "$r1" "$rlib") faster |
| radscope parse --format ndjson, GOMAXPROCS=1 | $(printf %.1f "$SMALL_MB") MB | $(fmt "$t_rs") | $(fmt "$rs") | — |
| evtx_dump.py (python-evtx) | $(printf %.1f "$SMALL_MB") MB | $(fmt "$t_py") | $(fmt "$rpy") | $(ratio "$rs" "$rpy") faster |
EOF
)
echo
echo "EVTX: $KIND, $records records; $(nproc) cores, $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%d)"
echo
echo "$table"
echo
echo "targets (issue 4): >= 10x libevtx and >= 100x python-evtx on one core; Rust evtx ~420 MB/s (aim within 3x)"

if [[ -n ${WRITE:-} ]]; then
	{
		sed '/^<!-- figures -->/,$d' bench/evtx/RESULTS.md
		echo "<!-- figures -->"
		echo
		echo "EVTX: $KIND, $records records; $(nproc) cores, $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%d)."
		echo "Load average at the end of the run: $(cut -d' ' -f1-3 /proc/loadavg)."
		echo
		echo "$table"
	} >"$BENCH_DIR/RESULTS.md"
	cp "$BENCH_DIR/RESULTS.md" bench/evtx/RESULTS.md
	echo "wrote bench/evtx/RESULTS.md" >&2
fi
