package metadata

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrOutOfOrder is returned when records are not in CompareIndex order (or
// an index repeats).
var ErrOutOfOrder = errors.New("records out of order")

// AppendRecord appends the mirror_metadata text of r to dst, exactly as
// rdiff-backup 2.2 writes it: fields in the order of the format's table,
// each present only for the types that carry it. hardLinks says whether
// hard-link fields are written (rdiff-backup's --no-hard-links turns them
// off); they are written only for regular files with NumHardLinks > 1.
func AppendRecord(dst []byte, r *Record, hardLinks bool) []byte {
	dst = append(dst, "File "...)
	dst = appendQuotedIndex(dst, r.Index)
	dst = append(dst, "\n  Type "...)
	dst = append(dst, r.Type.String()...)
	dst = append(dst, '\n')
	switch r.Type {
	case TypeNone:
		return dst
	case TypeReg:
		dst = appendIntField(dst, "  Size ", r.Size)
		if r.ResourceFork != "" {
			dst = appendField(dst, "  ResourceFork ", r.ResourceFork)
		}
		if r.CarbonFile != "" {
			dst = appendField(dst, "  CarbonFile ", r.CarbonFile)
		}
		if hardLinks && r.NumHardLinks > 1 {
			dst = appendIntField(dst, "  NumHardLinks ", r.NumHardLinks)
			dst = append(dst, "  Inode "...)
			dst = strconv.AppendUint(dst, r.Inode, 10)
			dst = append(dst, "\n  DeviceLoc "...)
			dst = strconv.AppendUint(dst, r.DeviceLoc, 10)
			dst = append(dst, '\n')
		}
		if r.SHA1 != "" {
			dst = appendField(dst, "  SHA1Digest ", r.SHA1)
		}
	case TypeSym:
		dst = append(dst, "  SymData "...)
		dst = appendQuoted(dst, r.SymData)
		dst = append(dst, '\n')
	case TypeDev:
		dst = append(dst, "  DeviceNum "...)
		dst = append(dst, r.DevKind, ' ')
		dst = strconv.AppendInt(dst, r.DevMajor, 10)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, r.DevMinor, 10)
		dst = append(dst, '\n')
	}
	if r.Type != TypeSym && r.Type != TypeDev {
		dst = appendIntField(dst, "  ModTime ", r.ModTime)
	}
	dst = appendIntField(dst, "  Uid ", r.Uid)
	dst = appendField(dst, "  Uname ", nameOrColon(r.Uname))
	dst = appendIntField(dst, "  Gid ", r.Gid)
	dst = appendField(dst, "  Gname ", nameOrColon(r.Gname))
	dst = appendIntField(dst, "  Permissions ", int64(r.Permissions))
	if r.AlternateMirrorName != "" {
		dst = appendField(dst, "  AlternateMirrorName ", r.AlternateMirrorName)
	} else if r.AlternateIncrementName != "" {
		dst = appendField(dst, "  AlternateIncrementName ", r.AlternateIncrementName)
	}
	return dst
}

func nameOrColon(s string) string {
	if s == "" {
		return ":"
	}
	return s
}

// appendField appends a field line; prefix is its indented name and a
// space, "  Name ".
func appendField(dst []byte, prefix, value string) []byte {
	dst = append(dst, prefix...)
	dst = append(dst, value...)
	return append(dst, '\n')
}

// appendIntField appends a field line with a decimal value.
func appendIntField(dst []byte, prefix string, v int64) []byte {
	dst = append(dst, prefix...)
	dst = strconv.AppendInt(dst, v, 10)
	return append(dst, '\n')
}

// Writer streams records into a mirror_metadata snapshot or diff. Records
// must arrive in CompareIndex order, each index once; Write refuses others.
// Compression is the caller's business (see CreateDataFile).
type Writer struct {
	w       *bufio.Writer
	df      *DataFile // when writing to one: record by record (see DataFile.Blocks)
	buf     []byte
	last    Index
	started bool
	count   int
	// NoHardLinks omits NumHardLinks, Inode and DeviceLoc, as rdiff-backup
	// does with --no-hard-links.
	NoHardLinks bool
}

