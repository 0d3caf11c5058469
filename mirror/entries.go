package mirror

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/klauspost/compress/gzip"

	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/remote"
	"github.com/gordiff/gordiff/rsync"
)

// add handles an entry that is new in this session (every entry of a
// first backup).
func (s *session) add(e *remote.Entry) error {
	rec := e.Record
	ix := rec.Index
	path := s.repo.mirrorPath(ix)
	if len(ix) > 0 {
		if err := s.ensureIncDir(ix[:len(ix)-1]); err != nil {
			return err
		}
	}
	var incSize int64 = na
	if !s.first {
		if err := s.markChanged(); err != nil {
			return err
		}
		if _, err := s.writeMarker2(ix, "missing", nil); err != nil {
			return err
		}
		incSize = 0
	}
	if err := s.touch(); err != nil {
		return err
	}
	s.stats.SourceFiles++
	s.stats.SourceFileSize += size(rec)
	if len(ix) > 0 || !s.first {
		s.stats.NewFiles++
		s.stats.NewFileSize += size(rec)
	} else {
		s.stats.MirrorFiles++ // the empty root of a new repository
	}
	done := func() error { return s.record(e, rec, nil, true, size(rec), na, incSize) }
	switch rec.Type {
	case metadata.TypeDir:
		if len(ix) > 0 {
			if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
				return wrapPath("create", path, err)
			}
		}
		s.stack = append(s.stack, &frame{ix: ix, new: rec, mirror: path, incDone: true})
		if !s.first {
			if err := s.ensureIncDir(ix); err != nil {
				return err
			}
		}
		mirSize := int64(na)
		if len(ix) == 0 {
			mirSize = 0 // a new repository's mirror starts as an empty root
		}
		return s.emit(nil, func() error { return s.record(e, rec, nil, true, 0, mirSize, na) })
	case metadata.TypeReg:
		return s.installFile(e, nil, path, done)
	default:
		return s.emit(nil, func() error {
			if err := s.installOther(rec, path); err != nil {
				return err
			}
			return done()
		})
	}
}

// installFile puts the source's regular file at path (replacing whatever
// is there), completes its record with the SHA-1, then runs done; a later
// path of a hard-link group becomes a link to the first. A source that
// cannot be read leaves the mirror as it was and the entry as prev.
func (s *session) installFile(e *remote.Entry, prev *metadata.Record, path string, done func() error) error {
	rec := e.Record
	if s.follower(rec) {
		return s.emit(nil, func() error {
			lead, ok := s.linkLeader(rec)
			if !ok { // the group's first path failed: copy this one
				tmp, res, err := s.copyIn(e, path, -1)
				if err != nil {
					return s.failed(e.Index, prev, err)
				}
				if err := s.commitFile(tmp, path, rec, res); err != nil {
					return err
				}
				return done()
			}
			rec.SHA1 = ""
			if err := s.linkTo(lead, path); err != nil {
				return err
			}
			return done()
		})
	}
	var tmp string
	var res copyResult
	var cerr error
	return s.emit(func() { tmp, res, cerr = s.copyIn(e, path, -1) }, func() error {
		if cerr != nil {
			return s.failed(e.Index, prev, cerr)
		}
		if err := s.commitFile(tmp, path, rec, res); err != nil {
			return err
		}
		return done()
	})
}

// failed handles an entry that could not be updated: a source that cannot
// be read is logged and the entry keeps its last state; anything else
// stops the session.
func (s *session) failed(ix metadata.Index, prev *metadata.Record, err error) error {
	if !isSourceError(err) {
		return err
	}
	s.fileError("UpdateError", ix, err)
	if prev == nil {
		return nil
	}
	return s.record(nil, prev, prev, false, size(prev), size(prev), na)
}

// copyIn copies the source's content of e into a temporary file beside
// path, with the signature of the new content when sigSize >= 0. It runs
// on a worker: it touches nothing of the session but the progress bytes.
func (s *session) copyIn(e *remote.Entry, path string, sigSize int64) (string, copyResult, error) {
	r, err := s.src.Open(s.ctx, e.Index)
	if err != nil {
		return "", copyResult{}, &sourceError{err}
	}
	defer r.Close()
	tmp := path
	if !s.first || !s.freshTarget {
		// Into a new repository's empty mirror files go straight to
		// their names; anywhere else through a temporary name.
		tmp = tempName(filepath.Dir(path))
	}
	res, err := copyFile(tmp, r, sigSize, e.Record)
	if err != nil {
		return "", res, err
	}
	s.copied.Add(res.size)
	return tmp, res, nil
}

