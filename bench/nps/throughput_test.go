package npsbench

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2759"

	"github.com/radscope/radscope/nps"
	"github.com/radscope/radscope/scenario"
	"github.com/radscope/radscope/secret"
)

const (
	sharedSecret = "s3cret"
	user         = "alice"
	password     = "Passw0rd"
	envServe     = "RADSCOPE_NPSD_SCENARIO"
)

// TestMain doubles as the nps server process: with RADSCOPE_NPSD_SCENARIO
// set it serves that scenario until killed.
func TestMain(m *testing.M) {
	if path := os.Getenv(envServe); path != "" {
		sc, err := scenario.Load(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		s, err := nps.New(sc, nps.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := s.ListenAndServe(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func startNPS(t *testing.T, dir string) (string, int) {
	port := freePort(t)
	sc := fmt.Sprintf(`server: {auth_listen: ["127.0.0.1:%d"], acct_listen: []}
clients: [{name: bench, address: 127.0.0.1, secret: %s}]
directory: {domain: CONTOSO, users: [{sam: %s, password: %s, groups: [VPN]}]}
connection_request_policies: [{name: All}]
network_policies: [{name: VPN, auth_methods: [pap, mschapv2], reply: [{name: Filter-Id, value: vpn}]}]
`, port, sharedSecret, user, password)
	path := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(path, []byte(sc), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envServe+"="+path, "GOMAXPROCS=2", "GOGC="+cmp.Or(os.Getenv("RADSCOPE_BENCH_GOGC"), "100"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	return fmt.Sprintf("127.0.0.1:%d", port), cmd.Process.Pid
}

const freeradiusConf = `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = %[1]s
sbindir = /usr/sbin
logdir = %[1]s
raddbdir = %[1]s
radacctdir = %[1]s
name = freeradius
confdir = ${raddbdir}
modconfdir = ${confdir}
run_dir = %[1]s
db_dir = ${raddbdir}
libdir = /usr/lib/freeradius
pidfile = ${run_dir}/freeradius.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 65536
hostname_lookups = no
log {
	destination = stderr
	auth = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}
thread pool {
	start_servers = 4
	max_servers = 32
	min_spare_servers = 3
	max_spare_servers = 10
	max_requests_per_server = 0
}
client localhost {
	ipaddr = 127.0.0.1
	secret = %[2]s
	require_message_authenticator = no
}
modules {
	pap {
		normalise = yes
	}
	mschap {
		use_mppe = yes
	}
	files {
		filename = ${confdir}/users
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = %[3]d
	}
	authorize {
		files
		mschap
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
		Auth-Type MS-CHAP {
			mschap
		}
	}
}
`

func startFreeRADIUS(t *testing.T, dir string) (string, int) {
	bin, err := exec.LookPath("freeradius")
	if err != nil {
		t.Skip("SKIPPING: freeradius not installed (apt-get install freeradius)")
	}
	port := freePort(t)
	if err := os.WriteFile(filepath.Join(dir, "radiusd.conf"), fmt.Appendf(nil, freeradiusConf, dir, sharedSecret, port), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(user+"\tCleartext-Password := \""+password+"\"\n\tFilter-Id = \"vpn\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dictionary"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", "-d", dir, "-l", filepath.Join(dir, "radius.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	return fmt.Sprintf("127.0.0.1:%d", port), cmd.Process.Pid
}

// cpuTime returns the user+system CPU time a process has used, from
// /proc/<pid>/stat (Linux; clock ticks of 10 ms).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// waitUp sends Access-Requests until one is answered.
func waitUp(t *testing.T, addr string, build func(id byte) []byte) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, _ := net.Dial("udp4", addr)
		c.Write(build(1))
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		buf := make([]byte, 4096)
		_, err := c.Read(buf)
		c.Close()
		if err == nil {
			return
		}
	}
	t.Fatalf("server at %s did not come up", addr)
}

// papRequest builds a fresh PAP Access-Request.
func papRequest(id byte) []byte {
	p := radius.New(radius.CodeAccessRequest, []byte(sharedSecret))
	p.Identifier = id
	p.Attributes.Add(1, []byte(user))
	p.Attributes.Add(2, secret.EncryptUserPassword(p.Secret, p.Authenticator[:], []byte(password)))
	b, _ := p.MarshalBinary()
	return b
}

// mschapv2Template is an MS-CHAPv2 Access-Request; MS-CHAPv2 does not
// depend on the Request Authenticator, so only that and the identifier
// change per request.
var mschapv2Template = func() []byte {
	p := radius.New(radius.CodeAccessRequest, []byte(sharedSecret))
	ch := make([]byte, 16)
	peer := make([]byte, 16)
	rand.Read(ch)
	rand.Read(peer)
	nt, _ := rfc2759.GenerateNTResponse(ch, peer, []byte(user), []byte(password))
	resp := make([]byte, 50)
	resp[0] = 1
	copy(resp[2:18], peer)
	copy(resp[26:], nt)
	p.Attributes.Add(1, []byte(user))
	p.Attributes.Add(26, vsa(11, ch))
	p.Attributes.Add(26, vsa(25, resp))
	b, _ := p.MarshalBinary()
	return b
}()

func vsa(typ byte, v []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 311)
	return append(append(b, typ, byte(2+len(v))), v...)
}

func mschapv2Request(id byte) []byte {
	b := slices.Clone(mschapv2Template)
	b[1] = id
	rand.Read(b[4:20])
	return b
}

type result struct {
	server, method  string
	requests, fails int
	rps             float64
	p50, p99        time.Duration
	cpuPerReq       time.Duration // server CPU time per answered request
}

// load runs workers closed-loop senders for d against addr.
func load(t *testing.T, addr string, build func(byte) []byte, workers int, d time.Duration) result {
	var mu sync.Mutex
	var lat []time.Duration
	fails := 0
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("udp4", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			buf := make([]byte, 4096)
			var local []time.Duration
			f := 0
			for id := byte(w); time.Now().Before(end); id++ {
				b := build(id)
				t0 := time.Now()
				c.Write(b)
				c.SetReadDeadline(t0.Add(2 * time.Second))
				n, err := c.Read(buf)
				if err != nil || n < 20 || buf[0] != byte(radius.CodeAccessAccept) || buf[1] != id {
					f++
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			fails += f
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := result{requests: len(lat), fails: fails, rps: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)/2]
		r.p99 = lat[len(lat)*99/100]
	}
	return r
}

func TestThroughput(t *testing.T) {
	if os.Getenv("RADSCOPE_BENCH") == "" {
		t.Skip("set RADSCOPE_BENCH=1 to run the throughput comparison")
	}
	dur := 5 * time.Second
	if v := os.Getenv("RADSCOPE_BENCH_DURATION"); v != "" {
		dur, _ = time.ParseDuration(v)
	}
	const workers = 16
	type server struct {
		name, addr string
		pid        int
	}
	var servers []server
	addr, pid := startNPS(t, t.TempDir())
	servers = append(servers, server{"radscope nps", addr, pid})
	addr, pid = startFreeRADIUS(t, t.TempDir())
	servers = append(servers, server{"FreeRADIUS 3", addr, pid})
	methods := []struct {
		name  string
		build func(byte) []byte
	}{{"PAP", papRequest}, {"MS-CHAPv2", mschapv2Request}}
	for _, s := range servers {
		waitUp(t, s.addr, papRequest)
	}
	// The machine is shared: alternate the servers over several rounds and
	// report each one's median round.
	rounds := 3
	var out []result
	for _, m := range methods {
		runs := make([][]result, len(servers))
		for _, s := range servers {
			load(t, s.addr, m.build, workers, time.Second) // warm up
		}
		for range rounds {
			for i, s := range servers {
				cpu0 := cpuTime(s.pid)
				r := load(t, s.addr, m.build, workers, dur)
				r.server, r.method = s.name, m.name
				if r.requests > 0 {
					r.cpuPerReq = (cpuTime(s.pid) - cpu0) / time.Duration(r.requests)
				}
				runs[i] = append(runs[i], r)
			}
		}
		for i := range servers {
			slices.SortFunc(runs[i], func(a, b result) int { return int(a.rps - b.rps) })
			med := runs[i][len(runs[i])/2]
			if med.requests == 0 {
				t.Errorf("%s %s: no request answered", med.server, med.method)
			}
			out = append(out, med)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| method | server | requests/s | p50 | p99 | server CPU per request | answered | failed |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range out {
		fmt.Fprintf(&b, "| %s | %s | %.0f | %s | %s | %.1f µs | %d | %d |\n", r.method, r.server, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), float64(r.cpuPerReq.Nanoseconds())/1000, r.requests, r.fails)
	}
	t.Logf("%d workers, median of %d alternating rounds of %s, loopback, GOMAXPROCS=2 for nps\n%s", workers, rounds, dur, b.String())
}
