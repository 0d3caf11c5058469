package mirror

import (
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
)

// sideStreams are the last session's EA and ACL snapshots, read in step
// with the merge so that a change of extended attributes or ACL alone
// counts as a change, as it does for rdiff-backup.
type sideStreams struct {
	ea  *metadata.EAReader
	acl *metadata.ACLReader
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

// none reports whether there is no last EA or ACL listing to compare with.
func (ss *sideStreams) none() bool { return ss == nil || (ss.ea == nil && ss.acl == nil) }

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
// kept no EA snapshot, or it could not be read: the session then stops
// comparing rather than report changes that are not there.
func (ss *sideStreams) eaAt(ix metadata.Index) (rec *metadata.EARecord, known bool) {
	if ss == nil {
		return nil, false
	}
	return ss.ea.At(ix)
}

// aclAt is eaAt for ACLs.
func (ss *sideStreams) aclAt(ix metadata.Index) (rec *metadata.ACLRecord, known bool) {
	if ss == nil {
		return nil, false
	}
	return ss.acl.At(ix)
}

// sideChanged reports whether an entry's EAs or ACL differ from the last
// session's.
func (s *session) sideChanged(ix metadata.Index, ea *metadata.EARecord, acl *metadata.ACLRecord) bool {
	if old, known := s.side.eaAt(ix); known && !metadata.SameEAs(old, ea) {
		return true
	}
	if old, known := s.side.aclAt(ix); known && !metadata.SameACLs(old, acl) {
		return true
	}
	return false
}
