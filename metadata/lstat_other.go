//go:build !linux

package metadata

// FromLstat reads the record of root/ix from the file system. It is only
// implemented on Linux; elsewhere it returns ErrNotSupported.
func FromLstat(root string, ix Index) (*Record, error) {
	return nil, ErrNotSupported
}

// ReadEA reads the extended attributes of an entry. Linux only; elsewhere
// it returns ErrNotSupported.
func ReadEA(root string, rec *Record) (*EARecord, error) {
	return nil, ErrNotSupported
}

// ReadACL reads the POSIX ACLs of an entry. Linux only; elsewhere it
// returns ErrNotSupported.
func ReadACL(root string, rec *Record) (*ACLRecord, error) {
	return nil, ErrNotSupported
}

// ReadEAACL is not supported on this platform.
func ReadEAACL(root string, rec *Record, eas, acls bool) (*EARecord, *ACLRecord, error) {
	return nil, nil, ErrNotSupported
}
