package gordiff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/mirror"
	"github.com/gordiff/gordiff/selection"
)

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// Path is the repository, a path inside its mirror, or an increment
	// file under rdiff-backup-data/increments (or a root
	// rdiff-backup-data/increments.<T>.dir), which restores the entry it
	// belongs to as of the increment's time.
	Path string
	// Target is where the restored tree (or file) goes.
	Target string
	// At is a time spec (cli.md section 4): "now", seconds, a date, an
	// interval ago, a session count like "3B". Empty means "now", or the
	// increment's time when Path is an increment file (giving both is an
	// error).
	At string
	// Increment insists that Path is an increment file.
	Increment bool
	// Force allows a target that exists: a file is replaced, a non-empty
	// directory is made equal to the restored tree (entries not in the
	// backup are deleted, unless excluded by the selection).
	Force bool
	// CreateFullPath creates the target's missing parent directories.
	CreateFullPath bool
	// NoEAs and NoACLs leave out the extended attributes and the access
	// control lists the session recorded (--no-eas, --no-acls).
	NoEAs, NoACLs bool
	// Now is the reference for relative time specs; zero means the clock.
	Now time.Time
	// Selection filters the restored entries; patterns are matched against
	// the target's paths. Excluded entries are neither written nor deleted.
	Selection       []selection.Option
	SelectionConfig selection.Config
	// Message receives warnings and notes; nil discards them.
	Message func(Level, string)
	// Checked, when set, is called with the repository once the source,
	// the options and the target have passed their checks (rdiff-backup
	// opens restore.log in the repository then).
	Checked func(repository string)
}

// RestoreResult is what a restore reports.
type RestoreResult struct {
	// Time is the session restored.
	Time int64
	// Warning is set when rdiff-backup's warning exit bit is due: a
	// non-empty target directory was overwritten with Force.
	Warning bool
	// Entries counts the entries written.
	Entries int
	// FileErrors lists the entries that could not be restored; the restore
	// went on past each of them.
	FileErrors []error
}

// Errors Restore wraps, by the step of rdiff-backup's that reports them.
var (
	// ErrTargetExists reports a restore target that exists and is not
	// empty while Force is off (check step).
	ErrTargetExists = errors.New("target exists")
	// ErrRestoreUsage reports options that do not fit the source: a time
	// and an increment file, --increment and no increment file, a
	// sub-path and file selections (check step).
	ErrRestoreUsage = errors.New("restore options do not fit the source")
	// ErrRestoreTarget reports a target that cannot be created (setup
	// step).
	ErrRestoreTarget = errors.New("cannot create the restore target")
)

