package metadata

// This file keeps, for tests only, the straightforward codecs that the fast
// ones replaced, exactly as they were: the tests run both on the same input
// and require the same records and bytes.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// refAppendRecord appends the mirror_metadata text of r to dst, exactly as
// rdiff-backup 2.2 writes it: fields in the order of the format's table,
// each present only for the types that carry it. hardLinks says whether
// hard-link fields are written (rdiff-backup's --no-hard-links turns them
// off); they are written only for regular files with NumHardLinks > 1.
func refAppendRecord(dst []byte, r *Record, hardLinks bool) []byte {
	dst = append(dst, "File "...)
	dst = append(dst, refQuotePath(r.Index.String())...)
	dst = append(dst, "\n  Type "...)
	dst = append(dst, r.Type.String()...)
	dst = append(dst, '\n')
	switch r.Type {
	case TypeNone:
		return dst
	case TypeReg:
		dst = refAppendIntField(dst, "Size", r.Size)
		if r.ResourceFork != "" {
			dst = refAppendField(dst, "ResourceFork", r.ResourceFork)
		}
		if r.CarbonFile != "" {
			dst = refAppendField(dst, "CarbonFile", r.CarbonFile)
		}
		if hardLinks && r.NumHardLinks > 1 {
			dst = refAppendIntField(dst, "NumHardLinks", r.NumHardLinks)
			dst = append(dst, "  Inode "...)
			dst = strconv.AppendUint(dst, r.Inode, 10)
			dst = append(dst, "\n  DeviceLoc "...)
			dst = strconv.AppendUint(dst, r.DeviceLoc, 10)
			dst = append(dst, '\n')
		}
		if r.SHA1 != "" {
			dst = refAppendField(dst, "SHA1Digest", r.SHA1)
		}
	case TypeSym:
		dst = refAppendField(dst, "SymData", refQuotePath(r.SymData))
	case TypeDev:
		dst = append(dst, "  DeviceNum "...)
		dst = append(dst, r.DevKind, ' ')
		dst = strconv.AppendInt(dst, r.DevMajor, 10)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, r.DevMinor, 10)
		dst = append(dst, '\n')
	}
	if r.Type != TypeSym && r.Type != TypeDev {
		dst = refAppendIntField(dst, "ModTime", r.ModTime)
	}
	dst = refAppendIntField(dst, "Uid", r.Uid)
	dst = refAppendField(dst, "Uname", refNameOrColon(r.Uname))
	dst = refAppendIntField(dst, "Gid", r.Gid)
	dst = refAppendField(dst, "Gname", refNameOrColon(r.Gname))
	dst = refAppendIntField(dst, "Permissions", int64(r.Permissions))
	if r.AlternateMirrorName != "" {
		dst = refAppendField(dst, "AlternateMirrorName", r.AlternateMirrorName)
	} else if r.AlternateIncrementName != "" {
		dst = refAppendField(dst, "AlternateIncrementName", r.AlternateIncrementName)
	}
	return dst
}

func refNameOrColon(s string) string {
	if s == "" {
		return ":"
	}
	return s
}

func refAppendField(dst []byte, name, value string) []byte {
	dst = append(dst, "  "...)
	dst = append(dst, name...)
	dst = append(dst, ' ')
	dst = append(dst, value...)
	return append(dst, '\n')
}

func refAppendIntField(dst []byte, name string, v int64) []byte {
	dst = append(dst, "  "...)
	dst = append(dst, name...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, v, 10)
	return append(dst, '\n')
}

// refReader parses a mirror_metadata file record by record, the way
// rdiff-backup does: a record starts at each line beginning with "File ";
// inside it every line of the form `<spaces><Name> <value>` is a field, in
// any order; unknown fields are reported through Warn and ignored; records
// that cannot be parsed are reported through Warn and skipped. The input must
// already be decompressed (see OpenDataFile).
type refReader struct {
	lr      *refLineReader
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
}

func newRefReader(r io.Reader, name string) *refReader {
	return &refReader{lr: newRefLineReader(r, '\n'), name: name}
}