// commitFile records the copied file's size and SHA-1 and renames it into
// place when the session commits its batch.
func (s *session) commitFile(tmp, path string, rec *metadata.Record, res copyResult) error {
	rec.SHA1 = res.sha1
	rec.Size = res.size
	lead := s.noteLeader(rec, tmp)
	if tmp == path {
		return nil
	}
	return s.later(res.size, func() error {
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return wrapPath("rename", tmp, err)
		}
		if lead != nil {
			lead.mirror = path
		}
		return nil
	})
}

// linkTo makes path a hard link to the group's first file (wherever its
// content is now: a temporary name until the batch commits).
func (s *session) linkTo(lead *linkLeader, path string) error {
	tmp := tempName(filepath.Dir(path))
	if err := os.Link(lead.mirror, tmp); err != nil {
		return wrapPath("link", lead.mirror, err)
	}
	return s.later(0, func() error {
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return wrapPath("rename", tmp, err)
		}
		// Renaming a link over another link of the same file does
		// nothing and leaves the temporary name: drop it.
		if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
			return wrapPath("remove", tmp, err)
		}
		return nil
	})
}

// follower reports whether rec is a later path of a hard-link group met
// earlier in this session (decided in processing order, before any tail
// ran).
func (s *session) follower(rec *metadata.Record) bool {
	if !hardLinked(rec) {
		return false
	}
	k := linkKey{rec.DeviceLoc, rec.Inode}
	if s.groups[k] {
		return true
	}
	s.groups[k] = true
	return false
}

// linkLeader returns the mirror file that rec, a later path of a
// hard-link group, must be linked to; tails only.
func (s *session) linkLeader(rec *metadata.Record) (*linkLeader, bool) {
	if !hardLinked(rec) {
		return nil, false
	}
	l, ok := s.links[linkKey{rec.DeviceLoc, rec.Inode}]
	return l, ok
}

// noteLeader records the first path of a hard-link group, whose content
// is at path for now.
func (s *session) noteLeader(rec *metadata.Record, path string) *linkLeader {
	if !hardLinked(rec) {
		return nil
	}
	l := &linkLeader{mirror: path, sha1: rec.SHA1}
	s.links[linkKey{rec.DeviceLoc, rec.Inode}] = l
	return l
}

// installOther creates a symlink or special file for rec at path,
// replacing what is there.
func (s *session) installOther(rec *metadata.Record, path string) error {
	tmp := tempName(filepath.Dir(path))
	var err error
	if rec.Type == metadata.TypeSym {
		err = wrapPath("symlink", path, os.Symlink(rec.SymData, tmp))
	} else {
		err = MakeSpecial(tmp, rec)
	}
	if err == nil {
		err = setAttrs(tmp, rec)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return s.later(0, func() error {
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return wrapPath("rename", tmp, err)
		}
		return nil
	})
}

// unchanged carries an entry whose attributes did not change.
func (s *session) unchanged(e *remote.Entry, prev *metadata.Record) error {
	rec := e.Record
	if rec.Type == metadata.TypeDir {
		s.stack = append(s.stack, &frame{ix: rec.Index, old: prev, new: rec, incDone: s.first})
	}
	s.stats.SourceFiles++
	s.stats.SourceFileSize += size(rec)
	s.stats.MirrorFiles++
	s.stats.MirrorFileSize += size(prev)
	follower := rec.Type == metadata.TypeReg && s.follower(rec)
	// The snapshot keeps the last record, as rdiff-backup's does: what
	// the change test ignores (a symlink's owner, say) is not news.
	if s.tasks.len() == 0 {
		// Nothing is in flight: carry it now, without the closure a
		// queued tail would need (one allocation per entry of an
		// unchanged tree).
		return s.runTail(func() error { return s.carry(e, prev, follower) })
	}
	return s.emit(nil, func() error { return s.carry(e, prev, follower) })
}

// carry records an unchanged entry, whose last record is prev; follower
// tells a hard link that is not its group's first path.
func (s *session) carry(e *remote.Entry, prev *metadata.Record, follower bool) error {
	rec := prev
	if rec.Type == metadata.TypeReg && (follower || hardLinked(rec)) {
		keep := *prev // its SHA1 changes below
		rec = &keep
		if follower {
			rec.SHA1 = ""
		} else if hardLinked(rec) {
			path := s.repo.mirrorPath(rec.Index)
			if rec.SHA1 == "" { // it became the group's first path
				sum, err := sha1File(path)
				if err != nil {
					return wrapPath("read", path, err)
				}
				rec.SHA1 = sum
			}
			s.noteLeader(rec, path)
		}
	}
	return s.record(e, rec, prev, false, size(e.Record), size(prev), na)
}

