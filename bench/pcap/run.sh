#!/bin/sh
# Measures, over one capture, radscope parse --format ndjson against tshark
# and radsniff, and prints wall time, CPU time, peak memory, packets per
# second and ratios. Make the capture with:
#   go run ./bench/pcap/gen -n 1000000 -o /tmp/bench.pcap
# then, from the repository root:
#   sh bench/pcap/run.sh /tmp/bench.pcap
# The capture is signed with the secret bench-secret (gen -secret), which
# radscope and radsniff are given so that they verify every packet.
set -eu
F=${1:?usage: run.sh CAPTURE}
export RADSCOPE_BENCH_SECRET=${RADSCOPE_BENCH_SECRET:-bench-secret}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM

go build -o "$T/radscope" ./cmd/radscope
go build -o "$T/read" ./bench/pcap/read
N=$(capinfos -c -M "$F" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
SIZE=$(stat -c %s "$F")
echo "capture: $F, $SIZE bytes, $N packets"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
echo "tools:   $(tshark --version | head -1); $(radsniff -v 2>&1 | head -1)"
echo

# measure NAME CMD...: run CMD with stdout to /dev/null under GNU time.
measure() {
	name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$T/time" "$@" >/dev/null 2>"$T/err" || { echo "$name failed:"; tail -5 "$T/err"; exit 1; }
	read -r wall user sys rss <"$T/time"
	echo "$name $wall $user $sys $rss" >>"$T/results"
}

measure radscope "$T/radscope" parse -q --format ndjson --secret env:RADSCOPE_BENCH_SECRET "$F"
measure radscope-nosecret "$T/radscope" parse -q --format ndjson "$F"
# The reader alone (parse/pcap with secrets, a hand-written JSON line per
# message): what the output layer of radscope parse adds is the difference.
measure reader-only "$T/read" -secret env:RADSCOPE_BENCH_SECRET "$F"
measure tshark tshark -r "$F" -n -Y radius -T fields -e radius.code -e radius.id -e radius.User_Name
# radsniff 3.2 exits with status 1 after reading a file; only >1 is failure.
measure radsniff sh -c 'radsniff -I "$1" -q -s "$RADSCOPE_BENCH_SECRET"; [ $? -le 1 ]' sh "$F"

awk -v n="$N" '
	{ name[NR] = $1; wall[NR] = $2; cpu[NR] = $3 + $4; rss[NR] = $5 }
	END {
		printf "%-18s %9s %9s %10s %12s %14s %14s\n", "tool", "wall s", "cpu s", "max RSS MB", "packets/s", "radscope x (wall)", "radscope x (cpu)"
		for (i = 1; i <= NR; i++) {
			printf "%-18s %9.2f %9.2f %10.1f %12.0f %14.1f %14.1f\n", name[i], wall[i], cpu[i], rss[i] / 1024,
				n / (wall[i] > 0 ? wall[i] : 0.001), wall[i] / (wall[1] > 0 ? wall[1] : 0.001), cpu[i] / (cpu[1] > 0 ? cpu[1] : 0.001)
		}
	}' "$T/results"
echo
echo "radscope x = the tool's time divided by radscope's (with secrets): above 1 means radscope is faster."
