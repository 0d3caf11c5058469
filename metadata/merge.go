package metadata

import (
	"errors"
	"fmt"
	"io"
)

// peekSource wraps a RecordSource with one record of look-ahead and an order
// check.
type peekSource struct {
	src  RecordSource
	head *Record
	eof  bool
	pos  int
}

func (p *peekSource) fill() error {
	if p.head != nil || p.eof {
		return nil
	}
	rec, err := p.src.Next()
	if errors.Is(err, io.EOF) {
		p.eof = true
		return nil
	}
	if err != nil {
		return err
	}
	p.head = rec
	return nil
}

// take consumes the head and reads the next one, checking the order.
func (p *peekSource) take() (*Record, error) {
	rec := p.head
	p.head = nil
	if err := p.fill(); err != nil {
		return nil, err
	}
	if p.head != nil && CompareIndex(rec.Index, p.head.Index) >= 0 {
		return nil, fmt.Errorf("metadata: stream %d: %q after %q: %w", p.pos, p.head.Index.String(), rec.Index.String(), ErrOutOfOrder)
	}
	return rec, nil
}

// DiffRecords computes the mirror_metadata diff that turns the newer listing
// back into the older one (rdiff-backup's snapshot-to-diff conversion), and
// passes each diff record to emit in index order:
//
//   - index only in newer: a record with that index and Type None;
//   - index only in older, or records not Equal: the older record;
//   - identical records: nothing.
//
// Both sources must be sorted; memory does not depend on their length.
func DiffRecords(newer, older RecordSource, emit func(*Record) error) error {
	n := &peekSource{src: newer, pos: 0}
	o := &peekSource{src: older, pos: 1}
	if err := n.fill(); err != nil {
		return err
	}
	if err := o.fill(); err != nil {
		return err
	}
	for n.head != nil || o.head != nil {
		var c int
		switch {
		case n.head == nil:
			c = 1
		case o.head == nil:
			c = -1
		default:
			c = CompareIndex(n.head.Index, o.head.Index)
		}
		switch {
		case c < 0:
			rec, err := n.take()
			if err != nil {
				return err
			}
			if err := emit(&Record{Index: rec.Index, Type: TypeNone}); err != nil {
				return err
			}
		case c > 0:
			rec, err := o.take()
			if err != nil {
				return err
			}
			if err := emit(rec); err != nil {
				return err
			}
		default:
			nr, err := n.take()
			if err != nil {
				return err
			}
			or, err := o.take()
			if err != nil {
				return err
			}
			if !nr.Equal(or) {
				if err := emit(or); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// PatchedReader rebuilds the listing at an older time from a snapshot and
// the diffs between it and that time (rdiff-backup's metadata chain).
type PatchedReader struct {
	srcs    []*peekSource
	started bool
}

// NewPatchedReader merges files, which must be given newest first: files[0]
// is the snapshot, then the diffs in decreasing time, the last one being the
// file of the wanted time. For each index the record of the last file that
// mentions it wins; a winning Type None record means the entry did not
// exist. With a single file the result is that file's records without the
// Type None ones.
func NewPatchedReader(files ...RecordSource) *PatchedReader {
	p := &PatchedReader{}
	for i, f := range files {
		p.srcs = append(p.srcs, &peekSource{src: f, pos: i})
	}
	return p
}

// Next returns the next entry of the rebuilt listing, or io.EOF.
func (p *PatchedReader) Next() (*Record, error) {
	if !p.started {
		for _, s := range p.srcs {
			if err := s.fill(); err != nil {
				return nil, err
			}
		}
		p.started = true
	}
	for {
		var low Index
		found := false
		for _, s := range p.srcs {
			if s.head != nil && (!found || CompareIndex(s.head.Index, low) < 0) {
				low, found = s.head.Index, true
			}
		}
		if !found {
			return nil, io.EOF
		}
		var win *Record
		for _, s := range p.srcs {
			if s.head == nil || CompareIndex(s.head.Index, low) != 0 {
				continue
			}
			rec, err := s.take()
			if err != nil {
				return nil, err
			}
			win = rec // later files override earlier ones
		}
		if win.Type != TypeNone {
			return win, nil
		}
	}
}

// SliceSource is a RecordSource over records held in memory (for tests and
// small listings).
type SliceSource struct {
	Records []*Record
	i       int
}

// Next implements RecordSource.
func (s *SliceSource) Next() (*Record, error) {
	if s.i >= len(s.Records) {
		return nil, io.EOF
	}
	s.i++
	return s.Records[s.i-1], nil
}
