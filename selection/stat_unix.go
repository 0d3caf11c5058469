//go:build unix

package selection

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"syscall"
)

var errNoDevice = errors.New("no device number in file information")

// deviceOf returns the device number of the file system holding fi.
func deviceOf(fi fs.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Dev), true //nolint:unconvert // Dev is uint32 on some systems
}

// processIDs is who we are, for rdiff-backup's permission-bit notion of a
// readable directory.
type processIDs struct {
	uid    int
	groups []int
}

func currentProcessIDs() processIDs {
	ids := processIDs{uid: os.Getuid()}
	ids.groups, _ = os.Getgroups()
	ids.groups = append(ids.groups, os.Getgid(), os.Getegid())
	return ids
}

// readable reports what rdiff-backup's RPath.readable reports: the read
// bit for owner (root counts as owner of everything), else group, else
// others, from the mode bits alone.
func (ids processIDs) readable(fi fs.FileInfo) bool {
	perm := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return perm&0o444 != 0
	}
	switch {
	case ids.uid == 0 || uint64(st.Uid) == uint64(ids.uid):
		return perm&0o400 != 0
	case slices.Contains(ids.groups, int(st.Gid)):
		return perm&0o040 != 0
	}
	return perm&0o004 != 0
}
