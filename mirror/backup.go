package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gordiff/gordiff/fsfeatures"
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/remote"
)

// snapshotChain is how many metadata files (a snapshot and the diffs
// older than it) rdiff-backup lets a chain reach before it keeps a
// snapshot (repository-format 4.8).
const snapshotChain = 9

// Backup runs one backup session from src into the repository at root,
// creating the repository if needed, regressing an interrupted session
// first.
func Backup(ctx context.Context, root string, src remote.Source, opts Options) (*Result, error) {
	s := &session{ctx: ctx, src: src, opts: opts, res: &Result{}}
	if opts.NotCompressed == nil {
		s.opts.NotCompressed = regexp.MustCompile(DefaultNotCompressed)
	}
	if err := s.open(root); err != nil {
		return nil, err
	}
	defer s.close()
	if err := s.run(); err != nil {
		return s.res, err
	}
	return s.res, nil
}

// session is one backup in progress.
type session struct {
	ctx  context.Context
	src  remote.Source
	opts Options
	res  *Result
	repo *Repo

	unlock  func()
	logFile *os.File

	first       bool
	freshTarget bool // the mirror root was missing or empty
	tNow        int64
	tPrev       int64
	tPrevStr    string // T_prev rendered for new increment names
	tNowStr     string
	compat      bool
	prevMarker  string // data-dir name of current_mirror.<T_prev>.data
	prevSnap    string // data-dir name of mirror_metadata.<T_prev>.snapshot*

	prev    *recordPeek           // last session's listing; nil on a first backup
	textBuf []byte                // sameText's formatting of a new record
	replay  fifo[*remote.Entry]   // source entries sealedRun took but did not use, next in line
	runs    []*remote.Entry       // sealedRun's entries
	digest  *metadata.BlockDigest // sealedRun's hash of its entries' records
	shas    stringSlab            // the SHA1s sameText carries over
	// listingWhole: the last listing was read to its end and found
	// whole; nothing may change before (beforeChange).
	listingWhole bool
	dataMtime    time.Time // the data directory's, restored by discard
	shadow       snapshotShadow
	side         *sideStreams
	snap         *metadata.DataFile
	snapW        *metadata.Writer
	eaFile       *metadata.DataFile
	eaW          *metadata.EAWriter
	aclFile      *metadata.DataFile
	aclW         *metadata.ACLWriter
	fstatFile    *metadata.DataFile
	fstatW       *metadata.FileStatsWriter
	errLog       *metadata.DataFile
	diff         *metadata.DataFile // mirror_metadata diff for T_prev, under a temporary name
	diffW        *metadata.Writer

	stats        SessionStats
	stack        []*frame
	direct       bool // apply mirror changes at once (regress)
	committing   bool
	applying     bool
	inTail       bool
	work         chan func() // the worker pool's queue
	tasks        fifo[*task] // entries waiting for their tails, in order
	copied       atomic.Int64
	groups       map[linkKey]bool // hard-link groups met so far, in processing order
	pending      []func() error   // mirror changes waiting for their increments to be durable
	pendingBytes int64
	links        map[linkKey]*linkLeader
	progress     Progress
}

type linkKey struct{ dev, ino uint64 }

type linkLeader struct {
	mirror string // mirror path of the first path of the group
	sha1   string
}

func (s *session) say(l Level, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	if s.opts.Message != nil {
		s.opts.Message(l, msg)
	}
	if s.logFile != nil && int(l) <= s.opts.Verbosity {
		fmt.Fprintf(s.logFile, "%s %s\n", levelPrefix(l), msg)
	}
}

func levelPrefix(l Level) string {
	switch l {
	case LevelError:
		return "ERROR:"
	case LevelWarning:
		return "WARNING:"
	case LevelNote:
		return "NOTE:"
	case LevelInfo:
		return "*"
	}
	return "DEBUG:"
}

