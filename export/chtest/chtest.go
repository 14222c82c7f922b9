// Package chtest starts a real clickhouse-server (Debian's package, 18.16
// or later) for tests: on free 127.0.0.1 ports, with its own minimal
// configuration and data directory under t.TempDir, stopped by PID when the
// test ends.
//
// When the server binary is missing the test is skipped, unless
// RADSCOPE_REQUIRE_CLICKHOUSE is set (CI sets it), when it fails.
package chtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// User and Password are the account the test server defines besides the
// password-less "default".
const (
	User     = "radscope"
	Password = "s3cret-pw"
)

// Server is one running clickhouse-server.
type Server struct {
	Dir      string // configuration and data
	HTTPPort int
	TCPPort  int
	bin      string
	cmd      *exec.Cmd
	done     chan struct{}
	logf     func(string, ...any)
}

// Binary returns the path of clickhouse-server, or "" when it is not
// installed.
func Binary() string {
	for _, p := range []string{"clickhouse-server", "/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if b, err := exec.LookPath(p); err == nil {
			return b
		}
	}
	return ""
}

// Start starts a server for t and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("RADSCOPE_REQUIRE_CLICKHOUSE") != "" {
			t.Fatal("chtest: clickhouse-server is not installed and RADSCOPE_REQUIRE_CLICKHOUSE is set")
		}
		t.Skip("chtest: clickhouse-server is not installed (apt-get install clickhouse-server)")
	}
	s := &Server{Dir: t.TempDir(), bin: bin, logf: t.Logf}
	var err error
	if s.HTTPPort, err = freePort(); err != nil {
		t.Fatal(err)
	}
	if s.TCPPort, err = freePort(); err != nil {
		t.Fatal(err)
	}
	if err := s.writeConfig(); err != nil {
		t.Fatal(err)
	}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// URL is the server's HTTP address.
func (s *Server) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", s.HTTPPort) }

// DSN is a clickhouse:// address of database db on the server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("clickhouse://127.0.0.1:%d/%s", s.HTTPPort, db)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("chtest: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) writeConfig() error {
	for _, d := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			return fmt.Errorf("chtest: %w", err)
		}
	}
	config := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>%[1]s/log/server.log</log>
        <errorlog>%[1]s/log/server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <http_port>%[2]d</http_port>
    <tcp_port>%[3]d</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>64</max_connections>
    <keep_alive_timeout>1</keep_alive_timeout>
    <max_concurrent_queries>16</max_concurrent_queries>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <mark_cache_size>67108864</mark_cache_size>
    <path>%[1]s/data/</path>
    <tmp_path>%[1]s/tmp/</tmp_path>
    <user_files_path>%[1]s/user_files/</user_files_path>
    <format_schema_path>%[1]s/format_schemas/</format_schema_path>
    <users_config>users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
</yandex>
`, s.Dir, s.HTTPPort, s.TCPPort)
	users := fmt.Sprintf(`<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>2000000000</max_memory_usage>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <%[1]s>
            <password>%[2]s</password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </%[1]s>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`, User, Password)
	if err := os.WriteFile(filepath.Join(s.Dir, "config.xml"), []byte(config), 0o644); err != nil {
		return fmt.Errorf("chtest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "users.xml"), []byte(users), 0o644); err != nil {
		return fmt.Errorf("chtest: %w", err)
	}
	return nil
}

// start runs the server binary itself (no shell, so cmd.Process.Pid is the
// server's PID) and waits until /ping answers.
func (s *Server) start() error {
	cmd := exec.Command(s.bin, "--config-file="+filepath.Join(s.Dir, "config.xml"))
	cmd.Dir = s.Dir
	out, err := os.OpenFile(filepath.Join(s.Dir, "log", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("chtest: %w", err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("chtest: starting %s: %w", s.bin, err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func() {
		cmd.Wait()
		out.Close()
		close(s.done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		select {
		case <-s.done:
			return fmt.Errorf("chtest: clickhouse-server exited at start-up: %s", s.tail())
		case <-ctx.Done():
			s.Kill()
			return fmt.Errorf("chtest: clickhouse-server did not answer /ping within 60s: %s", s.tail())
		case <-time.After(100 * time.Millisecond):
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/ping", nil)
		resp, err := cl.Do(req)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && strings.HasPrefix(string(b), "Ok.") {
			return nil
		}
	}
}

func (s *Server) tail() string {
	var parts []string
	for _, f := range []string{"log/stdout.log", "log/server.err.log"} {
		b, _ := os.ReadFile(filepath.Join(s.Dir, f))
		if len(b) > 2000 {
			b = b[len(b)-2000:]
		}
		parts = append(parts, strings.TrimSpace(string(b)))
	}
	return strings.Join(parts, "\n")
}

// PID is the server process's ID, 0 when it is not running.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stop asks the server to shut down (SIGTERM to its PID) and kills it if it
// has not exited within 15 seconds (an idle keep-alive connection can hold
// a shutdown that long).
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.logf("chtest: clickhouse-server %d ignored SIGTERM for 15s; killing it", s.PID())
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Kill ends the server at once (SIGKILL to its PID), as a crash would.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart starts the server again on the same ports and data.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
}