// Restore writes the state of Path as of the session At selects into
// Target: content rebuilt from the mirror and the reverse increments,
// attributes from that session's metadata, hard-link groups linked again.
// A file that cannot be restored is reported in the result's FileErrors
// and the restore goes on; the error is for what stops the whole restore.
// A path that did not exist at that session restores nothing, as with
// rdiff-backup.
func Restore(ctx context.Context, opts RestoreOptions) (*RestoreResult, error) {
	res := &RestoreResult{}
	msg := opts.Message
	if msg == nil {
		msg = func(Level, string) {}
	}
	// Check: the source, the options, the target.
	src, err := locateRestoreSource(opts.Path)
	if err != nil {
		return res, err
	}
	switch {
	case src.inc && opts.At != "":
		return res, &mirror.Error{Msg: "You can't give an increment file and a time to restore at the same time.", Kind: ErrRestoreUsage}
	case !src.inc && opts.Increment:
		return res, &mirror.Error{Msg: "You can't use the --increment option and _not_ give an increment file", Kind: ErrRestoreUsage}
	}
	if len(src.index) > 0 {
		for _, o := range opts.Selection {
			switch o.Kind {
			case selection.KindInclude, selection.KindExclude, selection.KindIncludeRegexp, selection.KindExcludeRegexp,
				selection.KindIncludeFilelist, selection.KindExcludeFilelist, selection.KindIncludeGlobbingFilelist, selection.KindExcludeGlobbingFilelist:
				return res, &mirror.Error{Msg: "You can't combine restoring of a sub-path and file selection, result would be unpredictable and could lead to data loss", Kind: ErrRestoreUsage}
			}
		}
	}
	if !mirror.IsRepository(src.root) {
		return res, &mirror.Error{Msg: fmt.Sprintf("Path '%s' couldn't be identified as being within an existing backup repository", opts.Path), Kind: ErrNoRepository}
	}
	overwrite, err := checkRestoreTarget(opts.Target, opts.Force, msg)
	if overwrite {
		res.Warning = true
	}
	if err != nil {
		return res, err
	}
	if opts.Checked != nil {
		opts.Checked(src.root)
	}
	// Setup: the target, the time, the selection.
	created, err := setupRestoreTarget(opts.Target, opts.CreateFullPath)
	if err != nil {
		return res, err
	}
	data := filepath.Join(src.root, mirror.DataDirName)
	d, err := readDataDir(data)
	if err != nil {
		return res, err
	}
	at := src.time
	if !src.inc {
		spec := opts.At
		if spec == "" {
			spec = "now"
		}
		now := opts.Now
		if now.IsZero() {
			now = time.Now()
		}
		ts, err := increments.ParseTimeSpec(spec, now, nil)
		if err != nil {
			return res, err
		}
		if at, err = increments.Resolve(ts, d.sessions()); err != nil {
			return res, err
		}
	}
	sel, err := selection.New(opts.Target, opts.Selection, opts.SelectionConfig)
	if err != nil {
		return res, err
	}
	res.Time = at
	// Run.
	mirrorTime, err := d.mirrorTime()
	if err != nil {
		return res, fmt.Errorf("%w to restore", err)
	}
	listing, closeAll, err := d.listingAtTime(at)
	if err != nil {
		return res, err
	}
	defer closeAll()
	side, err := openSessionSide(data, at, !opts.NoEAs, !opts.NoACLs, nil)
	if err != nil {
		return res, err
	}
	defer side.close()
	rs := &restorer{side: side,
		root: src.root, data: data, at: at, now: mirrorTime, target: opts.Target, under: src.index,
		sel: sel, msg: msg, res: res, pending: map[string]restoreEntry{}, list: cachedLister(),
	}
	rs.overwrite = overwrite
	for {
		rec, err := listing.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rs.stopWorkers()
			return res, fmt.Errorf("reading the metadata of session %s: %w", time.Unix(at, 0).UTC().Format(time.RFC3339), err)
		}
		if err := ctx.Err(); err != nil {
			rs.stopWorkers()
			return res, err
		}
		if !rec.Index.HasPrefix(src.index) {
			continue
		}
		if err := rs.entry(rec); err != nil {
			rs.stopWorkers()
			return res, err
		}
	}
	rs.stopWorkers()
	if !rs.found {
		if created {
			os.Remove(opts.Target) // nothing to restore: no target either
		}
		return res, nil
	}
	rs.leave(nil) // every file is written: the last directories get their attributes
	return res, nil
}

// restoreSource is where a restore reads from.
type restoreSource struct {
	root  string         // the repository
	index metadata.Index // the entry restored (empty: everything)
	inc   bool           // named by an increment file
	time  int64          // the increment's time, when inc
}