// open checks the target, creates or opens the repository, locks it,
// regresses it if needed and chooses the session time. Until it returns,
// nothing in an existing repository has changed except by a regress.
func (s *session) open(root string) error {
	root = filepath.Clean(root)
	s.repo = &Repo{Root: root, Data: filepath.Join(root, DataDirName)}
	fresh, err := prepareTarget(root, s.opts.Force, s.say)
	if err != nil {
		return err
	}
	s.freshTarget = fresh
	if err := os.Mkdir(s.repo.Data, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return wrapPath("create", s.repo.Data, err)
	}
	unlock, err := lockRepo(s.repo.Data)
	if err != nil {
		return err
	}
	s.unlock = unlock

	files, err := s.repo.listData()
	if err != nil {
		return err
	}
	markers := filter(files, "current_mirror", increments.TypeData)
	if len(markers) == 0 {
		if err := s.discardInterruptedFirst(files); err != nil {
			return err
		}
		files = nil
	}
	if err := s.setupQuoting(len(markers) == 0); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(s.repo.Data, "increments"), 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return wrapPath("create", s.repo.Data, err)
	}
	if s.opts.Verbosity > 0 {
		if s.logFile, err = os.OpenFile(filepath.Join(s.repo.Data, "backup.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err != nil {
			return wrapPath("open", filepath.Join(s.repo.Data, "backup.log"), err)
		}
	}
	if len(markers) > 1 {
		if err := s.regressFirst(); err != nil {
			return err
		}
		if files, err = s.repo.listData(); err != nil {
			return err
		}
		markers = filter(files, "current_mirror", increments.TypeData)
	}
	s.first = len(markers) == 0
	if s.first && !s.freshTarget {
		// A forced first backup into a directory that holds other
		// things, or over what an interrupted first backup left: the
		// mirror will hold the source and nothing else.
		if err := clearMirror(root); err != nil {
			return err
		}
	}
	s.tNow = s.opts.Time
	if s.tNow == 0 {
		s.tNow = s.opts.Clock.Seconds()
	}
	s.compat = s.opts.CompatibleTimestamps || (s.repo.quoter != nil && fsfeatures.UsesCompatibleTimestamps(s.repo.quoter.CharsToQuote()))
	s.tNowStr = s.opts.Zone.Format(s.tNow, s.compat)
	s.res.Time, s.res.First = s.tNow, s.first
	if s.first {
		return nil
	}
	m := markers[0]
	s.tPrev = m.inc.Time
	s.prevMarker = m.name
	if s.tNow <= s.tPrev {
		return ErrNotInPast
	}
	s.tPrevStr = s.opts.Zone.Format(s.tPrev, s.compat)
	snaps := filter(files, "mirror_metadata", increments.TypeSnapshot)
	for _, f := range snaps {
		if f.inc.Time == s.tPrev {
			s.prevSnap = f.name
		}
	}
	if s.prevSnap == "" {
		return fmt.Errorf("no mirror_metadata snapshot for the last session (%s) in %s", m.inc.TimeString, s.repo.Data)
	}
	return nil
}

// prepareTarget applies rdiff-backup's rules to the backup target: it may
// be missing (created), empty, or a repository; anything else needs force.
func prepareTarget(root string, force bool, say func(Level, string, ...any)) (fresh bool, err error) {
	fi, err := os.Lstat(root)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.Mkdir(root, 0o700); err != nil {
			return false, fmt.Errorf("Unable to delete and/or create directory %s: %w", root, err)
		}
		return true, nil
	case err != nil:
		return false, wrapPath("examine", root, err)
	case !fi.IsDir():
		if !force {
			return false, errorf(ErrNotRepository, "Target path %s exists and is not a directory, call with '--force' to overwrite", root)
		}
		say(LevelWarning, "Target path %s exists but isn't a directory, and will be force deleted", root)
		if err := os.Remove(root); err != nil {
			return false, wrapPath("remove", root, err)
		}
		return true, os.Mkdir(root, 0o700)
	}
	if IsRepository(root) {
		return false, nil
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return false, wrapPath("read", root, err)
	}
	if len(ents) == 0 {
		return true, nil
	}
	if !force {
		return false, errorf(ErrNotRepository, "Target path '%s' does not look like a rdiff-backup repository, call with '--force' to overwrite", root)
	}
	say(LevelWarning, "Target path '%s' does not look like a rdiff-backup repository but will be force overwritten", root)
	return false, nil
}

// discardInterruptedFirst handles a data directory without a marker: left
// by a first backup that died, it is removed and the backup starts afresh;
// with increments in it, nobody can tell what it is.
func (s *session) discardInterruptedFirst(files []dataFile) error {
	incs, err := os.ReadDir(filepath.Join(s.repo.Data, "increments"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return wrapPath("read", s.repo.Data, err)
	}
	ents, err := os.ReadDir(s.repo.Data)
	if err != nil {
		return wrapPath("read", s.repo.Data, err)
	}
	if len(ents) == 0 {
		return nil
	}
	if len(incs) > 0 && hasIncrementFile(filepath.Join(s.repo.Data, "increments")) {
		return errorf(ErrBadDataDir, "%s %s", ErrBadDataDir, s.repo.Data)
	}
	s.say(LevelNote, "Found interrupted initial backup in data directory %s. Removing...", s.repo.Data)
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(s.repo.Data, e.Name())); err != nil {
			return wrapPath("remove", filepath.Join(s.repo.Data, e.Name()), err)
		}
	}
	return nil
}

