package mirror

import (
	"bytes"
	"errors"
	"io"
	"slices"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
)

// sideStreams are the last session's EA and ACL snapshots, read in step
// with the merge so that a change of extended attributes or ACL alone
// counts as a change, as it does for rdiff-backup.
type sideStreams struct {
	ea  *metadata.EAReader
	acl *metadata.ACLReader

	eaHead  *metadata.EARecord
	aclHead *metadata.ACLRecord
}

// openSideStreams opens the EA and ACL snapshots of the last session, when
// this session keeps them and the last one did.
func (s *session) openSideStreams(files []dataFile) {
	ss := &sideStreams{}
	for _, f := range files {
		if f.inc.Time != s.tPrev || f.inc.Type != increments.TypeSnapshot {
			continue
		}
		switch {
		case f.inc.Base == "extended_attributes" && s.opts.EAs:
			if r, err := metadata.OpenEAReader(s.repo.dataPath(f.name)); err == nil {
				ss.ea = r
			}
		case f.inc.Base == "access_control_lists" && s.opts.ACLs:
			if r, err := metadata.OpenACLReader(s.repo.dataPath(f.name)); err == nil {
				ss.acl = r
			}
		}
	}
	s.side = ss
}

func (ss *sideStreams) close() {
	if ss == nil {
		return
	}
	if ss.ea != nil {
		ss.ea.Close()
	}
	if ss.acl != nil {
		ss.acl.Close()
	}
}

// eaAt returns the last session's EA record of ix (nil if none), for
// indexes asked in increasing order. known is false when the last session
// kept no EA snapshot.
func (ss *sideStreams) eaAt(ix metadata.Index) (rec *metadata.EARecord, known bool) {
	if ss == nil {
		return nil, false
	}
	return recordAt(&ss.ea, &ss.eaHead, ix, func(r *metadata.EARecord) metadata.Index { return r.Index })
}

// aclAt is eaAt for ACLs.
func (ss *sideStreams) aclAt(ix metadata.Index) (rec *metadata.ACLRecord, known bool) {
	if ss == nil {
		return nil, false
	}
	return recordAt(&ss.acl, &ss.aclHead, ix, func(r *metadata.ACLRecord) metadata.Index { return r.Index })
}

// recordAt advances a sorted record stream (with one record of look-ahead
// in *head) to ix and returns its record there, if any. An unreadable
// stream is dropped (*src set to nil): the session then stops comparing
// rather than report changes that are not there.
func recordAt[T any, S interface{ Next() (*T, error) }](src *S, head **T, ix metadata.Index, index func(*T) metadata.Index) (*T, bool) {
	var zero S
	for {
		if any(*src) == any(zero) {
			return nil, false
		}
		if *head == nil {
			r, err := (*src).Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					*src = zero
					return nil, false
				}
				return nil, true
			}
			*head = r
		}
		switch c := metadata.CompareIndex(index(*head), ix); {
		case c < 0:
			*head = nil
		case c == 0:
			r := *head
			*head = nil
			return r, true
		default:
			return nil, true
		}
	}
}

// sideChanged reports whether an entry's EAs or ACL differ from the last
// session's.
func (s *session) sideChanged(ix metadata.Index, ea *metadata.EARecord, acl *metadata.ACLRecord) bool {
	if old, known := s.side.eaAt(ix); known && !sameEAs(old, ea) {
		return true
	}
	if old, known := s.side.aclAt(ix); known && !sameACL(old, acl) {
		return true
	}
	return false
}

func sameEAs(a, b *metadata.EARecord) bool {
	var x, y []metadata.XAttr
	if a != nil {
		x = a.Attrs
	}
	if b != nil {
		y = b.Attrs
	}
	return slices.EqualFunc(sortedAttrs(x), sortedAttrs(y), func(p, q metadata.XAttr) bool {
		return p.Name == q.Name && bytes.Equal(p.Value, q.Value)
	})
}

func sortedAttrs(a []metadata.XAttr) []metadata.XAttr {
	a = slices.Clone(a)
	slices.SortFunc(a, func(p, q metadata.XAttr) int {
		switch {
		case p.Name < q.Name:
			return -1
		case p.Name > q.Name:
			return 1
		}
		return 0
	})
	return a
}

func sameACL(a, b *metadata.ACLRecord) bool {
	var x, y metadata.ACLRecord
	if a != nil {
		x = *a
	}
	if b != nil {
		y = *b
	}
	eq := func(p, q metadata.ACLEntry) bool { return p.String() == q.String() }
	return slices.EqualFunc(x.Access, y.Access, eq) && slices.EqualFunc(x.Default, y.Default, eq)
}
