package metadata

import (
	"os/user"
	"strconv"
	"sync"
	"sync/atomic"
)

// nameCache remembers the names of user or group ids for the life of the
// process, as rdiff-backup does. Hits read an immutable map through an
// atomic pointer, without a lock: the walk asks for the same few ids from
// many goroutines, once per entry. A miss looks the id up under the lock
// and publishes a copy of the map with it; past maxShared ids the rest go
// to a map behind the lock, so that a tree with many owners costs no more
// than a lock per entry.
type nameCache struct {
	shared atomic.Pointer[map[int64]string]
	mu     sync.Mutex
	more   map[int64]string
	look   func(int64) string
}

const maxShared = 256

func (c *nameCache) get(id int64) string {
	if m := c.shared.Load(); m != nil {
		if n, ok := (*m)[id]; ok {
			return n
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[int64]string
	if m := c.shared.Load(); m != nil {
		old = *m
	}
	if n, ok := old[id]; ok {
		return n
	}
	if n, ok := c.more[id]; ok {
		return n
	}
	n := c.look(id)
	if len(old) >= maxShared {
		if c.more == nil {
			c.more = map[int64]string{}
		}
		c.more[id] = n
		return n
	}
	next := make(map[int64]string, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[id] = n
	c.shared.Store(&next)
	return n
}

var (
	userNames  = nameCache{look: lookupUser}
	groupNames = nameCache{look: lookupGroup}
)

// LookupUserName returns the name of uid on this machine, or "" when it has
// none. Results are cached for the life of the process, as rdiff-backup
// does.
func LookupUserName(uid int64) string { return userNames.get(uid) }

// LookupGroupName returns the name of gid on this machine, or "" when it
// has none. Results are cached.
func LookupGroupName(gid int64) string { return groupNames.get(gid) }

func lookupUser(uid int64) string {
	key := strconv.FormatInt(uid, 10)
	if u, err := user.LookupId(key); err == nil {
		return u.Username
	}
	if f := getentEntry("passwd", key); f != nil && f[2] == key {
		return f[0]
	}
	return ""
}

func lookupGroup(gid int64) string {
	key := strconv.FormatInt(gid, 10)
	if g, err := user.LookupGroupId(key); err == nil {
		return g.Name
	}
	if f := getentEntry("group", key); f != nil && f[2] == key {
		return f[0]
	}
	return ""
}

// LookupUserID returns the uid of a user name on this machine.
func LookupUserID(name string) (int64, bool) {
	if u, err := user.Lookup(name); err == nil {
		if id, err := strconv.ParseInt(u.Uid, 10, 64); err == nil {
			return id, true
		}
	}
	return nssID("passwd", name)
}

// LookupGroupID returns the gid of a group name on this machine.
func LookupGroupID(name string) (int64, bool) {
	if g, err := user.LookupGroup(name); err == nil {
		if id, err := strconv.ParseInt(g.Gid, 10, 64); err == nil {
			return id, true
		}
	}
	return nssID("group", name)
}