// hasIncrementFile reports whether a tree under increments/ holds any file
// (empty directories are what a first backup leaves).
func hasIncrementFile(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// setupQuoting reads chars_to_quote and special_escapes, or decides and
// writes them on a new repository.
func (s *session) setupQuoting(fresh bool) error {
	ctq, found, err := fsfeatures.ReadCharsToQuote(s.repo.Data)
	if err != nil {
		return err
	}
	se, seFound, err := fsfeatures.ReadSpecialEscapes(s.repo.Data)
	if err != nil {
		return err
	}
	if !found {
		// An ext4-like destination needs no quoting; file systems that
		// do are probed in step 4's work. Write the empty files
		// rdiff-backup writes there.
		if err := fsfeatures.WriteCharsToQuote(s.repo.Data, nil); err != nil {
			return err
		}
	}
	if !seFound {
		if err := fsfeatures.WriteSpecialEscapes(s.repo.Data, se); err != nil {
			return err
		}
	}
	if len(ctq) > 0 {
		q, err := fsfeatures.NewQuoter(ctq, se)
		if err != nil {
			return fmt.Errorf("chars_to_quote in %s: %w", s.repo.Data, err)
		}
		s.repo.quoter = q
	}
	return nil
}

func (s *session) close() {
	// Outputs of a session that failed: closed, their goroutines
	// stopped (no-ops for those completed).
	for _, d := range []*metadata.DataFile{s.snap, s.eaFile, s.aclFile, s.fstatFile, s.errLog, s.diff} {
		d.Abort()
	}
	if s.logFile != nil {
		s.logFile.Close()
	}
	if s.unlock != nil {
		s.unlock()
	}
}

// run performs the session once the repository is open.
func (s *session) run() error {
	if s.first {
		s.say(LevelNote, "Starting mirror from source path %s to destination path %s", s.opts.SourceName, s.repo.Root)
	} else {
		s.say(LevelNote, "Starting increment operation from source path %s to destination path %s", s.opts.SourceName, s.repo.Root)
		files, err := s.repo.listData()
		if err != nil {
			return err
		}
		s.openSideStreams(files)
		defer s.side.close()
	}
	// The source starts walking now.
	if err := s.src.Begin(s.ctx, remote.BeginOptions{UnchangedSince: s.unchangedSince()}); err != nil {
		return fmt.Errorf("starting the source: %w", err)
	}
	if !s.first {
		path := s.repo.dataPath(s.prevSnap)
		blocks, err := metadata.OpenBlocks(path)
		if err != nil {
			return fmt.Errorf("metadata file %s cannot be read: %w", path, err)
		}
		var f *metadata.Reader
		if blocks != nil {
			defer blocks.Close() // after recordPeek's close, deferred below
			// Read member by member (recordPeek); the Reader only
			// parses the texts of the members that are inflated.
			f = metadata.NewReader(strings.NewReader(""), path)
		} else {
			if f, err = metadata.OpenReader(path); err != nil {
				return fmt.Errorf("metadata file %s cannot be read: %w", path, err)
			}
			defer f.Close()
		}
		if fi, err := os.Stat(s.repo.Data); err == nil {
			s.dataMtime = fi.ModTime()
		}
		// The new marker goes first: from here on a crash is visible.
		if err := s.writeMarker(s.tNowStr); err != nil {
			return err
		}
		f.Warn = func(error) { s.shadow.warned.Store(true) }
		s.prev = &recordPeek{r: f, path: path, blocks: blocks}
		s.prev.start()
		s.shadow.active = true
		defer s.prev.close()
	}
	s.stats.StartTime = float64(s.tNow)
	if err := s.openOutputs(); err != nil {
		return err
	}
	s.startWorkers()
	err := s.merge()
	s.stopWorkers()
	if err != nil {
		if !s.first && !s.listingWhole {
			// Nothing was changed yet (see beforeChange): the session
			// leaves no trace.
			s.discard()
		}
		return err
	}
	if err := s.closeOutputs(); err != nil {
		return err
	}
	if s.first {
		if !s.opts.NoFsync {
			if err := syncFS(s.repo.Data); err != nil {
				return err
			}
		}
		if err := s.writeMarker(s.tNowStr); err != nil {
			return err
		}
	} else {
		if err := s.convertPrevSnapshot(); err != nil {
			return err
		}
		// Everything of the session reaches the disk before the old
		// marker goes: that is the commit point.
		if !s.opts.NoFsync {
			if err := syncFS(s.repo.Data); err != nil {
				return err
			}
		}
		if err := os.Remove(filepath.Join(s.repo.Data, s.prevMarker)); err != nil {
			return wrapPath("remove", s.prevMarker, err)
		}
	}
	s.stats.EndTime = float64(time.Now().UnixNano()) / 1e9
	s.res.Stats = s.stats
	if err := s.writeSessionStats(); err != nil {
		return err
	}
	return s.closeErrorLog()
}

func (s *session) writeMarker(timeStr string) error {
	p := s.repo.dataPath("current_mirror." + timeStr + ".data")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return wrapPath("create", p, err)
	}
	_, err = fmt.Fprintf(f, "PID %d\n", os.Getpid())
	if err == nil && !s.opts.NoFsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && !s.opts.NoFsync {
		err = syncDir(s.repo.Data)
	}
	return wrapPath("write", p, err)
}

