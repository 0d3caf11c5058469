package metadata

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const fileHeader = "# file: "

// XAttr is one extended attribute.
type XAttr struct {
	Name  string
	Value []byte
}

// EARecord is the set of extended attributes of one entry, in the order the
// file system listed them.
type EARecord struct {
	Index Index
	Attrs []XAttr
}

// Set adds or replaces the attribute name, keeping the position of an
// existing one.
func (e *EARecord) Set(name string, value []byte) {
	for i := range e.Attrs {
		if e.Attrs[i].Name == name {
			e.Attrs[i].Value = value
			return
		}
	}
	e.Attrs = append(e.Attrs, XAttr{Name: name, Value: value})
}

// AppendEARecord appends the extended_attributes text of e as rdiff-backup
// writes it: the octal-quoted path, then one line per attribute, `name`
// (raw) for an empty value, else `quoted-name=0s<base64>`. A name that
// would break the line format is quoted even without a value.
func AppendEARecord(dst []byte, e *EARecord) []byte {
	dst = append(dst, fileHeader...)
	dst = append(dst, OctalQuote(e.Index.String())...)
	dst = append(dst, '\n')
	for _, a := range e.Attrs {
		if len(a.Value) == 0 {
			dst = append(dst, rawEAName(a.Name)...)
		} else {
			dst = append(dst, OctalQuote(a.Name)...)
			dst = append(dst, "=0s"...)
			dst = base64.StdEncoding.AppendEncode(dst, a.Value)
		}
		dst = append(dst, '\n')
	}
	return dst
}

// rawEAName returns the name of an empty-valued attribute as written:
// raw, as rdiff-backup does, unless the raw form would not read back as one
// attribute name (newline, '=', surrounding blanks, a leading '#'); such
// names are octal-quoted instead.
func rawEAName(name string) string {
	if strings.ContainsAny(name, "\n=") || strings.HasPrefix(name, "#") ||
		strings.Trim(name, " \t\n\v\f\r") != name {
		return OctalQuote(name)
	}
	return name
}

// ACLTag is the kind of a POSIX ACL entry.
type ACLTag uint8

// ACL entry kinds, in the order the ACL library lists them.
const (
	ACLUserObj  ACLTag = iota + 1 // user::   the owner
	ACLUser                       // user:q:  a named user
	ACLGroupObj                   // group::  the owning group
	ACLGroup                      // group:q: a named group
	ACLMask                       // mask::
	ACLOther                      // other::
)

// ACLEntry is one entry of an access or default ACL.
type ACLEntry struct {
	Tag ACLTag
	// ID is the uid or gid of an ACLUser or ACLGroup entry, valid when
	// HasID is set.
	ID    uint32
	HasID bool
	// Name is the user or group name of a named entry, empty when unknown.
	// When both are known the name is written, as rdiff-backup does.
	Name string
	// Perm holds r=4, w=2, x=1.
	Perm uint8
}

// String renders the entry in getfacl style, e.g. "user:1234:r-x".
func (e ACLEntry) String() string {
	var b strings.Builder
	switch e.Tag {
	case ACLUserObj, ACLUser:
		b.WriteString("user:")
	case ACLGroupObj, ACLGroup:
		b.WriteString("group:")
	case ACLMask:
		b.WriteString("mask:")
	case ACLOther:
		b.WriteString("other:")
	default:
		return fmt.Sprintf("invalid-tag-%d", e.Tag)
	}
	if e.Tag == ACLUser || e.Tag == ACLGroup {
		if e.Name != "" {
			b.WriteString(e.Name)
		} else {
			b.WriteString(strconv.FormatUint(uint64(e.ID), 10))
		}
	}
	b.WriteByte(':')
	b.WriteByte("-r"[e.Perm>>2&1])
	b.WriteByte("-w"[e.Perm>>1&1])
	b.WriteByte("-x"[e.Perm&1])
	return b.String()
}

