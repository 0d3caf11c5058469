package selection

import (
	"io/fs"
	"slices"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fetch lists the directory with raw system calls: one open, getdents
// into a reused buffer, and an fstatat relative to the open directory per
// name, which spares the kernel the walk down the full path that an lstat
// of each child would repeat.
func (l *listing) fetch() {
	fd, err := unix.Open(l.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		l.err = &fs.PathError{Op: "open", Path: l.dir, Err: err}
		return
	}
	defer unix.Close(fd)
	buf := direntBufs.get()
	defer direntBufs.put(buf)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			l.err = &fs.PathError{Op: "readdirent", Path: l.dir, Err: err}
			break
		}
		if n <= 0 {
			break
		}
		_, _, l.names = unix.ParseDirent(buf[:n], -1, l.names)
	}
	slices.Sort(l.names)
	l.infos = make([]fs.FileInfo, len(l.names))
	sts := make([]fileInfo, len(l.names))
	for i, name := range l.names {
		fi := &sts[i]
		for {
			err = unix.Fstatat(fd, name, &fi.st, unix.AT_SYMLINK_NOFOLLOW)
			if err != unix.EINTR {
				break
			}
		}
		if err != nil {
			if l.errs == nil {
				l.errs = make([]error, len(l.names))
			}
			l.errs[i] = &fs.PathError{Op: "lstat", Path: l.dir + "/" + name, Err: syscall.Errno(err.(unix.Errno))}
			continue
		}
		fi.name = name
		l.infos[i] = fi
	}
}

// fileInfo is the fs.FileInfo of an fstatat; Sys returns the
// *syscall.Stat_t as os.Lstat's does (unix.Stat_t and syscall.Stat_t have
// the same layout on Linux).
type fileInfo struct {
	name string
	st   unix.Stat_t
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.st.Size }
func (fi *fileInfo) ModTime() time.Time { return time.Unix(fi.st.Mtim.Unix()) }
func (fi *fileInfo) IsDir() bool        { return fi.st.Mode&unix.S_IFMT == unix.S_IFDIR }
func (fi *fileInfo) Sys() any           { return (*syscall.Stat_t)(unsafe.Pointer(&fi.st)) }

func (fi *fileInfo) Mode() fs.FileMode {
	m := fs.FileMode(fi.st.Mode & 0o777)
	switch fi.st.Mode & unix.S_IFMT {
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	}
	if fi.st.Mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if fi.st.Mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if fi.st.Mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// The two Stat_t types must stay one layout for Sys's conversion.
var _ [unsafe.Sizeof(unix.Stat_t{}) - unsafe.Sizeof(syscall.Stat_t{})]struct{}
var _ [unsafe.Sizeof(syscall.Stat_t{}) - unsafe.Sizeof(unix.Stat_t{})]struct{}

// direntBufs recycles the getdents buffers of the prefetch workers.
var direntBufs = bufPool{size: 32 << 10}

type bufPool struct {
	size int
	pool sync.Pool
}

func (p *bufPool) get() []byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		return *b
	}
	return make([]byte, p.size)
}

func (p *bufPool) put(b []byte) { p.pool.Put(&b) }
