// Package ch is a small ClickHouse client over the HTTP interface (port
// 8123), written with the standard library only: it works with every
// ClickHouse from Debian's 18.16 to current releases, which the official Go
// client does not. It runs statements, streams query results and posts
// gzip-compressed INSERT bodies. It sends no settings, so no server rejects
// an unknown one.
//
// Errors carry the server's own text (the "Code: 60, e.displayText() =
// DB::Exception: ..." line) in *Error.
package ch

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config says where a ClickHouse database is and who connects.
type Config struct {
	Addr     string // host:port of the HTTP interface
	Database string
	User     string // "" for the server's default user
	Password string
	Timeout  time.Duration // per request; 0 for none (the context still applies)
}

// ParseDSN reads clickhouse://[USER@]HOST[:PORT]/DB. A password in the
// address is refused: it would show in ps and shell history.
func ParseDSN(s string) (Config, error) {
	var c Config
	u, err := url.Parse(s)
	if err != nil {
		return c, fmt.Errorf("ch: bad address %q: %v", s, err)
	}
	if u.Scheme != "clickhouse" {
		return c, fmt.Errorf("ch: bad address %q: want clickhouse://HOST:PORT/DB", s)
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return c, fmt.Errorf("ch: a password in the address is visible to other users; use --ch-password env:VAR or a config file")
		}
		c.User = u.User.Username()
	}
	if u.Host == "" {
		return c, fmt.Errorf("ch: bad address %q: no host", s)
	}
	c.Addr = u.Host
	if u.Port() == "" {
		c.Addr = net.JoinHostPort(u.Hostname(), "8123")
	}
	c.Database = strings.Trim(u.Path, "/")
	if c.Database == "" {
		c.Database = "default"
	}
	if !validIdent(c.Database) {
		return c, fmt.Errorf("ch: bad database name %q (letters, digits and _ only)", c.Database)
	}
	return c, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func validIdent(s string) bool { return identRE.MatchString(s) }

// Client talks to one server.
type Client struct {
	cfg  Config
	http *http.Client
	tr   *http.Transport
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     2 * time.Second, // below nothing the server keeps: no stale keep-alive
	}
	return &Client{cfg: cfg, tr: tr, http: &http.Client{Transport: tr, Timeout: cfg.Timeout}}
}

// Config returns the client's configuration.
func (c *Client) Config() Config { return c.cfg }

// Close drops idle connections, so a server shutting down is not held by
// them.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// Error is an error answer of the server.
type Error struct {
	Status int    // HTTP status
	Code   int    // ClickHouse error code, 0 when the text carries none
	Text   string // the server's own text
}

func (e *Error) Error() string {
	return fmt.Sprintf("ch: server said (HTTP %d): %s", e.Status, e.Text)
}

// permanent are the ClickHouse error codes that a retry cannot cure.
var permanent = map[int]bool{
	6: true, 16: true, 26: true, 27: true, 33: true, 36: true, 38: true, 41: true, 43: true, 44: true, 47: true, 53: true,
	57: true, 60: true, 62: true, 69: true, 70: true, 72: true, 81: true, 82: true, 115: true, 117: true,
	164: true, 192: true, 193: true, 194: true, 195: true, 497: true, 516: true,
}

// Temporary reports whether the same request may succeed later: a network
// failure, or a server error other than a bad statement, bad data, an
// unknown table or a refused login.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		if e.Status == 401 || e.Status == 403 {
			return false
		}
		return !permanent[e.Code]
	}
	return true
}

var codeRE = regexp.MustCompile(`^Code: (\d+)`)

func serverError(status int, body []byte) *Error {
	text := strings.TrimSpace(string(body))
	if len(text) > 4000 {
		text = text[:4000] + "…"
	}
	e := &Error{Status: status, Text: text}
	if m := codeRE.FindStringSubmatch(text); m != nil {
		e.Code, _ = strconv.Atoi(m[1])
	}
	return e
}

func (c *Client) request(ctx context.Context, query string, body io.Reader, gz, idempotent bool) (*http.Response, error) {
	q := url.Values{}
	q.Set("database", c.cfg.Database)
	if body != nil {
		q.Set("query", query)
	} else {
		body = strings.NewReader(query)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+c.cfg.Addr+"/?"+q.Encode(), body)
	if err != nil {
		return nil, fmt.Errorf("ch: %w", err)
	}
	if c.cfg.User != "" || c.cfg.Password != "" {
		user := c.cfg.User
		if user == "" {
			user = "default"
		}
		req.SetBasicAuth(user, c.cfg.Password)
	}
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if idempotent {
		// Lets net/http resend the request by itself when a kept-alive
		// connection turns out to have been closed by the server before
		// anything was sent on it (the server's keep_alive_timeout is short).
		req.Header.Set("Idempotency-Key", "radscope")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("ch: %s: %w", c.cfg.Addr, unwrapURL(err))
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return nil, serverError(resp.StatusCode, b)
	}
	return resp, nil
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Exec runs a statement that returns nothing wanted (DDL, OPTIMIZE).
func (c *Client) Exec(ctx context.Context, stmt string) error {
	resp, err := c.request(ctx, stmt, nil, false, false)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("ch: reading answer: %w", err)
	}
	return nil
}

// InsertGzip posts one gzip-compressed JSONEachRow body into table. The
// request may reach the server twice (net/http resends it when a
// kept-alive connection was closed under it), so the rows must be ones a
// second copy of does no harm to: radscope's tables are ReplacingMergeTree
// keyed by deterministic ids.
func (c *Client) InsertGzip(ctx context.Context, table string, gzBody []byte) error {
	resp, err := c.request(ctx, "INSERT INTO "+table+" FORMAT JSONEachRow", bytes.NewReader(gzBody), true, true)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("ch: reading answer: %w", err)
	}
	return nil
}

// Query runs a SELECT (which should end in FORMAT JSONEachRow, or another
// line-oriented format) and calls each with every line of the answer. The
// line is only valid during the call. An error the server reports after
// it has begun to answer (its text then ends the stream) is returned as
// *Error.
func (c *Client) Query(ctx context.Context, query string, each func(line []byte) error) error {
	resp, err := c.request(ctx, query, nil, false, true)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 256<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("Code: ")) {
			rest, _ := io.ReadAll(io.LimitReader(resp.Body, 4000))
			return serverError(resp.StatusCode, append(append([]byte{}, line...), rest...))
		}
		if len(line) == 0 {
			continue
		}
		if err := each(line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("ch: reading answer: %w", err)
	}
	return nil
}

// Quote returns s as a ClickHouse string literal.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Ident checks a table or database name (letters, digits and _).
func Ident(s string) error {
	if !validIdent(s) {
		return fmt.Errorf("ch: bad name %q (letters, digits and _ only)", s)
	}
	return nil
}
