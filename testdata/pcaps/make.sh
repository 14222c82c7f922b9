#!/bin/sh
# Regenerates the captures in testdata/pcaps from real software:
# FreeRADIUS 3 answering radclient and eapol_test on loopback, captured with
# tcpdump and tshark; then derives the SLL2/VLAN/fragment/loopback variants
# with rewrite.go (go run, build tag ignore).
#
# Run from the repository root as root (capturing needs it):
#   sh testdata/pcaps/make.sh
# It installs the Debian packages it needs, starts FreeRADIUS on 127.0.0.1
# and ::1 with its own configuration under a temporary directory, and stops
# it by PID. Only loopback addresses are used. Test secrets only.
set -eu

OUT=$(cd "$(dirname "$0")" && pwd)
SECRET=testing123
WRONG=wrongsecret

if ! command -v freeradius >/dev/null || ! command -v radclient >/dev/null || ! command -v tshark >/dev/null ||
	! command -v tcpdump >/dev/null || ! command -v eapol_test >/dev/null; then
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y freeradius freeradius-utils tshark tcpdump eapoltest openssl
fi
PATH=$PATH:/usr/sbin

W=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 1
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

# --- FreeRADIUS configuration -------------------------------------------
D=$W/raddb
cp -a /etc/freeradius/3.0 "$D"
sed -i -e "s#^raddbdir = .*#raddbdir = $D#" -e "s#^logdir = .*#logdir = $W#" \
	-e "s#^run_dir = .*#run_dir = $W#" -e "s#^\(\s*\)user = #\1\#user = #" -e "s#^\(\s*\)group = #\1\#group = #" \
	"$D/radiusd.conf"
cat >"$D/clients.conf" <<CLIENTS
client localhost {
	ipaddr = 127.0.0.1
	secret = $SECRET
	require_message_authenticator = no
}
client localhost6 {
	ipv6addr = ::1
	secret = $SECRET
}
CLIENTS
# Users: PAP/CHAP/MS-CHAP user with tunnel attributes, a challenge, a reject.
rm -f "$D/mods-config/files/authorize"
cat >"$D/mods-config/files/authorize" <<'USERS'
chal	Cleartext-Password := "chal-pass", Response-Packet-Type := Access-Challenge
	Reply-Message := "Enter the code from your authenticator app", State := 0x6d66612d70656e64696e67

alice	Cleartext-Password := "alice-pass"
	Reply-Message := "Welcome, alice", Class := 0x3331312031203132372e302e302e3120, Tunnel-Type := VLAN, Tunnel-Medium-Type := IEEE-802, Tunnel-Private-Group-Id := "42", Tunnel-Password := "tunnel-secret", Session-Timeout := 3600

mallory	Auth-Type := Reject
	Reply-Message := "Access denied"
USERS
# An extra auth listener on ::1 port 11812 (the non-standard port case).
sed -i 's#^server default {#server default {\nlisten {\n\ttype = auth\n\tipv6addr = ::1\n\tport = 11812\n}#' "$D/sites-available/default"
# EAP certificates: a throw-away CA and server certificate (4096-bit keys,
# so the PEAP handshake has large packets).
C=$D/certs
openssl req -x509 -newkey rsa:4096 -nodes -keyout "$C/ca.key" -out "$C/ca.pem" -days 3650 -subj "/CN=radscope test CA" 2>/dev/null
openssl req -newkey rsa:4096 -nodes -keyout "$C/server.key" -out "$C/server.csr" -subj "/CN=radius.test" 2>/dev/null
openssl x509 -req -in "$C/server.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -CAcreateserial -out "$C/server.pem" -days 3650 2>/dev/null
sed -i -e 's#^\(\s*\)private_key_password = .*#\1\#private_key_password#' "$D/mods-available/eap"

freeradius -X -d "$D" >"$W/radiusd.log" 2>&1 &
RADPID=$!
PIDS="$RADPID"
for i in 1 2 3 4 5 6 7 8 9 10; do
	grep -q "Ready to process requests" "$W/radiusd.log" && break
	sleep 1
done
grep -q "Ready to process requests" "$W/radiusd.log" || { cat "$W/radiusd.log"; exit 1; }

capture() { # capture NAME DLT FILTER: start tcpdump on lo into $W/NAME
	tcpdump -i "${4:-lo}" -y "$2" -U -s 0 -w "$W/$1" "$3" >"$W/$1.log" 2>&1 &
	CAPPID=$!
	PIDS="$PIDS $CAPPID"
	sleep 2
}
stopcap() {
	sleep 1
	kill "$CAPPID"
	wait "$CAPPID" 2>/dev/null || true
}
rc() { # rc TYPE SECRET [radclient options] <<< attributes
	t=$1 s=$2
	shift 2
	radclient -t 2 -r 1 "$@" 127.0.0.1 "$t" "$s" >/dev/null 2>&1 || true
}

