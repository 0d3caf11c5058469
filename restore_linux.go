package gordiff

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"
	"time"

	"github.com/pkg/xattr"
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
	err := unix.Mknod(path, mode|0o600, dev)
	if err != nil && rec.Type == metadata.TypeDev && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)) {
		// Without CAP_MKNOD rdiff-backup leaves an empty regular file
		// in the device's place; so does gordiff.
		f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if ferr != nil {
			return fmt.Errorf("mknod %s: %w", path, err)
		}
		return f.Close()
	}
	if err != nil {
		return fmt.Errorf("mknod %s: %w", path, err)
	}
	return nil
}

func setXattr(path, name string, value []byte) error {
	return xattr.LSet(path, name, value)
}

// The kernel's POSIX ACL xattr tags.
var aclXattrTag = map[metadata.ACLTag]uint16{
	metadata.ACLUserObj: 0x01, metadata.ACLUser: 0x02, metadata.ACLGroupObj: 0x04,
	metadata.ACLGroup: 0x08, metadata.ACLMask: 0x10, metadata.ACLOther: 0x20,
}

// setACL writes an entry's recorded access ACL (when it says more than the
// permission bits) and default ACL. Named entries are looked up by name on
// this system; one whose name is unknown here is dropped.
func setACL(path string, acl *metadata.ACLRecord) error {
	if len(acl.Access) > 3 {
		if err := xattr.LSet(path, "system.posix_acl_access", encodeACLXattr(acl.Access)); err != nil {
			return err
		}
	}
	if len(acl.Default) > 0 {
		return xattr.LSet(path, "system.posix_acl_default", encodeACLXattr(acl.Default))
	}
	return nil
}

// encodeACLXattr encodes ACL entries in the kernel's format: a
// little-endian version 2 header, then {tag u16, perm u16, id u32}
// entries ordered by tag, then id.
func encodeACLXattr(entries []metadata.ACLEntry) []byte {
	type ent struct {
		tag, perm uint16
		id        uint32
	}
	var es []ent
	for _, e := range entries {
		id := uint32(0xffffffff)
		if e.Tag == metadata.ACLUser || e.Tag == metadata.ACLGroup {
			switch {
			case e.HasID:
				id = e.ID
			case e.Tag == metadata.ACLUser:
				u, err := user.Lookup(e.Name)
				if err != nil {
					continue
				}
				n, _ := strconv.ParseUint(u.Uid, 10, 32)
				id = uint32(n)
			default:
				g, err := user.LookupGroup(e.Name)
				if err != nil {
					continue
				}
				n, _ := strconv.ParseUint(g.Gid, 10, 32)
				id = uint32(n)
			}
		}
		es = append(es, ent{aclXattrTag[e.Tag], uint16(e.Perm), id})
	}
	slices.SortFunc(es, func(a, b ent) int {
		if a.tag != b.tag {
			return int(a.tag) - int(b.tag)
		}
		return cmp.Compare(a.id, b.id)
	})
	out := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range es {
		out = binary.LittleEndian.AppendUint16(out, e.tag)
		out = binary.LittleEndian.AppendUint16(out, e.perm)
		out = binary.LittleEndian.AppendUint32(out, e.id)
	}
	return out
}
