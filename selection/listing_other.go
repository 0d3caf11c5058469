//go:build !linux

package selection

import (
	"io/fs"
	"os"
	"slices"
)

// fetch lists the directory and lstats each name.
func (l *listing) fetch() {
	l.names, l.err = readDirNames(l.dir)
	slices.Sort(l.names)
	l.infos = make([]fs.FileInfo, len(l.names))
	l.errs = make([]error, len(l.names))
	prefix := l.dir + "/"
	for i, name := range l.names {
		l.infos[i], l.errs[i] = os.Lstat(prefix + name)
	}
}

// readDirNames lists a directory's names (unsorted); on error it returns
// what it could read.
func readDirNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return names, err
}

// listMem has nothing to reuse on this platform.
type listMem struct{}

func (l *listing) release() {}