// dataFile prepares a data-directory output; it is synced with the whole
// session at its commit point, not on its own.
func (s *session) dataFile(name string, compress bool) *metadata.DataFile {
	d := metadata.CreateDataFile(s.repo.dataPath(name), compress)
	d.NoSync = true
	return d
}

func (s *session) openOutputs() error {
	s.snap = s.dataFile("mirror_metadata."+s.tNowStr+".snapshot", true)
	s.snap.Blocks = true // for the next session: see sealedRun
	s.snapW = metadata.NewWriter(s.snap)
	if s.opts.EAs {
		s.eaFile = s.dataFile("extended_attributes."+s.tNowStr+".snapshot", true)
		s.eaW = metadata.NewEAWriter(s.eaFile)
	}
	if s.opts.ACLs {
		s.aclFile = s.dataFile("access_control_lists."+s.tNowStr+".snapshot", true)
		s.aclW = metadata.NewACLWriter(s.aclFile)
	}
	if !s.opts.NoFileStatistics {
		s.fstatFile = s.dataFile("file_statistics."+s.tNowStr+".data", !s.opts.NoCompression)
		s.fstatW = metadata.NewFileStatsWriter(s.fstatFile, s.opts.NullSeparator)
		// rdiff-backup writes the header even for an empty session.
		if err := s.fstatW.Flush(); err != nil {
			return err
		}
	}
	s.errLog = s.dataFile("error_log."+s.tNowStr+".data", !s.opts.NoCompression)
	if !s.first {
		// The diff that replaces the previous snapshot is computed during
		// the merge, from the records in hand, and named at the end.
		s.diff = metadata.CreateDataFile(tempName(s.repo.Data), true)
		s.diff.NoSync = true
		s.diffW = metadata.NewWriter(s.diff)
	}
	s.links = map[linkKey]*linkLeader{}
	s.groups = map[linkKey]bool{}
	return nil
}

func (s *session) closeOutputs() error {
	var errs []error
	errs = append(errs, s.closeSnapshot())
	if s.eaW != nil {
		errs = append(errs, s.eaW.Flush(), s.eaFile.Close())
	}
	if s.aclW != nil {
		errs = append(errs, s.aclW.Flush(), s.aclFile.Close())
	}
	if s.fstatW != nil {
		errs = append(errs, s.fstatW.Flush(), s.fstatFile.Close())
	}
	if s.diffW != nil {
		errs = append(errs, s.diffW.Flush(), s.diff.Close())
	}
	return errors.Join(errs...)
}

func (s *session) closeErrorLog() error { return s.errLog.Close() }

func (s *session) writeSessionStats() error {
	p := s.repo.dataPath("session_statistics." + s.tNowStr + ".data")
	data := s.stats.Format(s.opts.Zone.Location())
	if err := os.WriteFile(p, data, 0o600); err != nil {
		return wrapPath("write", p, err)
	}
	return nil
}

// convertPrevSnapshot turns the previous metadata snapshot into a diff
// against the new one, unless the chain of diffs below it is long enough
// that it must stay a snapshot (4.8). The diff is complete on disk before
// the snapshot goes.
func (s *session) convertPrevSnapshot() error {
	files, err := s.repo.listData()
	if err != nil {
		return err
	}
	meta := filter(files, "mirror_metadata")
	chain := 1
	for i := len(meta) - 1; i >= 0; i-- {
		f := meta[i]
		if f.inc.Time >= s.tPrev {
			continue
		}
		if f.inc.Type != increments.TypeDiff {
			break
		}
		chain++
	}
	if chain >= snapshotChain {
		return wrapPath("remove", s.diff.Path(), os.Remove(s.diff.Path()))
	}
	final := s.repo.dataPath("mirror_metadata." + s.tPrevStr + ".diff")
	if filepath.Ext(s.diff.Path()) == ".gz" {
		final += ".gz"
	}
	if err := os.Rename(s.diff.Path(), final); err != nil {
		return wrapPath("rename", s.diff.Path(), err)
	}
	if !s.opts.NoFsync {
		if err := syncDir(s.repo.Data); err != nil {
			return err
		}
	}
	return wrapPath("remove", s.prevSnap, os.Remove(s.repo.dataPath(s.prevSnap)))
}