// locateRestoreSource finds the repository and the entry a restore source
// names. An increment file is recognised by its name alone, lexically, as
// rdiff-backup does (the file need not exist): the repository is what
// comes before rdiff-backup-data, the entry is the path below
// rdiff-backup-data/increments with the increment's suffix removed.
func locateRestoreSource(path string) (restoreSource, error) {
	var parts []string
	for _, p := range strings.Split(path, "/") {
		if p != "" && p != "." {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return plainRestoreSource(path)
	}
	n, err := increments.ParseName(parts[len(parts)-1])
	if err != nil {
		return plainRestoreSource(path)
	}
	notInc := func(why string) (restoreSource, error) {
		return restoreSource{}, &mirror.Error{Msg: fmt.Sprintf("Path '%s' looks like an increment but doesn't have %s in its path", path, why), Kind: ErrNoRepository}
	}
	data := indexOf(parts, mirror.DataDirName)
	if data < 0 {
		return notInc("'rdiff-backup-data'")
	}
	var ix metadata.Index
	inc := indexOf(parts, "increments")
	switch {
	case inc >= 0:
		ix = append(metadata.Index{}, parts[inc+1:len(parts)-1]...)
		ix = append(ix, n.Base)
	case strings.HasPrefix(parts[len(parts)-1], "increments."):
		inc = len(parts) - 1
	}
	if inc != data+1 {
		return notInc("'rdiff-backup-data/increments'")
	}
	root := strings.Join(parts[:data], "/")
	if strings.HasPrefix(path, "/") {
		root = "/" + root
	} else if root == "" {
		root = "."
	}
	return restoreSource{root: root, index: ix, inc: true, time: n.Time}, nil
}

func plainRestoreSource(path string) (restoreSource, error) {
	root, rel, err := findRepository(path)
	if err != nil {
		return restoreSource{}, err
	}
	var ix metadata.Index
	if rel != "." {
		ix = metadata.ParseIndex(filepath.ToSlash(rel))
	}
	return restoreSource{root: root, index: ix}, nil
}

func indexOf(parts []string, s string) int {
	for i, p := range parts {
		if p == s {
			return i
		}
	}
	return -1
}

// checkRestoreTarget applies the rules for an existing target: a file is
// removed with Force, a non-empty directory needs Force and is then
// overwritten (reported as true: rdiff-backup's warning exit bit).
func checkRestoreTarget(target string, force bool, msg func(Level, string)) (overwrite bool, err error) {
	fi, err := os.Lstat(target)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("target: %w", err)
	}
	if !fi.IsDir() {
		if !force {
			return false, &mirror.Error{Msg: fmt.Sprintf("Target path %s exists and is not a directory, call with '--force' to overwrite", target), Kind: ErrTargetExists}
		}
		msg(2, fmt.Sprintf("Target path %s exists but isn't a directory, and will be force deleted", target))
		if err := os.Remove(target); err != nil {
			return false, fmt.Errorf("removing the target: %w", err)
		}
		return false, nil
	}
	names, err := os.ReadDir(target)
	if err != nil {
		return false, fmt.Errorf("target: %w", err)
	}
	if len(names) == 0 {
		return false, nil
	}
	if !force {
		return false, &mirror.Error{Msg: fmt.Sprintf("Target path %s exists and isn't empty, call with '--force' to overwrite", target), Kind: ErrTargetExists}
	}
	msg(2, fmt.Sprintf("Target path %s exists and isn't empty, content might be force overwritten by restore", target))
	return true, nil
}

// setupRestoreTarget makes sure the target's parent directory exists
// (making it, and its missing parents, with CreateFullPath) and makes the
// target a directory if it does not exist, as rdiff-backup does before it
// reads anything of the repository. It reports whether it made the
// target.
func setupRestoreTarget(target string, fullPath bool) (created bool, err error) {
	if _, err := os.Lstat(target); err == nil {
		return false, nil
	}
	fail := &mirror.Error{Msg: fmt.Sprintf("Unable to delete and/or create directory %s", target), Kind: ErrRestoreTarget}
	if fullPath {
		if err := os.MkdirAll(filepath.Dir(filepath.Clean(target)), 0o700); err != nil {
			return false, fail
		}
	}
	if err := os.Mkdir(target, 0o700); err != nil {
		return false, fail
	}
	return true, nil
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
	if now.IsZero() {
		now = time.Now()
	}
	ts, err := increments.ParseTimeSpec(spec, now, nil)
	if err != nil {
		return nil, 0, 0, closeAll, err
	}
	if at, err = increments.Resolve(ts, d.sessions()); err != nil {
		return nil, 0, 0, closeAll, err
	}
	listing, closeAll, err = d.listingAtTime(at)
	return listing, at, mirrorTime, closeAll, err
}

// listingAtTime opens the metadata listing of session at.
func (d *dataDir) listingAtTime(at int64) (*metadata.PatchedReader, func(), error) {
	var chain []metaFile
	for i := len(d.metas) - 1; i >= 0; i-- { // oldest first
		if d.metas[i].n.Time < at {
			continue
		}
		chain = append(chain, d.metas[i])
		if d.metas[i].n.Type == increments.TypeSnapshot {
			break
		}
	}
	if len(chain) == 0 || chain[len(chain)-1].n.Type != increments.TypeSnapshot {
		return nil, func() {}, fmt.Errorf("no metadata snapshot at or after the chosen session in %s", d.path)
	}
	var sources []metadata.RecordSource
	var readers []*metadata.Reader
	closeAll := func() {
		for _, r := range readers {
			r.Close()
		}
	}
	for i := len(chain) - 1; i >= 0; i-- { // snapshot first, the file of `at` last
		r, err := metadata.OpenReader(chain[i].path)
		if err != nil {
			closeAll()
			return nil, func() {}, err
		}
		readers = append(readers, r)
		sources = append(sources, r)
	}
	return metadata.NewPatchedReader(sources...), closeAll, nil
}

