package fsfeatures

import (
	"fmt"
	"strings"
)

// ByteSet is a set of byte values, one bit per value.
type ByteSet [4]uint64

// Has reports whether b is in the set.
func (s *ByteSet) Has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

// Add puts b in the set.
func (s *ByteSet) Add(b byte) { s[b>>6] |= 1 << (b & 63) }

// AddRange puts every value from lo to hi (inclusive) in the set.
func (s *ByteSet) AddRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.Add(byte(c))
	}
}

// Empty reports whether the set holds no value.
func (s *ByteSet) Empty() bool { return s[0]|s[1]|s[2]|s[3] == 0 }

// Bytes lists the members in increasing order.
func (s *ByteSet) Bytes() []byte {
	var out []byte
	for c := 0; c < 256; c++ {
		if s.Has(byte(c)) {
			out = append(out, byte(c))
		}
	}
	return out
}

// String renders the set as ranges of hexadecimal values, e.g. "{0x00-0x1f 0x3a}".
func (s *ByteSet) String() string {
	var parts []string
	for c := 0; c < 256; {
		if !s.Has(byte(c)) {
			c++
			continue
		}
		end := c
		for end+1 < 256 && s.Has(byte(end+1)) {
			end++
		}
		if end == c {
			parts = append(parts, fmt.Sprintf("0x%02x", c))
		} else {
			parts = append(parts, fmt.Sprintf("0x%02x-0x%02x", c, end))
		}
		c = end + 1
	}
	return "{" + strings.Join(parts, " ") + "}"
}
