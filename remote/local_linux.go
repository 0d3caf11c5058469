package remote

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gordiff/gordiff/metadata"
)

// recordFromStat converts the walk's lstat result without a second lstat.
func recordFromStat(path string, ix metadata.Index, st *syscall.Stat_t) (*metadata.Record, error) {
	return metadata.FromStat(path, ix, st)
}

// openFile opens a source file for reading with raw system calls (os.Open
// would also try to register it with the network poller), wrapped so that
// it still reads as an *os.File.
func openFile(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOATIME, 0)
	if errors.Is(err, unix.EPERM) { // O_NOATIME on another user's file
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}
