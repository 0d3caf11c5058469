package selection

import (
	"bytes"
	"encoding/binary"
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
//
// On a local disk or memory file system (see localFS) the calls bypass the
// Go scheduler's system call bookkeeping: each takes a few microseconds,
// and announcing tens of thousands of them made the runtime's monitor
// hand the listers' processors to fresh threads over and over (a third of
// the futex and sleep calls of a no-change backup, and 4 % of its CPU). A
// call that may block for long, on a network or FUSE file system or one
// not yet known, goes through the scheduler as usual, so that a hung
// server never holds a processor.
func (l *listing) fetch() {
	fast := l.hasDev && l.kinds != nil && l.kinds.isLocal(l.dev)
	var fd int
	var err error
	if fast {
		fd, err = openDirRaw(l.dir)
	} else {
		fd, err = unix.Open(l.dir, openDirFlags, 0)
	}
	if err != nil {
		l.err = &fs.PathError{Op: "open", Path: l.dir, Err: err}
		return
	}
	if !fast && l.hasDev && l.kinds != nil {
		fast = l.kinds.learn(l.dev, fd)
	}
	defer unix.Close(fd)
	m, _ := listMems.Get().(*listMem)
	if m == nil {
		m = new(listMem)
	}
	l.mem = m
	arena, ends := m.arena[:0], m.ends[:0]
	buf := direntBufs.get()
	defer direntBufs.put(buf)
	for {
		n, err := getdents(fd, buf, fast)
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
		arena, ends = appendDirentNames(arena, ends, buf[:n])
	}
	// One string holds every name: one allocation per directory
	// rather than one per entry.
	all := string(arena)
	l.names = m.names[:0]
	from := 0
	for _, end := range ends {
		l.names = append(l.names, all[from:end])
		from = end
	}
	m.arena, m.ends = arena, ends
	slices.Sort(l.names)
	n := len(l.names)
	if cap(m.infos) < n {
		m.infos = make([]fs.FileInfo, n)
	}
	if cap(m.sts) < n {
		m.sts = make([]fileInfo, n)
	}
	l.infos = m.infos[:n]
	sts := m.sts[:n]
	var cname []byte // the name with its NUL, for the raw call
	for i, name := range l.names {
		fi := &sts[i]
		cname = append(append(cname[:0], name...), 0)
		for {
			err = lstatAt(fd, name, cname, &fi.st, fast)
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

// listMem is the memory of a listing, reused once the walk is done with
// it: on a tree of small directories, fresh arrays per listing were a
// fifth of a no-change backup's allocated bytes, each page of them a
// fault.
type listMem struct {
	arena []byte // the names as read, back to back
	ends  []int  // where each name ends in arena
	names []string
	infos []fs.FileInfo
	sts   []fileInfo
}

var listMems sync.Pool

// release gives back the listing's memory: nothing of it may be used
// after, the lstats handed out included.
func (l *listing) release() {
	m := l.mem
	if m == nil {
		return
	}
	l.mem = nil
	clear(l.names)
	clear(l.infos)
	clear(m.sts[:len(l.names)])
	m.names, m.infos = l.names[:0], l.infos[:0]
	l.names, l.infos = nil, nil
	if cap(m.sts) <= maxPooledListing { // a huge directory's arrays go
		listMems.Put(m)
	}
}

// maxPooledListing bounds the listings whose memory is kept for reuse.
const maxPooledListing = 4096

// appendDirentNames appends the names of the getdents64 records in buf to
// arena, and where each ends to ends; "." and ".." are left out.
func appendDirentNames(arena []byte, ends []int, buf []byte) ([]byte, []int) {
	// struct linux_dirent64: d_ino (8 bytes), d_off (8), d_reclen (2),
	// d_type (1), then the name, NUL-terminated and padded.
	const nameOff = 19
	for len(buf) >= nameOff {
		reclen := int(binary.NativeEndian.Uint16(buf[16:18]))
		if reclen < nameOff || reclen > len(buf) {
			break
		}
		name := buf[nameOff:reclen]
		buf = buf[reclen:]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if string(name) == "." || string(name) == ".." {
			continue
		}
		arena = append(arena, name...)
		ends = append(ends, len(arena))
	}
	return arena, ends
}

const openDirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC | unix.O_NOFOLLOW

// isLocal reports whether dev is known to be a local file system.
func (k *fsKinds) isLocal(dev uint64) bool {
	v, ok := k.local.Load(dev)
	return ok && v.(bool)
}

// learn finds out whether the file system of the open directory fd,
// device dev, is local, once per device.
func (k *fsKinds) learn(dev uint64, fd int) bool {
	if v, ok := k.local.Load(dev); ok {
		return v.(bool)
	}
	var st unix.Statfs_t
	local := unix.Fstatfs(fd, &st) == nil && localFS(int64(st.Type)) //nolint:unconvert // int32 on some systems
	k.local.Store(dev, local)
	return local
}

// localFS reports whether a statfs type is a local disk or memory file
// system, whose directory reads and lstats never wait on a network.
// Overlay is left out: its layers may be anything.
func localFS(typ int64) bool {
	switch uint32(typ) {
	case unix.EXT4_SUPER_MAGIC, // ext2, ext3 and ext4 share it
		unix.XFS_SUPER_MAGIC,
		unix.BTRFS_SUPER_MAGIC,
		unix.TMPFS_MAGIC,
		unix.RAMFS_MAGIC,
		unix.F2FS_SUPER_MAGIC,
		unix.BCACHEFS_SUPER_MAGIC,
		zfsSuperMagic:
		return true
	}
	return false
}

// zfsSuperMagic is OpenZFS's statfs type (not in x/sys/unix).
const zfsSuperMagic = 0x2fc12fc1

func openDirRaw(path string) (int, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return -1, err
	}
	cwd := unix.AT_FDCWD
	fd, _, e := unix.RawSyscall6(unix.SYS_OPENAT, uintptr(cwd), uintptr(unsafe.Pointer(p)), openDirFlags, 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

func getdents(fd int, buf []byte, fast bool) (int, error) {
	if !fast {
		return unix.Getdents(fd, buf)
	}
	n, _, e := unix.RawSyscall(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// lstatAt lstats name in the directory fd; cname is name followed by a
// NUL (names from getdents hold none).
func lstatAt(fd int, name string, cname []byte, st *unix.Stat_t, fast bool) error {
	if !fast || sysFstatat < 0 {
		return unix.Fstatat(fd, name, st, unix.AT_SYMLINK_NOFOLLOW)
	}
	nr := sysFstatat
	_, _, e := unix.RawSyscall6(uintptr(nr), uintptr(fd), uintptr(unsafe.Pointer(&cname[0])), uintptr(unsafe.Pointer(st)), unix.AT_SYMLINK_NOFOLLOW, 0, 0)
	if e != 0 {
		return e
	}
	return nil
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