// ParseACLEntry parses one getfacl-style entry (without "default:").
func ParseACLEntry(text string) (ACLEntry, error) {
	parts := strings.Split(text, ":")
	if len(parts) != 3 {
		return ACLEntry{}, fmt.Errorf("ACL entry %q: want 3 colon-separated fields", text)
	}
	var e ACLEntry
	typ, qual, perm := parts[0], parts[1], parts[2]
	if qual != "" {
		switch typ {
		case "user":
			e.Tag = ACLUser
		case "group":
			e.Tag = ACLGroup
		default:
			return ACLEntry{}, fmt.Errorf("ACL entry %q: only user and group take a qualifier", text)
		}
		if id, err := pyInt(qual, 64); err == nil {
			if id < 0 || id > 1<<32-1 {
				return ACLEntry{}, fmt.Errorf("ACL entry %q: id out of range", text)
			}
			e.ID, e.HasID = uint32(id), true
		} else {
			e.Name = qual
		}
	} else {
		switch typ {
		case "user":
			e.Tag = ACLUserObj
		case "group":
			e.Tag = ACLGroupObj
		case "mask":
			e.Tag = ACLMask
		case "other":
			e.Tag = ACLOther
		default:
			return ACLEntry{}, fmt.Errorf("ACL entry %q: unknown type", text)
		}
	}
	if len(perm) != 3 || (perm[0] != 'r' && perm[0] != '-') || (perm[1] != 'w' && perm[1] != '-') || (perm[2] != 'x' && perm[2] != '-') {
		return ACLEntry{}, fmt.Errorf("ACL entry %q: bad permissions", text)
	}
	if perm[0] == 'r' {
		e.Perm |= 4
	}
	if perm[1] == 'w' {
		e.Perm |= 2
	}
	if perm[2] == 'x' {
		e.Perm |= 1
	}
	return e, nil
}

// ACLRecord is the access ACL and, for a directory, the default ACL of one
// entry.
type ACLRecord struct {
	Index   Index
	Access  []ACLEntry
	Default []ACLEntry
}

// IsBasic reports whether the ACL says nothing beyond the permission bits
// (at most the three base entries and no default ACL); rdiff-backup writes
// no record for such entries.
func (a *ACLRecord) IsBasic() bool {
	return len(a.Default) == 0 && len(a.Access) <= 3
}

// AppendACLRecord appends the access_control_lists text of a as
// rdiff-backup writes it.
func AppendACLRecord(dst []byte, a *ACLRecord) []byte {
	dst = append(dst, fileHeader...)
	dst = append(dst, OctalQuote(a.Index.String())...)
	dst = append(dst, '\n')
	if len(a.Access) > 0 { // rdiff-backup prints nothing without access entries
		for i, e := range a.Access {
			if i > 0 {
				dst = append(dst, '\n')
			}
			dst = append(dst, e.String()...)
		}
		for _, e := range a.Default {
			dst = append(dst, "\ndefault:"...)
			dst = append(dst, e.String()...)
		}
	}
	return append(dst, '\n')
}

// sortedWriter is the order-checked buffered writer shared by the EA and
// ACL writers.
type sortedWriter struct {
	w       *bufio.Writer
	buf     []byte
	last    Index
	started bool
	count   int
}

func (s *sortedWriter) write(ix Index, text func([]byte) []byte) error {
	if err := ix.Validate(); err != nil {
		return fmt.Errorf("metadata: writing record: %w", err)
	}
	if s.started && CompareIndex(s.last, ix) >= 0 {
		return fmt.Errorf("metadata: writing %q after %q: %w", ix.String(), s.last.String(), ErrOutOfOrder)
	}
	s.buf = text(s.buf[:0])
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("metadata: writing %q: %w", ix.String(), err)
	}
	s.last = append(s.last[:0], ix...)
	s.started = true
	s.count++
	return nil
}

func (s *sortedWriter) flush() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("metadata: flushing: %w", err)
	}
	return nil
}

// EAWriter streams EA records into an extended_attributes file. Records
// must come in CompareIndex order; records without attributes are skipped,
// as rdiff-backup does.
type EAWriter struct{ s sortedWriter }

// NewEAWriter returns an EAWriter writing to w. Call Flush when done.
func NewEAWriter(w io.Writer) *EAWriter {
	return &EAWriter{s: sortedWriter{w: bufio.NewWriterSize(w, 64<<10)}}
}

