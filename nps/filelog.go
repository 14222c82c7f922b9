package nps

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/radscope/radscope/model"
	"github.com/radscope/radscope/nps/npslog"
	"github.com/radscope/radscope/scenario"
)

// FileLogger is a Logger that writes the scenario's log files: for each
// format in logging.formats, daily files named as NPS names them
// (INyyMMdd.log, by record time in the server's zone) — in the folder
// itself when there is one format, in folder/<format>/ when there are
// several — and, with logging.events, the events as XML lines in
// folder/events.xml. It is safe for concurrent use.
type FileLogger struct {
	folder  string
	formats []model.Format
	split   bool
	loc     *time.Location
	log     *slog.Logger

	mu     sync.Mutex
	files  map[string]*logFile // by path
	events *npslog.EventWriter
	evFile *os.File
	err    error
}

type logFile struct {
	f *os.File
	w *npslog.Writer
}

// OpenLogs prepares the log files of sc.Logging. It returns nil and no
// error when sc.Logging.Folder is empty. Problems writing later are
// reported on log (and by Close).
func OpenLogs(sc *scenario.Scenario, log *slog.Logger) (*FileLogger, error) {
	lg := sc.Logging
	if lg.Folder == "" {
		return nil, nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &FileLogger{folder: lg.Folder, loc: sc.Location(), log: log, files: map[string]*logFile{}, split: len(lg.Formats) > 1}
	for _, f := range lg.Formats {
		l.formats = append(l.formats, model.Format(f))
	}
	if err := os.MkdirAll(lg.Folder, 0o755); err != nil {
		return nil, fmt.Errorf("nps: log folder: %w", err)
	}
	if lg.Events {
		f, err := os.OpenFile(filepath.Join(lg.Folder, "events.xml"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("nps: events log: %w", err)
		}
		l.evFile, l.events = f, npslog.NewEventWriter(f)
	}
	return l, nil
}

func (l *FileLogger) fail(err error) {
	l.mu.Lock()
	if l.err == nil {
		l.err = err
	}
	l.mu.Unlock()
	l.log.Warn("nps: writing logs failed", "err", err)
}

func (l *FileLogger) writer(format model.Format, t time.Time) (io.Writer, *npslog.Writer, error) {
	dir := l.folder
	if l.split {
		dir = filepath.Join(l.folder, string(format))
	}
	path := filepath.Join(dir, npslog.FileName(npslog.Daily, t.In(l.loc), 0))
	l.mu.Lock()
	defer l.mu.Unlock()
	if lf, ok := l.files[path]; ok {
		return lf.f, lf.w, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	lf := &logFile{f: f, w: npslog.NewWriter(f, format, l.loc)}
	l.files[path] = lf
	return f, lf.w, nil
}

// LogRecord implements Logger.
func (l *FileLogger) LogRecord(m model.Message) {
	if l == nil {
		return
	}
	for _, f := range l.formats {
		_, w, err := l.writer(f, m.Time)
		if err != nil {
			l.fail(err)
			return
		}
		if err := w.Write(m); err != nil {
			l.fail(err)
		}
	}
}

// LogEvent implements Logger.
func (l *FileLogger) LogEvent(m model.Message) {
	if l == nil || l.events == nil {
		return
	}
	if err := l.events.Write(m); err != nil && !errors.Is(err, npslog.ErrEvent) {
		l.fail(err)
	}
}

// Close closes the files and returns the first error met.
func (l *FileLogger) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for p, lf := range l.files {
		if err := lf.f.Close(); err != nil && l.err == nil {
			l.err = err
		}
		delete(l.files, p)
	}
	if l.evFile != nil {
		if err := l.evFile.Close(); err != nil && l.err == nil {
			l.err = err
		}
		l.evFile = nil
	}
	return l.err
}

// Loggers sends every record and event to each logger in turn.
type Loggers []Logger

// LogRecord implements Logger.
func (ls Loggers) LogRecord(m model.Message) {
	for _, l := range ls {
		if l != nil {
			l.LogRecord(m)
		}
	}
}

// LogEvent implements Logger.
func (ls Loggers) LogEvent(m model.Message) {
	for _, l := range ls {
		if l != nil {
			l.LogEvent(m)
		}
	}
}
