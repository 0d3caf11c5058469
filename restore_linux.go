package gordiff

import (
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
	return unix.Mknod(path, mode|0o600, dev)
}
