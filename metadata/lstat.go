package metadata

import (
	"errors"
	"path/filepath"
	"strings"
)

// ErrNotSupported is returned by the live file-system functions on
// platforms where they are not implemented.
var ErrNotSupported = errors.New("metadata: not supported on this platform")

// ErrUnknownFileType is returned by FromLstat for file types rdiff-backup
// cannot record.
var ErrUnknownFileType = errors.New("unknown file type")

// FullPath joins root and the components of ix, as filepath.Join does.
func FullPath(root string, ix Index) string {
	if len(ix) == 0 {
		return root
	}
	if ix.Validate() != nil {
		parts := make([]string, 0, len(ix)+1)
		parts = append(parts, root)
		parts = append(parts, ix...)
		return filepath.Join(parts...)
	}
	// Plain names cannot change what Clean makes of the joined path:
	// clean the root alone and append them, in one allocation.
	base := filepath.Clean(root)
	n := len(base) + len(ix)
	for _, c := range ix {
		n += len(c)
	}
	var b strings.Builder
	b.Grow(n)
	switch base {
	case ".": // Join drops a leading "./"
	case "/":
		b.WriteByte('/')
	default:
		b.WriteString(base)
		b.WriteByte('/')
	}
	for i, c := range ix {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(c)
	}
	return b.String()
}