// Write appends one record (nothing if it has no attributes).
func (w *EAWriter) Write(e *EARecord) error {
	if len(e.Attrs) == 0 {
		return nil
	}
	return w.s.write(e.Index, func(b []byte) []byte { return AppendEARecord(b, e) })
}

// Count returns the number of records written.
func (w *EAWriter) Count() int { return w.s.count }

// Flush writes buffered data to the underlying writer.
func (w *EAWriter) Flush() error { return w.s.flush() }

// ACLWriter streams ACL records into an access_control_lists file. Records
// must come in CompareIndex order; basic ACLs are skipped, as rdiff-backup
// does.
type ACLWriter struct{ s sortedWriter }

// NewACLWriter returns an ACLWriter writing to w. Call Flush when done.
func NewACLWriter(w io.Writer) *ACLWriter {
	return &ACLWriter{s: sortedWriter{w: bufio.NewWriterSize(w, 64<<10)}}
}

// Write appends one record (nothing if the ACL is basic).
func (w *ACLWriter) Write(a *ACLRecord) error {
	if a.IsBasic() {
		return nil
	}
	return w.s.write(a.Index, func(b []byte) []byte { return AppendACLRecord(b, a) })
}

// Count returns the number of records written.
func (w *ACLWriter) Count() int { return w.s.count }

// Flush writes buffered data to the underlying writer.
func (w *ACLWriter) Flush() error { return w.s.flush() }

// hashReader splits a file into "# file: " records, one record in memory at
// a time.
type hashReader struct {
	lr      *lineReader
	name    string
	pending []byte
	pendLn  int
	done    bool
	lines   [][]byte
	Warn    func(error)
	Skipped int
	closer  io.Closer
}

func (h *hashReader) warn(line int, path string, err error) {
	h.Skipped++
	if h.Warn != nil {
		h.Warn(&ParseError{File: h.name, Line: line, Path: path, Err: err})
	}
}

// next returns the quoted path of the next record, its line number and its
// body lines; ok is false at the end.
func (h *hashReader) next() (path string, line int, body [][]byte, ok bool, err error) {
	for {
		if h.done && h.pending == nil {
			return "", 0, nil, false, nil
		}
		var started bool
		garbage := 0
		if h.pending != nil {
			path, line, started = string(h.pending[len(fileHeader):]), h.pendLn, true
			h.pending = nil
		}
		h.lines = h.lines[:0]
		for !h.done {
			l, rerr := h.lr.next()
			if errors.Is(rerr, io.EOF) {
				h.done = true
				break
			}
			if rerr != nil {
				h.done = true
				return "", 0, nil, false, fmt.Errorf("metadata: reading %s: %w", h.name, rerr)
			}
			if bytes.HasPrefix(l, []byte(fileHeader)) {
				if started || garbage > 0 {
					h.pending = append([]byte(nil), l...)
					h.pendLn = h.lr.line
					break
				}
				path, line, started = string(l[len(fileHeader):]), h.lr.line, true
				continue
			}
			if !started {
				if len(bytes.TrimSpace(l)) > 0 && garbage == 0 {
					garbage = h.lr.line
				}
				continue
			}
			h.lines = append(h.lines, append([]byte(nil), l...))
		}
		if garbage > 0 {
			h.warn(garbage, "", errors.New("text outside any record"))
		}
		if started {
			return path, line, h.lines, true, nil
		}
	}
}

func octalIndex(quoted string) Index {
	if quoted == "." {
		return Index{}
	}
	return Index(strings.Split(OctalUnquote(quoted), "/"))
}

// EAReader reads an extended_attributes file record by record. Unparsable
// records are reported through Warn and skipped.
//
// Unlike rdiff-backup 2.2.2, which keeps attribute names exactly as written,
// names followed by a value are octal-unquoted, so that names containing
// '=' or blanks round-trip.
type EAReader struct {
	h    hashReader
	head *EARecord // At's look-ahead
	dead bool      // At met a read error
}

// NewEAReader returns an EAReader over decompressed content r; name is used
// in messages.
func NewEAReader(r io.Reader, name string) *EAReader {
	return &EAReader{h: hashReader{lr: newLineReader(r, '\n'), name: name}}
}