// remove handles an entry gone from the source: its increment keeps the
// old version, then it leaves the mirror (a directory when the merge
// leaves it, after its contents).
func (s *session) remove(prev *metadata.Record) error {
	ix := prev.Index
	path := s.repo.mirrorPath(ix)
	if err := s.markChanged(); err != nil {
		return err
	}
	if err := s.ensureIncDir(ix[:max(len(ix)-1, 0)]); err != nil {
		return err
	}
	if err := s.touch(); err != nil {
		return err
	}
	s.stats.MirrorFiles++
	s.stats.MirrorFileSize += size(prev)
	s.stats.DeletedFiles++
	s.stats.DeletedFileSize += size(prev)
	if prev.Type == metadata.TypeDir {
		if _, err := s.writeMarker2(ix, "dir", prev); err != nil {
			return err
		}
		s.stack = append(s.stack, &frame{ix: ix, old: prev, mirror: path, incDone: true})
		if err := s.ensureIncDir(ix); err != nil {
			return err
		}
		return s.emit(nil, func() error { return s.record(nil, nil, prev, true, na, 0, 0) })
	}
	incSize, err := s.snapshot(prev, path, true)
	if err != nil {
		return err
	}
	return s.emit(nil, func() error { return s.record(nil, nil, prev, true, na, size(prev), incSize) })
}

// change handles an entry present on both sides whose attributes changed.
func (s *session) change(e *remote.Entry, prev *metadata.Record) error {
	rec := e.Record
	ix := rec.Index
	path := s.repo.mirrorPath(ix)
	if err := s.markChanged(); err != nil {
		return err
	}
	if err := s.ensureIncDir(ix[:max(len(ix)-1, 0)]); err != nil {
		return err
	}
	if err := s.touch(); err != nil {
		return err
	}
	s.stats.SourceFiles++
	s.stats.SourceFileSize += size(rec)
	s.stats.MirrorFiles++
	s.stats.MirrorFileSize += size(prev)
	s.stats.ChangedFiles++
	s.stats.ChangedSourceSize += size(rec)
	s.stats.ChangedMirrorSize += size(prev)
	done := func(incSize int64) func() error {
		return func() error { return s.record(e, rec, prev, true, size(rec), size(prev), incSize) }
	}

	switch {
	case prev.Type == metadata.TypeDir && rec.Type == metadata.TypeDir:
		if _, err := s.writeMarker2(ix, "dir", prev); err != nil {
			return err
		}
		s.stack = append(s.stack, &frame{ix: ix, old: prev, new: rec, mirror: path, incDone: true})
		return s.emit(nil, done(na))
	case prev.Type == metadata.TypeDir:
		// The directory goes when the merge leaves it (its old contents
		// are removed first); what replaces it is ready before.
		if _, err := s.writeMarker2(ix, "dir", prev); err != nil {
			return err
		}
		f := &frame{ix: ix, old: prev, mirror: path, incDone: true}
		if err := s.ensureIncDir(ix); err != nil {
			return err
		}
		if rec.Type == metadata.TypeReg {
			if s.follower(rec) {
				rec.SHA1 = ""
				f.replace = func() error {
					if lead, ok := s.linkLeader(rec); ok {
						return s.linkTo(lead, path)
					}
					return nil
				}
			} else {
				tmp, res, err := s.copyIn(e, path, -1)
				if err != nil {
					return err
				}
				rec.SHA1, rec.Size = res.sha1, res.size
				f.replace = func() error { return s.commitFile(tmp, path, rec, res) }
			}
		} else {
			f.replace = func() error { return s.installOther(rec, path) }
		}
		s.stack = append(s.stack, f)
		return s.emit(nil, done(0))
	case rec.Type == metadata.TypeDir:
		if _, err := s.snapshot(prev, path, true); err != nil {
			return err
		}
		// The directory must exist now, for its contents: make the
		// snapshot durable and the old entry gone at once.
		if err := s.commit(); err != nil {
			return err
		}
		if err := os.Mkdir(path, 0o700); err != nil {
			return wrapPath("create", path, err)
		}
		s.stack = append(s.stack, &frame{ix: ix, old: prev, new: rec, mirror: path, incDone: true})
		if err := s.ensureIncDir(ix); err != nil {
			return err
		}
		return s.emit(nil, done(na))
	case prev.Type == metadata.TypeReg && rec.Type == metadata.TypeReg:
		return s.updateFile(e, prev, path, done)
	default:
		incSize, err := s.snapshot(prev, path, false)
		if err != nil {
			return err
		}
		if rec.Type == metadata.TypeReg {
			return s.installFile(e, prev, path, done(incSize))
		}
		return s.emit(nil, func() error {
			if err := s.installOther(rec, path); err != nil {
				return err
			}
			return done(incSize)()
		})
	}
}