// NewWriter returns a Writer writing to w. Call Flush when done.
func NewWriter(w io.Writer) *Writer {
	if d, ok := w.(*DataFile); ok && d.Blocks {
		return &Writer{df: d}
	}
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// Write appends one record.
func (w *Writer) Write(r *Record) error {
	if w.started && CompareIndex(w.last, r.Index) >= 0 {
		return fmt.Errorf("metadata: writing %q after %q: %w", r.Index.String(), w.last.String(), ErrOutOfOrder)
	}
	if err := r.Index.Validate(); err != nil {
		return fmt.Errorf("metadata: writing record: %w", err)
	}
	if r.Type > TypeSock {
		return fmt.Errorf("metadata: writing %q: invalid type %d", r.Index.String(), r.Type)
	}
	if r.Type == TypeDev && r.DevKind != 'c' && r.DevKind != 'b' {
		return fmt.Errorf("metadata: writing %q: invalid device kind %q", r.Index.String(), r.DevKind)
	}
	w.buf = AppendRecord(w.buf[:0], r, !w.NoHardLinks)
	var err error
	if w.df != nil {
		err = w.df.writeRecord(w.buf)
	} else {
		_, err = w.w.Write(w.buf)
	}
	if err != nil {
		return fmt.Errorf("metadata: writing %q: %w", r.Index.String(), err)
	}
	w.last = append(w.last[:0], r.Index...)
	w.started = true
	w.count++
	return nil
}

// Count returns the number of records written so far.
func (w *Writer) Count() int { return w.count }

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.df != nil {
		return nil // the DataFile's Close completes it
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("metadata: flushing: %w", err)
	}
	return nil
}

// RecordSource is a sorted stream of records; Next returns io.EOF at the end.
// *Reader implements it.
type RecordSource interface {
	Next() (*Record, error)
}

// Reader parses a mirror_metadata file record by record, the way
// rdiff-backup does: a record starts at each line beginning with "File ";
// inside it every line of the form `<spaces><Name> <value>` is a field, in
// any order; unknown fields are reported through Warn and ignored; records
// that cannot be parsed are reported through Warn and skipped. The input must
// already be decompressed (see OpenDataFile).
type Reader struct {
	lr      *lineReader
	name    string
	pending []byte // the File line of the next record, already read
	pendLn  int
	done    bool
	err     error // sticky read error
	// Warn, if set, receives a *ParseError for each skipped record and each
	// unknown field.
	Warn func(error)
	// Skipped counts the records skipped as unparsable.
	Skipped int
	closer  io.Closer
	p       recordParser // reused from record to record, by Next or Parse
	names   interner     // user and group names seen, shared by the records
	text    textState    // NextText's
}

// interner hands out one string per owner name, shared by the records.
type interner struct {
	m    map[string]string
	last [2]string // the last Uname and Gname, checked before m
}

// maxInterned bounds the distinct owner names a Reader shares between
// records; names past it get their own string.
const maxInterned = 256

// Close closes the file opened by OpenReader; it does nothing for a Reader
// made by NewReader.
func (rd *Reader) Close() error { return closeIf(rd.closer) }

// NewReader returns a Reader over r. name identifies the file in messages.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{lr: newLineReader(r, '\n'), name: name}
}

func (rd *Reader) warn(line int, path string, err error) {
	if rd.Warn != nil {
		rd.Warn(&ParseError{File: rd.name, Line: line, Path: path, Err: err})
	}
}

// intern returns v as a string, the same string for every record that has
// the same owner name. slot 0 and 1 remember the last user and group name,
// which most records repeat.
func (in *interner) intern(slot int, v []byte) string {
	if string(v) == in.last[slot] {
		return in.last[slot]
	}
	s := in.internMap(v)
	in.last[slot] = s
	return s
}

func (in *interner) internMap(v []byte) string {
	if s, ok := in.m[string(v)]; ok {
		return s
	}
	s := string(v)
	if in.m == nil {
		in.m = make(map[string]string)
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
	}
	return s
}

// Next returns the next well-formed record, or io.EOF at the end. Other
// errors are read errors of the underlying stream.
func (rd *Reader) Next() (*Record, error) {
	for {
		if rd.err != nil {
			return nil, rd.err
		}
		if rd.done {
			return nil, io.EOF
		}
		rec, err := rd.nextRecord()
		if err != nil {
			rd.err = err
		}
		if err != nil || rec != nil {
			return rec, err
		}
	}
}

