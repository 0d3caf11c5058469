package remote

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gordiff/gordiff/metadata"
)

// walkStat is an entry's lstat result as the walk hands it to Next.
type walkStat = syscall.Stat_t

// statOf copies fi's lstat result into st.
func statOf(fi fs.FileInfo, st *walkStat) error {
	p, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("no stat information")
	}
	*st = *p
	return nil
}

// recordFromStat fills rec from the walk's lstat result, without a second
// lstat, and returns the entry's ctime too. The entry's path (root/rel) is
// only made for the few types that need it.
func recordFromStat(rec *metadata.Record, root, rel string, ix metadata.Index, st *walkStat) (int64, error) {
	path := ""
	if t := st.Mode & syscall.S_IFMT; t != syscall.S_IFREG && t != syscall.S_IFDIR {
		path = joinRel(root, rel)
	}
	return int64(st.Ctim.Sec), rec.SetStat(path, ix, st)
}

// openFile opens a source file for reading with raw system calls (os.Open
// would also try to register it with the network poller), wrapped so that
// it still reads as an *os.File.
func openFile(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOATIME, 0)
	if errors.Is(err, unix.EPERM) { // O_NOATIME on another user's file
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if errors.Is(err, unix.EACCES) {
		fd, err = openOwnUnreadable(path)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// openOwnUnreadable opens a file its owner has made unreadable (mode 0000,
// say) when this process is that owner, as rdiff-backup does: read
// permission is added for the time of the open, then the mode is put back.
func openOwnUnreadable(path string) (int, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil || int(st.Uid) != os.Geteuid() || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return -1, unix.EACCES
	}
	if err := unix.Chmod(path, st.Mode&0o7777|0o400); err != nil {
		return -1, unix.EACCES
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if cerr := unix.Chmod(path, st.Mode&0o7777); err == nil && cerr != nil {
		unix.Close(fd)
		return -1, cerr
	}
	return fd, err
}
