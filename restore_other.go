//go:build !linux

package gordiff

import (
	"errors"
	"os"

	"github.com/gordiff/gordiff/metadata"
)

var errRestoreNotSupported = errors.New("restore is not supported on this platform")

func setXattr(path, name string, value []byte) error    { return errRestoreNotSupported }
func setACL(path string, acl *metadata.ACLRecord) error { return errRestoreNotSupported }

func openRead(path string) (*os.File, error)        { return os.Open(path) }
func createFile(path string) (*os.File, error)      { return nil, errRestoreNotSupported }
func copyFileSparse(out, in *os.File) (bool, error) { return false, nil }
