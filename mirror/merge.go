package mirror

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/remote"
)

// frame is a directory on the current path of the merge: its children are
// being processed, and it is finished (attributes, removal) when the merge
// leaves it.
type frame struct {
	ix       metadata.Index
	old, new *metadata.Record // old: last session's record, if a directory; new: nil when the directory goes away
	mirror   string           // mirror path (see path)

	incDone    bool         // the directory's own increment is written (or none is due)
	incDirMade bool         // increments/<ix>/ exists
	keep       bool         // the source listing failed: keep the old children as they are
	touched    bool         // something inside the mirror directory changed
	opened     bool         // made accessible (0700) for the duration
	replace    func() error // installs what replaces a removed directory
}

// path returns the frame's mirror path, made when first needed: most
// directories of an unchanged tree never need it.
func (f *frame) path(r *Repo) string {
	if f.mirror == "" {
		f.mirror = r.mirrorPath(f.ix)
	}
	return f.mirror
}

// merge walks the source stream and the last session's listing together,
// in index order, and processes every index of either.
func (s *session) merge() error {
	var e *remote.Entry
	nextSrc := func() (err error) {
		e, err = s.srcNext()
		return err
	}
	if err := nextSrc(); err != nil {
		return err
	}
	for {
		var prev *metadata.Record
		if s.prev != nil {
			if e != nil && s.prev.head == nil && !s.prev.done {
				taken, err := s.sealedRun(&e)
				if err != nil {
					return err
				}
				if taken {
					continue
				}
			}
			if e != nil && s.prev.head == nil && !s.prev.done && s.sameText(e) {
				prev = e.Record
			} else {
				var err error
				if prev, err = s.prev.peek(); err != nil {
					return err
				}
			}
		}
		if e == nil && prev == nil {
			break
		}
		var c int
		switch {
		case e == nil:
			c = 1
		case prev == nil:
			c = -1
		default:
			c = metadata.CompareIndex(e.Index, prev.Index)
		}
		if c >= 0 {
			s.shadow.taken(prev) // before its tail can run
		}
		var err error
		switch {
		case c < 0:
			err = s.process(e, nil)
		case c > 0:
			err = s.process(nil, prev)
		default:
			err = s.process(e, prev)
		}
		if err != nil {
			return err
		}
		if c <= 0 {
			if err := nextSrc(); err != nil {
				return err
			}
		}
		if c >= 0 {
			s.prev.take()
		}
		if err := s.ctx.Err(); err != nil {
			return err
		}
	}
	// The last listing was read to its end: its gzip trailer checked (for
	// a member taken whole, the CRC of its compressed data and trailer).
	s.listingWhole = true
	s.res.membersRead = int(s.prev.cutsOrZero())
	if err := s.popTo(nil); err != nil {
		return err
	}
	if err := s.drainAll(); err != nil {
		return err
	}
	return s.commit()
}

// srcNext returns the next source entry, nil at the end.
func (s *session) srcNext() (*remote.Entry, error) {
	if s.replay.len() > 0 {
		return s.replay.pop(), nil
	}
	e, err := s.src.Next(s.ctx)
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the source: %w", err)
	}
	return e, nil
}