func (rd *refReader) warn(line int, path string, err error) {
	if rd.Warn != nil {
		rd.Warn(&ParseError{File: rd.name, Line: line, Path: path, Err: err})
	}
}

// Next returns the next well-formed record, or io.EOF at the end. Other
// errors are read errors of the underlying stream.
func (rd *refReader) Next() (*Record, error) {
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
func (rd *refReader) nextRecord() (*Record, error) {
	var (
		p       refRecordParser
		started bool
	)
	if rd.pending != nil {
		p.start(rd.pending, rd.pendLn)
		rd.pending = nil
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
				rd.pending = append(rd.pending[:0], line...)
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
	if !started {
		if p.garbage > 0 {
			rd.Skipped++
			rd.warn(p.garbage, "", errors.New("text outside any record"))
		}
		return nil, nil
	}
	return p.finish(rd)
}

// refRecordParser accumulates the fields of one record.
type refRecordParser struct {
	rec     Record
	path    string
	line    int
	err     error
	errLine int
	hasType bool
	garbage int
}

func (p *refRecordParser) start(fileLine []byte, line int) {
	p.path = string(fileLine[len("File "):])
	p.line = line
	p.rec.Index = refIndexFromQuoted(p.path)
}

func refIndexFromQuoted(q string) Index {
	if q == "." {
		return Index{}
	}
	return Index(strings.Split(refUnquotePath(q), "/"))
}

// refSplitField matches a line against rdiff-backup's `^ *([A-Za-z0-9]+) (.+)$`.
func refSplitField(line []byte) (name, value []byte, ok bool) {
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	j := i
	for j < len(line) && refIsAlnum(line[j]) {
		j++
	}
	if j == i || j+1 >= len(line) || line[j] != ' ' {
		return nil, nil, false
	}
	return line[i:j], line[j+1:], true
}

func refIsAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *refRecordParser) fail(line int, err error) {
	if p.err == nil {
		p.err, p.errLine = err, line
	}
}

func (p *refRecordParser) field(line []byte, ln int, rd *refReader) {
	name, value, ok := refSplitField(line)
	if !ok {
		return // rdiff-backup ignores lines that are not fields
	}
	v := string(value)
	r := &p.rec
	var err error
	switch string(name) {
	case "File":
		p.path = v
		r.Index = refIndexFromQuoted(v)
	case "Type":
		if v == ":" {
			v = "None"
		}
		r.Type, err = refParseFileType(v)
		p.hasType = err == nil
	case "Size":
		r.Size, err = refPyInt(v, 64)
	case "NumHardLinks":
		r.NumHardLinks, err = refPyInt(v, 64)
	case "Inode":
		r.Inode, err = refPyUint(v)
	case "DeviceLoc":
		r.DeviceLoc, err = refPyUint(v)
	case "ModTime":
		r.ModTime, err = refPyInt(v, 64)
	case "Uid":
		r.Uid, err = refPyInt(v, 64)
	case "Gid":
		r.Gid, err = refPyInt(v, 64)
	case "Permissions":
		var perms int64
		perms, err = refPyInt(v, 64)
		if err == nil && (perms < 0 || perms > 0o7777) {
			err = fmt.Errorf("permissions %d out of range", perms)
		}
		r.Permissions = uint32(perms)
	case "SHA1Digest":
		r.SHA1 = refNoneToEmpty(v)
	case "Uname":
		r.Uname = refNoneToEmpty(v)
	case "Gname":
		r.Gname = refNoneToEmpty(v)
	case "ResourceFork":
		r.ResourceFork = v
	case "CarbonFile":
		r.CarbonFile = v
	case "SymData":
		r.SymData = refUnquotePath(v)
	case "DeviceNum":
		err = refParseDeviceNum(v, r)
	case "AlternateMirrorName":
		r.AlternateMirrorName = v
	case "AlternateIncrementName":
		r.AlternateIncrementName = v
	default:
		rd.warn(ln, p.path, fmt.Errorf("unknown field %q ignored", name))
	}
	if err != nil {
		p.fail(ln, fmt.Errorf("field %s: %w", name, err))
	}
}

func refNoneToEmpty(v string) string {
	if v == ":" || v == "None" {
		return ""
	}
	return v
}

func refParseDeviceNum(v string, r *Record) error {
	parts := strings.Split(v, " ")
	if len(parts) != 3 || (parts[0] != "c" && parts[0] != "b") {
		return fmt.Errorf("invalid device number %q", v)
	}
	major, err := refPyInt(parts[1], 64)
	if err != nil {
		return err
	}
	minor, err := refPyInt(parts[2], 64)
	if err != nil {
		return err
	}
	r.DevKind, r.DevMajor, r.DevMinor = parts[0][0], major, minor
	return nil
}

func (p *refRecordParser) finish(rd *refReader) (*Record, error) {
	if p.err == nil {
		if err := p.rec.Index.Validate(); err != nil {
			p.fail(p.line, err)
		}
	}
	if p.err == nil && !p.hasType {
		p.fail(p.line, errors.New("no Type field"))
	}
	if p.err != nil {
		rd.Skipped++
		rd.warn(p.errLine, p.path, p.err)
		return nil, nil
	}
	rec := p.rec
	return &rec, nil
}

// refQuotePath escapes a path for the File and SymData fields of
// mirror_metadata and for file_statistics: newline becomes `\n` and backslash
// becomes `\\`; every other byte is kept.
func refQuotePath(s string) string {
	if !strings.ContainsAny(s, "\n\\") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// refUnquotePath reverses refQuotePath: `\n` and `\\` are decoded left to right,
// any other backslash is kept as it is.
func refUnquotePath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// CompareIndex orders indexes the way rdiff-backup sorts every data file:
// component by component as unsigned byte strings, a prefix before any
// longer index. It returns -1, 0 or +1.
func refCompareIndex(a, b Index) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// refPyInt parses an integer the way Python's int() parses bytes: surrounding
// ASCII whitespace allowed, an optional sign, decimal digits with single
// underscores between them.
func refPyInt(s string, bits int) (int64, error) {
	t, err := refPyIntText(s)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(t, 10, bits)
}

func refPyUint(s string) (uint64, error) {
	t, err := refPyIntText(s)
	if err != nil {
		return 0, err
	}
	t = strings.TrimPrefix(t, "+")
	if t == "-0" {
		return 0, nil
	}
	return strconv.ParseUint(t, 10, 64)
}

func refPyIntText(s string) (string, error) {
	t := strings.Trim(s, " \t\n\v\f\r")
	body := t
	if len(body) > 0 && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	if body == "" {
		return "", fmt.Errorf("invalid integer %q", s)
	}
	if !strings.Contains(body, "_") {
		return t, nil
	}
	var b strings.Builder
	b.WriteString(t[:len(t)-len(body)])
	for i := 0; i < len(body); i++ {
		if body[i] == '_' {
			if i == 0 || i == len(body)-1 || body[i-1] == '_' {
				return "", fmt.Errorf("invalid integer %q", s)
			}
			continue
		}
		b.WriteByte(body[i])
	}
	return b.String(), nil
}

// refParseFileType parses the value of a Type field.
func refParseFileType(s string) (FileType, error) {
	for i, n := range typeNames {
		if s == n {
			return FileType(i), nil
		}
	}
	return TypeNone, fmt.Errorf("unknown file type %q", s)
}

// refFileStatLine is the line FileStatsWriter.Write wrote.
func refFileStatLine(f *FileStatsWriter, s *FileStat) []byte {
	if err := s.Index.Validate(); err != nil {
		return nil
	}
	b := append([]byte(nil), refQuotePath(s.Index.String())...)
	if s.Changed {
		b = append(b, " 1"...)
	} else {
		b = append(b, " 0"...)
	}
	b = appendStatSize(b, s.SourceSize)
	b = appendStatSize(b, s.MirrorSize)
	b = appendStatSize(b, s.IncrementSize)
	b = append(b, f.sep)
	return b
}

// readResult is everything a mirror_metadata reader tells its caller.
type readResult struct {
	recs    []*Record
	warns   []string
	skipped int
	err     string
}

func readFast(data []byte, oneByte bool) readResult {
	var in io.Reader = bytes.NewReader(data)
	if oneByte {
		in = iotest.OneByteReader(in)
	}
	var res readResult
	rd := NewReader(in, "x")
	rd.Warn = func(err error) { res.warns = append(res.warns, err.Error()) }
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			res.err = err.Error()
			break
		}
		res.recs = append(res.recs, r)
	}
	res.skipped = rd.Skipped
	return res
}

