package remote

import (
	"context"
	"io"

	"github.com/gordiff/gordiff/metadata"
)

// Entry is one entry of the source tree, as the source side reports it.
type Entry struct {
	// Record describes the entry; nil when it could not be examined at all
	// (then Index and Err say which and why).
	Record *metadata.Record
	// Index is the entry's path below the source root; the same as
	// Record.Index when Record is set.
	Index metadata.Index
	// EA and ACL are the entry's extended attributes and access control
	// lists when the session collects them; nil otherwise.
	EA  *metadata.EARecord
	ACL *metadata.ACLRecord
	// Err is a problem reading this entry (rdiff-backup's ListError). With
	// a Record it means the directory's listing failed: its children are
	// unknown, not gone, and the repository must keep what it had of them.
	Err error
}

// Source is the source side of a backup.
type Source interface {
	// Next returns the next selected entry, in the repository's order
	// (pre-order, names sorted bytewise; see metadata.CompareIndex), and
	// io.EOF after the last one.
	Next(ctx context.Context) (*Entry, error)
	// Open opens the content of a regular file Next reported.
	Open(ctx context.Context, ix metadata.Index) (io.ReadCloser, error)
	// Close releases the source; it stops a walk still under way.
	Close() error
}
