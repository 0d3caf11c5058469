package selection

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// mountsIn returns the names of the mount points in dir (a directory as
// the walk names it), from the mount table as it was when first asked;
// ok is false when the table could not be read or placed, and then no
// entry anywhere may be taken for a plain one.
func (k *fsKinds) mountsIn(dir string) (names map[string]bool, ok bool) {
	k.mountsOnce.Do(k.loadMounts)
	if k.mountsErr != nil {
		return nil, false
	}
	return k.mounts[dir], true
}

func (k *fsKinds) loadMounts() {
	canon, err := filepath.Abs(k.base)
	if err == nil {
		canon, err = filepath.EvalSymlinks(canon)
	}
	if err != nil {
		k.mountsErr = fmt.Errorf("placing the walk's root: %w", err)
		return
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		k.mountsErr = err
		return
	}
	defer f.Close()
	points, err := parseMountinfo(f)
	if err != nil {
		k.mountsErr = err
		return
	}
	k.mounts = mountsBelow(points, canon, k.base, k.prefix)
}

// mountsBelow files the mount points below canon (the walk's root, made
// absolute and free of symbolic links) under their parent directory as
// the walk names it (base, then prefix and the components below).
func mountsBelow(points []string, canon, base, prefix string) map[string]map[string]bool {
	var out map[string]map[string]bool
	under := canon + "/"
	if canon == "/" {
		under = "/"
	}
	for _, mp := range points {
		if !strings.HasPrefix(mp, under) || len(mp) == len(under) {
			continue
		}
		rel := mp[len(under):] // "a/b/mnt"
		parent, name := base, rel
		if i := strings.LastIndexByte(rel, '/'); i >= 0 {
			parent, name = prefix+rel[:i], rel[i+1:]
		}
		if out == nil {
			out = map[string]map[string]bool{}
		}
		if out[parent] == nil {
			out[parent] = map[string]bool{}
		}
		out[parent][name] = true
	}
	return out
}

// parseMountinfo returns the mount points of a /proc/self/mountinfo
// table (the fifth field of each line, its octal escapes undone).
func parseMountinfo(r io.Reader) ([]string, error) {
	var points []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) < 5 {
			return nil, fmt.Errorf("mountinfo: short line %q", sc.Text())
		}
		points = append(points, unescapeMount(fields[4]))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("mountinfo: %w", err)
	}
	return points, nil
}

// unescapeMount undoes the kernel's \ooo escapes of space, tab, newline
// and backslash in a mountinfo path.
func unescapeMount(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+3 < len(b) && b[i+1] >= '0' && b[i+1] <= '3' && isOctal(b[i+2]) && isOctal(b[i+3]) {
			out = append(out, (b[i+1]-'0')<<6|(b[i+2]-'0')<<3|(b[i+3]-'0'))
			i += 3
			continue
		}
		out = append(out, b[i])
	}
	return string(out)
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
