package tui

import (
	"context"
	"errors"
	"iter"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/radscope/radscope/flow"
	"github.com/radscope/radscope/model"
)

// Progress is what the loading line shows.
type Progress struct {
	Files, FilesTotal int
	Bytes             int64
	Records           int64
	Skipped           int64 // bad records
}

// Source is where the flows come from. Flows is called once, with the
// loading's context (ctrl+c cancels it), and ranged over in the loader's
// goroutine; Progress and Offsets are called from that goroutine only
// (between flows, and after the last one).
type Source struct {
	Flows    func(ctx context.Context) iter.Seq2[model.Flow, error]
	Progress func() Progress
	Offsets  func() []flow.Offset
}

// maxErrors is how many parse errors the errors pane keeps.
const maxErrors = 10000

// loader runs a Source in a goroutine and hands what it read to the root
// model on every tick: no channel the model could block on, and the first
// flows show after one tick. The flows are compacted in the loader's
// goroutine (the store's compactor is its own while it runs), so their
// messages are dropped as they arrive.
type loader struct {
	mu       sync.Mutex
	comp     *compactor
	added    int // flows compacted since the last drain
	errs     []error
	progress Progress
	offsets  []flow.Offset
	done     bool
	err      error // final error (not a ParseError); context.Canceled when cancelled
	cancel   context.CancelFunc
	started  time.Time
}

// loadTick is the message that drains the loader.
type loadTick struct{}

// loadBatch is what one tick drained.
type loadBatch struct {
	pub      published
	added    int
	errs     []error
	progress Progress
	offsets  []flow.Offset
	done     bool
	err      error
}

const tickEvery = 50 * time.Millisecond

func tick() tea.Cmd { return tea.Tick(tickEvery, func(time.Time) tea.Msg { return loadTick{} }) }

// startLoader runs src under ctx, compacting into comp.
func startLoader(ctx context.Context, src Source, comp *compactor) *loader {
	ctx, cancel := context.WithCancel(ctx)
	l := &loader{comp: comp, cancel: cancel, started: time.Now()}
	go l.run(ctx, src)
	return l
}

func (l *loader) run(ctx context.Context, src Source) {
	var final error
	n := 0
	var sampled time.Time
	for f, err := range src.Flows(ctx) {
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			if !model.IsParseError(err) {
				final = err
				break
			}
			l.mu.Lock()
			if len(l.errs) < maxErrors {
				l.errs = append(l.errs, err)
			}
			l.mu.Unlock()
			continue
		}
		l.mu.Lock()
		l.comp.add(&f)
		l.added++
		l.mu.Unlock()
		n++
		if src.Progress != nil && (n&255 == 0 || time.Since(sampled) > tickEvery) {
			sampled = time.Now()
			p := src.Progress()
			l.mu.Lock()
			l.progress = p
			l.mu.Unlock()
		}
	}
	if final == nil && ctx.Err() != nil {
		final = ctx.Err()
	}
	var p Progress
	if src.Progress != nil {
		p = src.Progress()
	}
	var offs []flow.Offset
	if src.Offsets != nil {
		offs = src.Offsets()
	}
	l.mu.Lock()
	l.progress, l.offsets, l.done, l.err = p, offs, true, final
	l.mu.Unlock()
}

// drain takes what was read since the last call.
func (l *loader) drain() loadBatch {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := loadBatch{pub: l.comp.publish(), added: l.added, errs: l.errs, progress: l.progress, offsets: l.offsets, done: l.done, err: l.err}
	l.added, l.errs = 0, nil
	return b
}

// Cancelled reports whether err means the load was cancelled.
func cancelled(err error) bool {
	return errors.Is(err, context.Canceled)
}
