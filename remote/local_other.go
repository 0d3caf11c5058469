//go:build !linux

package remote

import (
	"errors"
	"io/fs"
	"os"

	"github.com/gordiff/gordiff/metadata"
)

// ErrNotSupported: the local source only reads Linux file systems so far.
var ErrNotSupported = errors.New("remote: reading a source tree is not supported on this platform")

func recordFromInfo(rec *metadata.Record, root, rel string, ix metadata.Index, fi fs.FileInfo) (int64, error) {
	return 0, ErrNotSupported
}

func openFile(path string) (*os.File, error) { return os.Open(path) }
