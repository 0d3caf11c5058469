package selection

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

// WalkFunc receives the entries Walk selects, in order. rel is the path
// below the root ("." for the root), fi its lstat. When err is not nil, rel
// could not be listed or examined: fi is nil and the walk goes on unless fn
// returns an error. An error from fn stops the walk and is returned by Walk,
// except fs.SkipDir: returned for a directory it skips the directory's
// content, returned for anything else it is ignored.
type WalkFunc func(rel string, fi fs.FileInfo, err error) error

// Walk visits the tree at root in the repository's order and calls fn for
// every entry rdiff-backup would back up with the selection set: the root
// first, then pre-order with the names of each directory sorted bytewise.
// It never follows symbolic links (the root included) and never yields
// rdiff-backup-data directly under the root. A directory answered Scan is
// yielded just before the first entry below it that is selected, or not at
// all. Only the listings of the directories on the current path are held.
//
// set may be nil (everything is selected); otherwise root must be the base
// the set was built for (after normalisation), and the set's normalised
// base is the path the walk opens.
func Walk(ctx context.Context, root string, set *Set, fn WalkFunc) error {
	if set == nil {
		var err error
		if set, err = New(root, nil, Config{}); err != nil {
			return err
		}
	} else if nb := NormalizeBase(root); nb != set.base {
		return fmt.Errorf("selection: walk root %q is not the selection base %q", nb, set.base)
	}
	fi, err := os.Lstat(set.base)
	if err != nil {
		return fmt.Errorf("selection: walk: %w", err)
	}
	if err := fn(".", fi, nil); err != nil {
		if errors.Is(err, fs.SkipDir) {
			return nil
		}
		return err
	}
	if !fi.IsDir() {
		return nil
	}
	w := &walker{ctx: ctx, set: set, fn: fn}
	return w.dir(set.base, set.prefix)
}

type pendingDir struct {
	rel string
	fi  fs.FileInfo
}

type walker struct {
	ctx     context.Context
	set     *Set
	fn      WalkFunc
	pending []pendingDir // scanned directories not yet yielded, outermost first
	count   int
}

func (w *walker) rel(full string) string {
	if len(full) <= len(w.set.prefix) {
		return "."
	}
	return full[len(w.set.prefix):]
}

// report hands an error to fn; only fn's own error stops the walk.
func (w *walker) report(rel string, err error) error {
	if ferr := w.fn(rel, nil, err); ferr != nil && !errors.Is(ferr, fs.SkipDir) {
		return ferr
	}
	return nil
}

func (w *walker) flush() error {
	for _, p := range w.pending {
		if err := w.fn(p.rel, p.fi, nil); err != nil && !errors.Is(err, fs.SkipDir) {
			return err
		}
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	return nil
}

// dir walks the content of the directory at full; prefix is full followed
// by '/'.
func (w *walker) dir(full, prefix string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	names, err := readDirNames(full)
	if err != nil {
		if rerr := w.report(w.rel(full), err); rerr != nil {
			return rerr
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if w.count++; w.count&1023 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		child := prefix + name
		rel := child[len(w.set.prefix):]
		fi, err := os.Lstat(child)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // vanished since the listing
			}
			if rerr := w.report(rel, err); rerr != nil {
				return rerr
			}
			continue
		}
		switch w.set.match(child, rel, fi) {
		case Include:
			if err := w.flush(); err != nil {
				return err
			}
			if err := w.fn(rel, fi, nil); err != nil {
				if errors.Is(err, fs.SkipDir) {
					continue
				}
				return err
			}
			if fi.IsDir() {
				if err := w.dir(child, child+"/"); err != nil {
					return err
				}
			}
		case Scan:
			if !fi.IsDir() {
				continue
			}
			mark := len(w.pending)
			w.pending = append(w.pending, pendingDir{rel: rel, fi: fi})
			if err := w.dir(child, child+"/"); err != nil {
				return err
			}
			if len(w.pending) > mark {
				clear(w.pending[mark:])
				w.pending = w.pending[:mark]
			}
		}
	}
	return nil
}

// readDirNames lists a directory's names (unsorted); on error it returns
// what it could read.
func readDirNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return names, err
}
