package remote

import (
	"syscall"

	"github.com/gordiff/gordiff/metadata"
)

// recordFromStat converts the walk's lstat result without a second lstat.
func recordFromStat(path string, ix metadata.Index, st *syscall.Stat_t) (*metadata.Record, error) {
	return metadata.FromStat(path, ix, st)
}
