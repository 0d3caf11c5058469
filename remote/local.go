package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/selection"
)

// LocalOptions configure a LocalSource.
type LocalOptions struct {
	// Selection chooses the entries; nil selects everything.
	Selection *selection.Set
	// EAs and ACLs collect extended attributes and POSIX ACLs.
	EAs, ACLs bool
}

// LocalSource is the source side for a tree on this machine. It walks the
// tree in a goroutine of its own, a bounded number of entries ahead of the
// consumer, so that listing and stat'ing overlap with the repository's
// work without holding the tree in memory; Next makes each Entry from what
// the walk found, on the consumer's goroutine.
type LocalSource struct {
	opts LocalOptions

	base    string             // the tree's root: the selection's base, or NewLocalSource's root
	entries chan []walked      // batches, so that the two goroutines rarely meet
	free    chan []walked      // batches Next is done with, for the walk to fill again
	cur     []walked           // the batch Next is taking entries from
	next    int                // cur[next] is Next's next
	cancel  context.CancelFunc // set when the walk starts
	begun   bool               // Begin was called
	since   int64              // BeginOptions.UnchangedSince
	once    sync.Once
	walkErr error // set before entries is closed
}

// The walk runs up to lookAhead batches of batchSize entries ahead of the
// consumer. It hands over each entry's path and lstat result; Next makes
// the Entry. The walk is what a backup of an unchanged tree waits for,
// while its consumer has time to spare.
const (
	batchSize = 64
	lookAhead = 8
)

// NewLocalSource returns the source side for the tree at root; the walk
// starts with Begin.
func NewLocalSource(root string, opts LocalOptions) *LocalSource {
	s := &LocalSource{base: root, opts: opts, entries: make(chan []walked, lookAhead), free: make(chan []walked, lookAhead+2)}
	if opts.Selection != nil {
		s.base = opts.Selection.Base()
	}
	return s
}

// walked is an entry as the walk hands it to Next.
type walked struct {
	rel string
	err error // the walk's, or statOf's
	st  walkStat
}

// Begin implements Source: it starts the walk, unless Start did.
func (s *LocalSource) Begin(ctx context.Context, opts BeginOptions) error {
	if s.begun {
		return errors.New("remote: the local source was already started")
	}
	s.begun = true
	s.since = opts.UnchangedSince // read by Next only
	s.Start(ctx)
	return nil
}

// Start starts the walk ahead of Begin, while the repository side is
// still getting ready: the walk needs nothing from it (what Begin brings
// is for Next). ctx bounds the walk; Close stops it. Later calls do
// nothing. The session's time must be fixed before Start: the next
// session's UnchangedSince is this session's time, which must not be
// later than any lstat of this walk.
func (s *LocalSource) Start(ctx context.Context) {
	if s.cancel != nil {
		return
	}
	ctx, s.cancel = context.WithCancel(ctx)
	go s.walk(ctx)
}

func (s *LocalSource) walk(ctx context.Context) {
	defer close(s.entries)
	newBatch := func() []walked {
		select {
		case b := <-s.free:
			return b[:0]
		default:
			return make([]walked, 0, batchSize)
		}
	}
	batch := newBatch()
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		select {
		case s.entries <- batch:
			batch = newBatch()
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := selection.Walk(ctx, s.base, s.opts.Selection, func(rel string, fi fs.FileInfo, err error) error {
		batch = append(batch, walked{rel: rel, err: err})
		if err == nil {
			w := &batch[len(batch)-1]
			if serr := statOf(fi, &w.st); serr != nil {
				w.err = fmt.Errorf("%s: %w", joinRel(s.base, rel), serr)
			}
		}
		if len(batch) == batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	s.walkErr = err
}

// entry builds the Entry of one walked path.
func (s *LocalSource) entry(w *walked) *Entry {
	if w.err != nil {
		return &Entry{Index: splitIndex(nil, w.rel), Err: w.err}
	}
	root, rel := s.base, w.rel
	box := new(entryBox)
	rec, e := &box.rec, &box.e
	ix := splitIndex(box.ix[:0], rel)
	ctime, err := recordFromStat(rec, root, rel, ix, &w.st)
	if err != nil {
		*e = Entry{Index: ix, Err: err}
		return e
	}
	*e = Entry{Record: rec, Index: ix}
	if !s.opts.EAs && !s.opts.ACLs {
		return e
	}
	if s.since != 0 && ctime < s.since {
		// Attributes, EAs and ACL all move the ctime: none changed.
		e.SideUnchanged = true
		return e
	}
	ea, acl, err := metadata.ReadEAACL(root, rec, s.opts.EAs, s.opts.ACLs)
	if err == nil {
		if ea != nil && len(ea.Attrs) > 0 {
			e.EA = ea
		}
		if acl != nil && !acl.IsBasic() {
			e.ACL = acl
		}
	}
	return e
}

// entryBox holds an entry, its record and, up to a depth of len(ix), its
// index's components: one allocation for the three.
type entryBox struct {
	e   Entry
	rec metadata.Record
	ix  [6]string
}

// splitIndex appends rel's components (as Walk gives it: "." is the root)
// to dst, whose array holds them when it is big enough (nil: a new one).
func splitIndex(dst []string, rel string) metadata.Index {
	if rel == "." || rel == "" {
		return metadata.Index{}
	}
	for {
		i := strings.IndexByte(rel, '/')
		if i < 0 {
			return metadata.Index(append(dst, rel))
		}
		dst = append(dst, rel[:i])
		rel = rel[i+1:]
	}
}

// joinRel is the path of rel (as Walk gives it) below root.
func joinRel(root, rel string) string {
	if rel == "." {
		return root
	}
	return root + "/" + rel
}

// Next implements Source.
func (s *LocalSource) Next(ctx context.Context) (*Entry, error) {
	if s.next == len(s.cur) {
		if s.cur != nil {
			select { // Entries keep nothing of it
			case s.free <- s.cur:
			default:
			}
			s.cur, s.next = nil, 0
		}
		select {
		case b, ok := <-s.entries:
			if !ok {
				if s.walkErr != nil {
					// A cancelled walk too: its end is not the tree's.
					return nil, s.walkErr
				}
				return nil, io.EOF
			}
			s.cur = b
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	w := &s.cur[s.next]
	s.next++
	return s.entry(w), nil
}

// Side implements Source.
func (s *LocalSource) Side(ctx context.Context, ix metadata.Index) (*metadata.EARecord, *metadata.ACLRecord, error) {
	root := s.base
	rec, err := metadata.FromLstat(root, ix)
	if err != nil {
		return nil, nil, err
	}
	ea, acl, err := metadata.ReadEAACL(root, rec, s.opts.EAs, s.opts.ACLs)
	if err != nil {
		return nil, nil, err
	}
	if ea != nil && len(ea.Attrs) == 0 {
		ea = nil
	}
	if acl != nil && acl.IsBasic() {
		acl = nil
	}
	return ea, acl, nil
}

// Open implements Source.
func (s *LocalSource) Open(ctx context.Context, ix metadata.Index) (io.ReadCloser, error) {
	return openFile(metadata.FullPath(s.base, ix))
}

// Close implements Source.
func (s *LocalSource) Close() error {
	s.once.Do(func() {
		if s.cancel == nil {
			return // never started
		}
		s.cancel()
		for range s.entries { // let the walker finish
		}
	})
	return nil
}
