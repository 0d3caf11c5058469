package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
)

// Exit status bits, OR-ed over a run (cli.md 6.10).
const (
	exitError       = 1
	exitWarning     = 2
	exitFileError   = 4
	exitFileWarning = 8
)

// console prints an action's messages the way rdiff-backup does: errors
// and warnings on stderr, notes and info on stdout, each only up to the
// terminal verbosity, with the API 200 prefixes. It also keeps the live
// progress line of an interactive run.
type console struct {
	st        streams
	verbosity int // terminal verbosity
	action    string
	status    int
	log       io.Writer // the action's log in the repository, if any
	logLevel  int

	mu       sync.Mutex
	progress bool // a progress line is on screen
	lastDraw time.Time
	start    time.Time
}

func newConsole(st streams, inv *cli.Invocation) *console {
	return &console{st: st, verbosity: inv.TerminalVerbosity, action: inv.Action, start: time.Now()}
}

// message prints one message of the engine.
func (c *console) message(l gordiff.Level, msg string) {
	if c.log != nil && int(l) <= c.logLevel {
		fmt.Fprintf(c.log, "%s %s\n", prefix(l), msg)
	}
	if int(l) > c.verbosity {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearProgress()
	w := c.st.out
	if l <= 2 {
		w = c.st.err
	}
	fmt.Fprintf(w, "%s %s\n", prefix(l), msg)
}

func prefix(l gordiff.Level) string {
	switch l {
	case 1:
		return "ERROR:"
	case 2:
		return "WARNING:"
	case 3:
		return "NOTE:"
	case 5:
		return "*"
	}
	return "DEBUG:"
}

// fail prints an action's failure: the error and the step it failed on.
func (c *console) fail(step string, err error) int {
	if in := signalled.Load(); in != nil && errors.Is(err, context.Canceled) {
		msg := "Interrupted by " + in.name()
		if c.action == "backup" && step == "run" {
			msg += ": the session is incomplete; the next backup, or gordiff regress, takes the repository back to its last complete session"
		}
		err = errors.New(msg)
	}
	c.message(1, err.Error())
	c.message(1, fmt.Sprintf("Action %s failed on step %s", c.action, step))
	return c.status | exitError
}

// finish prints rdiff-backup's closing warnings for the bits set and
// returns the exit status.
func (c *console) finish() int {
	c.mu.Lock()
	c.clearProgress()
	c.mu.Unlock()
	c.log = nil // the closing summary goes to the terminal only
	if c.status&exitWarning != 0 {
		c.message(2, fmt.Sprintf("Action %s emitted warnings, see previous messages for details", c.action))
	}
	if c.status&exitFileError != 0 {
		c.message(2, fmt.Sprintf("Action %s failed on one or more files, see previous messages for details", c.action))
	}
	if c.status&exitFileWarning != 0 {
		c.message(2, fmt.Sprintf("Action %s emitted a warning on one or more files, see previous messages for details", c.action))
	}
	return c.status
}

// progressFunc returns the callback that draws the live progress line on
// stderr, or nil when stderr is not a terminal or messages are off.
func (c *console) progressFunc() func(gordiff.Progress) {
	if c.verbosity < 3 || !isTerminal(c.st.err) {
		return nil
	}
	return func(p gordiff.Progress) {
		now := time.Now()
		c.mu.Lock()
		defer c.mu.Unlock()
		if now.Sub(c.lastDraw) < 100*time.Millisecond {
			return
		}
		c.lastDraw = now
		secs := max(now.Sub(c.start).Seconds(), 0.001)
		line := fmt.Sprintf("%d entries, %s, %s/s  %s", p.Entries, humanBytes(p.Bytes), humanBytes(int64(float64(p.Bytes)/secs)), p.Path)
		width := 100
		if cols := terminalWidth(c.st.err); cols > 10 {
			width = cols - 1
		}
		if len(line) > width {
			line = line[:width]
		}
		fmt.Fprintf(c.st.err, "\r\x1b[K%s", line)
		c.progress = true
	}
}

func (c *console) clearProgress() {
	if c.progress {
		fmt.Fprint(c.st.err, "\r\x1b[K")
		c.progress = false
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// localPath returns a location's path, refusing remote ones until the
// remote transport exists.
func localPath(l cli.Location) (string, error) {
	if l.Remote() {
		return "", fmt.Errorf("remote location %s: remote operation is not available in this version of gordiff", l.Raw)
	}
	p := l.Path
	for len(p) > 1 && strings.HasSuffix(p, "/") {
		p = p[:len(p)-1]
	}
	return p, nil
}
