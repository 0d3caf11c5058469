//go:build !linux

package rsync

import "io"

// copyFileRange: no in-kernel copy on this platform; the caller copies
// through a buffer.
func copyFileRange(w io.Writer, basis io.ReaderAt, off, n int64) (bool, error) {
	return false, nil
}
