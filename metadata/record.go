package metadata

import (
	"fmt"
)

// FileType is the kind of an entry as rdiff-backup names it.
type FileType uint8

// The file types of a Record. TypeNone marks an absent entry: it appears only
// in mirror_metadata diffs, for entries that did not exist at the diff's time.
const (
	TypeNone FileType = iota
	TypeReg
	TypeDir
	TypeSym
	TypeDev
	TypeFifo
	TypeSock
)

var typeNames = [...]string{"None", "reg", "dir", "sym", "dev", "fifo", "sock"}

// String returns the name written in the Type field ("reg", "dir", ...,
// "None").
func (t FileType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("FileType(%d)", uint8(t))
}

// ParseFileType parses the value of a Type field.
func ParseFileType(s string) (FileType, error) {
	for i, n := range typeNames {
		if s == n {
			return FileType(i), nil
		}
	}
	return TypeNone, fmt.Errorf("unknown file type %q", s)
}

// Record is the metadata of one entry, as kept in mirror_metadata.
//
// Fields that rdiff-backup writes only for some types (see WriteRecord) are
// ignored for the others. Optional string fields are absent when empty.
type Record struct {
	// Index is the entry's path relative to the root of the backup.
	Index Index
	// Type is the kind of entry; TypeNone means "did not exist".
	Type FileType
	// Size is the byte size of a regular file.
	Size int64
	// NumHardLinks is the link count; rdiff-backup records it (with Inode
	// and DeviceLoc) for regular files whose count is above 1. 0 means not
	// recorded (a single link).
	NumHardLinks int64
	// Inode is the source file's inode number (hard-link grouping key).
	Inode uint64
	// DeviceLoc is the st_dev of the source file system (grouping key).
	DeviceLoc uint64
	// SHA1 is the lowercase hex SHA-1 of a regular file's content, or empty
	// when unknown.
	SHA1 string
	// SymData is a symbolic link's target (raw bytes).
	SymData string
	// DevKind is 'c' (character) or 'b' (block) for a device.
	DevKind byte
	// DevMajor and DevMinor are a device's numbers.
	DevMajor, DevMinor int64
	// ModTime is the modification time in whole seconds (the stat's tv_sec,
	// so rounded down). rdiff-backup does not record it for symlinks and devices.
	ModTime int64
	// Uid and Gid are the numeric owner and group.
	Uid, Gid int64
	// Uname and Gname are the owner and group names, empty when the id has
	// no name (written ":").
	Uname, Gname string
	// Permissions holds the mode's 07777 bits.
	Permissions uint32
	// AlternateMirrorName is the stand-in name under long_filename_data/
	// of an entry whose mirror name is too long.
	AlternateMirrorName string
	// AlternateIncrementName is the stand-in name under
	// long_filename_data/ of an entry whose increments live there.
	AlternateIncrementName string
	// ResourceFork and CarbonFile are macOS data kept as the raw text of
	// their fields (including "None"), so that records round-trip; empty
	// means absent.
	ResourceFork, CarbonFile string
}

// Path returns the index as written in a File line before quoting ("." for
// the root).
func (r *Record) Path() string { return r.Index.String() }

// Equal reports whether two records have the same index and the same values
// in every field. It is the comparison rdiff-backup uses to decide whether a
// record goes into a mirror_metadata diff.
func (r *Record) Equal(o *Record) bool {
	if r == nil || o == nil || r == o {
		return r == o
	}
	if !r.Index.Equal(o.Index) {
		return false
	}
	return r.Type == o.Type && r.Size == o.Size && r.NumHardLinks == o.NumHardLinks &&
		r.Inode == o.Inode && r.DeviceLoc == o.DeviceLoc && r.SHA1 == o.SHA1 &&
		r.SymData == o.SymData && r.DevKind == o.DevKind && r.DevMajor == o.DevMajor &&
		r.DevMinor == o.DevMinor && r.ModTime == o.ModTime && r.Uid == o.Uid &&
		r.Gid == o.Gid && r.Uname == o.Uname && r.Gname == o.Gname &&
		r.Permissions == o.Permissions && r.AlternateMirrorName == o.AlternateMirrorName &&
		r.AlternateIncrementName == o.AlternateIncrementName &&
		r.ResourceFork == o.ResourceFork && r.CarbonFile == o.CarbonFile
}

// Clone returns a deep copy of r.
func (r *Record) Clone() *Record {
	c := *r
	c.Index = append(Index(nil), r.Index...)
	return &c
}

// Mode returns the permission bits as an fs-style number (07777 bits only).
func (r *Record) Mode() uint32 { return r.Permissions & 0o7777 }
