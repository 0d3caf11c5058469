package gordiff

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/mirror"
)

// RemoveOptions configure RemoveIncrements.
type RemoveOptions struct {
	Repository string
	OlderThan  string // time spec: sessions strictly older are removed
	Force      bool   // allow removing more than one session
	Now        time.Time
	Location   *time.Location
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
}

// RemoveIncrements deletes the sessions of a repository strictly older
// than OlderThan, never the current mirror, as `rdiff-backup remove
// increments` does: the candidate sessions are those with an
// increments.<T>.dir marker; then every increment-shaped file of the data
// directory older than the newest candidate plus one second goes, and
// every directory left empty, increments/ included.
func RemoveIncrements(ctx context.Context, opts RemoveOptions) (*RemoveResult, error) {
	if !mirror.IsRepository(opts.Repository) {
		return nil, &mirror.Error{Msg: fmt.Sprintf("Source directory '%s' doesn't have a sub-directory 'rdiff-backup-data'", opts.Repository), Kind: ErrNoRepository}
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
	for _, t := range slices.Compact(d.roots) {
		if t < cut && t < mirrorTime {
			res.Sessions = append(res.Sessions, t)
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
	limit := res.Sessions[len(res.Sessions)-1] + 1
	// Depth first, children before their directory: files older than the
	// limit go, then directories left empty.
	var walk func(dir string, top bool) error
	walk = func(dir string, top bool) error {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := filepath.Join(dir, e.Name())
			if e.IsDir() {
				if err := walk(p, false); err != nil {
					return err
				}
				continue
			}
			n, err := increments.ParseName(e.Name())
			if err != nil || n.Time >= limit {
				continue
			}
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		if !top {
			if rest, err := os.ReadDir(dir); err == nil && len(rest) == 0 {
				return os.Remove(dir)
			}
		}
		return nil
	}
	return res, walk(data, true)
}

// FormatRemoval renders the NOTE rdiff-backup prints before it deletes.
func FormatRemoval(res *RemoveResult, loc *time.Location) string {
	zone := increments.NewZone(loc, time.Now())
	if len(res.Sessions) == 1 {
		return "Deleting increment at date/time: " + zone.Asctime(res.Sessions[0])
	}
	var lines []string
	for _, t := range res.Sessions {
		lines = append(lines, zone.Asctime(t))
	}
	return "Deleting increments at dates/times:\n" + strings.Join(lines, "\n")
}
