package selection

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"slices"
	"strings"
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
// On a memory file system (tmpfs, ramfs) getdents and the lstat of each
// child that is neither a directory nor a mount point bypass the Go
// scheduler's system call bookkeeping: each takes a microsecond or two,
// and announcing tens of thousands of them made the runtime's monitor
// hand the listers' processors to other threads over and over (a third of
// the futex and sleep calls of a no-change backup, and 4 % of its CPU). A
// call that bypasses the scheduler cannot be preempted: if it blocked, the
// next garbage collection would wait for it and the whole process would
// stop, signals included. So nothing that may wait on a device or a
// server goes that way: not a disk file system (a failing disk or an
// iSCSI volume can take minutes), not the open of the directory (its path
// crosses other file systems), not the lstat of a subdirectory or of a
// mount point (it answers from the file system mounted there).
func (l *listing) fetch() {
	fd, err := unix.Open(l.dir, openDirFlags, 0)
	if err != nil {
		l.err = &fs.PathError{Op: "open", Path: l.dir, Err: err}
		return
	}
	defer unix.Close(fd)
	fast := l.kinds != nil && l.kinds.inMemory(fd, l.dev, l.hasDev)
	var mounts map[string]bool // mount points in this directory, when fast
	if fast {
		mounts, fast = l.kinds.mountsIn(l.dir)
	}
	m, _ := listMems.Get().(*listMem)
	if m == nil {
		m = new(listMem)
	}
	l.mem = m
	arena, ents := m.arena[:0], m.ents[:0]
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
		arena, ents = appendDirents(arena, ents, buf[:n])
	}
	// One string holds every name: one allocation per directory
	// rather than one per entry.
	all := string(arena)
	from := 0
	for i := range ents {
		ents[i].name = all[from:ents[i].end]
		from = ents[i].end
	}
	slices.SortFunc(ents, func(a, b dirent) int { return strings.Compare(a.name, b.name) })
	m.arena, m.ents = arena, ents // kept for the next listing (see release)
	l.names = m.names[:0]
	for _, e := range ents {
		l.names = append(l.names, e.name)
	}
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
		raw := fast && ents[i].typ != unix.DT_DIR && ents[i].typ != unix.DT_UNKNOWN && !mounts[name]
		if raw && rawLstatHook != nil {
			rawLstatHook(l.dir, name)
		}
		cname = append(append(cname[:0], name...), 0)
		for {
			err = lstatAt(fd, name, cname, &fi.st, raw)
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
	arena []byte   // the names as read, back to back
	ents  []dirent // each name (once cut from arena) and its type
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
	clear(m.ents)
	m.ents = m.ents[:0]
	m.names, m.infos = l.names[:0], l.infos[:0]
	l.names, l.infos = nil, nil
	if cap(m.sts) <= maxPooledListing { // a huge directory's arrays go
		listMems.Put(m)
	}
}

// maxPooledListing bounds the listings whose memory is kept for reuse.
const maxPooledListing = 4096

// rawLstatHook, when set (by tests), is told of every lstat that bypasses
// the scheduler.
var rawLstatHook func(dir, name string)

// dirent is a directory entry as getdents gives it.
type dirent struct {
	name string // set once the whole listing is read
	end  int    // where the name ends in the listing's arena
	typ  uint8  // d_type: unix.DT_DIR, unix.DT_REG, ..., unix.DT_UNKNOWN
}

// appendDirents appends the names of the getdents64 records in buf to
// arena, and an entry for each to ents; "." and ".." are left out.
func appendDirents(arena []byte, ents []dirent, buf []byte) ([]byte, []dirent) {
	// struct linux_dirent64: d_ino (8 bytes), d_off (8), d_reclen (2),
	// d_type (1), then the name, NUL-terminated and padded.
	const nameOff = 19
	for len(buf) >= nameOff {
		reclen := int(binary.NativeEndian.Uint16(buf[16:18]))
		if reclen < nameOff || reclen > len(buf) {
			break
		}
		typ := buf[18]
		name := buf[nameOff:reclen]
		buf = buf[reclen:]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if string(name) == "." || string(name) == ".." {
			continue
		}
		arena = append(arena, name...)
		ents = append(ents, dirent{end: len(arena), typ: typ})
	}
	return arena, ents
}

const openDirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC | unix.O_NOFOLLOW

// inMemory reports whether the open directory fd is on a memory file
// system, learning it once per device. dev is the device the directory's
// lstat gave, when hasDev: one known not to be in memory settles it
// without a system call (at worst, a memory file system mounted there
// since goes without the shortcut). Otherwise the fd's own device
// decides, not the lstat's: what has been mounted on the directory since
// may be anything.
func (k *fsKinds) inMemory(fd int, dev uint64, hasDev bool) bool {
	if hasDev {
		if v, ok := k.memory.Load(dev); ok && !v.(bool) {
			return false
		}
	}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return false
	}
	dev = uint64(st.Dev) //nolint:unconvert // Dev is uint32 on some systems
	if v, ok := k.memory.Load(dev); ok {
		return v.(bool)
	}
	var sfs unix.Statfs_t
	mem := unix.Fstatfs(fd, &sfs) == nil && memoryFS(int64(sfs.Type)) //nolint:unconvert // int32 on some systems
	k.memory.Store(dev, mem)
	return mem
}

// memoryFS reports whether a statfs type is a file system held in memory,
// whose directory reads and lstats never wait on a device.
func memoryFS(typ int64) bool {
	switch uint32(typ) {
	case unix.TMPFS_MAGIC, unix.RAMFS_MAGIC:
		return true
	}
	return false
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
