package gordiff

import (
	"fmt"

	"github.com/gordiff/gordiff/metadata"
)

// applySide gives the restored entry at path its recorded extended
// attributes and ACL (none for a symlink's ACL); what the file system
// refuses is reported and skipped.
func (e restoreEntry) applySide(path string, warn func(string)) {
	if e.ea != nil {
		for _, a := range e.ea.Attrs {
			if err := setXattr(path, a.Name, a.Value); err != nil {
				warn(fmt.Sprintf("cannot set extended attribute %s of %s: %v", a.Name, path, err))
			}
		}
	}
	if e.acl != nil && e.rec.Type != metadata.TypeSym {
		if err := setACL(path, e.acl); err != nil {
			warn(fmt.Sprintf("cannot set the ACL of %s: %v", path, err))
		}
	}
}