// sealedRun takes the next member of a sealed last listing whole when the
// source entries from *e on are its records again: as many entries as it
// has records, each one sameText would take (no hard link, no error),
// whose texts hash to the member's digest. Each is then processed as
// sameText would have it, its new record standing for its last one, and
// *e becomes the entry after them; the member is never inflated. An entry
// whose EAs or ACL changed ends the run: the member is inflated and read
// from its record on. If the digests differ, the entries go back in line
// and the member is read record by record, as always.
//
// The records taken so lack their SHA1, which the new snapshot needs; so
// this is done only while the new snapshot is the last one (the shadow is
// active, with nothing in flight that could end it): the session either
// copies the last snapshot whole or, at its first change, writes the
// records again from the last snapshot itself (materializeSnapshot).
func (s *session) sealedRun(e **remote.Entry) (bool, error) {
	if s.prev.blocks == nil {
		return false, nil
	}
	if !s.shadow.active {
		s.prev.cutAhead.Store(true) // no more runs: members are read whole
		return false, nil
	}
	if s.tasks.len() > 0 {
		return false, nil
	}
	blk := s.prev.sealed()
	if blk == nil {
		return false, nil
	}
	info := &blk.Header.Info
	run := append(s.runs[:0], *e)
	for len(run) < int(info.Records) {
		next, err := s.srcNext()
		if err != nil {
			return false, err
		}
		if next == nil {
			break
		}
		run = append(run, next)
	}
	s.runs = run
	if !s.runMatches(run, info) {
		s.pushBack(run[1:])
		clear(run)
		return false, nil
	}
	sideless := s.side.none()
	for k, x := range run {
		if !x.SideUnchanged && !sideless && s.sideChanged(x.Index, x.EA, x.ACL) {
			// Its EAs or ACL changed: it and the entries after it take
			// the usual way, from the member's k-th record on.
			s.prev.skipInSealed(k)
			s.pushBack(run[k+1:])
			*e = x
			clear(run)
			return true, s.ctx.Err()
		}
		s.shadow.taken(x.Record)
		if err := s.process(x, x.Record); err != nil {
			return false, err
		}
	}
	s.prev.skipSealed()
	s.res.membersTaken++
	clear(run)
	next, err := s.srcNext()
	if err != nil {
		return false, err
	}
	*e = next
	return true, s.ctx.Err()
}

// pushBack puts entries back at the head of the line, in order.
func (s *session) pushBack(ents []*remote.Entry) {
	if len(ents) == 0 {
		return
	}
	back := append(slices.Clone(ents), s.replay.all()...)
	s.replay.reset()
	for _, x := range back {
		s.replay.push(x)
	}
}

// runMatches reports whether run's entries can stand for the records of
// the member info describes.
func (s *session) runMatches(run []*remote.Entry, info *metadata.BlockInfo) bool {
	if len(run) != int(info.Records) {
		return false
	}
	if s.digest == nil {
		s.digest = metadata.NewBlockDigest()
	}
	s.digest.Reset()
	for _, x := range run {
		if !s.byText(x) {
			return false
		}
		s.textBuf = metadata.AppendRecord(s.textBuf[:0], x.Record, false)
		s.digest.Add(s.textBuf)
	}
	return s.digest.Matches(info)
}

// sameText reports whether the next record of the last listing, still
// unparsed, has exactly the text e's record is written as, but for the
// SHA1 line the source cannot know. Then it is the entry's last record,
// equal to the new one field for field: the text is consumed and e's record
// takes its SHA1, and stands for the last record from there on. On an
// unchanged tree this spares parsing the last listing; any difference,
// however small, leaves the text to be parsed and compared as usual.
func (s *session) sameText(e *remote.Entry) bool {
	if !s.byText(e) {
		return false
	}
	cur := e.Record
	text, _, err := s.prev.text()
	if err != nil {
		return false // peek reports it
	}
	s.textBuf = metadata.AppendRecord(s.textBuf[:0], cur, false)
	want := s.textBuf
	sha := ""
	if head, v, tail, found := metadata.CutSHA1(text); found && cur.Type == metadata.TypeReg {
		if string(v) == ":" || string(v) == "None" {
			return false
		}
		// text without its SHA1 line is head + tail.
		if len(want) != len(head)+len(tail) || !bytes.Equal(want[:len(head)], head) || !bytes.Equal(want[len(head):], tail) {
			return false
		}
		sha = s.shas.string(v)
	} else if !bytes.Equal(want, text) {
		return false
	}
	s.prev.skipText()
	cur.SHA1 = sha
	return true
}

// byText reports whether an entry's last record may be recognized by its
// text alone (sameText, sealedRun): it has a record the source could read,
// without a SHA1, and is no hard-link group member, whose SHA1 has rules
// of its own.
func (s *session) byText(e *remote.Entry) bool {
	cur := e.Record
	if cur == nil || e.Err != nil || cur.Type == metadata.TypeNone || cur.SHA1 != "" {
		return false
	}
	return cur.Type != metadata.TypeReg || cur.NumHardLinks < 2 || s.opts.NoHardLinks
}