// nextRecord parses the next record; it returns (nil, nil) for a skipped
// record.
func (rd *Reader) nextRecord() (*Record, error) {
	p := &rd.p
	p.reset()
	started := false
	if rd.pending != nil {
		p.start(rd.pending, rd.pendLn)
		rd.pending = nil // its storage stays in p.pendBuf
		started = true
	}
	for {
		line, err := rd.lr.next()
		if errors.Is(err, io.EOF) {
			rd.done = true
			break
		}
		if err != nil {
			rd.done = true
			return nil, fmt.Errorf("metadata: reading %s: %w", rd.name, err)
		}
		if bytes.HasPrefix(line, []byte("File ")) {
			if started || p.garbage > 0 {
				rd.pending = append(p.pendBuf[:0], line...)
				p.pendBuf = rd.pending
				rd.pendLn = rd.lr.line
				break
			}
			p.start(line, rd.lr.line)
			started = true
			continue
		}
		if !started {
			if len(line) > 0 && p.garbage == 0 {
				p.garbage = rd.lr.line
			}
			continue
		}
		p.field(line, rd.lr.line, rd)
	}
	return rd.end(p, started)
}

// end completes what a parser gathered: the record, or (nil, nil) when
// there was none, only text outside any record (reported).
func (rd *Reader) end(p *recordParser, started bool) (*Record, error) {
	if !started {
		if p.garbage > 0 {
			rd.Skipped++
			rd.warn(p.garbage, "", errors.New("text outside any record"))
		}
		return nil, nil
	}
	return p.finish(rd)
}

// span locates a string field's value in recordParser.text.
type span struct{ off, end int }

// recordParser accumulates the fields of one record. The values of its
// string fields and the unquoted path are gathered in text and become one
// string when the record is done, shared by the index components and the
// fields; numbers are parsed from the line's bytes.
type recordParser struct {
	rec                                             Record
	raw                                             []byte // the File value as written, for messages
	text                                            []byte
	ixStart                                         int   // where the unquoted path starts in text
	ixEnds                                          []int // where each of its components ends
	root                                            bool  // the path is "."
	sha1, symData, fork, carbon, altMirror, altIncr span
	line                                            int
	err                                             error
	errLine                                         int
	hasType                                         bool
	garbage                                         int
	pendBuf                                         []byte // storage of Reader.pending
}

func (p *recordParser) reset() {
	p.rec = Record{}
	p.raw = p.raw[:0]
	p.text = p.text[:0]
	p.ixEnds = p.ixEnds[:0]
	p.root = false
	p.sha1, p.symData, p.fork, p.carbon, p.altMirror, p.altIncr = span{}, span{}, span{}, span{}, span{}, span{}
	p.line, p.err, p.errLine, p.hasType, p.garbage = 0, nil, 0, false, 0
}

func (p *recordParser) start(fileLine []byte, line int) {
	p.setPath(fileLine[len("File "):])
	p.line = line
}

// setPath records the quoted path q, split at '/' and each component
// unquoted (see UnquotePath): the same as unquoting then splitting, since
// no escape contains or makes a '/'.
func (p *recordParser) setPath(q []byte) {
	p.raw = append(p.raw[:0], q...)
	p.ixEnds = p.ixEnds[:0]
	p.root = string(q) == "."
	if p.root {
		return
	}
	p.ixStart = len(p.text)
	for {
		comp, rest, more := bytes.Cut(q, []byte{'/'})
		if bytes.IndexByte(comp, '\\') < 0 {
			p.text = append(p.text, comp...)
		} else {
			p.text = appendUnquoted(p.text, comp)
		}
		p.ixEnds = append(p.ixEnds, len(p.text))
		if !more {
			return
		}
		q = rest
	}
}

// keep stores a string field's value in text.
func (p *recordParser) keep(v []byte) span {
	off := len(p.text)
	p.text = append(p.text, v...)
	return span{off, len(p.text)}
}

// splitField matches a line against rdiff-backup's `^ *([A-Za-z0-9]+) (.+)$`.
func splitField(line []byte) (name, value []byte, ok bool) {
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	j := i
	for j < len(line) && isAlnum(line[j]) {
		j++
	}
	if j == i || j+1 >= len(line) || line[j] != ' ' {
		return nil, nil, false
	}
	return line[i:j], line[j+1:], true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *recordParser) fail(line int, err error) {
	if p.err == nil {
		p.err, p.errLine = err, line
	}
}

