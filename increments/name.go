package increments

import (
	"errors"
	"fmt"
	"strings"
)

// Type is the type word of an increment-shaped file name.
type Type uint8

// The five type words rdiff-backup recognises. Snapshot, Diff, Dir and
// Missing are increments proper; Data is used by current_mirror, statistics
// and error_log files in the data directory.
const (
	TypeSnapshot Type = iota + 1 // full copy of the old entry
	TypeDiff                     // reverse delta from the newer version
	TypeDir                      // marker of an old directory
	TypeMissing                  // marker: the entry did not exist
	TypeData                     // not an increment: session data file
)

var typeWords = [...]string{TypeSnapshot: "snapshot", TypeDiff: "diff", TypeDir: "dir",
	TypeMissing: "missing", TypeData: "data"}

// String returns the type word as it appears in file names.
func (t Type) String() string {
	if t >= TypeSnapshot && t <= TypeData {
		return typeWords[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// IsIncrement reports whether t is one of the increment types (snapshot,
// diff, dir, missing). Listings of a directory of increments skip names of
// type data.
func (t Type) IsIncrement() bool { return t >= TypeSnapshot && t <= TypeMissing }

// ParseType returns the Type of a type word; the match is exact
// (lowercase only).
func ParseType(word string) (Type, error) {
	for t := TypeSnapshot; t <= TypeData; t++ {
		if typeWords[t] == word {
			return t, nil
		}
	}
	return 0, fmt.Errorf("increment type %q: %w", word, ErrNotIncrement)
}

// ErrNotIncrement is wrapped by ParseName and ParseType errors: the name is
// not increment-shaped.
var ErrNotIncrement = errors.New("not an increment name")

// Name is a parsed increment-shaped file name, <base>.<time>.<type>[.gz].
type Name struct {
	// Base is the name of the entry the increment belongs to (for the
	// repository root's markers, "increments"; in the data directory,
	// e.g. "mirror_metadata"). It may contain dots and may be empty.
	Base string
	// TimeString is the time part exactly as written.
	TimeString string
	// Time is the instant TimeString denotes (ParseTime).
	Time int64
	// Type is the type word.
	Type Type
	// Compressed is true when the name ends in ".gz"; it says nothing else
	// about the content.
	Compressed bool
}

// ParseName parses the last component of a path as rdiff-backup does: split
// at every '.'; if the last part is "gz" the name is compressed, needs at
// least four parts and the time and type are the third- and second-to-last
// parts; otherwise it needs at least three parts and they are the second-to-
// last and last. The time must be accepted by ParseTime and the type must be
// one of the five words, exactly. The base is the remaining leading parts
// joined with '.'.
//
// The name alone decides: callers must first check the file type, since a
// directory is never an increment even when its name is increment-shaped
// (a source directory may be called "w.2023-01-01T00:00:00Z.dir").
// A name that is not increment-shaped gives an error wrapping
// ErrNotIncrement.
func ParseName(name string) (Name, error) {
	fail := func(why string) (Name, error) {
		return Name{}, fmt.Errorf("file name %q: %s: %w", name, why, ErrNotIncrement)
	}
	parts := strings.Split(name, ".")
	n := Name{}
	if parts[len(parts)-1] == "gz" {
		if len(parts) < 4 {
			return fail("too few dot-separated parts")
		}
		n.Compressed = true
		parts = parts[:len(parts)-1]
	} else if len(parts) < 3 {
		return fail("too few dot-separated parts")
	}
	n.TimeString = parts[len(parts)-2]
	t, ok := parseTime(n.TimeString)
	if !ok {
		return fail("bad time string")
	}
	n.Time = t
	typ, err := ParseType(parts[len(parts)-1])
	if err != nil {
		return fail("unknown type")
	}
	n.Type = typ
	n.Base = strings.Join(parts[:len(parts)-2], ".")
	return n, nil
}

// String returns the file name: Base, TimeString and the type word joined
// with '.', plus ".gz" when Compressed.
func (n Name) String() string {
	s := n.Base + "." + n.TimeString + "." + n.Type.String()
	if n.Compressed {
		s += ".gz"
	}
	return s
}

// Name returns the increment-shaped name for base at session time t, with
// the time string rdiff-backup writes in zone z (compat: '-' for ':').
// Its Time is what readers will take the name for, ParseTime(TimeString),
// which differs from t where Zone says so; when the string cannot be read
// back at all (t outside the years 1901-2099) Time is t.
func (z Zone) Name(base string, t int64, typ Type, compressed, compat bool) Name {
	s := z.Format(t, compat)
	if back, ok := parseTime(s); ok {
		t = back
	}
	return Name{Base: base, TimeString: s, Time: t, Type: typ, Compressed: compressed}
}
