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
	// SideUnchanged says that EA and ACL were not read because the
	// entry's ctime shows that neither changed since BeginOptions'
	// UnchangedSince: the repository keeps the ones it has.
	SideUnchanged bool
}

// BeginOptions is what the repository side tells the source before the
// stream starts.
type BeginOptions struct {
	// UnchangedSince, when not 0, lets the source skip reading EAs and
	// ACLs of entries whose ctime is before it (seconds since the epoch).
	UnchangedSince int64
}

// Source is the source side of a backup.
type Source interface {
	// Begin starts the stream; it is called once, before Next.
	Begin(ctx context.Context, opts BeginOptions) error
	// Next returns the next selected entry, in the repository's order
	// (pre-order, names sorted bytewise; see metadata.CompareIndex), and
	// io.EOF after the last one.
	Next(ctx context.Context) (*Entry, error)
	// Side reads the EAs and ACL of an entry Next reported with
	// SideUnchanged, for the rare entry the repository has no record of.
	Side(ctx context.Context, ix metadata.Index) (*metadata.EARecord, *metadata.ACLRecord, error)
	// Open opens the content of a regular file Next reported.
	Open(ctx context.Context, ix metadata.Index) (io.ReadCloser, error)
	// Close releases the source; it stops a walk still under way.
	Close() error
}
