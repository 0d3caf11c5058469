package rsync

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// copyFileRange copies basis [off, off+n) to the current offset of w inside
// the kernel (copy_file_range(2)) when both are regular files, saving the
// round trip of every byte through user space; on file systems that share
// extents it may not copy at all. It reports handled=false, having copied
// nothing, when the fast path does not apply, and the caller then copies
// through a buffer.
func copyFileRange(w io.Writer, basis io.ReaderAt, off, n int64) (handled bool, err error) {
	src, ok1 := basis.(*os.File)
	dst, ok2 := w.(*os.File)
	if !ok1 || !ok2 {
		return false, nil
	}
	srcConn, err := src.SyscallConn()
	if err != nil {
		return false, nil
	}
	dstConn, err := dst.SyscallConn()
	if err != nil {
		return false, nil
	}
	first := true
	for n > 0 {
		var copied int
		var cerr error
		rerr := srcConn.Control(func(sfd uintptr) {
			werr := dstConn.Control(func(dfd uintptr) {
				o := off
				copied, cerr = unix.CopyFileRange(int(sfd), &o, int(dfd), nil, int(min(n, 1<<30)), 0)
			})
			if werr != nil {
				cerr = werr
			}
		})
		if rerr != nil {
			cerr = rerr
		}
		if cerr != nil {
			if first && (errors.Is(cerr, unix.EXDEV) || errors.Is(cerr, unix.EINVAL) || errors.Is(cerr, unix.ENOSYS) ||
				errors.Is(cerr, unix.EOPNOTSUPP) || errors.Is(cerr, unix.EBADF) || errors.Is(cerr, unix.EPERM)) {
				return false, nil
			}
			return true, cerr
		}
		if copied == 0 {
			return true, ErrInputEnded
		}
		first = false
		off += int64(copied)
		n -= int64(copied)
	}
	return true, nil
}
