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

type walkStat struct{}

func statOf(fs.FileInfo, *walkStat) error { return ErrNotSupported }

func recordFromStat(rec *metadata.Record, root, rel string, ix metadata.Index, st *walkStat) (int64, error) {
	return 0, ErrNotSupported
}

func openFile(path string) (*os.File, error) { return os.Open(path) }