// decInt parses the common shape of a number field, an optional sign and up
// to 18 digits, without allocating; any other text goes through pyInt, which
// gives the same value for this shape.
func decInt(v []byte) (int64, error) {
	neg := false
	d := v
	if len(d) > 0 && (d[0] == '-' || d[0] == '+') {
		neg, d = d[0] == '-', d[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		return pyInt(string(v), 64)
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return pyInt(string(v), 64)
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// decUint is decInt for unsigned fields: up to 19 digits, optionally after
// a '+'; other text goes through pyUint.
func decUint(v []byte) (uint64, error) {
	d := v
	if len(d) > 0 && d[0] == '+' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 19 {
		return pyUint(string(v))
	}
	var n uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return pyUint(string(v))
		}
		n = n*10 + uint64(c-'0')
	}
	return n, nil
}

func isNone(v []byte) bool { return string(v) == ":" || string(v) == "None" }

func (p *recordParser) field(line []byte, ln int, rd *Reader) {
	name, v, ok := splitField(line)
	if !ok {
		return // rdiff-backup ignores lines that are not fields
	}
	r := &p.rec
	var err error
	switch string(name) {
	case "File":
		p.setPath(v)
	case "Type":
		if string(v) == ":" {
			r.Type, p.hasType = TypeNone, true
			break
		}
		r.Type, err = parseFileTypeBytes(v)
		p.hasType = err == nil
	case "Size":
		r.Size, err = decInt(v)
	case "NumHardLinks":
		r.NumHardLinks, err = decInt(v)
	case "Inode":
		r.Inode, err = decUint(v)
	case "DeviceLoc":
		r.DeviceLoc, err = decUint(v)
	case "ModTime":
		r.ModTime, err = decInt(v)
	case "Uid":
		r.Uid, err = decInt(v)
	case "Gid":
		r.Gid, err = decInt(v)
	case "Permissions":
		var perms int64
		perms, err = decInt(v)
		if err == nil && (perms < 0 || perms > 0o7777) {
			err = fmt.Errorf("permissions %d out of range", perms)
		}
		r.Permissions = uint32(perms)
	case "SHA1Digest":
		p.sha1 = span{}
		if !isNone(v) {
			p.sha1 = p.keep(v)
		}
	case "Uname":
		r.Uname = ""
		if !isNone(v) {
			r.Uname = rd.names.intern(0, v)
		}
	case "Gname":
		r.Gname = ""
		if !isNone(v) {
			r.Gname = rd.names.intern(1, v)
		}
	case "ResourceFork":
		p.fork = p.keep(v)
	case "CarbonFile":
		p.carbon = p.keep(v)
	case "SymData":
		off := len(p.text)
		p.text = appendUnquoted(p.text, v)
		p.symData = span{off, len(p.text)}
	case "DeviceNum":
		err = parseDeviceNum(string(v), r)
	case "AlternateMirrorName":
		p.altMirror = p.keep(v)
	case "AlternateIncrementName":
		p.altIncr = p.keep(v)
	default:
		rd.warn(ln, string(p.raw), fmt.Errorf("unknown field %q ignored", name))
	}
	if err != nil {
		p.fail(ln, fmt.Errorf("field %s: %w", name, err))
	}
}

// parseFileTypeBytes is ParseFileType without converting v.
func parseFileTypeBytes(v []byte) (FileType, error) {
	for i, n := range typeNames {
		if string(v) == n {
			return FileType(i), nil
		}
	}
	return ParseFileType(string(v))
}

func parseDeviceNum(v string, r *Record) error {
	parts := strings.Split(v, " ")
	if len(parts) != 3 || (parts[0] != "c" && parts[0] != "b") {
		return fmt.Errorf("invalid device number %q", v)
	}
	major, err := pyInt(parts[1], 64)
	if err != nil {
		return err
	}
	minor, err := pyInt(parts[2], 64)
	if err != nil {
		return err
	}
	r.DevKind, r.DevMajor, r.DevMinor = parts[0][0], major, minor
	return nil
}

func (p *recordParser) finish(rd *Reader) (*Record, error) {
	text := string(p.text)
	ix := Index{}
	if !p.root {
		ix = make(Index, len(p.ixEnds))
		from := p.ixStart
		for i, end := range p.ixEnds {
			ix[i] = text[from:end]
			from = end
		}
	}
	if p.err == nil {
		if err := ix.Validate(); err != nil {
			p.fail(p.line, err)
		}
	}
	if p.err == nil && !p.hasType {
		p.fail(p.line, errors.New("no Type field"))
	}
	if p.err != nil {
		rd.Skipped++
		rd.warn(p.errLine, string(p.raw), p.err)
		return nil, nil
	}
	rec := new(Record)
	rec.Size = p.rec.Size // a plain store first: see SetStat
	*rec = p.rec
	rec.Index = ix
	str := func(s span) string { return text[s.off:s.end] }
	rec.SHA1, rec.SymData = str(p.sha1), str(p.symData)
	rec.ResourceFork, rec.CarbonFile = str(p.fork), str(p.carbon)
	rec.AlternateMirrorName, rec.AlternateIncrementName = str(p.altMirror), str(p.altIncr)
	return rec, nil
}
