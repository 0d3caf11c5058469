package mirror

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gordiff/gordiff/rsync"
)

// tmpPrefix is the name rdiff-backup gives temporary files; regress removes
// stray ones from the mirror, so ours use it too.
const tmpPrefix = "rdiff-backup.tmp."

var (
	tmpCounter atomic.Int64
	tmpBase    = int64(os.Getpid()) * 1000000
)

// tempName returns a fresh temporary name in dir.
func tempName(dir string) string {
	return filepath.Join(dir, tmpPrefix+strconv.FormatInt(tmpBase+tmpCounter.Add(1), 10))
}

// holeBlock is the unit in which runs of zeros become holes, as
// rdiff-backup writes sparse files.
const holeBlock = 128 << 10

var zeroBlock [holeBlock]byte

// copyBufs recycles copyFile's buffers: one per file would make the
// allocator clear gigabytes on a tree of small files.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, holeBlock); return &b }}

// copyResult is what copying a regular file learned on the way.
type copyResult struct {
	size int64
	sha1 string
	sig  *rsync.Signature // nil unless asked for
}

// copyFile writes r into a new file at path (which must not exist), with
// runs of 128 KiB of zeros left as holes, and returns its size and SHA-1,
// and the file's signature when sigSize >= 0 (its parameters chosen for
// that size, as rdiff-backup does). It is not synced: the session syncs
// whole batches (see session.commit).
func copyFile(path string, r io.Reader, sigSize int64) (res copyResult, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return res, err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	h := sha1.New()
	var sigW *rsync.SignatureWriter
	if sigSize >= 0 {
		if sigW, err = rsync.NewSignatureWriter(rsync.RdiffBackupSigParams(sigSize)); err != nil {
			return res, err
		}
	}
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	buf := *bp
	var off int64
	holeAtEnd := false
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			if sigW != nil {
				sigW.Write(chunk)
			}
			if n == holeBlock && bytes.Equal(chunk, zeroBlock[:]) {
				holeAtEnd = true
			} else {
				if _, err := f.WriteAt(chunk, off); err != nil {
					return res, err
				}
				holeAtEnd = false
			}
			off += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return res, &sourceError{rerr}
		}
	}
	if holeAtEnd {
		if err := f.Truncate(off); err != nil {
			return res, err
		}
	}
	res.size = off
	res.sha1 = hex.EncodeToString(h.Sum(nil))
	if sigW != nil {
		res.sig = sigW.Signature()
	}
	return res, nil
}

// sourceError marks a failure reading the source (as opposed to writing the
// repository): the entry is skipped and logged, the backup goes on.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

func isSourceError(err error) bool {
	var se *sourceError
	return errors.As(err, &se)
}

// sha1File returns the SHA-1 of a file's content.
func sha1File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileMode converts a record's permission bits to an os.FileMode.
func fileMode(perm uint32) os.FileMode {
	m := os.FileMode(perm & 0o777)
	if perm&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if perm&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if perm&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}

func wrapPath(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}
