package fsfeatures

import "time"

// Features describes what a directory's file system can store. It is filled
// once by Probe or ProbeReadOnly and then consulted; the zero value claims
// nothing.
type Features struct {
	// Path is the directory that was probed.
	Path string
	// Writable is set by Probe (tests by writing); ProbeReadOnly leaves it
	// false and then only ACLs, EAs, CaseSensitive, EscapeDOSDevices,
	// EscapeTrailingSpaces and NameMax are meaningful.
	Writable bool

	ACLs bool // POSIX access ACLs can be read (system.posix_acl_access)
	EAs  bool // extended attributes can be listed (and, when Writable, user.* set, read back and removed)

	HardLinks bool // a second link to a file shares its inode
	Symlinks  bool // symbolic links can be created and read back
	Fifos     bool // named pipes can be created
	Sockets   bool // socket nodes can be created
	Devices   bool // character device nodes can be created (needs privilege)
	Ownership bool // chown to another user and group works (normally only as root)

	// CaseSensitive is false when "A" and "a" name the same entry.
	CaseSensitive bool
	// ExtendedFilenames is set when a name with UTF-8 encoded non-ASCII
	// characters can be created.
	ExtendedFilenames bool
	// WinReservedFilenames is set when a name made of ':', '\' and '"'
	// cannot be created (Windows-like file systems).
	WinReservedFilenames bool
	// EscapeDOSDevices is set when "con" exists in any directory (Windows).
	EscapeDOSDevices bool
	// EscapeTrailingSpaces is set when "foo." names "foo" or cannot be
	// created (FAT, Windows).
	EscapeTrailingSpaces bool
	// RefusedBytes lists the bytes that cannot appear in a name ("x" + b +
	// "x" could not be created); '/' and 0 are never probed and never listed.
	RefusedBytes ByteSet

	FsyncDirs    bool // directories can be fsync'd
	DirIncPerms  bool // a regular file keeps mode 07777 (or 06777)
	HighPerms    bool // setuid, setgid and sticky bits can be set on files
	SymlinkPerms bool // symbolic links get mode 0700 (their permissions follow the umask)

	// NameMax is the longest name, in bytes, that can be created (found by
	// trying; ProbeReadOnly takes the statfs value).
	NameMax int
	// MtimeResolution is the granularity of stored modification times:
	// 1ns when nanoseconds survive, 1s or 2s on coarse file systems.
	MtimeResolution time.Duration
}

// HighResMtimes reports whether modification times keep sub-second parts.
func (f Features) HighResMtimes() bool {
	return f.MtimeResolution > 0 && f.MtimeResolution < time.Second
}
