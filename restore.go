package gordiff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/mirror"
)

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// Path is the repository, or a path inside its mirror.
	Path string
	// Target is where the restored tree (or file) goes.
	Target string
	// At is a time spec (cli.md section 4): "now", seconds, a date, an
	// interval ago, a session count like "3B".
	At string
	// Force allows a target that exists and is not empty.
	Force bool
	// Now is the reference for relative time specs; zero means the clock.
	Now time.Time
}

// ErrTargetExists reports a restore target that exists and is not empty
// while Force is off.
var ErrTargetExists = errors.New("target exists")

// Restore writes the state of Path as of the session At selects into
// Target: content rebuilt from the mirror and the reverse increments,
// attributes from that session's metadata, hard-link groups linked again.
func Restore(ctx context.Context, opts RestoreOptions) error {
	root, rel, err := findRepository(opts.Path)
	if err != nil {
		return err
	}
	data := filepath.Join(root, mirror.DataDirName)
	listing, at, mirrorTime, closeAll, err := listingAt(data, opts.At, opts.Now)
	if err != nil {
		return err
	}
	defer closeAll()
	if err := prepareRestoreTarget(opts.Target, opts.Force); err != nil {
		return err
	}
	var under metadata.Index
	if rel != "." {
		under = metadata.ParseIndex(filepath.ToSlash(rel))
	}
	rs := &restorer{root: root, data: data, at: at, now: mirrorTime, target: opts.Target, under: under, links: map[[2]uint64]string{}}
	var dirs []*metadata.Record
	found := false
	for {
		rec, err := listing.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(under) > 0 && !rec.Index.Equal(under) && !rec.Index.HasPrefix(under) {
			continue
		}
		found = true
		if err := rs.entry(rec); err != nil {
			return err
		}
		if rec.Type == metadata.TypeDir {
			dirs = append(dirs, rec)
		}
	}
	if !found {
		return fmt.Errorf("%s did not exist at %s", opts.Path, time.Unix(at, 0).UTC().Format(time.RFC3339))
	}
	// Directories get their attributes last, deepest first.
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := applyAttrs(rs.targetPath(dirs[i].Index), dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

// listingAt opens the metadata listing of the session a time spec selects
// in the data directory: the nearest snapshot at or after it, then the
// diffs down to it. It returns the session's time and the mirror's.
func listingAt(data, spec string, now time.Time) (listing *metadata.PatchedReader, at, mirrorTime int64, closeAll func(), err error) {
	closeAll = func() {}
	d, err := readDataDir(data)
	if err != nil {
		return nil, 0, 0, closeAll, err
	}
	if mirrorTime, err = d.mirrorTime(); err != nil {
		return nil, 0, 0, closeAll, err
	}
	metas, sessions := d.metas, d.sessions()
	if now.IsZero() {
		now = time.Now()
	}
	ts, err := increments.ParseTimeSpec(spec, now, nil)
	if err != nil {
		return nil, 0, 0, closeAll, err
	}
	if at, err = increments.Resolve(ts, sessions); err != nil {
		return nil, 0, 0, closeAll, err
	}
	var chain []metaFile
	for i := len(metas) - 1; i >= 0; i-- { // oldest first
		if metas[i].n.Time < at {
			continue
		}
		chain = append(chain, metas[i])
		if metas[i].n.Type == increments.TypeSnapshot {
			break
		}
	}
	if len(chain) == 0 || chain[len(chain)-1].n.Type != increments.TypeSnapshot {
		return nil, 0, 0, closeAll, fmt.Errorf("no metadata snapshot at or after the chosen session in %s", data)
	}
	var sources []metadata.RecordSource
	var readers []*metadata.Reader
	closeAll = func() {
		for _, r := range readers {
			r.Close()
		}
	}
	for i := len(chain) - 1; i >= 0; i-- { // snapshot first, the file of `at` last
		r, err := metadata.OpenReader(chain[i].path)
		if err != nil {
			closeAll()
			return nil, 0, 0, func() {}, err
		}
		readers = append(readers, r)
		sources = append(sources, r)
	}
	return metadata.NewPatchedReader(sources...), at, mirrorTime, closeAll, nil
}

func prepareRestoreTarget(target string, force bool) error {
	fi, err := os.Lstat(target)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		if !force {
			return &mirror.Error{Msg: fmt.Sprintf("Target path %s exists and is not a directory, call with '--force' to overwrite", target), Kind: ErrTargetExists}
		}
		return os.Remove(target)
	}
	names, err := os.ReadDir(target)
	if err != nil {
		return err
	}
	if len(names) > 0 && !force {
		return &mirror.Error{Msg: fmt.Sprintf("Target path %s exists and isn't empty, call with '--force' to overwrite", target), Kind: ErrTargetExists}
	}
	return nil
}

// restorer writes the entries of one restore.
type restorer struct {
	root, data, target string
	at, now            int64
	under              metadata.Index
	links              map[[2]uint64]string // hard-link group -> first restored path
}

func (r *restorer) targetPath(ix metadata.Index) string {
	return metadata.FullPath(r.target, ix[len(r.under):])
}

func (r *restorer) entry(rec *metadata.Record) error {
	path := r.targetPath(rec.Index)
	if len(rec.Index) > len(r.under) || rec.Type != metadata.TypeDir {
		os.RemoveAll(path) // --force over an existing entry
	}
	switch rec.Type {
	case metadata.TypeDir:
		if err := os.MkdirAll(path, 0o700); err != nil {
			return err
		}
		return nil
	case metadata.TypeSym:
		if err := os.Symlink(rec.SymData, path); err != nil {
			return err
		}
		return applyAttrs(path, rec)
	case metadata.TypeReg:
		if rec.NumHardLinks > 1 {
			k := [2]uint64{rec.DeviceLoc, rec.Inode}
			if first, ok := r.links[k]; ok {
				return os.Link(first, path)
			}
			r.links[k] = path
		}
		if err := r.content(rec.Index, path); err != nil {
			return err
		}
		return applyAttrs(path, rec)
	default:
		if err := makeNode(path, rec); err != nil {
			return err
		}
		return applyAttrs(path, rec)
	}
}

// content writes the file's bytes as of r.at into path.
func (r *restorer) content(ix metadata.Index, path string) error {
	in, err := openVersion(r.root, r.data, ix, r.at, r.now)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("restoring %s: %w", ix.String(), err)
	}
	return out.Close()
}
