package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/rsync"
)

// RegressOptions configure Regress.
type RegressOptions struct {
	Zone      increments.Zone
	Force     bool // regress even if the failed session's process still runs
	NoFsync   bool
	Verbosity int
	Message   func(Level, string)
}

// ErrNoRegressNeeded: the repository is healthy (one marker).
var ErrNoRegressNeeded = errors.New("Given repository doesn't need to be regressed")

// Regress brings a repository whose last session was interrupted back to
// the last good session, as rdiff-backup's regress does (repository-format
// 9.2). A healthy repository gives ErrNoRegressNeeded and is not changed.
func Regress(ctx context.Context, root string, opts RegressOptions) error {
	s := &session{ctx: ctx, opts: Options{Zone: opts.Zone, Force: opts.Force, NoFsync: opts.NoFsync, Verbosity: opts.Verbosity, Message: opts.Message}}
	root = filepath.Clean(root)
	s.repo = &Repo{Root: root, Data: filepath.Join(root, DataDirName)}
	if !IsRepository(root) {
		return fmt.Errorf("%s is not a rdiff-backup repository", root)
	}
	unlock, err := lockRepo(s.repo.Data)
	if err != nil {
		return err
	}
	defer unlock()
	if opts.Verbosity > 0 {
		if s.logFile, err = os.OpenFile(filepath.Join(s.repo.Data, "regress.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err == nil {
			defer s.logFile.Close()
		}
	}
	if err := s.setupQuoting(false); err != nil {
		return err
	}
	return s.regress()
}

// regressFirst is the automatic regress at the start of a backup.
func (s *session) regressFirst() error {
	s.say(LevelWarning, "Previous backup seems to have failed, regressing destination now")
	if err := s.regress(); err != nil {
		return err
	}
	s.res.Regressed = true
	return nil
}

var pidRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)^PID\s*([0-9]+)`) })

// regress undoes the session of the newer of two current_mirror markers.
func (s *session) regress() error {
	files, err := s.repo.listData()
	if err != nil {
		return err
	}
	markers := filter(files, "current_mirror", increments.TypeData)
	switch {
	case len(markers) < 2:
		return ErrNoRegressNeeded
	case len(markers) > 2:
		return fmt.Errorf("%d current_mirror markers in %s: cannot tell which session failed", len(markers), s.repo.Data)
	}
	ok, fail := markers[0], markers[1]
	if !s.opts.Force {
		for _, m := range markers {
			data, _ := os.ReadFile(filepath.Join(s.repo.Data, m.name))
			if sub := pidRe().FindSubmatch(bytes.TrimSpace(data)); sub != nil {
				if pid, _ := strconv.Atoi(string(sub[1])); pid != os.Getpid() && processAlive(pid) {
					return fmt.Errorf("%w (process %d, marker %s)", ErrStillRunning, pid, m.name)
				}
			}
		}
	}
	tOK, tFail := ok.inc.Time, fail.inc.Time
	s.say(LevelNote, "Regressing to date/time %s", s.opts.Zone.Asctime(tOK))

	// 1. The data directory: the good session's metadata must be a
	// snapshot; everything the failed session wrote there goes.
	snapOK, err := s.ensureSnapshot(files, tOK, tFail)
	if err != nil {
		return err
	}
	for _, f := range files {
		if f.inc.Time == tFail && f.inc.Base != "current_mirror" {
			if err := os.Remove(filepath.Join(s.repo.Data, f.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return wrapPath("remove", f.name, err)
			}
		}
		if f.inc.Time == tOK && f.inc.Base == "mirror_metadata" && f.inc.Type == increments.TypeDiff {
			if err := os.Remove(filepath.Join(s.repo.Data, f.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return wrapPath("remove", f.name, err)
			}
		}
	}

	// 2. The mirror and the increments, against the good listing.
	rd, err := metadata.OpenReader(snapOK)
	if err != nil {
		return err
	}
	defer rd.Close()
	s.direct = true
	g := &regressor{s: s, tOK: tOK, list: &recordPeek{r: rd}}
	rootRec, err := g.list.peek()
	if err != nil {
		return err
	}
	if rootRec == nil || len(rootRec.Index) != 0 {
		return fmt.Errorf("metadata %s has no record for the root", snapOK)
	}
	g.list.take()
	if err := g.dir(metadata.Index{}, s.repo.Root, rootRec); err != nil {
		return err
	}
	if err := setAttrs(s.repo.Root, rootRec); err != nil {
		return err
	}
	for _, f := range files {
		if f.inc.Base == "increments" && f.inc.Time == tOK && f.inc.Type.IsIncrement() {
			if err := os.Remove(filepath.Join(s.repo.Data, f.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return wrapPath("remove", f.name, err)
			}
		}
	}

	// 3. The failed session's marker, last.
	if !s.opts.NoFsync {
		if err := syncFS(s.repo.Data); err != nil {
			return err
		}
	}
	return wrapPath("remove", fail.name, os.Remove(filepath.Join(s.repo.Data, fail.name)))
}

// ensureSnapshot returns the path of the good session's metadata
// snapshot, rebuilding it from the failed session's snapshot and the good
// session's diff when the crash came after the snapshot was converted.
func (s *session) ensureSnapshot(files []dataFile, tOK, tFail int64) (string, error) {
	var diff, failSnap string
	for _, f := range files {
		if f.inc.Base != "mirror_metadata" {
			continue
		}
		switch {
		case f.inc.Time == tOK && f.inc.Type == increments.TypeSnapshot:
			return filepath.Join(s.repo.Data, f.name), nil
		case f.inc.Time == tOK && f.inc.Type == increments.TypeDiff:
			diff = filepath.Join(s.repo.Data, f.name)
		case f.inc.Time == tFail && f.inc.Type == increments.TypeSnapshot:
			failSnap = filepath.Join(s.repo.Data, f.name)
		}
	}
	if diff == "" || failSnap == "" {
		return "", fmt.Errorf("no metadata for the last good session in %s", s.repo.Data)
	}
	newer, err := metadata.OpenReader(failSnap)
	if err != nil {
		return "", err
	}
	defer newer.Close()
	older, err := metadata.OpenReader(diff)
	if err != nil {
		return "", err
	}
	defer older.Close()
	name := "mirror_metadata." + s.opts.Zone.Format(tOK, false) + ".snapshot"
	tmp := tempName(s.repo.Data)
	out := metadata.CreateDataFile(tmp, true)
	w := metadata.NewWriter(out)
	pr := metadata.NewPatchedReader(newer, older)
	for {
		rec, err := pr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			err = w.Write(rec)
		}
		if err != nil {
			out.Close()
			os.Remove(out.Path())
			return "", err
		}
	}
	if err := errors.Join(w.Flush(), out.Close()); err != nil {
		os.Remove(out.Path())
		return "", err
	}
	final := s.repo.dataPath(name)
	if filepath.Ext(out.Path()) == ".gz" {
		final += ".gz"
	}
	if err := os.Rename(out.Path(), final); err != nil {
		return "", wrapPath("rename", out.Path(), err)
	}
	return final, nil
}

// regressor walks the mirror, the increments and the good listing
// together.
type regressor struct {
	s    *session
	tOK  int64
	list *recordPeek
}

// child is one name met in a directory: from the listing, the mirror or
// the increments.
type child struct {
	name  string
	rec   *metadata.Record
	inMir bool
	incs  []string // increment files of the good session for this name
}

// dir regresses the contents of the directory ix (mirror path mpath).
func (g *regressor) dir(ix metadata.Index, mpath string, rec *metadata.Record) error {
	if err := g.s.ctx.Err(); err != nil {
		return err
	}
	children := map[string]*child{}
	get := func(name string) *child {
		c := children[name]
		if c == nil {
			c = &child{name: name}
			children[name] = c
		}
		return c
	}
	if ents, err := os.ReadDir(mpath); err == nil {
		for _, e := range ents {
			if len(ix) == 0 && e.Name() == DataDirName {
				continue
			}
			get(g.unquote(e.Name())).inMir = true
		}
	}
	incDir := g.s.repo.incrementDir(ix)
	if ents, err := os.ReadDir(incDir); err == nil {
		for _, e := range ents {
			if e.IsDir() {
				continue // a directory of increments, never an increment
			}
			n, err := increments.ParseName(g.unquote(e.Name()))
			if err != nil || n.Time != g.tOK || !n.Type.IsIncrement() {
				continue
			}
			c := get(n.Base)
			c.incs = append(c.incs, filepath.Join(incDir, e.Name()))
		}
	}
	// Listing records of the children arrive in order, each followed by
	// its subtree: take them as the walk reaches them.
	names := make([]string, 0, len(children))
	for n := range children {
		names = append(names, n)
	}
	slices.Sort(names)
	ni := 0
	for {
		next, err := g.list.peek()
		if err != nil {
			return err
		}
		var listName string
		if next != nil && len(next.Index) == len(ix)+1 && next.Index.HasPrefix(ix) {
			listName = next.Index[len(ix)]
		}
		var name string
		switch {
		case ni < len(names) && (listName == "" || names[ni] <= listName):
			name = names[ni]
			ni++
			if name == listName {
				g.list.take()
				get(name).rec = next
			}
		case listName != "":
			name = listName
			g.list.take()
			get(name).rec = next
		default:
			return nil
		}
		if err := g.entry(ix.Append(name), children[name]); err != nil {
			return err
		}
	}
}

func (g *regressor) unquote(name string) string {
	if !g.s.repo.quoter.Enabled() {
		return name
	}
	u, err := g.s.repo.quoter.Unquote([]byte(name))
	if err != nil {
		return name
	}
	return string(u)
}

// entry puts one path back as the good listing says, then deletes the
// failed session's increments of it.
func (g *regressor) entry(ix metadata.Index, c *child) error {
	path := g.s.repo.mirrorPath(ix)
	rec := c.rec
	var fi os.FileInfo
	if c.inMir {
		fi, _ = os.Lstat(path)
	}
	if rec == nil || rec.Type != metadata.TypeDir {
		// Nothing below this path existed in the good session: whatever
		// the failed session recorded under it goes.
		if err := g.purge(ix); err != nil {
			return err
		}
	}
	switch {
	case rec == nil:
		if fi != nil {
			g.s.say(LevelInfo, "Deleting %s", path)
			if err := os.RemoveAll(path); err != nil {
				return wrapPath("remove", path, err)
			}
		}
	case rec.Type == metadata.TypeDir:
		if fi != nil && !fi.IsDir() {
			if err := os.Remove(path); err != nil {
				return wrapPath("remove", path, err)
			}
			fi = nil
		}
		if fi == nil {
			if err := os.Mkdir(path, 0o700); err != nil {
				return wrapPath("create", path, err)
			}
		} else if !isRoot {
			os.Chmod(path, fileMode(rec.Permissions|0o700))
		}
		if err := g.dir(ix, path, rec); err != nil {
			return err
		}
		if err := setAttrs(path, rec); err != nil {
			return err
		}
	default:
		if !matches(fi, path, rec) {
			g.s.say(LevelInfo, "Regressing file %s", ix.String())
			if err := g.restore(ix, path, fi, rec, c.incs); err != nil {
				return err
			}
		}
	}
	for _, inc := range c.incs {
		g.s.say(LevelInfo, "Deleting increment %s", inc)
		if err := os.Remove(inc); err != nil && !errors.Is(err, os.ErrNotExist) {
			return wrapPath("remove", inc, err)
		}
	}
	return nil
}

// matches is regress's loose comparison of a mirror entry with its good
// record: type, size, mtime, link target, device numbers, permissions.
func matches(fi os.FileInfo, path string, rec *metadata.Record) bool {
	if fi == nil {
		return false
	}
	cur, err := metadata.FromLstat(path, nil)
	if err != nil || cur.Type != rec.Type {
		return false
	}
	switch rec.Type {
	case metadata.TypeReg:
		return cur.Size == rec.Size && cur.ModTime == rec.ModTime && cur.Permissions == rec.Permissions
	case metadata.TypeSym:
		return cur.SymData == rec.SymData
	case metadata.TypeDev:
		return cur.DevKind == rec.DevKind && cur.DevMajor == rec.DevMajor && cur.DevMinor == rec.DevMinor && cur.Permissions == rec.Permissions
	}
	return cur.ModTime == rec.ModTime && cur.Permissions == rec.Permissions
}

// restore rebuilds a non-directory mirror entry as rec describes it, from
// the failed session's increment when the content is needed.
func (g *regressor) restore(ix metadata.Index, path string, fi os.FileInfo, rec *metadata.Record, incs []string) error {
	if rec.Type != metadata.TypeReg {
		if fi != nil {
			if err := os.RemoveAll(path); err != nil {
				return wrapPath("remove", path, err)
			}
		}
		return g.s.installOther(rec, path)
	}
	var inc string
	var kind increments.Type
	for _, p := range incs {
		n, err := increments.ParseName(g.unquote(filepath.Base(p)))
		if err == nil && (n.Type == increments.TypeDiff || n.Type == increments.TypeSnapshot) {
			inc, kind = p, n.Type
		}
	}
	if fi != nil && fi.Mode().IsRegular() && fi.Size() == rec.Size && inc == "" {
		// Same content, attributes only.
		return setAttrs(path, rec)
	}
	if inc == "" {
		return fmt.Errorf("cannot regress %s: the mirror does not match the last good session and no increment rebuilds it", path)
	}
	tmp := tempName(filepath.Dir(path))
	if err := rebuildFile(tmp, path, inc, kind, !g.s.opts.NoFsync); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := setAttrs(tmp, rec); err != nil {
		os.Remove(tmp)
		return err
	}
	if fi != nil && fi.IsDir() {
		if err := os.RemoveAll(path); err != nil {
			return wrapPath("remove", path, err)
		}
	}
	return wrapPath("rename", tmp, os.Rename(tmp, path))
}

// rebuildFile writes at tmp the old version of the file at path: the
// snapshot increment's content, or the diff increment applied to the
// current content.
func rebuildFile(tmp, path, inc string, kind increments.Type, fsync bool) error {
	in, err := metadata.OpenDataFile(inc)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return wrapPath("create", tmp, err)
	}
	defer out.Close()
	if kind == increments.TypeSnapshot {
		_, err = io.Copy(out, in)
	} else {
		var basis *os.File
		basis, err = os.Open(path)
		if err != nil {
			return wrapPath("open", path, err)
		}
		defer basis.Close()
		err = rsync.Patch(out, basis, in)
	}
	if err == nil && fsync {
		err = out.Sync()
	}
	return wrapPath("rebuild from increment", inc, err)
}

// purge deletes the good session's increments anywhere under
// increments/<ix>/ (written there by the failed session for entries it
// created below ix).
func (g *regressor) purge(ix metadata.Index) error {
	dir := g.s.repo.incrementDir(ix)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		n, perr := increments.ParseName(g.unquote(d.Name()))
		if perr == nil && n.Time == g.tOK && n.Type.IsIncrement() {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return wrapPath("remove", p, err)
			}
		}
		return nil
	})
	return err
}
