package selection

import (
	"fmt"
	"sort"
	"strings"
)

// filelist is a plain --include-filelist/--exclude-filelist: one test made
// of literal entries.
type filelist struct {
	entries []flEntry           // sorted by path (component-wise), excludes first on ties
	excl    map[string]struct{} // the excluded paths
}

type flEntry struct {
	path    string // below the base, components joined by '/'
	include bool
}

// cmpPath compares two relative paths component by component, bytewise
// ('/' sorts before every other byte), which is the order rdiff-backup
// sorts index tuples in and walks a tree in.
func cmpPath(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if ca == '/' {
			return -1
		}
		if cb == '/' {
			return 1
		}
		if ca < cb {
			return -1
		}
		return 1
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// parseFilelist reads the lines of a plain filelist. Lines outside the
// base are reported through cfg.Warn (five at most) and ignored. It also
// reports whether some line excludes.
func (s *Set) parseFilelist(data []byte, name string, include bool, cfg Config) (*filelist, bool) {
	fl := &filelist{}
	somethingExcluded := false
	warnings := 0
	for _, line := range splitFilelist(data, cfg.NullSeparator) {
		inc := include
		if strings.HasPrefix(line, "+ ") {
			inc, line = true, line[2:]
		} else if strings.HasPrefix(line, "- ") {
			inc, line = false, line[2:]
		}
		rel, err := s.relIndex(line)
		if err != nil {
			warnings++
			if warnings < 6 && cfg.Warn != nil {
				cfg.Warn(fmt.Sprintf("File specification '%s' in filelist %s doesn't start with correct prefix %s. Ignoring.",
					pyBytesRepr(line), name, pyBytesRepr(s.base)))
				if warnings == 5 {
					cfg.Warn("Future prefix errors will not be logged")
				}
			}
			continue
		}
		fl.entries = append(fl.entries, flEntry{path: rel, include: inc})
		if !inc {
			somethingExcluded = true
			if fl.excl == nil {
				fl.excl = make(map[string]struct{})
			}
			fl.excl[rel] = struct{}{}
		}
	}
	sort.SliceStable(fl.entries, func(i, j int) bool {
		a, b := fl.entries[i], fl.entries[j]
		if c := cmpPath(a.path, b.path); c != 0 {
			return c < 0
		}
		return !a.include && b.include
	})
	return fl, somethingExcluded
}

// eval gives the answer rdiff-backup's filelist function gives for rel.
// rdiff-backup walks its sorted entries with a cursor as the tree is
// visited in order; the answer it reaches is the one of the first entry
// (in sorted order) that the cursor cannot pass: an exclude entry that is
// rel or an ancestor of rel excludes; otherwise the first entry at or after
// rel includes when it is an include entry for rel or for something below
// rel, and says nothing in every other case (even when a later entry would
// include something below rel).
func (fl *filelist) eval(rel string) answer {
	if len(fl.excl) > 0 {
		if _, ok := fl.excl[""]; ok {
			return ansExclude
		}
		for i := 0; i < len(rel); i++ {
			if rel[i] == '/' {
				if _, ok := fl.excl[rel[:i]]; ok {
					return ansExclude
				}
			}
		}
		if _, ok := fl.excl[rel]; ok {
			return ansExclude
		}
	}
	i := sort.Search(len(fl.entries), func(i int) bool { return cmpPath(fl.entries[i].path, rel) >= 0 })
	if i < len(fl.entries) {
		e := fl.entries[i]
		if e.include && hasPathPrefix(e.path, rel) {
			return ansInclude
		}
	}
	return noAnswer
}
