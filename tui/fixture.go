package tui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/parse"
	"github.com/radscope/radscope/replay"
	"github.com/radscope/radscope/replay/fixture"
)

// FixtureOptions say how SaveFixture writes a replay fixture.
type FixtureOptions struct {
	Scenario     string   // the --scenario file; without one SaveFixture refuses
	SecretsFiles []string // --secrets-file values
	Secrets      []string // --secret values (env:VAR or literal)
	Location     *time.Location
	Parse        parse.Options // to read log records again from their files
	// Sets are the replay pane's overrides: each becomes a variant of the
	// fixture, replayed besides the scenario as it is.
	Sets []string
}

// Fixture input file names.
const (
	fixtureCapture = "capture.pcap"
	fixtureLog     = "nps.log"
)

// SaveFixture writes flows as a replay fixture folder dir (fixture.Record):
// their captured packets as capture.pcap, their NPS log records (the lines
// as logged, read again from the log files) as nps.log, the scenario, the
// secrets (redacted to env:RADSCOPE_SECRET_<n> references) and expect.json
// from a replay. Windows events are not copied. It refuses without a
// scenario, when dir already holds files, and when a flow is not
// replayable from what the fixture holds (the folder is then removed).
func SaveFixture(ctx context.Context, dir string, flows []*model.Flow, fo FixtureOptions) (string, error) {
	if fo.Scenario == "" {
		return "", errors.New("tui: save fixture: needs a scenario (radscope tui --scenario FILE): a fixture replays against it")
	}
	if len(flows) == 0 {
		return "", errors.New("tui: save fixture: no flow")
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return "", fmt.Errorf("tui: save fixture: %s is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("tui: save fixture: %w", err)
	}
	stage, err := os.MkdirTemp("", "radscope-fixture-")
	if err != nil {
		return "", fmt.Errorf("tui: save fixture: %w", err)
	}
	defer os.RemoveAll(stage)

	var inputs, written []string
	events := 0
	for _, f := range flows {
		for i := range f.Messages {
			if f.Messages[i].Kind == model.KindEvent {
				events++
			}
		}
	}
	pc := filepath.Join(stage, fixtureCapture)
	np, err := writeFile(pc, func(w *os.File) (int, error) { return writePcap(ctx, w, sliceSeq(flows)) })
	if err != nil {
		return "", fmt.Errorf("tui: save fixture: %w", err)
	}
	if np > 0 {
		inputs, written = append(inputs, pc), append(written, fmt.Sprintf("%s (%d packets)", fixtureCapture, np))
	}
	rr := newRereader(fo.Parse)
	defer rr.Close()
	logPath := filepath.Join(stage, fixtureLog)
	n, err := writeFile(logPath, func(w *os.File) (int, error) { return writeLogLines(w, rr, flows) })
	if err != nil {
		return "", fmt.Errorf("tui: save fixture: %w", err)
	}
	logs := n > 0
	if logs {
		inputs, written = append(inputs, logPath), append(written, fmt.Sprintf("%s (%d records)", fixtureLog, n))
	}
	if len(inputs) == 0 {
		return "", errors.New("tui: save fixture: the flows have no packets and no NPS log records to replay")
	}
	secrets := ""
	if len(fo.SecretsFiles)+len(fo.Secrets) > 0 {
		secrets = filepath.Join(stage, fixture.SecretsFile)
		if err := writeSecrets(secrets, fo.SecretsFiles, fo.Secrets); err != nil {
			return "", fmt.Errorf("tui: save fixture: %w", err)
		}
	}
	ro := fixture.RecordOptions{Scenario: fo.Scenario, Inputs: inputs, SecretsFile: secrets, RedactSecrets: true}
	if fo.Location != nil {
		ro.TZ = fo.Location.String()
	}
	if logs {
		ro.PasswordFrom = "scenario"
	}
	for _, s := range fo.Sets {
		ro.Variants = append(ro.Variants, fixture.Variant{Name: s, Sets: []string{s}})
	}
	_, existed := os.Stat(dir)
	x, err := fixture.Record(ctx, dir, ro)
	undo := func() {
		if existed != nil {
			os.RemoveAll(dir)
		} else {
			clearDir(dir)
		}
	}
	if err != nil {
		undo()
		return "", fmt.Errorf("tui: save fixture: %w", err)
	}
	asIs := x.Variants[0].Flows
	for _, fl := range asIs {
		if fl.Status == replay.NotReplayable {
			undo()
			return "", fmt.Errorf("tui: save fixture: flow %d (%s) is not replayable: %s", fl.Flow, fl.User, fl.Why)
		}
	}
	if len(asIs) == 0 {
		undo()
		return "", errors.New("tui: save fixture: the saved inputs make no flow to replay")
	}
	counts := map[replay.Status]int{}
	for _, fl := range asIs {
		counts[fl.Status]++
	}
	var verdicts []string
	for _, s := range []replay.Status{replay.Reproduced, replay.Fixed, replay.Regressed, replay.Diverged} {
		if counts[s] > 0 {
			verdicts = append(verdicts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if events > 0 {
		written = append(written, fmt.Sprintf("%d events not copied", events))
	}
	msg := fmt.Sprintf("saved fixture %s: as-is %s; %s", dir, strings.Join(verdicts, ", "), strings.Join(written, ", "))
	if secrets != "" {
		msg += "; secrets as env:" + fixture.SecretEnv + "<n>"
	}
	return msg, nil
}

// clearDir empties dir (a folder that existed empty before).
func clearDir(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// writeFile creates path and fills it with write; it removes the file when
// write wrote nothing.
func writeFile(path string, write func(*os.File) (int, error)) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || n == 0 {
		os.Remove(path)
	}
	return n, err
}

// writeLogLines writes the NPS log records of flows as they were logged,
// each once, in time order, CRLF-terminated as NPS writes them.
func writeLogLines(w *os.File, rr *rereader, flows []*model.Flow) (int, error) {
	type pos struct {
		file string
		off  int64
	}
	seen := map[pos]bool{}
	var recs []*model.Message
	for _, f := range flows {
		for i := range f.Messages {
			m := &f.Messages[i]
			if m.Kind != model.KindRecord {
				continue
			}
			if k := (pos{m.Src.File, m.Src.Offset}); !seen[k] {
				seen[k] = true
				recs = append(recs, m)
			}
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
	for n, m := range recs {
		line, err := rr.Line(m.Src)
		if err != nil {
			return n, err
		}
		if _, err := w.WriteString(line + "\r\n"); err != nil {
			return n, err
		}
	}
	return len(recs), nil
}

// writeSecrets writes one secrets file from the --secrets-file files and
// the --secret values (for every address: *).
func writeSecrets(path string, files, args []string) error {
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		b.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	for _, a := range args {
		v := a
		if strings.TrimSpace(v) != v || strings.ContainsAny(v, "\"#") {
			v = strconv.Quote(v)
		}
		b.WriteString("* " + v + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