# --- radclient.pcap: IPv4, Ethernet (lo) ------------------------------------
capture radclient.pcap EN10MB "udp and (port 1812 or port 1813)"
echo 'User-Name = "alice", User-Password = "alice-pass", Message-Authenticator = 0x00, NAS-IP-Address = 127.0.0.1, NAS-Identifier = "nas-test", Calling-Station-Id = "00-11-22-33-44-55", Called-Station-Id = "AA-BB-CC-DD-EE-FF:corp"' | rc auth $SECRET
echo 'User-Name = "alice", User-Password = "alice-pass", NAS-Identifier = "nas-noma"' | rc auth $SECRET
echo 'User-Name = "alice", CHAP-Password = "alice-pass", NAS-Identifier = "nas-test"' | rc auth $SECRET
echo 'User-Name = "alice", MS-CHAP-Password = "alice-pass", NAS-Identifier = "nas-test"' | rc auth $SECRET
echo 'User-Name = "mallory", User-Password = "guess", Message-Authenticator = 0x00, NAS-Identifier = "nas-test"' | rc auth $SECRET
echo 'User-Name = "chal", User-Password = "chal-pass", Message-Authenticator = 0x00, NAS-Identifier = "nas-test"' | rc auth $SECRET
echo 'Message-Authenticator = 0x00' | rc status $SECRET
# Wrong secret with Message-Authenticator: FreeRADIUS drops it silently,
# radclient retransmits, nothing answers (rtx, norsp).
echo 'User-Name = "alice", User-Password = "alice-pass", Message-Authenticator = 0x00, NAS-Identifier = "nas-wrong"' | rc auth $WRONG -r 3 -t 1
# Wrong secret without it: the password decrypts to garbage, Access-Reject.
echo 'User-Name = "alice", User-Password = "alice-pass", NAS-Identifier = "nas-wrong"' | rc auth $WRONG
for st in Start Interim-Update Stop; do
	echo "User-Name = \"alice\", Acct-Status-Type = $st, Acct-Session-Id = \"radscope-0001\", NAS-IP-Address = 127.0.0.1, Acct-Session-Time = 60, Calling-Station-Id = \"00-11-22-33-44-55\"" | rc acct $SECRET
done
stopcap

# --- ipv6-sll2.pcap: IPv6, port 11812, Linux cooked v2 (-i any) ------------
capture ipv6-sll2.pcap LINUX_SLL2 "udp and port 11812" any
for u in 'alice", User-Password = "alice-pass' 'mallory", User-Password = "nope'; do
	echo "User-Name = \"$u\", Message-Authenticator = 0x00, NAS-IPv6-Address = ::1" |
		radclient -t 2 -r 1 '[::1]:11812' auth $SECRET >/dev/null 2>&1 || true
done
stopcap

# --- peap.pcapng: eapol_test PEAP-MSCHAPv2, captured by tshark -------------
cat >"$W/peap.conf" <<'PEAP'
network={
	key_mgmt=IEEE8021X
	eap=PEAP
	identity="alice"
	anonymous_identity="anonymous"
	password="alice-pass"
	phase1="peapver=0"
	phase2="auth=MSCHAPV2"
}
PEAP
tshark -i lo -f "udp port 1812" -w "$W/peap.pcapng" >"$W/tshark.log" 2>&1 &
CAPPID=$!
PIDS="$PIDS $CAPPID"
sleep 3
eapol_test -c "$W/peap.conf" -a 127.0.0.1 -p 1812 -s $SECRET -r 0 -t 10 >"$W/eapol.log" 2>&1 || { tail -20 "$W/eapol.log"; exit 1; }
stopcap

kill "$RADPID"
wait "$RADPID" 2>/dev/null || true

for f in radclient.pcap ipv6-sll2.pcap peap.pcapng; do
	cp "$W/$f" "$OUT/$f"
done
chmod 644 "$OUT"/*.pcap*

# --- derived captures -------------------------------------------------------
(cd "$OUT/../.." && go run ./testdata/pcaps/rewrite.go testdata/pcaps)
printf '127.0.0.1 %s\n::1 %s\n' $SECRET $SECRET >"$OUT/secrets.txt"
ls -l "$OUT"
