package gordiff

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
)

// sessionSide reads a session's extended_attributes and
// access_control_lists snapshots in step with its listing (compare,
// restore, list files --changed-since).
type sessionSide struct {
	eas, acls bool // asked for at all
	ea        *metadata.EAReader
	acl       *metadata.ACLReader
}

// openSessionSide opens the EA and ACL snapshots of the session at (those
// asked for); a snapshot that is not there is left nil, reads as no
// attributes and no ACLs, and is said to warn (when not nil) as
// rdiff-backup says it, ACLs first.
func openSessionSide(data string, at int64, eas, acls bool, warn func(string)) (*sessionSide, error) {
	ss := &sessionSide{eas: eas, acls: acls}
	if !eas && !acls {
		return ss, nil
	}
	ents, err := os.ReadDir(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", data, err)
	}
	for _, e := range ents {
		n, err := increments.ParseName(e.Name())
		if err != nil || n.Time != at || n.Type != increments.TypeSnapshot {
			continue
		}
		path := filepath.Join(data, e.Name())
		switch {
		case n.Base == "extended_attributes" && eas && ss.ea == nil:
			if ss.ea, err = metadata.OpenEAReader(path); err != nil {
				ss.close()
				return nil, err
			}
		case n.Base == "access_control_lists" && acls && ss.acl == nil:
			if ss.acl, err = metadata.OpenACLReader(path); err != nil {
				ss.close()
				return nil, err
			}
		}
	}
	if warn != nil && acls && ss.acl == nil {
		warn("POSIX ACLs file not found")
	}
	if warn != nil && eas && ss.ea == nil {
		warn("Extended Attributes file not found")
	}
	return ss, nil
}

func (ss *sessionSide) close() {
	if ss.ea != nil {
		ss.ea.Close()
	}
	if ss.acl != nil {
		ss.acl.Close()
	}
}

// eaAt returns the EA record of ix, for indexes asked in increasing
// order; nil when there is none, or nothing to go by (no snapshot, or one
// unreadable up to ix).
func (ss *sessionSide) eaAt(ix metadata.Index) *metadata.EARecord {
	rec, _ := ss.ea.At(ix)
	return rec
}

// aclAt is eaAt for ACLs.
func (ss *sessionSide) aclAt(ix metadata.Index) *metadata.ACLRecord {
	rec, _ := ss.acl.At(ix)
	return rec
}
