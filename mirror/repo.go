package mirror

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gordiff/gordiff/fsfeatures"
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
)

// DataDirName is the name of the repository's data directory.
const DataDirName = "rdiff-backup-data"

// Repo is an open repository: a mirror root with its data directory.
type Repo struct {
	Root string // mirror root
	Data string // Root/rdiff-backup-data

	quoter *fsfeatures.Quoter // nil or disabled: names are stored as they are
}

// dataFile is one increment-shaped file at the top of the data directory.
type dataFile struct {
	name string // as on disk
	inc  increments.Name
}

// listData lists the increment-shaped files directly in the data directory
// (current_mirror, mirror_metadata, statistics, ...), sorted by time.
func (r *Repo) listData() ([]dataFile, error) {
	ents, err := os.ReadDir(r.Data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", r.Data, err)
	}
	var out []dataFile
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		plain := name
		if r.quoter.Enabled() {
			u, err := r.quoter.Unquote([]byte(name))
			if err != nil {
				continue
			}
			plain = string(u)
		}
		n, err := increments.ParseName(plain)
		if err != nil {
			continue
		}
		out = append(out, dataFile{name: name, inc: n})
	}
	slices.SortStableFunc(out, func(a, b dataFile) int {
		switch {
		case a.inc.Time < b.inc.Time:
			return -1
		case a.inc.Time > b.inc.Time:
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	return out, nil
}

// filter keeps the data files of one base and, when types is not empty, of
// those types.
func filter(files []dataFile, base string, types ...increments.Type) []dataFile {
	var out []dataFile
	for _, f := range files {
		if f.inc.Base == base && (len(types) == 0 || slices.Contains(types, f.inc.Type)) {
			out = append(out, f)
		}
	}
	return out
}

// dataPath returns the path of a data-directory file from its unquoted name.
func (r *Repo) dataPath(name string) string {
	return filepath.Join(r.Data, r.quote(name))
}

func (r *Repo) quote(name string) string {
	if !r.quoter.Enabled() {
		return name
	}
	return string(r.quoter.Quote([]byte(name)))
}

// mirrorPath returns the mirror path of an index.
func (r *Repo) mirrorPath(ix metadata.Index) string {
	if len(ix) == 0 {
		return r.Root
	}
	parts := make([]string, 0, len(ix)+1)
	parts = append(parts, r.Root)
	for _, c := range ix {
		parts = append(parts, r.quote(c))
	}
	return filepath.Join(parts...)
}

// incrementDir returns the directory under increments/ that holds the
// increments of the children of ix (increments/ itself for the root).
func (r *Repo) incrementDir(ix metadata.Index) string {
	parts := []string{r.Data, "increments"}
	for _, c := range ix {
		parts = append(parts, r.quote(c))
	}
	return filepath.Join(parts...)
}

// incrementPath returns the path of the increment of ix named name (the
// full name with time and type, unquoted). The root's increments live in
// the data directory under the base "increments".
func (r *Repo) incrementPath(ix metadata.Index, suffix string) string {
	if len(ix) == 0 {
		return filepath.Join(r.Data, r.quote("increments"+suffix))
	}
	return filepath.Join(r.incrementDir(ix[:len(ix)-1]), r.quote(ix[len(ix)-1]+suffix))
}

// IsRepository reports whether path holds a data directory.
func IsRepository(path string) bool {
	fi, err := os.Stat(filepath.Join(path, DataDirName))
	return err == nil && fi.IsDir()
}

// Lock takes the repository's writer lock (see Backup) for another
// writing action, such as removing increments.
func Lock(dataDir string) (unlock func(), err error) { return lockRepo(dataDir) }
