package gordiff

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/mirror"
)

// RemoveOptions configure RemoveIncrements.
type RemoveOptions struct {
	Repository string
	OlderThan  string // time spec: sessions strictly older are removed
	Force      bool   // allow removing more than one session
	// Size takes the candidate sessions from the increment files (every
	// time found among them, as `list increments --size` does) and reports
	// each one's size.
	Size     bool
	Now      time.Time
	Location *time.Location
	// Message, if set, receives the messages of the repository check, as
	// rdiff-backup prints them, before RemoveIncrements returns its error.
	Message func(Level, string)
}

// Errors of RemoveIncrements; nothing was deleted when they are returned.
var (
	// ErrNothingToRemove: no session is older than the time (a warning).
	ErrNothingToRemove = errors.New("no increment is older than the given time")
	// ErrSeveralToRemove: several sessions would go and Force is off.
	ErrSeveralToRemove = errors.New("several increments would be removed")
)

// RemoveResult tells what RemoveIncrements did or would do.
type RemoveResult struct {
	Cutoff   int64   // the resolved time
	Sessions []int64 // the sessions removed (or that would be), oldest first
	Sizes    []int64 // with Size, the bytes of each session's increment files
	Removed  int64   // files and directories deleted
}

// RemoveIncrements deletes the sessions of a repository strictly older
// than OlderThan, never the current mirror, as `rdiff-backup remove
// increments` does: the candidate sessions are those with an
// increments.<T>.dir marker (with Size, every time among the increment
// files); then every increment-shaped file of the data directory older
// than the newest candidate plus one second goes, and every directory left
// empty, increments/ included.
func RemoveIncrements(ctx context.Context, opts RemoveOptions) (*RemoveResult, error) {
	if err := checkRemovable(opts.Repository, opts.Force, opts.Message); err != nil {
		return nil, err
	}
	data := filepath.Join(opts.Repository, mirror.DataDirName)
	d, err := readDataDir(data)
	if err != nil {
		return nil, err
	}
	mirrorTime, err := d.mirrorTime()
	if err != nil {
		return nil, err
	}
	// Sessions for NB: the mirror, the root markers, the metadata files.
	sessions := append(append([]int64{mirrorTime}, d.roots...), d.sessions()...)
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	spec, err := increments.ParseTimeSpec(opts.OlderThan, now, opts.Location)
	if err != nil {
		return nil, err
	}
	cut, err := spec.Time(sessions)
	if err != nil {
		return nil, err
	}
	res := &RemoveResult{Cutoff: cut}
	if opts.Size {
		sizes, err := incrementSizesByTime(filepath.Join(data, "increments"), data, "increments")
		if err != nil {
			return nil, err
		}
		for _, t := range slices.Sorted(maps.Keys(sizes)) {
			if t < cut && t != mirrorTime {
				res.Sessions = append(res.Sessions, t)
				res.Sizes = append(res.Sizes, sizes[t])
			}
		}
	} else {
		for _, t := range slices.Compact(d.roots) {
			if t < cut && t < mirrorTime {
				res.Sessions = append(res.Sessions, t)
			}
		}
	}
	switch {
	case len(res.Sessions) == 0:
		return res, ErrNothingToRemove
	case len(res.Sessions) > 1 && !opts.Force:
		return res, ErrSeveralToRemove
	}
	unlock, err := mirror.Lock(data)
	if err != nil {
		return res, err
	}
	defer unlock()
	r := &remover{ctx: ctx, limit: res.Sessions[len(res.Sessions)-1] + 1, sem: make(chan struct{}, removeWorkers)}
	_, err = r.dir(data, true)
	res.Removed = r.removed.Load()
	if err == nil {
		err = ctx.Err()
	}
	return res, err
}

// removeWorkers bounds the directories handled at once beyond the
// caller's goroutine: unlink and rmdir are system calls that wait on the
// file system, so more of them in flight than CPUs pays.
const removeWorkers = 16

// remover deletes, in one walk of the data directory, every
// increment-shaped file older than limit, then each directory left empty
// (never the data directory itself), children before their directory as
// rdiff-backup does. Directories are read without sorting and files are
// judged by name alone (the directory entry says what is a directory), so
// nothing is stat'ed; sub-directories go to other goroutines while slots
// are free.
type remover struct {
	ctx     context.Context
	limit   int64
	sem     chan struct{}
	removed atomic.Int64
}

