package fsfeatures

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// Names used for entries whose names are too long for the repository.
const (
	// LongNameDir is the directory under rdiff-backup-data holding stand-ins.
	LongNameDir = "long_filename_data"
	// NextFreeFile, inside LongNameDir, holds the next stand-in number.
	NextFreeFile = "next_free"
	// IncrementPad is the number of 'a' bytes rdiff-backup appends to a name
	// to check that its increments (name + ".<time>.<type>[.gz]") will fit.
	IncrementPad = 50
)

// LongName says where an entry's data and increments go.
type LongName int

const (
	// NormalName: mirror file and increments under their own (quoted) names.
	NormalName LongName = iota
	// AlternateIncrement: the mirror file keeps its name, the increments go
	// to long_filename_data/N.<time>.<type>; the metadata record carries
	// "AlternateIncrementName N".
	AlternateIncrement
	// AlternateMirror: the mirror data is long_filename_data/N and the
	// increments long_filename_data/N.<time>.<type>; the record carries
	// "AlternateMirrorName N".
	AlternateMirror
)

func (l LongName) String() string {
	switch l {
	case NormalName:
		return "normal"
	case AlternateIncrement:
		return "alternate increment name"
	case AlternateMirror:
		return "alternate mirror name"
	}
	return "LongName(" + strconv.Itoa(int(l)) + ")"
}

// IncrementTrialName is the component whose fit decides whether name's
// increments fit: the quoted form of name followed by IncrementPad 'a' bytes
// (quoted as a whole, as rdiff-backup does, so special escapes apply to the
// padded name).
func (q *Quoter) IncrementTrialName(name []byte) []byte {
	padded := append(bytes.Clone(name), bytes.Repeat([]byte{'a'}, IncrementPad)...)
	return q.Quote(padded)
}

// DecideLongName applies rdiff-backup's rule to a new entry called name (one
// unquoted component), given the longest name the repository's file system
// takes (Features.NameMax): AlternateMirror when the quoted name itself is too
// long, AlternateIncrement when only the quoted name padded by IncrementPad
// is, NormalName otherwise. rdiff-backup finds out by trying the full path
// (ENAMETOOLONG), which also fails when the whole path exceeds the system's
// path limit; NameFits is that test on a live file system. The decision is
// taken once, when an entry is first backed up, and later read from its
// metadata record. The root of the tree (no name) never gets a stand-in.
func (q *Quoter) DecideLongName(name []byte, nameMax int) LongName {
	if len(name) == 0 || nameMax <= 0 {
		return NormalName
	}
	if len(q.Quote(name)) > nameMax {
		return AlternateMirror
	}
	if len(q.IncrementTrialName(name)) > nameMax {
		return AlternateIncrement
	}
	return NormalName
}

// NameFits tests a stored path the way rdiff-backup does: it fits unless
// lstat fails with ENAMETOOLONG. A missing entry fits; other errors are
// returned.
func NameFits(path string) (bool, error) {
	_, err := os.Lstat(path)
	switch {
	case err == nil, errors.Is(err, fs.ErrNotExist):
		return true, nil
	case errors.Is(err, syscall.ENAMETOOLONG):
		return false, nil
	}
	return false, fmt.Errorf("check name length: %w", err)
}

// StandInName is the name of stand-in number n in long_filename_data.
func StandInName(n uint64) string { return strconv.FormatUint(n, 10) }

// FormatNextFree returns next_free contents: n in decimal, no newline.
func FormatNextFree(n uint64) []byte { return strconv.AppendUint(nil, n, 10) }

// ParseNextFree reads next_free contents. It accepts what rdiff-backup's
// int() accepts for it: decimal digits, optionally signed, with single '_'
// between digits and ASCII white space around. A value below 1 means the
// counter must be rebuilt by ScanNextFree (rdiff-backup treats 0 so); it is
// returned as 0 with no error. Anything else wraps ErrBadNextFree.
func ParseNextFree(b []byte) (uint64, error) {
	v, neg, ok := parsePyInt(b)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrBadNextFree, b)
	}
	if neg {
		return 0, nil
	}
	return v, nil
}

// ScanNextFree computes the next stand-in number from the names found in
// long_filename_data when next_free is missing: one more than the largest
// number that starts a name (the part before the first '.'), or 1.
func ScanNextFree(names []string) uint64 {
	var high uint64
	for _, n := range names {
		head := n
		if i := bytes.IndexByte([]byte(n), '.'); i >= 0 {
			head = n[:i]
		}
		v, neg, ok := parsePyInt([]byte(head))
		if ok && !neg && v > high {
			high = v
		}
	}
	if high == ^uint64(0) {
		return high
	}
	return high + 1
}

// StandInNumber returns N when name is a stand-in "N" or one of its
// increments "N.<time>.<type>[.gz]" (a plain decimal number before the first
// '.', as gordiff writes them).
func StandInNumber(name string) (uint64, bool) {
	head := name
	if i := bytes.IndexByte([]byte(name), '.'); i >= 0 {
		head = name[:i]
	}
	if head == "" {
		return 0, false
	}
	for i := 0; i < len(head); i++ {
		if head[i] < '0' || head[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(head, 10, 64)
	return v, err == nil
}

// parsePyInt parses like Python's int() on bytes: surrounding ASCII white
// space, an optional sign, digits with single underscores between them.
// Values beyond uint64 are rejected.
func parsePyInt(b []byte) (v uint64, neg, ok bool) {
	b = bytes.Trim(b, " \t\n\r\f\v")
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || b[0] == '_' || b[len(b)-1] == '_' {
		return 0, false, false
	}
	for i, c := range b {
		if c == '_' {
			if b[i-1] == '_' {
				return 0, false, false
			}
			continue
		}
		if c < '0' || c > '9' {
			return 0, false, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false, false
		}
		v = v*10 + d
	}
	if neg && v == 0 {
		neg = false
	}
	return v, neg, true
}
