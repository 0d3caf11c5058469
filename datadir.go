package gordiff

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/mirror"
)

// dataDir is what the read actions need to know of a repository's data
// directory: the session markers and metadata files by time.
type dataDir struct {
	path    string
	markers []int64    // current_mirror times
	roots   []int64    // increments.<T>.dir times, sorted
	metas   []metaFile // mirror_metadata snapshots and diffs, newest first
}

type metaFile struct {
	path string
	n    increments.Name
}

// readDataDir lists a data directory's increment-shaped files once.
func readDataDir(data string) (*dataDir, error) {
	ents, err := os.ReadDir(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", data, err)
	}
	d := &dataDir{path: data}
	for _, e := range ents {
		n, err := increments.ParseName(e.Name())
		if err != nil {
			continue
		}
		switch {
		case n.Base == "current_mirror" && n.Type == increments.TypeData:
			d.markers = append(d.markers, n.Time)
		case n.Base == "increments" && n.Type == increments.TypeDir:
			d.roots = append(d.roots, n.Time)
		case n.Base == "mirror_metadata" && (n.Type == increments.TypeSnapshot || n.Type == increments.TypeDiff):
			d.metas = append(d.metas, metaFile{filepath.Join(data, e.Name()), n})
		}
	}
	slices.Sort(d.roots)
	slices.SortFunc(d.metas, func(a, b metaFile) int { return int(b.n.Time - a.n.Time) })
	return d, nil
}

// mirrorTime returns the current mirror's time, refusing a repository
// that holds an interrupted session.
func (d *dataDir) mirrorTime() (int64, error) {
	if len(d.markers) != 1 {
		return 0, fmt.Errorf("Previous backup to %s seems to have failed. Use rdiff-backup to 'regress' first the failed backup, then try again", filepath.Dir(d.path))
	}
	return d.markers[0], nil
}

// sessions returns the session times: every metadata file's, sorted.
func (d *dataDir) sessions() []int64 {
	var s []int64
	for _, m := range d.metas {
		s = append(s, m.n.Time)
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// sessionListing is what a read action opens first: the metadata listing
// of the session a time spec selects, with where it sits in the
// repository.
type sessionListing struct {
	listing    *metadata.PatchedReader
	data       string         // the data directory
	under      metadata.Index // the entry the action's path names (empty: the root)
	at         int64          // the session's time
	mirrorTime int64          // the current mirror's
	close      func()
}

// openSessionListing opens the listing of the session spec selects ("" is
// now) in the repository at root; rel is the action's path below root.
func openSessionListing(root, rel, spec string, now time.Time) (*sessionListing, error) {
	if spec == "" {
		spec = "now"
	}
	sl := &sessionListing{data: filepath.Join(root, mirror.DataDirName)}
	var err error
	sl.listing, sl.at, sl.mirrorTime, sl.close, err = listingAt(sl.data, spec, now)
	if err != nil {
		return nil, err
	}
	if rel != "." {
		sl.under = metadata.ParseIndex(filepath.ToSlash(rel))
	}
	return sl, nil
}
