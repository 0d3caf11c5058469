package gordiff

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gordiff/gordiff/metadata"
)

// applyAttrs gives a restored entry its recorded owner (as root), mode and
// mtime (none for symlinks; no mtime for devices).
func applyAttrs(path string, rec *metadata.Record) error {
	if os.Geteuid() == 0 {
		if err := os.Lchown(path, int(rec.Uid), int(rec.Gid)); err != nil {
			return err
		}
	}
	if rec.Type == metadata.TypeSym {
		return nil
	}
	if err := unix.Chmod(path, rec.Permissions&0o7777); err != nil {
		return err
	}
	if rec.Type == metadata.TypeDev {
		return nil
	}
	t := time.Unix(rec.ModTime, 0)
	return os.Chtimes(path, t, t)
}

// makeNode creates a fifo, socket or device node for rec.
func makeNode(path string, rec *metadata.Record) error {
	var mode uint32
	var dev int
	switch rec.Type {
	case metadata.TypeFifo:
		mode = unix.S_IFIFO
	case metadata.TypeSock:
		mode = unix.S_IFSOCK
	case metadata.TypeDev:
		mode = unix.S_IFCHR
		if rec.DevKind == 'b' {
			mode = unix.S_IFBLK
		}
		dev = int(unix.Mkdev(uint32(rec.DevMajor), uint32(rec.DevMinor)))
	}
	err := unix.Mknod(path, mode|0o600, dev)
	if err != nil && rec.Type == metadata.TypeDev && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)) {
		// Without CAP_MKNOD rdiff-backup leaves an empty regular file
		// in the device's place; so does gordiff.
		f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if ferr != nil {
			return fmt.Errorf("mknod %s: %w", path, err)
		}
		return f.Close()
	}
	if err != nil {
		return fmt.Errorf("mknod %s: %w", path, err)
	}
	return nil
}
