//go:build !linux

package mirror

import (
	"errors"

	"github.com/gordiff/gordiff/metadata"
)

// ErrNotSupported: the repository side only writes to Linux file systems
// so far (Windows and macOS targets are later work).
var ErrNotSupported = errors.New("mirror: writing a repository is not supported on this platform")

var isRoot = false

func setAttrs(path string, rec *metadata.Record) error    { return ErrNotSupported }
func MakeSpecial(path string, rec *metadata.Record) error { return ErrNotSupported }

// SetAttrs and SetAttrsFD are the Linux functions' stand-ins elsewhere.
func SetAttrs(path string, rec *metadata.Record, perm uint32) error { return ErrNotSupported }
func syncDir(path string) error                                     { return ErrNotSupported }
func lockRepo(dataDir string) (unlock func(), err error)            { return nil, ErrNotSupported }
func processAlive(pid int) bool                                     { return false }
func syncFS(path string) error                                      { return ErrNotSupported }
func createFile(path string) (int, error)                           { return -1, ErrNotSupported }
func closeFD(fd int) error                                          { return ErrNotSupported }
func truncateFD(fd int, size int64) error                           { return ErrNotSupported }
func pwriteAll(fd int, p []byte, off int64) error                   { return ErrNotSupported }
func setAttrsFD(fd int, path string, rec *metadata.Record) error    { return ErrNotSupported }
func SetAttrsFD(fd int, path string, rec *metadata.Record, perm uint32) error {
	return ErrNotSupported
}
