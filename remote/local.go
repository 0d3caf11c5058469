package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"

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
// work without holding the tree in memory.
type LocalSource struct {
	root string
	opts LocalOptions

	entries chan *Entry
	done    chan struct{}
	cancel  context.CancelFunc
	once    sync.Once
	walkErr error // set before entries is closed
}

// lookAhead is how many entries the walk may run ahead of the consumer.
const lookAhead = 512

// NewLocalSource starts walking root.
func NewLocalSource(ctx context.Context, root string, opts LocalOptions) *LocalSource {
	ctx, cancel := context.WithCancel(ctx)
	s := &LocalSource{root: root, opts: opts, entries: make(chan *Entry, lookAhead), done: make(chan struct{}), cancel: cancel}
	go s.walk(ctx)
	return s
}

func (s *LocalSource) walk(ctx context.Context) {
	defer close(s.entries)
	root := s.root
	if s.opts.Selection != nil {
		root = s.opts.Selection.Base()
	}
	send := func(e *Entry) error {
		select {
		case s.entries <- e:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := selection.Walk(ctx, root, s.opts.Selection, func(rel string, fi fs.FileInfo, err error) error {
		ix := indexOf(rel)
		if err != nil {
			return send(&Entry{Index: ix, Err: err})
		}
		e := s.entry(root, rel, ix, fi)
		return send(e)
	})
	s.walkErr = err
}

// entry builds the Entry of one walked path.
func (s *LocalSource) entry(root, rel string, ix metadata.Index, fi fs.FileInfo) *Entry {
	path := root
	if rel != "." {
		path = root + "/" + rel
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return &Entry{Index: ix, Err: fmt.Errorf("%s: no stat information", path)}
	}
	rec, err := recordFromStat(path, ix, st)
	if err != nil {
		return &Entry{Index: ix, Err: err}
	}
	e := &Entry{Record: rec, Index: ix}
	if s.opts.EAs {
		if ea, err := metadata.ReadEA(root, rec); err == nil && len(ea.Attrs) > 0 {
			e.EA = ea
		}
	}
	if s.opts.ACLs {
		if acl, err := metadata.ReadACL(root, rec); err == nil && acl != nil && !acl.IsBasic() {
			e.ACL = acl
		}
	}
	return e
}

func indexOf(rel string) metadata.Index {
	if rel == "." || rel == "" {
		return metadata.Index{}
	}
	return metadata.Index(strings.Split(rel, "/"))
}

// Next implements Source.
func (s *LocalSource) Next(ctx context.Context) (*Entry, error) {
	select {
	case e, ok := <-s.entries:
		if !ok {
			if s.walkErr != nil && !errors.Is(s.walkErr, context.Canceled) {
				return nil, s.walkErr
			}
			return nil, io.EOF
		}
		return e, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Open implements Source.
func (s *LocalSource) Open(ctx context.Context, ix metadata.Index) (io.ReadCloser, error) {
	root := s.root
	if s.opts.Selection != nil {
		root = s.opts.Selection.Base()
	}
	return os.Open(metadata.FullPath(root, ix))
}

// Close implements Source.
func (s *LocalSource) Close() error {
	s.once.Do(func() {
		s.cancel()
		for range s.entries { // let the walker finish
		}
	})
	return nil
}
