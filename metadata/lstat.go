package metadata

import (
	"errors"
	"path/filepath"
)

// ErrNotSupported is returned by the live file-system functions on
// platforms where they are not implemented.
var ErrNotSupported = errors.New("metadata: not supported on this platform")

// ErrUnknownFileType is returned by FromLstat for file types rdiff-backup
// cannot record.
var ErrUnknownFileType = errors.New("unknown file type")

// FullPath joins root and the components of ix.
func FullPath(root string, ix Index) string {
	if len(ix) == 0 {
		return root
	}
	parts := make([]string, 0, len(ix)+1)
	parts = append(parts, root)
	parts = append(parts, ix...)
	return filepath.Join(parts...)
}
