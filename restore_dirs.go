package gordiff

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/selection"
)

// dirFrame is a restored directory. It gets its attributes (and, in a
// forced restore over an existing tree, loses what the session does not
// hold) once the listing has left it and the files written into it are
// done: deepest first, and without a list of every directory of the tree
// held to the end.
type dirFrame struct {
	restoreEntry
	names map[string]bool // with overwrite: the names restored directly inside
	after int             // jobs submitted when the listing left it
}

// enterDir notes a directory just made.
func (r *restorer) enterDir(e restoreEntry) {
	f := &dirFrame{restoreEntry: e}
	if r.overwrite {
		f.names = map[string]bool{}
	}
	r.open = append(r.open, f)
}

// restored notes that the entry ix is (being) restored into its parent,
// so that a forced restore keeps it.
func (r *restorer) restored(ix metadata.Index) {
	if !r.overwrite || len(r.open) == 0 || len(ix) == 0 {
		return
	}
	if top := r.open[len(r.open)-1]; top.rec.Index.Equal(ix[:len(ix)-1]) {
		top.names[ix[len(ix)-1]] = true
	}
}

// leave closes the directories the listing has left for ix (all of them
// for nil) and finishes those whose files are written.
func (r *restorer) leave(ix metadata.Index) {
	for len(r.open) > 0 {
		top := r.open[len(r.open)-1]
		if ix != nil && len(ix) > len(top.rec.Index) && ix.HasPrefix(top.rec.Index) {
			break
		}
		r.open[len(r.open)-1] = nil
		r.open = r.open[:len(r.open)-1]
		top.after = r.submitted
		r.left = append(r.left, top)
	}
	for len(r.left) > 0 && r.left[0].after <= r.reported {
		f := r.left[0]
		r.left[0] = nil
		r.left = r.left[1:]
		r.finishDir(f)
	}
}

// finishDir removes what a forced restore leaves of the old directory,
// then gives the directory its EAs, ACL and attributes.
func (r *restorer) finishDir(f *dirFrame) {
	path := r.targetPath(f.rec.Index)
	if f.names != nil {
		r.deleteExtra(path, r.rel(f.rec.Index), f.names)
	}
	f.applySide(path, r.warn)
	if err := applyAttrs(path, f.rec); err != nil {
		r.fileError(f.rec.Index, err)
	}
}

// deleteExtra removes from the target directory dir (rel below the
// target) every entry not restored (keep) and selected.
func (r *restorer) deleteExtra(dir, rel string, keep map[string]bool) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		r.msg(2, fmt.Sprintf("cannot list %s: %v", dir, err))
		return
	}
	for _, d := range ents {
		if keep[d.Name()] {
			continue
		}
		p := filepath.Join(dir, d.Name())
		prel := d.Name()
		if rel != "." {
			prel = rel + "/" + d.Name()
		}
		fi, err := d.Info()
		if err != nil {
			continue
		}
		switch r.sel.Match(prel, fi) {
		case selection.Exclude:
			continue
		case selection.Scan:
			// Something below may be included: look inside, where only
			// what is included goes. A file answered Scan is not
			// selected, as in the walk of a backup: it stays.
			if d.IsDir() {
				r.deleteExtra(p, prel, nil)
			}
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			r.msg(2, fmt.Sprintf("cannot delete %s: %v", p, err))
		}
	}
}