// updateFile replaces a regular file by its new version and keeps the old
// one as a reverse delta (durable before the mirror changes: see commit).
func (s *session) updateFile(e *remote.Entry, prev *metadata.Record, path string, done func(int64) func() error) error {
	rec := e.Record
	if s.follower(rec) {
		// A later path of a hard-link group: the delta goes from the
		// group's new content back to this path's old content, so the
		// first path must be in place first.
		return s.emit(nil, func() error {
			lead, ok := s.linkLeader(rec)
			if !ok {
				return s.failed(rec.Index, prev, &sourceError{errors.New("the first path of its hard-link group could not be backed up")})
			}
			sig, err := signatureOf(lead.mirror)
			if err != nil {
				return err
			}
			incSize, err := s.writeDiff(rec.Index, prev, sig, path)
			if err != nil {
				return err
			}
			s.countIncrement(incSize)
			rec.SHA1 = ""
			if err := s.linkTo(lead, path); err != nil {
				return err
			}
			return done(incSize)()
		})
	}
	if rec.Size == prev.Size && rec.ModTime == prev.ModTime {
		// Only the owner, mode or links changed. Content is taken to be
		// the same, by the same rule that decides what changed; the
		// increment is the delta of a file to itself.
		incSize, err := s.writeIdentityDiff(rec.Index, prev)
		if err != nil {
			return err
		}
		s.countIncrement(incSize)
		return s.emit(nil, func() error {
			rec.SHA1 = prev.SHA1
			if rec.SHA1 == "" {
				var err error
				if rec.SHA1, err = sha1File(path); err != nil {
					return wrapPath("read", path, err)
				}
			}
			s.noteLeader(rec, path)
			if err := s.later(0, func() error { return setAttrs(path, rec) }); err != nil {
				return err
			}
			return done(incSize)()
		})
	}
	var tmp string
	var res copyResult
	var incSize int64
	var berr error
	bg := func() {
		if tmp, res, berr = s.copyIn(e, path, rec.Size); berr != nil {
			return
		}
		if incSize, berr = s.writeDiff(rec.Index, prev, res.sig, path); berr != nil {
			os.Remove(tmp)
		}
	}
	return s.emit(bg, func() error {
		if berr != nil {
			return s.failed(rec.Index, prev, berr)
		}
		s.countIncrement(incSize)
		if err := s.commitFile(tmp, path, rec, res); err != nil {
			return err
		}
		return done(incSize)()
	})
}

// signatureOf computes a mirror file's signature with rdiff-backup's
// parameters.
func signatureOf(path string) (*rsync.Signature, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	sig, err := rsync.ComputeSignature(f, rsync.RdiffBackupSigParams(fi.Size()))
	return sig, wrapPath("read", path, err)
}

// compressed reports whether the increments of the entry at mirror path
// are gzipped.
func (s *session) compressed(path string) bool {
	return !s.opts.NoCompression && !s.opts.NotCompressed.MatchString(path)
}

// writeDiff writes the reverse delta from the new content (sig) to the old
// mirror file at path, as the increment of ix.
func (s *session) writeDiff(ix metadata.Index, prev *metadata.Record, sig *rsync.Signature, path string) (int64, error) {
	old, err := os.Open(path)
	if err != nil {
		return 0, wrapPath("open", path, err)
	}
	defer old.Close()
	return s.writeIncrement(ix, "diff", prev, s.compressed(path), func(w *os.File, zw *gzip.Writer) error {
		var out io.Writer = w
		if zw != nil {
			out = zw
		}
		return rsync.WriteDelta(out, sig, old)
	})
}

// writeIdentityDiff writes the delta that turns a file into itself: one
// copy of all of it.
func (s *session) writeIdentityDiff(ix metadata.Index, prev *metadata.Record) (int64, error) {
	path := s.repo.mirrorPath(ix)
	return s.writeIncrement(ix, "diff", prev, s.compressed(path), func(w *os.File, zw *gzip.Writer) error {
		var out io.Writer = w
		if zw != nil {
			out = zw
		}
		return rsync.WriteIdentityDelta(out, prev.Size)
	})
}

