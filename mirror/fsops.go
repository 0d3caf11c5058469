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

	"github.com/gordiff/gordiff/metadata"
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
// runs of 128 KiB of zeros left as holes, gives it rec's owner (as root),
// permissions and mtime, and returns its size and SHA-1, and the file's
// signature when sigSize >= 0 (its parameters chosen for that size, as
// rdiff-backup does). It is not synced: the session syncs whole batches
// (see session.commit).
func copyFile(path string, r io.Reader, sigSize int64, rec *metadata.Record) (res copyResult, err error) {
	fd, err := createFile(path)
	if err != nil {
		return res, wrapPath("create", path, err)
	}
	closed := false
	defer func() {
		if !closed {
			closeFD(fd)
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
				if err := pwriteAll(fd, chunk, off); err != nil {
					return res, wrapPath("write", path, err)
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
		if err := truncateFD(fd, off); err != nil {
			return res, wrapPath("truncate", path, err)
		}
	}
	if err := setAttrsFD(fd, path, rec); err != nil {
		return res, err
	}
	closed = true
	if err := closeFD(fd); err != nil {
		return res, wrapPath("close", path, err)
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
