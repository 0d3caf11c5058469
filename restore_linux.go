package gordiff

import (
	"cmp"
	"encoding/binary"
	"io"
	"os"
	"slices"

	"github.com/pkg/xattr"
	"golang.org/x/sys/unix"

	"github.com/gordiff/gordiff/metadata"
)

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
				n, ok := metadata.LookupUserID(e.Name)
				if !ok {
					continue
				}
				id = uint32(n)
			default:
				n, ok := metadata.LookupGroupID(e.Name)
				if !ok {
					continue
				}
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

// openRead opens a repository file for reading with plain system calls
// (os.Open would also try to register it with the network poller).
func openRead(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// createFile creates (or empties) a restored file, 0600 until its
// attributes are applied.
func createFile(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// copyFileSparse copies in (from its start) into the empty file out with
// copy_file_range when in has no holes. A file with holes (or one the
// kernel cannot copy this way) is left to the caller, which writes it
// block by block and leaves every block of zeros a hole: it reports false,
// having written nothing.
func copyFileSparse(out, in *os.File) (bool, error) {
	var st unix.Stat_t
	ifd, ofd := int(in.Fd()), int(out.Fd())
	if err := unix.Fstat(ifd, &st); err != nil {
		return false, &os.PathError{Op: "stat", Path: in.Name(), Err: err}
	}
	if st.Blocks*512 < st.Size {
		return false, nil
	}
	var roff, woff int64
	for roff < st.Size {
		n, err := unix.CopyFileRange(ifd, &roff, ofd, &woff, int(min(st.Size-roff, 1<<30)), 0)
		if err != nil || n == 0 {
			if roff == 0 && (err == unix.EXDEV || err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP || err == unix.EBADF) {
				return false, nil
			}
			if err == nil {
				err = io.ErrUnexpectedEOF // the file shrank under us
			}
			return true, &os.PathError{Op: "copy_file_range", Path: out.Name(), Err: err}
		}
	}
	return true, nil
}