// SetWarn sets the hook receiving a *ParseError per skipped record.
func (r *EAReader) SetWarn(f func(error)) { r.h.Warn = f }

// Skipped returns the number of records skipped so far.
func (r *EAReader) Skipped() int { return r.h.Skipped }

// Close closes the file opened by OpenEAReader (no-op otherwise).
func (r *EAReader) Close() error { return closeIf(r.h.closer) }

// Next returns the next record or io.EOF.
func (r *EAReader) Next() (*EARecord, error) { return nextParsed(&r.h, parseEA) }

func parseEA(path string, body [][]byte) (*EARecord, error) {
	rec := &EARecord{Index: octalIndex(path)}
	if err := rec.Index.Validate(); err != nil {
		return nil, err
	}
	for _, l := range body {
		l = bytes.Trim(l, " \t\n\v\f\r")
		if len(l) == 0 {
			continue
		}
		if l[0] == '#' {
			return nil, fmt.Errorf("line %q: only the first line of a record may start with '#'", l)
		}
		eq := bytes.IndexByte(l, '=')
		if eq < 0 {
			rec.Set(string(l), nil)
			continue
		}
		if !bytes.HasPrefix(l[eq+1:], []byte("0s")) {
			return nil, fmt.Errorf("attribute %q: only base64 (0s) values are supported", l[:eq])
		}
		val, err := decodeBase64(l[eq+3:])
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", l[:eq], err)
		}
		rec.Set(OctalUnquote(string(l[:eq])), val)
	}
	return rec, nil
}

// decodeBase64 decodes like Python's non-validating b64decode: bytes outside
// the alphabet are dropped first.
func decodeBase64(s []byte) ([]byte, error) {
	clean := make([]byte, 0, len(s))
	for _, c := range s {
		if isAlnum(c) || c == '+' || c == '/' || c == '=' {
			clean = append(clean, c)
		}
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil {
		return nil, fmt.Errorf("bad base64: %w", err)
	}
	return out[:n], nil
}

// ACLReader reads an access_control_lists file record by record.
// Unparsable records are reported through Warn and skipped.
type ACLReader struct {
	h    hashReader
	head *ACLRecord // At's look-ahead
	dead bool       // At met a read error
}

// NewACLReader returns an ACLReader over decompressed content r; name is
// used in messages.
func NewACLReader(r io.Reader, name string) *ACLReader {
	return &ACLReader{h: hashReader{lr: newLineReader(r, '\n'), name: name}}
}

// SetWarn sets the hook receiving a *ParseError per skipped record.
func (r *ACLReader) SetWarn(f func(error)) { r.h.Warn = f }

// Skipped returns the number of records skipped so far.
func (r *ACLReader) Skipped() int { return r.h.Skipped }

// Close closes the file opened by OpenACLReader (no-op otherwise).
func (r *ACLReader) Close() error { return closeIf(r.h.closer) }

// Next returns the next record or io.EOF.
func (r *ACLReader) Next() (*ACLRecord, error) { return nextParsed(&r.h, parseACL) }

func parseACL(path string, body [][]byte) (*ACLRecord, error) {
	rec := &ACLRecord{Index: octalIndex(path)}
	if err := rec.Index.Validate(); err != nil {
		return nil, err
	}
	for _, l := range body {
		if i := bytes.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		s := strings.TrimSpace(string(l))
		if s == "" {
			continue
		}
		def := strings.HasPrefix(s, "default:")
		if def {
			s = s[len("default:"):]
		}
		e, err := ParseACLEntry(s)
		if err != nil {
			return nil, err
		}
		if def {
			rec.Default = append(rec.Default, e)
		} else {
			rec.Access = append(rec.Access, e)
		}
	}
	return rec, nil
}

// nextParsed returns the next record of h that parse accepts, reporting and
// skipping the others, or io.EOF.
func nextParsed[T any](h *hashReader, parse func(string, [][]byte) (*T, error)) (*T, error) {
	for {
		path, line, body, ok, err := h.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
		rec, perr := parse(path, body)
		if perr != nil {
			h.warn(line, path, perr)
			continue
		}
		return rec, nil
	}
}
