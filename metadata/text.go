package metadata

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Text mode. A consumer that can often decide from a record's text alone
// (the backup merge, when an entry's new record formats to exactly the text
// of its last one) reads the listing with NextText and parses only the
// records it must with Parse. Together they give the records, warnings and
// errors Next gives.

// NextText appends to dst the text of the next record as the file has it
// and returns it with the number of its first line: the File line and every
// line after it up to the next File line, each ended by '\n' (also the
// last line of a file without a final newline). Text before the first File
// line comes as a text of its own, which Parse skips. At the end it returns
// io.EOF. A Reader read with NextText must not also be read with Next.
//
// It reads the file in blocks and cuts them where a line starts with
// "File ", rather than line by line: a listing is mostly short lines.
func (rd *Reader) NextText(dst []byte) ([]byte, int, error) {
	t := &rd.text
	for {
		if rd.err != nil {
			return dst, 0, rd.err
		}
		data := t.buf[t.off:]
		end := -1
		if i := nextFileLine(data, t.scanned); i >= 0 {
			end = i
		} else if rd.done {
			end = len(data)
		} else {
			t.scanned = max(len(data)-len("File ")+1, 1)
		}
		if end == 0 {
			return dst, 0, io.EOF
		}
		if end > 0 {
			text := data[:end]
			if err := rd.checkLines(text); err != nil {
				rd.err = err
				return dst, 0, err
			}
			first := t.line + 1
			t.line += bytes.Count(text, []byte{'\n'})
			dst = append(dst, text...)
			if text[len(text)-1] != '\n' {
				dst = append(dst, '\n')
				t.line++
			}
			t.off += end
			t.scanned = 0
			return dst, first, nil
		}
		if err := rd.checkLines(data); err != nil {
			rd.err = err
			return dst, 0, err
		}
		if err := rd.fill(); err != nil {
			rd.done = true
			if !errors.Is(err, io.EOF) {
				rd.err = fmt.Errorf("metadata: reading %s: line %d: %w", rd.name, t.line+1+bytes.Count(data, []byte{'\n'}), err)
			}
		}
	}
}

// nextFileLine returns where the first line starting with "File " after
// the start of data begins, searching from from (at least 1), or -1. It
// looks for "File " rather than "\nFile ": 'F' is rare in a listing, a
// newline comes every few bytes.
func nextFileLine(data []byte, from int) int {
	from = max(from, 1)
	for from < len(data) {
		i := bytes.Index(data[from:], []byte("File "))
		if i < 0 {
			return -1
		}
		if at := from + i; data[at-1] == '\n' {
			return at
		}
		from += i + 1
	}
	return -1
}

// textState is NextText's buffer: buf[off:] is read but not returned yet,
// searched up to scanned for the next File line.
type textState struct {
	buf     []byte
	off     int
	scanned int
	line    int // lines returned so far
}

const textReadSize = 64 << 10

// fill reads more of the file after what NextText holds.
func (rd *Reader) fill() error {
	t := &rd.text
	if t.off > 0 && t.off >= len(t.buf)/2 {
		n := copy(t.buf, t.buf[t.off:])
		t.buf, t.off = t.buf[:n], 0
	}
	t.buf = slices.Grow(t.buf, textReadSize)
	n, err := rd.lr.br.Read(t.buf[len(t.buf):cap(t.buf)])
	t.buf = t.buf[:len(t.buf)+n]
	if n > 0 && errors.Is(err, io.EOF) {
		err = nil // the next Read says it again
	}
	return err
}

// checkLines refuses text holding a line longer than MaxLineLength, as Next
// does (Next checks a line's length a read at a time, so it lets a line
// overshoot by less than a read); only long text needs looking at.
func (rd *Reader) checkLines(text []byte) error {
	if len(text) <= MaxLineLength {
		return nil
	}
	line := rd.text.line
	for len(text) > 0 {
		line++
		l, rest, _ := bytes.Cut(text, []byte{'\n'})
		if len(l) > MaxLineLength {
			return fmt.Errorf("metadata: reading %s: line %d: %w", rd.name, line, ErrLineTooLong)
		}
		text = rest
	}
	return nil
}

// Parse parses the text of one record as NextText gives it, line its first
// line's number, with the rules of Next: it returns (nil, nil) for a text
// that is skipped (reported through Warn and counted in Skipped, as Next
// does), including text before the first record. It may run on another
// goroutine than NextText, which shares nothing with it, but not on two at
// once.
func (rd *Reader) Parse(text []byte, line int) (*Record, error) {
	p := &rd.p
	p.reset()
	started := false
	for ; len(text) > 0; line++ {
		l, rest, _ := bytes.Cut(text, []byte{'\n'})
		text = rest
		switch {
		case !started && p.garbage == 0 && bytes.HasPrefix(l, []byte("File ")):
			p.start(l, line)
			started = true
		case started:
			p.field(l, line, rd)
		case len(l) > 0 && p.garbage == 0:
			p.garbage = line
		}
	}
	return rd.end(p, started)
}
