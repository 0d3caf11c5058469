package metadata

import (
	"bytes"
	"os/exec"
	"strconv"
	"sync"
)

// Owner names beyond /etc/passwd and /etc/group. gordiff is released as a
// static binary, built without cgo, and then os/user reads only those two
// files, while rdiff-backup's Python asks the C library, which also asks
// the other sources /etc/nsswitch.conf names (LDAP, SSSD, systemd, ...).
// For the ids and names those files do not know, such a build asks
// getent(1), which answers as the C library would; a cgo build has already
// asked the C library and does not (see nssFallback).

// getentPath is getent(1), looked up once; "" when there is none.
var getentPath = sync.OnceValue(func() string {
	for _, p := range []string{"/usr/bin/getent", "/bin/getent"} {
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	return ""
})

// getentEntry returns the entry of key (a name or a decimal id) in the
// passwd or group database, split at ':', or nil.
func getentEntry(db, key string) []string {
	if !nssFallback || getentPath() == "" {
		return nil
	}
	out, err := exec.Command(getentPath(), db, "--", key).Output() // a name may start with "-"
	if err != nil {
		return nil
	}
	return parseGetent(out)
}

// parseGetent splits the first line of getent's output into its fields;
// nil unless it has the name and id fields of a passwd or group entry.
func parseGetent(out []byte) []string {
	line, _, _ := bytes.Cut(out, []byte{'\n'})
	fields := bytes.Split(line, []byte{':'})
	if len(fields) < 3 || len(fields[0]) == 0 {
		return nil
	}
	if _, err := strconv.ParseUint(string(fields[2]), 10, 32); err != nil {
		return nil
	}
	s := make([]string, len(fields))
	for i, f := range fields {
		s[i] = string(f)
	}
	return s
}

// getentID returns the id getent gives the name in db ("passwd" or
// "group"), or -1.
func getentID(db, name string) int64 {
	if f := getentEntry(db, name); f != nil && f[0] == name {
		if id, err := strconv.ParseInt(f[2], 10, 64); err == nil {
			return id
		}
	}
	return -1
}