// popTo finishes the directories on the stack that are not ancestors of ix
// (all of them for nil).
func (s *session) popTo(ix metadata.Index) error {
	for len(s.stack) > 0 {
		top := s.stack[len(s.stack)-1]
		if ix != nil && len(ix) > len(top.ix) && ix.HasPrefix(top.ix) {
			return nil
		}
		s.stack = s.stack[:len(s.stack)-1]
		if err := s.finishDir(top); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) top() *frame {
	if len(s.stack) == 0 {
		return nil
	}
	return s.stack[len(s.stack)-1]
}

// process handles one index: src is its source entry and prev its last
// record; either may be nil.
func (s *session) process(src *remote.Entry, prev *metadata.Record) error {
	ix := metadata.Index(nil)
	if src != nil {
		ix = src.Index
	} else {
		ix = prev.Index
	}
	if t := s.top(); src != nil && src.Record == nil && t != nil && t.ix.Equal(ix) {
		// The directory just recorded could not be listed (the walk
		// reports that after the directory itself): what it held is
		// unknown, not gone, and stays as it was. rdiff-backup takes
		// it for empty and drops its contents from the mirror.
		t.keep = true
		return s.emit(nil, func() error { s.fileError("ListError", ix, src.Err); return nil })
	}
	if err := s.popTo(ix); err != nil {
		return err
	}
	defer s.report(ix)
	parent := s.top()

	if src != nil && src.Record == nil {
		if prev != nil {
			return s.keep(prev, src.Err)
		}
		return s.emit(nil, func() error { s.fileError("ListError", ix, src.Err); return nil })
	}
	if src == nil && parent != nil && parent.keep {
		return s.keep(prev, nil)
	}
	var cur *metadata.Record
	if src != nil {
		cur = src.Record
		if s.opts.NoHardLinks || cur.Type != metadata.TypeReg || cur.NumHardLinks < 2 {
			cur.NumHardLinks, cur.Inode, cur.DeviceLoc = 0, 0, 0
		}
	}
	sideSame := true
	if cur != nil && src.SideUnchanged {
		if prev != nil {
			// Not read by the source: unchanged since the last
			// session, whose records carry over.
			src.EA, _ = s.side.eaAt(ix)
			src.ACL, _ = s.side.aclAt(ix)
		} else if ea, acl, err := s.src.Side(s.ctx, ix); err == nil {
			src.EA, src.ACL = ea, acl
		}
	} else if cur != nil && prev != nil {
		sideSame = !s.sideChanged(ix, src.EA, src.ACL)
	}
	same := prev != nil && cur != nil && !changed(prev, cur) && sideSame
	if !same {
		if err := s.beforeChange(); err != nil {
			return err
		}
	}
	var err error
	switch {
	case prev == nil:
		err = s.add(src)
	case cur == nil:
		err = s.remove(prev)
	case same:
		err = s.unchanged(src, prev)
	default:
		err = s.change(src, prev)
	}
	if err != nil {
		if !isSourceError(err) {
			return err
		}
		// A failure before anything was scheduled for this entry.
		return s.emit(nil, func() error { return s.failed(ix, prev, err) })
	}
	if src != nil && src.Err != nil {
		// The directory is recorded, but its listing failed: what it
		// held last time stays.
		if t := s.top(); t != nil && t.ix.Equal(ix) {
			t.keep = true
		}
		return s.emit(nil, func() error { s.fileError("ListError", ix, src.Err); return nil })
	}
	return nil
}

func (s *session) report(ix metadata.Index) {
	s.progress.Entries++
	if s.opts.Progress != nil {
		s.progress.Bytes = s.copied.Load()
		s.progress.Path = ix.String()
		s.opts.Progress(s.progress)
	}
}

// hardLinked reports whether a record belongs to a hard-link group.
func hardLinked(r *metadata.Record) bool { return r.Type == metadata.TypeReg && r.NumHardLinks > 1 }

// changed is rdiff-backup's change test between the last record and the
// source (repository-format 3.3): attributes only, never content.
func changed(prev, cur *metadata.Record) bool {
	if prev.Type != cur.Type {
		return true
	}
	if cur.Type != metadata.TypeSym {
		if prev.Permissions != cur.Permissions || prev.Uid != cur.Uid || prev.Gid != cur.Gid {
			return true
		}
		if (prev.Uname != "" && prev.Uname != cur.Uname) || (prev.Gname != "" && prev.Gname != cur.Gname) {
			return true
		}
	}
	switch cur.Type {
	case metadata.TypeReg:
		if prev.Size != cur.Size || prev.ModTime != cur.ModTime {
			return true
		}
		if hardLinked(prev) || hardLinked(cur) {
			return prev.NumHardLinks != cur.NumHardLinks || prev.Inode != cur.Inode || prev.DeviceLoc != cur.DeviceLoc
		}
	case metadata.TypeSym:
		return prev.SymData != cur.SymData
	case metadata.TypeDev:
		return prev.DevKind != cur.DevKind || prev.DevMajor != cur.DevMajor || prev.DevMinor != cur.DevMinor
	default:
		return prev.ModTime != cur.ModTime
	}
	return false
}

// keep carries the last record of an entry that could not be examined
// (why, when not nil, goes to the error log); the mirror keeps what it
// had. A directory keeps its old contents too.
func (s *session) keep(prev *metadata.Record, why error) error {
	if prev.Type == metadata.TypeDir {
		s.stack = append(s.stack, &frame{ix: prev.Index, old: prev, new: prev, incDone: s.first, keep: true})
	}
	return s.emit(nil, func() error {
		if why != nil {
			s.fileError("ListError", prev.Index, why)
		}
		return s.keepRecord(prev)
	})
}

// keepRecord writes the outputs of an entry kept as it was; tails only.
func (s *session) keepRecord(prev *metadata.Record) error {
	s.stats.SourceFiles++
	s.stats.MirrorFiles++
	s.stats.SourceFileSize += size(prev)
	s.stats.MirrorFileSize += size(prev)
	return s.record(nil, prev, prev, false, size(prev), size(prev), na)
}

// na marks a side without an entry in file_statistics.
const na = -1

func size(r *metadata.Record) int64 {
	if r == nil {
		return na
	}
	if r.Type == metadata.TypeReg {
		return r.Size
	}
	return 0
}

// fileStat writes the file_statistics line of an entry. A directory's
// changed flag says whether the directory itself changed; rdiff-backup
// also sets it for directories that are only ancestors of a change, which
// would need the line held back until the subtree is done.
func (s *session) fileStat(ix metadata.Index, changed bool, src, mirror, inc int64) error {
	if s.fstatW == nil {
		return nil
	}
	return s.fstatW.Write(&metadata.FileStat{Index: ix, Changed: changed, SourceSize: src, MirrorSize: mirror, IncrementSize: inc})
}

// record writes an index's outputs, in order; tails only. cur is its new
// record (nil when it is gone), e the source entry with its EAs and ACL,
// prev its last record; then the metadata diff line (repository-format
// 4.7) and the file_statistics line.
func (s *session) record(e *remote.Entry, cur, prev *metadata.Record, changed bool, srcSize, mirSize, incSize int64) error {
	if err := s.snapshotWrite(cur, prev); err != nil {
		return err
	}
	if cur != nil {
		if s.eaW != nil && e != nil && e.EA != nil {
			if err := s.eaW.Write(e.EA); err != nil {
				return err
			}
		}
		if s.aclW != nil && e != nil && e.ACL != nil {
			if err := s.aclW.Write(e.ACL); err != nil {
				return err
			}
		}
	}
	if s.diffW != nil {
		var err error
		switch {
		case prev == nil:
			err = s.diffW.Write(&metadata.Record{Index: cur.Index, Type: metadata.TypeNone})
		case cur == nil || !cur.Equal(prev):
			err = s.diffW.Write(prev)
		}
		if err != nil {
			return err
		}
	}
	ix := prev
	if cur != nil {
		ix = cur
	}
	return s.fileStat(ix.Index, changed, srcSize, mirSize, incSize)
}

// markChanged puts every directory on the current path into the change
// set: each gets its increment (a dir marker with its old attributes) the
// first time something below it changes, before that change touches the
// mirror.
func (s *session) markChanged() error {
	if s.first {
		return nil
	}
	for _, f := range s.stack {
		if f.incDone {
			continue
		}
		f.incDone = true
		if f.old != nil && f.old.Type == metadata.TypeDir {
			if err := s.ensureIncDir(f.ix[:max(len(f.ix)-1, 0)]); err != nil {
				return err
			}
			if _, err := s.writeMarker2(f.ix, "dir", f.old); err != nil {
				return err
			}
		}
	}
	return nil
}

// touch notes that the mirror directory of the innermost frame is about to
// change, making it writable for a non-root user if it is not.
func (s *session) touch() error {
	f := s.top()
	if f == nil {
		return nil
	}
	f.touched = true
	if !isRoot && !f.opened && f.new != nil && f.new.Permissions&0o700 != 0o700 {
		f.opened = true
		p := f.path(s.repo)
		return wrapPath("chmod", p, os.Chmod(p, fileMode(f.new.Permissions|0o700)))
	}
	return nil
}

// ensureIncDir creates increments/<ix>/ (for the children of ix).
func (s *session) ensureIncDir(ix metadata.Index) error {
	for _, f := range s.stack {
		if f.ix.Equal(ix) {
			if f.incDirMade {
				return nil
			}
			f.incDirMade = true
		}
	}
	if len(ix) == 0 {
		return nil
	}
	dir := s.repo.incrementDir(ix)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return wrapPath("create", dir, err)
	}
	return nil
}