func readRef(data []byte) readResult {
	var res readResult
	rd := newRefReader(bytes.NewReader(data), "x")
	rd.Warn = func(err error) { res.warns = append(res.warns, err.Error()) }
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			res.err = err.Error()
			break
		}
		res.recs = append(res.recs, r)
	}
	res.skipped = rd.Skipped
	return res
}

// sameAsReference fails unless the Reader and the reference parser give the
// same records (nil and empty indexes told apart), warnings, skip count and
// error for data, and AppendRecord writes each record as the reference
// writer does.
func sameAsReference(t *testing.T, data []byte) {
	t.Helper()
	want := readRef(data)
	for _, oneByte := range []bool{false, len(data) < 1<<20} {
		got := readFast(data, oneByte)
		if got.err != want.err || got.skipped != want.skipped || !reflect.DeepEqual(got.warns, want.warns) {
			t.Fatalf("input %.200q:\nerr %q skipped %d warnings %q\nreference: err %q skipped %d warnings %q",
				data, got.err, got.skipped, got.warns, want.err, want.skipped, want.warns)
		}
		if len(got.recs) != len(want.recs) {
			t.Fatalf("input %.200q: %d records, reference %d", data, len(got.recs), len(want.recs))
		}
		for i := range got.recs {
			if !reflect.DeepEqual(got.recs[i], want.recs[i]) {
				t.Fatalf("input %.200q: record %d:\n%#v\nreference:\n%#v", data, i, got.recs[i], want.recs[i])
			}
		}
	}
	for _, r := range want.recs {
		sameRecordText(t, r)
	}
}