// restorer writes the entries of one restore.
type restorer struct {
	root, data, target string
	at, now            int64
	under              metadata.Index
	sel                *selection.Set
	msg                func(Level, string)
	res                *RestoreResult
	found              bool
	pending            map[string]restoreEntry // directories answered Scan, not made yet
	excluded           metadata.Index          // the last excluded directory: nothing below is restored
	list               incLister               // reads the increments directories, cached
	overwrite          bool                    // the target held something: entries may exist, extra ones go
	open               []*dirFrame             // restored directories the listing is in, outermost first
	left               []*dirFrame             // directories left, waiting for their files, in order
	workerState
	side *sessionSide // the session's extended attributes and ACLs, read in step with the listing
}

// restoreEntry is a record of the listing with its extended attributes
// and ACL, taken from the session's snapshots when the listing reached it.
type restoreEntry struct {
	rec *metadata.Record
	ea  *metadata.EARecord
	acl *metadata.ACLRecord
}

func (r *restorer) targetPath(ix metadata.Index) string {
	return metadata.FullPath(r.target, ix[len(r.under):])
}

func (r *restorer) rel(ix metadata.Index) string {
	return metadata.Index(ix[len(r.under):]).String()
}

// warn says msg after what the jobs before it have to say.
func (r *restorer) warn(msg string) {
	r.drain(true)
	r.msg(2, msg)
}

func (r *restorer) fileError(ix metadata.Index, err error) {
	r.drain(true)
	r.report(ix, err)
}

func (r *restorer) report(ix metadata.Index, err error) {
	err = fmt.Errorf("cannot restore %s: %w", r.targetPath(ix), err)
	r.res.FileErrors = append(r.res.FileErrors, err)
	r.msg(2, err.Error())
}

// entry restores one record; only a failure that stops the restore is
// returned.
func (r *restorer) entry(rec *metadata.Record) error {
	r.found = true
	r.leave(rec.Index)
	rel := r.rel(rec.Index)
	// The listing is in index order: what is below a directory follows
	// it, so the last excluded directory is the only one to check.
	if r.excluded != nil && rec.Index.HasPrefix(r.excluded) {
		return nil
	}
	e := restoreEntry{rec: rec, ea: r.side.eaAt(rec.Index), acl: r.side.aclAt(rec.Index)}
	switch r.sel.Match(rel, recordInfo{rec}) {
	case selection.Exclude:
		if rec.Type == metadata.TypeDir {
			r.excluded = rec.Index
		}
		return nil
	case selection.Scan:
		if rec.Type == metadata.TypeDir {
			r.pending[rel] = e
		}
		return nil
	}
	if err := r.makeParents(rec.Index); err != nil {
		r.fileError(rec.Index, err)
		return nil
	}
	r.restored(rec.Index)
	if err := r.write(e); err != nil {
		r.fileError(rec.Index, err)
		return nil
	}
	r.res.Entries++
	return nil
}

// makeParents makes the directories answered Scan above ix that are still
// pending, now that something below them is restored.
func (r *restorer) makeParents(ix metadata.Index) error {
	for k := len(r.under); k < len(ix); k++ {
		rel := r.rel(ix[:k])
		d, ok := r.pending[rel]
		if !ok {
			continue
		}
		delete(r.pending, rel)
		r.restored(ix[:k])
		if err := r.write(d); err != nil {
			return err
		}
	}
	return nil
}