// finishDir completes a directory when the merge leaves it, once what was
// done inside it is committed.
func (s *session) finishDir(f *frame) error {
	if t := s.top(); t != nil && f.new == nil {
		t.touched = true
	}
	if f.new != nil && !f.touched && !f.opened && f.old != nil && !changed(f.old, f.new) {
		// finishDirNow would do nothing (the flags are the merge's own,
		// final once it leaves the directory): on an unchanged tree,
		// no queued change per directory, and no sync for them.
		return nil
	}
	return s.emit(nil, func() error { return s.later(0, func() error { return s.finishDirNow(f) }) })
}

func (s *session) finishDirNow(f *frame) error {
	if f.new == nil { // removed, possibly replaced by a non-directory
		if err := os.Remove(f.path(s.repo)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return wrapPath("remove", f.path(s.repo), err)
		}
		if f.replace != nil {
			return f.replace()
		}
		return nil
	}
	if f.touched || f.opened || f.old == nil || changed(f.old, f.new) {
		return setAttrs(f.path(s.repo), f.new)
	}
	return nil
}

// Batches of mirror changes. In an incremental session a mirror entry may
// only change once the increment that keeps its old version is durable.
// Syncing each increment would cost a disk flush per file, so changes to
// the mirror are queued and applied in order after one file-system sync
// covering all the increments (and new contents) written for them. A first
// backup has nothing to protect and applies them at once.
const (
	batchOps   = 2048
	batchBytes = 256 << 20
)