func sameRecordText(t *testing.T, r *Record) {
	t.Helper()
	for _, hl := range []bool{false, true} {
		if got, want := AppendRecord([]byte("prefix"), r, hl), refAppendRecord([]byte("prefix"), r, hl); !bytes.Equal(got, want) {
			t.Fatalf("AppendRecord(%#v, %v):\n%q\nreference:\n%q", r, hl, got, want)
		}
	}
}

// refLineReader yields lines (without their '\n') from a buffered reader.
type refLineReader struct {
	br      *bufio.Reader
	scratch []byte
	line    int // number of the line last returned
	sep     byte
}

func newRefLineReader(r io.Reader, sep byte) *refLineReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &refLineReader{br: br, sep: sep}
}

// next returns the next line; the slice is valid until the next call. At the
// end it returns io.EOF; a last line without separator is returned normally.
func (l *refLineReader) next() ([]byte, error) {
	l.scratch = l.scratch[:0]
	for {
		chunk, err := l.br.ReadSlice(l.sep)
		switch {
		case err == nil:
			l.line++
			if len(l.scratch) == 0 {
				return chunk[:len(chunk)-1], nil
			}
			l.scratch = append(l.scratch, chunk[:len(chunk)-1]...)
			return l.scratch, nil
		case errors.Is(err, bufio.ErrBufferFull):
			l.scratch = append(l.scratch, chunk...)
			if len(l.scratch) > MaxLineLength {
				return nil, fmt.Errorf("line %d: %w", l.line+1, ErrLineTooLong)
			}
		case errors.Is(err, io.EOF):
			l.scratch = append(l.scratch, chunk...)
			if len(l.scratch) == 0 {
				return nil, io.EOF
			}
			l.line++
			return l.scratch, nil
		default:
			return nil, fmt.Errorf("line %d: %w", l.line+1, err)
		}
	}
}
