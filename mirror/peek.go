package mirror

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/gordiff/gordiff/metadata"
)

// recordPeek is a metadata stream with one record of look-ahead. Once
// started, the listing is read and cut into record texts on a goroutine of
// its own, a few batches ahead, so that decompressing the last listing
// overlaps with the merge; a record is parsed only when the merge asks for
// it (peek), which it need not for an entry whose new record has exactly
// its last record's text (see session.sameText).
//
// A listing gordiff wrote in sealed members (see metadata.BlockTextSize)
// is read member by member, each member a batch: the reading goroutine
// only checks its compressed data, and the member is inflated and cut into
// texts when the merge needs its texts, or ahead once cutAhead is set. A
// member the merge takes whole (see session.sealedRun) is never inflated.
type recordPeek struct {
	r       *metadata.Reader
	path    string // the listing's file, for errors
	head    *metadata.Record
	done    bool
	batches chan textBatch
	free    chan textBatch // batches consumed, for the reader to fill again
	stop    chan struct{}
	cur     textBatch // the batch being consumed, from its texts[next]
	next    int
	err     error

	blocks   *metadata.BlockReader // the listing's members, when sealed
	cutAhead atomic.Bool           // the reading goroutine cuts members into texts itself
	cuts     atomic.Int32          // members inflated
}

// textBatch is a run of record texts, cut from one buffer; in a sealed
// listing, one member, whose texts are cut only when uncut is cleared.
type textBatch struct {
	buf   []byte
	ends  []int // where each text ends in buf
	lines []int // the number of each text's first line
	err   error // io.EOF at the end

	blk   *metadata.Block // the member (sealed listings)
	line  int             // the number of the member's first line
	uncut bool            // blk is not inflated yet: no texts
}

const (
	peekBatch = 256
	peekAhead = 4
)

func (p *recordPeek) start() {
	p.batches = make(chan textBatch, peekAhead)
	p.free = make(chan textBatch, peekAhead+2)
	p.stop = make(chan struct{})
	go func() {
		defer close(p.batches)
		line := 1
		for {
			var b textBatch
			select {
			case b = <-p.free: // its texts are spent: reuse its memory
				b.buf, b.ends, b.lines = b.buf[:0], b.ends[:0], b.lines[:0]
			default:
				if p.blocks == nil { // a member's texts get memory when cut, if ever
					b = textBatch{buf: make([]byte, 0, peekBatch*256), ends: make([]int, 0, peekBatch), lines: make([]int, 0, peekBatch)}
				}
			}
			if p.blocks != nil {
				if b.blk == nil {
					b.blk = new(metadata.Block)
				}
				b.err = p.blocks.Next(b.blk)
				if b.err == nil {
					b.line, b.uncut = line, true
					line += int(b.blk.Header.Info.Lines)
					if p.cutAhead.Load() {
						b.err = p.cut(&b)
					}
				}
			} else {
				b.uncut = false
				for len(b.ends) < peekBatch {
					buf, line, err := p.r.NextText(b.buf)
					if err != nil {
						b.err = err
						break
					}
					b.buf = buf
					b.ends = append(b.ends, len(buf))
					b.lines = append(b.lines, line)
				}
			}
			select {
			case p.batches <- b:
			case <-p.stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
}

// cut inflates a batch's member and cuts it into record texts.
func (p *recordPeek) cut(b *textBatch) error {
	p.cuts.Add(1)
	b.uncut = false
	var err error
	if b.buf, err = b.blk.Inflate(b.buf[:0]); err != nil {
		return fmt.Errorf("metadata: reading %s: %w", p.path, err)
	}
	b.ends, b.lines = metadata.SplitRecords(b.buf, b.line, b.ends[:0], b.lines[:0])
	return nil
}

// close stops the reading goroutine; the reader may be closed after it.
func (p *recordPeek) close() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	for range p.batches {
	}
	p.stop = nil
}

// nextBatch makes the next batch current, handing the spent one back.
func (p *recordPeek) nextBatch() error {
	if p.err != nil {
		return p.err
	}
	b, ok := <-p.batches
	if !ok {
		return io.EOF
	}
	if p.cur.buf != nil || p.cur.blk != nil {
		select { // no text of it is held: see text
		case p.free <- p.cur:
		default:
		}
	}
	p.cur, p.next, p.err = b, 0, b.err
	return nil
}

// text returns the text of the next record, not parsed yet, or an error
// (io.EOF at the end) once none is left. The text is valid until the next
// call: its memory is then reused.
func (p *recordPeek) text() ([]byte, int, error) {
	for {
		if p.cur.uncut {
			if err := p.cut(&p.cur); err != nil {
				p.err = err
			}
		}
		if p.next < len(p.cur.ends) {
			break
		}
		if p.err != nil {
			return nil, 0, p.err
		}
		if err := p.nextBatch(); err != nil {
			return nil, 0, err
		}
	}
	from := 0
	if p.next > 0 {
		from = p.cur.ends[p.next-1]
	}
	return p.cur.buf[from:p.cur.ends[p.next]:p.cur.ends[p.next]], p.cur.lines[p.next], nil
}

// skipText consumes the text text returned.
func (p *recordPeek) skipText() { p.next++ }

// sealed returns the next member of a sealed listing when the merge is at
// its start and it is not cut into texts yet; otherwise nil.
func (p *recordPeek) sealed() *metadata.Block {
	if p.blocks == nil || p.head != nil || p.done || p.next < len(p.cur.ends) {
		return nil
	}
	if !p.cur.uncut {
		if p.err != nil || p.nextBatch() != nil || !p.cur.uncut {
			return nil
		}
	}
	return p.cur.blk
}

// skipSealed consumes the member sealed returned, uninflated.
func (p *recordPeek) skipSealed() {
	p.cur.uncut = false
	p.cur.ends, p.cur.lines, p.next = p.cur.ends[:0], p.cur.lines[:0], 0
}

// skipInSealed cuts the member sealed returned into texts and consumes
// its first k.
func (p *recordPeek) skipInSealed(k int) {
	if err := p.cut(&p.cur); err != nil {
		p.err = err
		return
	}
	p.next = min(k, len(p.cur.ends))
}

func (p *recordPeek) nextRecord() (*metadata.Record, error) {
	if p.batches == nil {
		return p.r.Next()
	}
	for {
		text, line, err := p.text()
		if err != nil {
			return nil, err
		}
		p.skipText()
		rec, err := p.r.Parse(text, line)
		if rec != nil || err != nil {
			return rec, err
		}
	}
}

func (p *recordPeek) peek() (*metadata.Record, error) {
	if p.head == nil && !p.done {
		rec, err := p.nextRecord()
		if errors.Is(err, io.EOF) {
			p.done = true
			return nil, nil
		}
		if err != nil {
			if p.path != "" {
				err = fmt.Errorf("metadata file %s is damaged: %w", p.path, err)
			}
			return nil, err
		}
		p.head = rec
	}
	return p.head, nil
}

func (p *recordPeek) take() { p.head = nil }

func (p *recordPeek) cutsOrZero() int32 {
	if p == nil {
		return 0
	}
	return p.cuts.Load()
}
