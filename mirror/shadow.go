package mirror

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/gordiff/gordiff/metadata"
)

// snapshotShadow spares a session the formatting and compression of a
// new metadata snapshot while it is identical to the last one. As long as
// every record the session writes equals the next record of the last
// listing, in order, nothing is written: the records are only counted. At
// the first difference the counted records are read again from the last
// snapshot and written out, and the session goes on as usual. If there is
// no difference at all, the new snapshot is the old compressed stream
// under a new gzip header: on an unchanged tree, a copy instead of a
// rewrite.
type snapshotShadow struct {
	active  bool
	queue   fifo[*metadata.Record] // last records taken by the merge, not yet recorded, in order
	matched int                    // leading records of the last listing counted so far
	warned  atomic.Bool            // the reader skipped something: never copy
}

// taken notes a record of the last listing the merge is done with.
func (sh *snapshotShadow) taken(prev *metadata.Record) {
	if sh.active && prev != nil {
		sh.queue.push(prev)
	}
}

// snapshotWrite writes (or counts) the new snapshot's record of an entry
// whose last record was prev; cur is nil when the entry is gone.
func (s *session) snapshotWrite(cur, prev *metadata.Record) error {
	sh := &s.shadow
	if sh.active {
		if cur != nil && prev != nil && sh.queue.len() > 0 && sh.queue.front() == prev && cur.Equal(prev) {
			sh.queue.pop()
			sh.matched++
			return nil
		}
		if err := s.materializeSnapshot(); err != nil {
			return err
		}
	}
	if cur == nil {
		return nil
	}
	return s.snapW.Write(cur)
}

// materializeSnapshot ends the shadow: the records counted so far are
// written from the last snapshot.
func (s *session) materializeSnapshot() error {
	sh := &s.shadow
	sh.active = false
	sh.queue.reset()
	if sh.matched == 0 {
		return nil
	}
	path := s.repo.dataPath(s.prevSnap)
	r, err := metadata.OpenReader(path)
	if err != nil {
		return err
	}
	defer r.Close()
	for range sh.matched {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return fmt.Errorf("reading %s again: %w", path, err)
		}
		if err := s.snapW.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// closeSnapshot completes the new snapshot.
func (s *session) closeSnapshot() error {
	sh := &s.shadow
	if sh.active {
		if s.prev.done && sh.queue.len() == 0 && !sh.warned.Load() {
			ok, err := s.copySnapshot()
			if ok || err != nil {
				sh.active = false
				return err
			}
		}
		if err := s.materializeSnapshot(); err != nil {
			return err
		}
	}
	return errors.Join(s.snapW.Flush(), s.snap.Close())
}

// copySnapshot writes the new snapshot as the last one's compressed
// stream behind a first gzip header of its own (name and time; the extra
// field of a sealed member stays); it reports false when the last
// snapshot does not start with a gzip header it can take apart.
func (s *session) copySnapshot() (bool, error) {
	oldPath := s.repo.dataPath(s.prevSnap)
	old, err := os.Open(oldPath)
	if err != nil {
		return false, wrapPath("open", oldPath, err)
	}
	defer old.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(old, head)
	h, err := metadata.ParseMemberHeader(head[:n])
	if err != nil {
		return false, nil
	}
	base := "mirror_metadata." + s.tNowStr + ".snapshot"
	newPath := s.repo.dataPath(base + ".gz")
	f, err := os.OpenFile(newPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, wrapPath("create", newPath, err)
	}
	hdr := metadata.AppendMemberHeader(nil, uint32(time.Now().Unix()), h.Extra, base)
	_, err = f.Write(hdr)
	if err == nil {
		_, err = old.Seek(int64(h.Len), io.SeekStart)
	}
	if err == nil {
		_, err = f.ReadFrom(old) // copy_file_range where the kernel can
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(newPath)
		return false, wrapPath("write", newPath, err)
	}
	return true, nil
}