// fileError records a per-entry failure: error_log, the message stream,
// and the result's count. The backup goes on.
func (s *session) fileError(kind string, ix metadata.Index, err error) {
	path := s.opts.SourceName
	if len(ix) > 0 {
		path = strings.TrimSuffix(path, "/") + "/" + ix.String()
	}
	text := strings.ReplaceAll(err.Error(), "\n", " ")
	line := fmt.Sprintf("%s: '%s' %s", kind, path, text)
	sep := "\n"
	if s.opts.NullSeparator {
		sep = "\x00"
	}
	io.WriteString(s.errLog, line+sep)
	s.say(LevelWarning, "%s", line)
	s.stats.Errors++
	s.res.FileErrors++
}

// beforeChange is called before the session changes the mirror or writes
// an increment. The last listing must be known whole by then, or a damaged
// one would be found half way through, with part of the mirror changed:
// it is read to its end once here, unless the merge has reached its end
// already. A session with no change (the usual nightly rerun of a quiet
// tree) so reads it once, not twice.
func (s *session) beforeChange() error {
	if s.first || s.listingWhole {
		return nil
	}
	if err := checkDataFile(s.prev.path); err != nil {
		return err
	}
	s.listingWhole = true
	return nil
}

// discard undoes a session that failed before it changed anything: its
// data files and then its marker are removed, and the repository is as it
// was. A crash in between leaves the marker, which the next session
// regresses.
func (s *session) discard() {
	for _, d := range []*metadata.DataFile{s.snap, s.eaFile, s.aclFile, s.fstatFile, s.errLog, s.diff} {
		if d == nil {
			continue
		}
		d.Abort()
		if p := d.Path(); p != "" {
			os.Remove(p)
		}
	}
	os.Remove(s.repo.dataPath("current_mirror." + s.tNowStr + ".data"))
	if !s.dataMtime.IsZero() {
		os.Chtimes(s.repo.Data, time.Time{}, s.dataMtime)
	}
}

// checkDataFile reads a data file to its end, so that a damaged or
// truncated gzip stream is found (by its CRC and length) before a session
// relies on it. A sealed listing is checked member by member without
// inflating: each member's header CRC covers its compressed data and
// trailer, so a damaged byte is found as surely, for the price of a CRC
// rather than of inflating the whole listing a second time (the merge
// inflates the members it reads itself, and checks their text then).
func checkDataFile(path string) error {
	if br, err := metadata.OpenBlocks(path); err == nil && br != nil {
		defer br.Close()
		var b metadata.Block
		for {
			err := br.Next(&b)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("metadata file %s is damaged: %w", path, err)
			}
		}
	}
	r, err := metadata.OpenDataFile(path)
	if err != nil {
		return fmt.Errorf("metadata file %s cannot be read: %w", path, err)
	}
	defer r.Close()
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("metadata file %s is damaged: %w", path, err)
	}
	return nil
}

// unchangedSince is the time before which an entry's ctime proves its EAs
// and ACL unchanged: the last session's time, when this session keeps EAs
// and ACLs, the last session kept them too, and that time is not in the
// future (a --current-time ahead of the clock proves nothing).
func (s *session) unchangedSince() int64 {
	if s.first || s.side == nil || (!s.opts.EAs && !s.opts.ACLs) {
		return 0
	}
	if (s.opts.EAs && s.side.ea == nil) || (s.opts.ACLs && s.side.acl == nil) {
		return 0
	}
	if s.tPrev > time.Now().Unix() {
		return 0
	}
	return s.tPrev
}

// clearMirror removes everything in the mirror root but the data directory.
func clearMirror(root string) error {
	ents, err := os.ReadDir(root)
	if err != nil {
		return wrapPath("read", root, err)
	}
	for _, e := range ents {
		if e.Name() == DataDirName {
			continue
		}
		p := filepath.Join(root, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return wrapPath("remove", p, err)
		}
	}
	return nil
}
