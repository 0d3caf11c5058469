//go:build !unix

package selection

import (
	"errors"
	"io/fs"
)

var errNoDevice = errors.New("device numbers are not supported on this platform")

// deviceOf is not supported here: --exclude-other-filesystems fails in New.
func deviceOf(fs.FileInfo) (uint64, bool) { return 0, false }

// processIDs has nothing to hold on this platform.
type processIDs struct{}

func currentProcessIDs() processIDs { return processIDs{} }

// readable trusts the mode bits (rdiff-backup treats everyone as the owner
// where there is no getuid).
func (processIDs) readable(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o400 != 0 }
