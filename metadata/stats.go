package metadata

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// SessionStats is the content of a session_statistics file.
type SessionStats struct {
	// StartTime is the session time; EndTime the wall clock at the end;
	// both in seconds since the epoch.
	StartTime, EndTime float64
	// ElapsedTime is written as given when non-zero, else as
	// EndTime-StartTime (rdiff-backup's rule).
	ElapsedTime float64

	SourceFiles, SourceFileSize       int64
	MirrorFiles, MirrorFileSize       int64
	NewFiles, NewFileSize             int64
	DeletedFiles, DeletedFileSize     int64
	ChangedFiles                      int64
	ChangedSourceSize                 int64
	ChangedMirrorSize                 int64
	IncrementFiles, IncrementFileSize int64
	Errors                            int64
}

// TotalDestinationSizeChange is NewFileSize + ChangedSourceSize +
// IncrementFileSize - DeletedFileSize - ChangedMirrorSize.
func (s *SessionStats) TotalDestinationSizeChange() int64 {
	return s.NewFileSize + s.ChangedSourceSize + s.IncrementFileSize - s.DeletedFileSize - s.ChangedMirrorSize
}

// Format renders the statistics exactly as rdiff-backup writes
// session_statistics; times are shown in loc (time.Local when nil).
func (s *SessionStats) Format(loc *time.Location) []byte {
	if loc == nil {
		loc = time.Local
	}
	var b bytes.Buffer
	elapsed := s.ElapsedTime
	if elapsed == 0 {
		elapsed = s.EndTime - s.StartTime
	}
	fmt.Fprintf(&b, "StartTime %.2f (%s)\n", s.StartTime, asctime(s.StartTime, loc))
	fmt.Fprintf(&b, "EndTime %.2f (%s)\n", s.EndTime, asctime(s.EndTime, loc))
	fmt.Fprintf(&b, "ElapsedTime %.2f (%s)\n", elapsed, DurationWords(elapsed))
	line := func(name string, v int64, bytes bool) {
		if bytes {
			fmt.Fprintf(&b, "%s %d (%s)\n", name, v, ByteSummary(v))
		} else {
			fmt.Fprintf(&b, "%s %d\n", name, v)
		}
	}
	line("SourceFiles", s.SourceFiles, false)
	line("SourceFileSize", s.SourceFileSize, true)
	line("MirrorFiles", s.MirrorFiles, false)
	line("MirrorFileSize", s.MirrorFileSize, true)
	line("NewFiles", s.NewFiles, false)
	line("NewFileSize", s.NewFileSize, true)
	line("DeletedFiles", s.DeletedFiles, false)
	line("DeletedFileSize", s.DeletedFileSize, true)
	line("ChangedFiles", s.ChangedFiles, false)
	line("ChangedSourceSize", s.ChangedSourceSize, true)
	line("ChangedMirrorSize", s.ChangedMirrorSize, true)
	line("IncrementFiles", s.IncrementFiles, false)
	line("IncrementFileSize", s.IncrementFileSize, true)
	line("TotalDestinationSizeChange", s.TotalDestinationSizeChange(), true)
	line("Errors", s.Errors, false)
	return b.Bytes()
}

// asctime renders t like C's asctime(localtime(t)): "Tue Nov 14 22:13:20 2023".
func asctime(t float64, loc *time.Location) string {
	sec := math.Floor(t)
	if math.IsNaN(sec) || math.IsInf(sec, 0) || math.Abs(sec) > 1<<60 {
		return "?"
	}
	return time.Unix(int64(sec), 0).In(loc).Format("Mon Jan _2 15:04:05 2006")
}

// pyDivmod is Python's divmod for floats (floor division).
func pyDivmod(a, b float64) (float64, float64) {
	mod := math.Mod(a, b)
	div := (a - mod) / b
	if mod != 0 && (b < 0) != (mod < 0) {
		mod += b
		div--
	}
	if div != 0 {
		f := math.Floor(div)
		if div-f > 0.5 {
			f++
		}
		div = f
	}
	return div, mod
}