// dir handles one directory and reports whether it was removed.
func (r *remover) dir(path string, top bool) (gone bool, err error) {
	if err := r.ctx.Err(); err != nil {
		return false, err
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		left     atomic.Int64
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	sub := func(p string) {
		gone, err := r.dir(p, false)
		if err != nil {
			fail(err)
		}
		if !gone {
			left.Add(1)
		}
	}
	for k, e := range ents {
		if k%1024 == 1023 && r.ctx.Err() != nil {
			fail(r.ctx.Err())
			break
		}
		p := filepath.Join(path, e.Name())
		if e.IsDir() {
			select {
			case r.sem <- struct{}{}:
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-r.sem }()
					sub(p)
				}()
			default:
				sub(p)
			}
			continue
		}
		n, err := increments.ParseName(e.Name())
		if err != nil || n.Time >= r.limit {
			left.Add(1)
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			fail(err)
			left.Add(1)
			continue
		}
		r.removed.Add(1)
	}
	wg.Wait()
	if firstErr != nil || top || left.Load() > 0 {
		return false, firstErr
	}
	if err := os.Remove(path); err != nil {
		return false, err
	}
	r.removed.Add(1)
	return true, nil
}

// checkRemovable is rdiff-backup's check of the repository a removal
// writes to: it must exist, be a directory and hold rdiff-backup-data; a
// path that is not a directory, or a non-empty directory without
// rdiff-backup-data, also gets the overwrite advice (a warning with
// --force, which does not make the check pass). Every failed test is
// reported through say, in rdiff-backup's order; the error returned wraps
// ErrNoRepository and carries the first.
func checkRemovable(path string, force bool, say func(Level, string)) error {
	if say == nil {
		say = func(Level, string) {}
	}
	var first string
	fail := func(l Level, msg string) {
		if first == "" {
			first = msg
		}
		say(l, msg)
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		fail(mirror.LevelError, fmt.Sprintf("Source path %s does not exist", path))
	case !fi.IsDir():
		fail(mirror.LevelError, fmt.Sprintf("Source path %s is not a directory", path))
		if force {
			say(mirror.LevelWarning, fmt.Sprintf("Target path %s exists but isn't a directory, and will be force deleted", path))
		} else {
			say(mirror.LevelError, fmt.Sprintf("Target path %s exists and is not a directory, call with '--force' to overwrite", path))
		}
	default:
		data := filepath.Join(path, mirror.DataDirName)
		if dfi, err := os.Stat(data); err != nil || !dfi.IsDir() {
			fail(mirror.LevelError, fmt.Sprintf("Source directory '%s' doesn't have a sub-directory 'rdiff-backup-data'", path))
			if _, err := os.Lstat(data); err != nil {
				if ents, err := os.ReadDir(path); err == nil && len(ents) > 0 {
					if force {
						say(mirror.LevelWarning, fmt.Sprintf("Target path '%s' does not look like a rdiff-backup repository but will be force overwritten", path))
					} else {
						say(mirror.LevelError, fmt.Sprintf("Target path '%s' does not look like a rdiff-backup repository, call with '--force' to overwrite", path))
					}
				}
			}
		}
	}
	if first != "" {
		return &mirror.Error{Msg: first, Kind: ErrNoRepository}
	}
	return nil
}

// FormatRemoval renders the NOTE rdiff-backup prints before it deletes.
func FormatRemoval(res *RemoveResult, loc *time.Location) string {
	lines := FormatRemovalTimes(res, loc)
	if len(lines) == 1 {
		return "Deleting increment at date/time: " + lines[0]
	}
	return "Deleting increments at dates/times:\n" + strings.Join(lines, "\n")
}

// FormatRemovalTimes renders the sessions of a removal one per line as
// rdiff-backup lists them: the time, and with sizes the time padded to 24
// columns and the size right-aligned in 17.
func FormatRemovalTimes(res *RemoveResult, loc *time.Location) []string {
	zone := increments.NewZone(loc, time.Now())
	var lines []string
	for k, t := range res.Sessions {
		if k < len(res.Sizes) {
			lines = append(lines, fmt.Sprintf("%-24s %17s", zone.Asctime(t), metadata.ByteSummary(res.Sizes[k])))
		} else {
			lines = append(lines, zone.Asctime(t))
		}
	}
	return lines
}
