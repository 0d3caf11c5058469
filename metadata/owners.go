package metadata

import (
	"os/user"
	"strconv"
	"sync"
)

var (
	ownerMu    sync.Mutex
	userNames  = map[int64]string{}
	groupNames = map[int64]string{}
)

// LookupUserName returns the name of uid on this machine, or "" when it has
// none. Results are cached for the life of the process, as rdiff-backup
// does.
func LookupUserName(uid int64) string {
	ownerMu.Lock()
	defer ownerMu.Unlock()
	if n, ok := userNames[uid]; ok {
		return n
	}
	n := ""
	if u, err := user.LookupId(strconv.FormatInt(uid, 10)); err == nil {
		n = u.Username
	}
	userNames[uid] = n
	return n
}

// LookupGroupName returns the name of gid on this machine, or "" when it
// has none. Results are cached.
func LookupGroupName(gid int64) string {
	ownerMu.Lock()
	defer ownerMu.Unlock()
	if n, ok := groupNames[gid]; ok {
		return n
	}
	n := ""
	if g, err := user.LookupGroupId(strconv.FormatInt(gid, 10)); err == nil {
		n = g.Name
	}
	groupNames[gid] = n
	return n
}