// DurationWords renders seconds the way rdiff-backup does in ElapsedTime:
// "26561 hours 47 minutes 47.21 seconds", "1 minute", "0.49 seconds".
func DurationWords(seconds float64) string {
	var parts []string
	hours, rest := pyDivmod(seconds, 3600)
	switch {
	case hours > 1:
		parts = append(parts, fmt.Sprintf("%d hours", int64(hours)))
	case hours == 1:
		parts = append(parts, "1 hour")
	}
	minutes, rest := pyDivmod(rest, 60)
	switch {
	case minutes > 1:
		parts = append(parts, fmt.Sprintf("%d minutes", int64(minutes)))
	case minutes == 1:
		parts = append(parts, "1 minute")
	}
	switch {
	case rest == 1:
		parts = append(parts, "1 second")
	case len(parts) == 0 || rest > 1:
		parts = append(parts, fmt.Sprintf("%.2f seconds", rest))
	}
	return strings.Join(parts, " ")
}

// ByteSummary renders a byte count like rdiff-backup: "457 bytes",
// "1 byte", "58.6 KB", "1.00 MB" (powers of 1024, three significant
// figures), with a leading '-' for negative values.
func ByteSummary(n int64) string {
	sign := ""
	v := float64(n)
	if n < 0 {
		sign, v = "-", -v
	}
	units := []struct {
		size float64
		name string
	}{{1 << 40, "TB"}, {1 << 30, "GB"}, {1 << 20, "MB"}, {1 << 10, "KB"}}
	for _, u := range units {
		if v >= u.size {
			c := v / u.size
			prec := 2
			if c >= 100 {
				prec = 0
			} else if c >= 10 {
				prec = 1
			}
			return sign + strconv.FormatFloat(c, 'f', prec, 64) + " " + u.name
		}
	}
	if v == 1 {
		return sign + "1 byte"
	}
	return sign + strconv.FormatFloat(v, 'f', 0, 64) + " bytes"
}

// ParseSessionStats reads a session_statistics file the way rdiff-backup's
// statistics reader does: each non-empty line starts with a known name and
// a number; the rest of the line is decoration.
func ParseSessionStats(r io.Reader, name string) (*SessionStats, error) {
	s := &SessionStats{}
	lr := newLineReader(r, '\n')
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return nil, fmt.Errorf("metadata: reading %s: %w", name, err)
		}
		if len(line) == 0 {
			continue
		}
		fields := strings.Fields(string(line))
		bad := func(e error) error {
			return &ParseError{File: name, Line: lr.line, Err: e}
		}
		if len(fields) < 2 {
			return nil, bad(fmt.Errorf("bad line %q", line))
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return nil, bad(fmt.Errorf("bad value in line %q", line))
		}
		iv := int64(v)
		if i, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
			iv = i
		}
		switch fields[0] {
		case "StartTime":
			s.StartTime = v
		case "EndTime":
			s.EndTime = v
		case "ElapsedTime":
			s.ElapsedTime = v
		case "SourceFiles":
			s.SourceFiles = iv
		case "SourceFileSize":
			s.SourceFileSize = iv
		case "MirrorFiles":
			s.MirrorFiles = iv
		case "MirrorFileSize":
			s.MirrorFileSize = iv
		case "NewFiles":
			s.NewFiles = iv
		case "NewFileSize":
			s.NewFileSize = iv
		case "DeletedFiles":
			s.DeletedFiles = iv
		case "DeletedFileSize":
			s.DeletedFileSize = iv
		case "ChangedFiles":
			s.ChangedFiles = iv
		case "ChangedSourceSize":
			s.ChangedSourceSize = iv
		case "ChangedMirrorSize":
			s.ChangedMirrorSize = iv
		case "IncrementFiles":
			s.IncrementFiles = iv
		case "IncrementFileSize":
			s.IncrementFileSize = iv
		case "Errors":
			s.Errors = iv
		case "TotalDestinationSizeChange", "Filename":
			// derived / not stored
		default:
			return nil, bad(fmt.Errorf("unknown statistic %q", fields[0]))
		}
	}
}

// NA marks a missing side in a FileStat size.
const NA int64 = -1

// FileStat is one line of a file_statistics file.
type FileStat struct {
	Index   Index
	Changed bool
	// Sizes: the byte size of a regular file, 0 for other types, NA when
	// that side has no entry (or no increment was recorded).
	SourceSize, MirrorSize, IncrementSize int64
}

// FileStatsHeader is the two comment lines starting a file_statistics file
// (with '\n' separators).
const FileStatsHeader = "# Format of each line in file statistics file:\n# Filename Changed SourceSize MirrorSize IncrementSize\n"