// later queues a mirror change that carries n bytes of new content.
func (s *session) later(n int64, op func() error) error {
	if s.first || s.direct || s.applying {
		// Nothing to wait for, or already applying a committed batch
		// (a replaced directory's successor): at once, in order.
		return op()
	}
	s.pending = append(s.pending, op)
	s.pendingBytes += n
	if !s.committing && (len(s.pending) >= batchOps || s.pendingBytes >= batchBytes) {
		return s.commit()
	}
	return nil
}

// commit makes everything written so far durable, then applies the queued
// mirror changes.
func (s *session) commit() error {
	if s.committing {
		return nil
	}
	s.committing = true
	defer func() { s.committing = false }()
	// Tails queue mirror changes: run those that can run first (not from
	// inside a tail, which must finish before the tails after it).
	if !s.inTail {
		if err := s.drainAll(); err != nil {
			return err
		}
	}
	for len(s.pending) > 0 { // an applied change may queue another
		if !s.opts.NoFsync {
			if err := syncFS(s.repo.Data); err != nil {
				return err
			}
		}
		ops := s.pending
		s.pending, s.pendingBytes = nil, 0
		s.applying = true
		for _, op := range ops {
			if err := op(); err != nil {
				s.applying = false
				return err
			}
		}
		s.applying = false
	}
	return nil
}

// stringSlab copies short strings into shared blocks: one allocation per
// block rather than one per string (a SHA1 per unchanged file). A block
// is only ever appended to, so the strings cut from it never change.
type stringSlab struct {
	b strings.Builder
}

const slabSize = 4096

func (sl *stringSlab) string(v []byte) string {
	if len(v) > slabSize/8 {
		return string(v)
	}
	if sl.b.Cap()-sl.b.Len() < len(v) {
		sl.b = strings.Builder{} // the old block stays with its strings
		sl.b.Grow(slabSize)
	}
	start := sl.b.Len()
	sl.b.Write(v)
	return sl.b.String()[start:]
}
