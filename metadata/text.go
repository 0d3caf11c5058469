package metadata

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
func (rd *Reader) NextText(dst []byte) ([]byte, int, error) {
	if rd.err != nil {
		return dst, 0, rd.err
	}
	if rd.done && rd.pending == nil {
		return dst, 0, io.EOF
	}
	start, first := len(dst), 0
	started := false
	if rd.pending != nil {
		dst = append(append(dst, rd.pending...), '\n')
		first, started = rd.pendLn, true
		rd.pending = nil // its storage stays in p.pendBuf
	}
	for !rd.done {
		line, err := rd.lr.next()
		if errors.Is(err, io.EOF) {
			rd.done = true
			break
		}
		if err != nil {
			rd.done = true
			rd.err = fmt.Errorf("metadata: reading %s: %w", rd.name, err)
			return dst[:start], 0, rd.err
		}
		if bytes.HasPrefix(line, []byte("File ")) && (started || len(dst) > start) {
			rd.pending = append(rd.p.pendBuf[:0], line...)
			rd.p.pendBuf = rd.pending
			rd.pendLn = rd.lr.line
			break
		}
		if len(dst) == start {
			first = rd.lr.line
			started = bytes.HasPrefix(line, []byte("File "))
		}
		dst = append(append(dst, line...), '\n')
	}
	if len(dst) == start {
		return dst, 0, io.EOF
	}
	return dst, first, nil
}

// Parse parses the text of one record as NextText gives it, line its first
// line's number, with the rules of Next: it returns (nil, nil) for a text
// that is skipped (reported through Warn and counted in Skipped, as Next
// does), including text before the first record. It may run on another
// goroutine than NextText, but not on two at once.
func (rd *Reader) Parse(text []byte, line int) (*Record, error) {
	p := &rd.tp
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
			p.field(l, line, rd, &rd.tnames)
		case len(l) > 0 && p.garbage == 0:
			p.garbage = line
		}
	}
	if !started {
		if p.garbage > 0 {
			rd.Skipped++
			rd.warn(p.garbage, "", errors.New("text outside any record"))
		}
		return nil, nil
	}
	return p.finish(rd)
}
