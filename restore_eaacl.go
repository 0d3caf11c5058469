package gordiff

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
)

// sessionEAACL holds the extended attributes and ACLs a session recorded,
// by index: the entries that have any are few, and a restore may need them
// out of index order (directories answered Scan are made late).
type sessionEAACL struct {
	eas  map[string]*metadata.EARecord
	acls map[string]*metadata.ACLRecord
}

// loadSessionEAACL reads the extended_attributes and access_control_lists
// snapshots of session at from the data directory (each skipped when its
// flag is off or the session has none).
func loadSessionEAACL(data string, at int64, eas, acls bool) (*sessionEAACL, error) {
	s := &sessionEAACL{eas: map[string]*metadata.EARecord{}, acls: map[string]*metadata.ACLRecord{}}
	if !eas && !acls {
		return s, nil
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
		p := filepath.Join(data, e.Name())
		switch {
		case n.Base == "extended_attributes" && eas:
			r, err := metadata.OpenEAReader(p)
			if err != nil {
				return nil, err
			}
			for {
				rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					r.Close()
					return nil, fmt.Errorf("reading %s: %w", p, err)
				}
				s.eas[rec.Index.String()] = rec
			}
			r.Close()
		case n.Base == "access_control_lists" && acls:
			r, err := metadata.OpenACLReader(p)
			if err != nil {
				return nil, err
			}
			for {
				rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					r.Close()
					return nil, fmt.Errorf("reading %s: %w", p, err)
				}
				s.acls[rec.Index.String()] = rec
			}
			r.Close()
		}
	}
	return s, nil
}

// apply gives the entry at path the attributes and ACLs recorded for ix;
// what the file system refuses is reported and skipped.
func (s *sessionEAACL) apply(path string, ix metadata.Index, typ metadata.FileType, warn func(string)) {
	if s == nil {
		return
	}
	key := ix.String()
	if ea := s.eas[key]; ea != nil {
		for _, a := range ea.Attrs {
			if err := setXattr(path, a.Name, a.Value); err != nil {
				warn(fmt.Sprintf("cannot set extended attribute %s of %s: %v", a.Name, path, err))
			}
		}
	}
	if acl := s.acls[key]; acl != nil && typ != metadata.TypeSym {
		if err := setACL(path, acl); err != nil {
			warn(fmt.Sprintf("cannot set the ACL of %s: %v", path, err))
		}
	}
}
