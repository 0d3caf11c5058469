package metadata

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/pkg/xattr"
	"golang.org/x/sys/unix"
)

// FromLstat reads the record of root/ix from the file system without
// following a final symlink, as rdiff-backup records a source entry: type,
// permissions, owner (names looked up and cached), mtime in whole
// seconds (rounded down) (not kept for symlinks and devices), size (regular files only),
// link count, inode and st_dev, device numbers, symlink target. SHA1 is
// left empty: the caller computes it while copying.
func FromLstat(root string, ix Index) (*Record, error) {
	path := FullPath(root, ix)
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return nil, fmt.Errorf("metadata: lstat %s: %w", path, err)
	}
	return FromStat(path, ix, &st)
}

// ReadEA reads the extended attributes of the entry rec describes under
// root, as rdiff-backup selects them: none for sockets and fifos, the
// link's own for symlinks, never the "system." namespace, and not
// com.apple.ResourceFork on non-directories. A file system without xattr
// support, or an entry that vanished or is unreadable, gives an empty set.
func ReadEA(root string, rec *Record) (*EARecord, error) {
	ea := &EARecord{Index: rec.Index}
	if rec.Type == TypeSock || rec.Type == TypeFifo {
		return ea, nil
	}
	path := FullPath(root, rec.Index)
	names, err := xattr.LList(path)
	if err != nil {
		if isErrno(err, unix.ENOTSUP, unix.EPERM, unix.ETXTBSY, unix.EACCES, unix.ENOENT, unix.ELOOP) {
			return ea, nil
		}
		return nil, fmt.Errorf("metadata: listing xattrs of %s: %w", path, err)
	}
	for _, name := range names {
		if strings.HasPrefix(name, "system.") {
			continue
		}
		if rec.Type != TypeDir && name == "com.apple.ResourceFork" {
			continue
		}
		val, err := xattr.LGet(path, name)
		if err != nil {
			if isErrno(err, unix.ENODATA, unix.ERANGE) {
				continue
			}
			if isErrno(err, unix.ENOENT) {
				break
			}
			return nil, fmt.Errorf("metadata: reading xattr %s of %s: %w", name, path, err)
		}
		ea.Attrs = append(ea.Attrs, XAttr{Name: name, Value: val})
	}
	return ea, nil
}

func isErrno(err error, errs ...unix.Errno) bool {
	for _, e := range errs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// POSIX ACL xattr tags (linux/posix_acl_xattr.h).
const (
	xaclUserObj  = 0x01
	xaclUser     = 0x02
	xaclGroupObj = 0x04
	xaclGroup    = 0x08
	xaclMask     = 0x10
	xaclOther    = 0x20
)

// ReadACL reads the POSIX access ACL (and a directory's default ACL) of the
// entry rec describes under root. Symlinks have none. Without an access ACL
// xattr the three base entries are derived from rec.Permissions. Named
// entries get the user or group name when the id has one.
func ReadACL(root string, rec *Record) (*ACLRecord, error) {
	acl := &ACLRecord{Index: rec.Index}
	if rec.Type == TypeSym {
		return acl, nil
	}
	path := FullPath(root, rec.Index)
	access, err := readACLXattr(path, "system.posix_acl_access")
	if err != nil {
		return nil, err
	}
	if access == nil {
		p := rec.Permissions
		access = []ACLEntry{
			{Tag: ACLUserObj, Perm: uint8(p >> 6 & 7)},
			{Tag: ACLGroupObj, Perm: uint8(p >> 3 & 7)},
			{Tag: ACLOther, Perm: uint8(p & 7)},
		}
	}
	acl.Access = access
	if rec.Type == TypeDir {
		if acl.Default, err = readACLXattr(path, "system.posix_acl_default"); err != nil {
			return nil, err
		}
	}
	return acl, nil
}

func readACLXattr(path, name string) ([]ACLEntry, error) {
	data, err := xattr.LGet(path, name)
	if err != nil {
		if isErrno(err, unix.ENODATA, unix.ENOTSUP, unix.ENOENT, unix.EACCES) {
			return nil, nil
		}
		return nil, fmt.Errorf("metadata: reading %s of %s: %w", name, path, err)
	}
	entries, err := decodeACLXattr(data)
	if err != nil {
		return nil, fmt.Errorf("metadata: %s of %s: %w", name, path, err)
	}
	return entries, nil
}

// decodeACLXattr decodes the kernel's POSIX ACL xattr: a little-endian
// version 2 header, then {tag u16, perm u16, id u32} entries.
func decodeACLXattr(data []byte) ([]ACLEntry, error) {
	if len(data) < 4 || (len(data)-4)%8 != 0 || binary.LittleEndian.Uint32(data) != 2 {
		return nil, errors.New("malformed POSIX ACL xattr")
	}
	var out []ACLEntry
	for p := 4; p < len(data); p += 8 {
		tag := binary.LittleEndian.Uint16(data[p:])
		e := ACLEntry{Perm: uint8(binary.LittleEndian.Uint16(data[p+2:]) & 7)}
		id := binary.LittleEndian.Uint32(data[p+4:])
		switch tag {
		case xaclUserObj:
			e.Tag = ACLUserObj
		case xaclUser:
			e.Tag, e.ID, e.HasID = ACLUser, id, true
			e.Name = LookupUserName(int64(id))
		case xaclGroupObj:
			e.Tag = ACLGroupObj
		case xaclGroup:
			e.Tag, e.ID, e.HasID = ACLGroup, id, true
			e.Name = LookupGroupName(int64(id))
		case xaclMask:
			e.Tag = ACLMask
		case xaclOther:
			e.Tag = ACLOther
		default:
			return nil, fmt.Errorf("unknown ACL tag %#x", tag)
		}
		out = append(out, e)
	}
	return out, nil
}
