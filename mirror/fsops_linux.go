package mirror

import (
	"errors"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gordiff/gordiff/metadata"
)

var isRoot = os.Geteuid() == 0

// setAttrs gives a mirror entry the attributes of rec, with the
// permission bits a mirror keeps (mirrorPerms).
func setAttrs(path string, rec *metadata.Record) error {
	return SetAttrs(path, rec, mirrorPerms(rec))
}

// SetAttrs gives the entry at path the owner of rec, the permission bits
// perm and the mtime of rec (symlinks: owner only; devices: no mtime).
// Ownership is applied only as root; others keep their own, as
// rdiff-backup does, and the metadata keeps the truth. Restore uses it
// with the recorded bits.
func SetAttrs(path string, rec *metadata.Record, perm uint32) error {
	if isRoot {
		if err := os.Lchown(path, int(rec.Uid), int(rec.Gid)); err != nil {
			return wrapPath("chown", path, err)
		}
	}
	if rec.Type == metadata.TypeSym {
		return nil
	}
	if err := unix.Chmod(path, unixMode(perm)); err != nil {
		return wrapPath("chmod", path, err)
	}
	if rec.Type != metadata.TypeDev {
		return setMtime(path, rec.ModTime)
	}
	return nil
}

// setMtime sets a file's modification time (and its access time, to the
// same value) without following symlinks.
func setMtime(path string, mtime int64) error {
	ts := []unix.Timespec{unix.NsecToTimespec(time.Unix(mtime, 0).UnixNano()), unix.NsecToTimespec(time.Unix(mtime, 0).UnixNano())}
	return wrapPath("set times of", path, unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW))
}

// MakeSpecial creates a fifo, socket or device node for rec at path, mode
// 0600 (SetAttrs follows). As a non-root user a device node cannot be
// made: rdiff-backup then stores (and restores) an empty regular file, and
// so do backup and restore here.
func MakeSpecial(path string, rec *metadata.Record) error {
	var mode uint32
	var dev uint64
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
		dev = unix.Mkdev(uint32(rec.DevMajor), uint32(rec.DevMinor))
	default:
		return errors.New("not a special file")
	}
	err := unix.Mknod(path, mode|0o600, int(dev))
	if err != nil && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)) {
		f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if ferr != nil {
			return wrapPath("create", path, ferr)
		}
		f.Close()
		return nil
	}
	return wrapPath("mknod", path, err)
}

// syncDir flushes a directory's entries (renames, creations) to disk.
func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, unix.EINVAL) {
		return wrapPath("sync", path, err)
	}
	return nil
}

// lockRepo takes an exclusive, non-blocking lock on the data directory so
// that two writers cannot work on one repository at once. The lock is an
// flock on the directory itself: it leaves no file behind for rdiff-backup
// to trip on, and dies with the process.
func lockRepo(dataDir string) (unlock func(), err error) {
	f, err := os.Open(dataDir)
	if err != nil {
		return nil, err
	}
	// A lock can outlive its holder by an instant: a process forked while
	// it was held keeps the shared open file until it execs. Give such a
	// lock a moment before declaring the repository busy.
	for wait := 0; ; wait++ {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, wrapPath("lock", dataDir, err)
		}
		if wait == 20 {
			f.Close()
			return nil, ErrLocked
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// processAlive reports whether a process with this pid exists here.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// syncFS flushes the file system holding path (syncfs(2)).
func syncFS(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return wrapPath("sync file system of", path, unix.Syncfs(int(f.Fd())))
}

// createFile creates a new file for writing with raw system calls: os.File
// would also try to register every file with the network poller.
func createFile(path string) (int, error) {
	return unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
}

func closeFD(fd int) error { return unix.Close(fd) }

func truncateFD(fd int, size int64) error { return unix.Ftruncate(fd, size) }

// pwriteAll writes all of p at off.
func pwriteAll(fd int, p []byte, off int64) error {
	for len(p) > 0 {
		n, err := unix.Pwrite(fd, p, off)
		if err != nil {
			return err
		}
		p = p[n:]
		off += int64(n)
	}
	return nil
}

// setAttrsFD is setAttrs for a regular file open at fd.
func setAttrsFD(fd int, path string, rec *metadata.Record) error {
	return SetAttrsFD(fd, path, rec, mirrorPerms(rec))
}

// SetAttrsFD is SetAttrs for a regular file open at fd: through the
// descriptor, sparing the path lookups. path is for errors.
func SetAttrsFD(fd int, path string, rec *metadata.Record, perm uint32) error {
	if isRoot {
		if err := unix.Fchown(fd, int(rec.Uid), int(rec.Gid)); err != nil {
			return wrapPath("chown", path, err)
		}
	}
	if err := unix.Fchmod(fd, unixMode(perm)); err != nil {
		return wrapPath("chmod", path, err)
	}
	return wrapPath("set times of", path, futimens(fd, rec.ModTime))
}

// futimens sets the access and modification times of the file open at fd
// (utimensat with a NULL path, which x/sys/unix does not offer).
func futimens(fd int, sec int64) error {
	t, err := unix.TimeToTimespec(time.Unix(sec, 0)) // Sec's type is the platform's
	if err != nil {
		return err
	}
	ts := [2]unix.Timespec{t, t}
	_, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// unixMode is a record's permission bits as mode_t bits.
func unixMode(perm uint32) uint32 { return perm & 0o7777 }

// mirrorPerms are the permissions a mirror file gets: the recorded ones,
// except that a non-root backup keeps regular files readable by their
// owner (0400 at least, as rdiff-backup does), or the next session could
// not read them for its delta. The metadata keeps the real bits.
func mirrorPerms(rec *metadata.Record) uint32 {
	if !isRoot && rec.Type == metadata.TypeReg {
		return rec.Permissions | 0o400
	}
	return rec.Permissions
}
