package chtest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/radscope/radscope/export/chtest"
)

func query(t *testing.T, s *chtest.Server, user, pw, q string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL()+"/?query="+url.QueryEscape(q), nil)
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestServer(t *testing.T) {
	s := chtest.Start(t)
	cases := []struct {
		user, pw, q string
		status      int
		want        string
	}{
		{"", "", "SELECT 1", 200, "1"},
		{chtest.User, chtest.Password, "SELECT 3", 200, "3"},
		{chtest.User, "wrong", "SELECT 3", 401, "Code: 193"},
		{"", "", "SELECT nope", 404, "Code: 47"},
	}
	for _, c := range cases {
		st, body := query(t, s, c.user, c.pw, c.q)
		if st != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %q, want %d with %q", c.q, st, body, c.status, c.want)
		}
	}
	pid := s.PID()
	s.Kill()
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("process %d still exists after Kill", pid)
	}
	s.Restart(t)
	if st, body := query(t, s, "", "", "SELECT 2"); st != 200 || body != "2" {
		t.Errorf("after restart: %d %q", st, body)
	}
	if s.PID() == pid {
		t.Errorf("restart kept PID %d", pid)
	}
}