// FileStatsWriter streams a file_statistics file.
type FileStatsWriter struct {
	w      *bufio.Writer
	sep    byte
	buf    []byte
	header bool
}

// NewFileStatsWriter returns a writer; nullSep selects NUL line separators
// (rdiff-backup's --null-separator). The header is written with the first
// line or at Flush.
func NewFileStatsWriter(w io.Writer, nullSep bool) *FileStatsWriter {
	sep := byte('\n')
	if nullSep {
		sep = 0
	}
	return &FileStatsWriter{w: bufio.NewWriterSize(w, 64<<10), sep: sep}
}

func (f *FileStatsWriter) writeHeader() {
	if f.header {
		return
	}
	f.header = true
	h := []byte(FileStatsHeader)
	if f.sep != '\n' {
		h = bytes.ReplaceAll(h, []byte{'\n'}, []byte{f.sep})
	}
	_, _ = f.w.Write(h) // errors surface at Flush
}

func appendStatSize(dst []byte, v int64) []byte {
	dst = append(dst, ' ')
	if v < 0 {
		return append(dst, "NA"...)
	}
	return strconv.AppendInt(dst, v, 10)
}

// Write appends one line.
func (f *FileStatsWriter) Write(s *FileStat) error {
	if err := s.Index.Validate(); err != nil {
		return fmt.Errorf("metadata: writing file statistics: %w", err)
	}
	f.writeHeader()
	b := appendQuotedIndex(f.buf[:0], s.Index)
	if s.Changed {
		b = append(b, " 1"...)
	} else {
		b = append(b, " 0"...)
	}
	b = appendStatSize(b, s.SourceSize)
	b = appendStatSize(b, s.MirrorSize)
	b = appendStatSize(b, s.IncrementSize)
	b = append(b, f.sep)
	f.buf = b
	if _, err := f.w.Write(b); err != nil {
		return fmt.Errorf("metadata: writing file statistics for %q: %w", s.Index.String(), err)
	}
	return nil
}

// Flush writes the header if no line was written, then buffered data.
func (f *FileStatsWriter) Flush() error {
	f.writeHeader()
	if err := f.w.Flush(); err != nil {
		return fmt.Errorf("metadata: flushing file statistics: %w", err)
	}
	return nil
}

// FileStatsReader reads a file_statistics file line by line. Lines starting
// with '#' and empty lines are skipped.
type FileStatsReader struct {
	lr   *lineReader
	name string
}

// NewFileStatsReader returns a reader over decompressed content r; nullSep
// selects NUL separators.
func NewFileStatsReader(r io.Reader, name string, nullSep bool) *FileStatsReader {
	sep := byte('\n')
	if nullSep {
		sep = 0
	}
	return &FileStatsReader{lr: newLineReader(r, sep), name: name}
}

// Next returns the next line or io.EOF; a malformed line is a *ParseError.
func (f *FileStatsReader) Next() (*FileStat, error) {
	for {
		line, err := f.lr.next()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("metadata: reading %s: %w", f.name, err)
		}
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		st, perr := parseFileStat(string(line))
		if perr != nil {
			return nil, &ParseError{File: f.name, Line: f.lr.line, Err: perr}
		}
		return st, nil
	}
}

func parseFileStat(line string) (*FileStat, error) {
	// The path may contain spaces: split the last four fields from the right.
	var f [4]string
	rest := line
	for i := 3; i >= 0; i-- {
		sp := strings.LastIndexByte(rest, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("bad line %q", line)
		}
		f[i], rest = rest[sp+1:], rest[:sp]
	}
	if rest == "" {
		return nil, fmt.Errorf("bad line %q: no path", line)
	}
	st := &FileStat{Index: Index{}}
	if rest != "." {
		st.Index = Index(strings.Split(UnquotePath(rest), "/"))
	}
	if err := st.Index.Validate(); err != nil {
		return nil, err
	}
	switch f[0] {
	case "1":
		st.Changed = true
	case "0":
	default:
		return nil, fmt.Errorf("bad changed flag in %q", line)
	}
	for i, p := range []*int64{&st.SourceSize, &st.MirrorSize, &st.IncrementSize} {
		if f[i+1] == "NA" {
			*p = NA
			continue
		}
		v, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("bad size %q in %q", f[i+1], line)
		}
		*p = v
	}
	return st, nil
}