// write makes the entry in the target.
func (r *restorer) write(e restoreEntry) error {
	rec := e.rec
	path := r.targetPath(rec.Index)
	if !r.overwrite && len(rec.Index) > len(r.under) {
		// Below a new or empty target nothing is in the way (a stale
		// entry would make the creation below fail, not vanish).
	} else if fi, err := os.Lstat(path); err == nil && !(fi.IsDir() && rec.Type == metadata.TypeDir) {
		// --force over an existing entry of another kind, or a
		// non-directory to be replaced.
		if err := os.RemoveAll(path); err != nil {
			return err
		}
	}
	switch rec.Type {
	case metadata.TypeDir:
		if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		r.enterDir(e)
		return nil
	case metadata.TypeSym:
		if err := os.Symlink(rec.SymData, path); err != nil {
			return err
		}
		e.applySide(path, r.warn)
		return applyAttrs(path, rec)
	case metadata.TypeReg:
		var k [2]uint64
		if rec.NumHardLinks > 1 {
			k = [2]uint64{rec.DeviceLoc, rec.Inode}
			if lead, ok := r.leaders[k]; ok {
				<-lead.done
				if lead.err == nil {
					if err := os.Link(lead.path, path); err == nil {
						return nil
					}
				}
				// The first of the group could not be restored: this
				// one gets its own content (and leads from now on).
			}
		}
		in, err := openFileVersion(versionSourceOf(r.root, r.data, rec), r.at, r.now, r.list)
		if err != nil {
			return err
		}
		j := r.submit(e, path, in)
		if rec.NumHardLinks > 1 {
			if r.leaders == nil {
				r.leaders = map[[2]uint64]*fileJob{}
			}
			r.leaders[k] = j
		}
		return nil
	default:
		if err := mirror.MakeSpecial(path, rec); err != nil {
			return err
		}
		e.applySide(path, r.warn)
		return applyAttrs(path, rec)
	}
}

// applyAttrs gives a restored entry its recorded owner (as root), mode and
// mtime, as the mirror's own entries get theirs, but with the exact bits.
func applyAttrs(path string, rec *metadata.Record) error {
	return mirror.SetAttrs(path, rec, rec.Permissions)
}

// applyFileAttrs is applyAttrs for a regular file open for writing.
func applyFileAttrs(f *os.File, rec *metadata.Record) error {
	return mirror.SetAttrsFD(int(f.Fd()), f.Name(), rec, rec.Permissions)
}

// writeContent writes the bytes of in into the new file path, leaving
// holes where the source has them (the mirror's own holes, or whole
// blocks of zeros), and returns it open.
func writeContent(path string, in io.Reader, buf *[]byte) (*os.File, error) {
	out, err := createFile(path)
	if err != nil {
		return nil, err
	}
	if f, ok := in.(*os.File); ok {
		// The mirror file itself: copied inside the kernel where it
		// has no holes and the file systems allow it.
		done, err := copyFileSparse(out, f)
		if err != nil {
			out.Close()
			return nil, err
		}
		if done {
			return out, nil
		}
	}
	if *buf == nil {
		*buf = make([]byte, 256<<10)
	}
	if err := copySparse(out, in, *buf); err != nil {
		out.Close()
		return nil, err
	}
	return out, nil
}

// sparseBlock is the unit of hole detection.
const sparseBlock = 4096

// copySparse copies in to the empty file out through buf (a multiple of
// sparseBlock), skipping blocks of zeros instead of writing them so that
// they stay holes.
func copySparse(out *os.File, in io.Reader, buf []byte) error {
	var size int64
	hole := false
	for {
		n, rerr := io.ReadFull(in, buf)
		for off := 0; off < n; off += sparseBlock {
			b := buf[off:min(n, off+sparseBlock)]
			if len(b) == sparseBlock && isZero(b) {
				hole = true
			} else {
				if _, err := out.WriteAt(b, size); err != nil {
					return err
				}
				hole = false
			}
			size += int64(len(b))
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if hole {
		return out.Truncate(size)
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// recordInfo shows a metadata record to the selection as a file's lstat.
type recordInfo struct{ rec *metadata.Record }

func (i recordInfo) Name() string {
	if len(i.rec.Index) == 0 {
		return "."
	}
	return i.rec.Index[len(i.rec.Index)-1]
}
func (i recordInfo) Size() int64        { return i.rec.Size }
func (i recordInfo) ModTime() time.Time { return time.Unix(i.rec.ModTime, 0) }
func (i recordInfo) IsDir() bool        { return i.rec.Type == metadata.TypeDir }
func (i recordInfo) Sys() any           { return nil }
func (i recordInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.rec.Permissions & 0o777)
	switch i.rec.Type {
	case metadata.TypeDir:
		m |= fs.ModeDir
	case metadata.TypeSym:
		m |= fs.ModeSymlink
	case metadata.TypeFifo:
		m |= fs.ModeNamedPipe
	case metadata.TypeSock:
		m |= fs.ModeSocket
	case metadata.TypeDev:
		m |= fs.ModeDevice
		if i.rec.DevKind == 'c' {
			m |= fs.ModeCharDevice
		}
	}
	return m
}
