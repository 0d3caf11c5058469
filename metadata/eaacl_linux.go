package metadata

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pkg/xattr"
	"golang.org/x/sys/unix"
)

// ReadEAACL reads what ReadEA and ReadACL read (either may be skipped with
// eas or acls false), with a single listing of the entry's attribute
// names: an ACL is fetched only when the listing shows one, which saves a
// system call or two per entry on the usual trees without ACLs.
func ReadEAACL(root string, rec *Record, eas, acls bool) (*EARecord, *ACLRecord, error) {
	var ea *EARecord
	var acl *ACLRecord
	if eas {
		ea = &EARecord{Index: rec.Index}
	}
	if acls {
		acl = &ACLRecord{Index: rec.Index}
	}
	if rec.Type == TypeSym && !eas {
		return nil, acl, nil
	}
	path := FullPath(root, rec.Index)
	names, err := xattr.LList(path)
	if err != nil {
		if !isErrno(err, unix.ENOTSUP, unix.EPERM, unix.ETXTBSY, unix.EACCES, unix.ENOENT, unix.ELOOP) {
			return nil, nil, fmt.Errorf("metadata: listing xattrs of %s: %w", path, err)
		}
		names = nil
	}
	if eas && rec.Type != TypeSock && rec.Type != TypeFifo {
		for _, name := range names {
			if strings.HasPrefix(name, "system.") || (rec.Type != TypeDir && name == "com.apple.ResourceFork") {
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
				return nil, nil, fmt.Errorf("metadata: reading xattr %s of %s: %w", name, path, err)
			}
			ea.Attrs = append(ea.Attrs, XAttr{Name: name, Value: val})
		}
	}
	if acls && rec.Type != TypeSym {
		if slices.Contains(names, "system.posix_acl_access") {
			if acl.Access, err = readACLXattr(path, "system.posix_acl_access"); err != nil {
				return nil, nil, err
			}
		}
		if acl.Access == nil {
			p := rec.Permissions
			acl.Access = []ACLEntry{
				{Tag: ACLUserObj, Perm: uint8(p >> 6 & 7)},
				{Tag: ACLGroupObj, Perm: uint8(p >> 3 & 7)},
				{Tag: ACLOther, Perm: uint8(p & 7)},
			}
		}
		if rec.Type == TypeDir && slices.Contains(names, "system.posix_acl_default") {
			if acl.Default, err = readACLXattr(path, "system.posix_acl_default"); err != nil {
				return nil, nil, err
			}
		}
	}
	return ea, acl, nil
}