// snapshot keeps the old version of a non-directory entry as its increment
// and removes it from the mirror (deleteMirror) or leaves that to the
// caller, who replaces it.
func (s *session) snapshot(prev *metadata.Record, path string, deleteMirror bool) (int64, error) {
	ix := prev.Index
	kind := prev.Type
	if kind == metadata.TypeDev || kind == metadata.TypeFifo || kind == metadata.TypeSock {
		// A non-root backup keeps an empty regular file in the mirror
		// for a device it could not create: snapshot what is there
		// (a device record has no time to give it).
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
			kind = metadata.TypeReg
		}
	}
	switch kind {
	case metadata.TypeReg:
		n, err := s.writeIncrement(ix, "snapshot", prev, s.compressed(path), func(w *os.File, zw *gzip.Writer) error {
			src, err := os.Open(path)
			if err != nil {
				return err
			}
			defer src.Close()
			if zw != nil {
				_, err = io.Copy(zw, src)
			} else {
				_, err = w.ReadFrom(src)
			}
			return err
		})
		if err != nil {
			return 0, err
		}
		s.countIncrement(n)
		if deleteMirror {
			return n, s.later(0, func() error { return wrapPath("remove", path, os.Remove(path)) })
		}
		return n, nil
	default:
		inc := s.repo.incrementPath(ix, "."+s.tPrevStr+".snapshot")
		var err error
		if prev.Type == metadata.TypeSym {
			err = os.Symlink(prev.SymData, inc)
		} else {
			err = MakeSpecial(inc, prev)
		}
		if err == nil {
			err = setAttrs(inc, prev)
		}
		if err != nil {
			return 0, wrapPath("write increment", inc, err)
		}
		s.stats.IncrementFiles++
		if deleteMirror {
			return 0, s.later(0, func() error { return wrapPath("remove", path, os.Remove(path)) })
		}
		return 0, nil
	}
}

// writeIncrement writes a data increment (diff or regular-file snapshot)
// of ix through a temporary file, gzipped when compress is set, syncs it,
// renames it into place and gives it the old entry's attributes.
func (s *session) writeIncrement(ix metadata.Index, kind string, prev *metadata.Record, compress bool, body func(*os.File, *gzip.Writer) error) (int64, error) {
	suffix := "." + s.tPrevStr + "." + kind
	if compress {
		suffix += ".gz"
	}
	final := s.repo.incrementPath(ix, suffix)
	tmp := tempName(filepath.Dir(final))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, wrapPath("create", tmp, err)
	}
	var zw *gzip.Writer
	var zbuf *bufio.Writer
	if compress {
		// The compressor writes a few hundred bytes at a time.
		zbuf = fileBufs.Get().(*bufio.Writer)
		zbuf.Reset(f)
		defer func() { zbuf.Reset(nil); fileBufs.Put(zbuf) }()
		zw = gzipWriters.Get().(*gzip.Writer)
		zw.Reset(zbuf)
		defer gzipWriters.Put(zw)
		zw.Name = filepath.Base(final[:len(final)-3])
	}
	err = body(f, zw)
	if err == nil && zw != nil {
		err = zw.Close()
		if err == nil {
			err = zbuf.Flush()
		}
	}
	var n int64
	if err == nil {
		n, err = f.Seek(0, 1)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = setAttrs(tmp, prev)
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, wrapPath("write increment", final, err)
	}
	return n, nil
}

// countIncrement adds a data increment of n bytes to the statistics.
func (s *session) countIncrement(n int64) {
	s.stats.IncrementFiles++
	s.stats.IncrementFileSize += n
}

// writeMarker2 writes an empty marker increment (dir or missing) of ix; a
// dir marker gets the old directory's attributes.
func (s *session) writeMarker2(ix metadata.Index, kind string, prev *metadata.Record) (int64, error) {
	p := s.repo.incrementPath(ix, "."+s.tPrevStr+"."+kind)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, wrapPath("write increment", p, err)
	}
	f.Close()
	if prev != nil {
		attrs := *prev
		attrs.Type = metadata.TypeReg
		attrs.Permissions &= 0o777
		if err := setAttrs(p, &attrs); err != nil {
			return 0, err
		}
	}
	s.stats.IncrementFiles++
	return 0, nil
}

// fileBufs recycles the buffers between a compressor and its file.
var fileBufs = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// gzipWriters recycles compressors: each holds about a megabyte of tables,
// too much to allocate and clear again for every small increment.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return zw
}}
