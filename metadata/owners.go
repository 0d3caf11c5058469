package metadata

import (
	"os/user"
	"strconv"
	"sync"
	"sync/atomic"
)

// nameCache remembers owner lookups (id to name, or name to id) for the
// life of the process, as rdiff-backup does. Hits read an immutable map
// through an atomic pointer, without a lock: the walk asks for the same few
// ids from many goroutines, once per entry. A miss looks the key up under
// the lock and publishes a copy of the map with it; past maxShared keys the
// rest go to a map behind the lock, so that a tree with many owners costs
// no more than a lock per entry.
type nameCache[K comparable, V any] struct {
	shared atomic.Pointer[map[K]V]
	mu     sync.Mutex
	more   map[K]V
	look   func(K) V
}

const maxShared = 256

func (c *nameCache[K, V]) get(key K) V {
	if m := c.shared.Load(); m != nil {
		if n, ok := (*m)[key]; ok {
			return n
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[K]V
	if m := c.shared.Load(); m != nil {
		old = *m
	}
	if n, ok := old[key]; ok {
		return n
	}
	if n, ok := c.more[key]; ok {
		return n
	}
	n := c.look(key)
	if len(old) >= maxShared {
		if c.more == nil {
			c.more = map[K]V{}
		}
		c.more[key] = n
		return n
	}
	next := make(map[K]V, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[key] = n
	c.shared.Store(&next)
	return n
}

var (
	userNames  = nameCache[int64, string]{look: lookupUser}
	groupNames = nameCache[int64, string]{look: lookupGroup}
	userIDs    = nameCache[string, int64]{look: lookupUserID}
	groupIDs   = nameCache[string, int64]{look: lookupGroupID}
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

// LookupUserID returns the uid of a user name on this machine. Results are
// cached.
func LookupUserID(name string) (int64, bool) {
	id := userIDs.get(name)
	return id, id >= 0
}

// LookupGroupID returns the gid of a group name on this machine. Results
// are cached.
func LookupGroupID(name string) (int64, bool) {
	id := groupIDs.get(name)
	return id, id >= 0
}

// lookupUserID and lookupGroupID return -1 for a name without an id.
func lookupUserID(name string) int64 {
	if u, err := user.Lookup(name); err == nil {
		if id, err := strconv.ParseInt(u.Uid, 10, 64); err == nil {
			return id
		}
	}
	return getentID("passwd", name)
}

func lookupGroupID(name string) int64 {
	if g, err := user.LookupGroup(name); err == nil {
		if id, err := strconv.ParseInt(g.Gid, 10, 64); err == nil {
			return id
		}
	}
	return getentID("group", name)
}
