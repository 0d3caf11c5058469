package gordiff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/mirror"
)

// Increment is one increment of a listed path, or its current mirror.
type Increment struct {
	Name string // the increment file's name as stored ("" for the mirror)
	Time int64  // session time
	// Type is what rdiff-backup's parsable listing says: directory,
	// regular, missing or special.
	Type string
}

// IncrementList is what ListIncrements finds for one path.
type IncrementList struct {
	Repository string      // the repository root
	Increments []Increment // oldest first
	Mirror     Increment   // the current mirror
}

// ListIncrementsOptions configure ListIncrements.
type ListIncrementsOptions struct {
	// Path is the repository, or a path inside its mirror.
	Path string
}

// ErrNoRepository reports a path that is not inside a repository.
var ErrNoRepository = errors.New("not within an existing backup repository")

// ListIncrements lists the increments of a repository's root, or of one
// entry inside it, oldest first, and the time of the current mirror: what
// `rdiff-backup list increments` shows.
func ListIncrements(ctx context.Context, opts ListIncrementsOptions) (*IncrementList, error) {
	root, rel, err := findRepository(opts.Path)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(root, mirror.DataDirName)
	d, err := readDataDir(data)
	if err != nil {
		return nil, err
	}
	if len(d.markers) == 0 {
		return nil, &mirror.Error{Msg: fmt.Sprintf("Path '%s' couldn't be identified as being within an existing backup repository", opts.Path), Kind: ErrNoRepository}
	}
	now, err := d.mirrorTime()
	if err != nil {
		return nil, err
	}
	list := &IncrementList{Repository: root, Mirror: Increment{Time: now, Type: entryType(filepath.Join(root, rel))}}

	dir, base := data, "increments"
	if rel != "." {
		dir = filepath.Join(data, "increments", filepath.Dir(rel))
		base = filepath.Base(rel)
	}
	incs, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	for _, e := range incs {
		if e.IsDir() {
			continue // a directory of increments, never an increment
		}
		n, err := increments.ParseName(e.Name())
		if err != nil || n.Base != base || !n.Type.IsIncrement() {
			continue
		}
		list.Increments = append(list.Increments, Increment{Name: e.Name(), Time: n.Time, Type: incrementType(filepath.Join(dir, e.Name()), n.Type)})
	}
	slices.SortStableFunc(list.Increments, func(a, b Increment) int {
		switch {
		case a.Time < b.Time:
			return -1
		case a.Time > b.Time:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return list, ctx.Err()
}

// findRepository splits a path into the repository root holding it and
// the path below that root ("." for the root itself), lexically.
func findRepository(path string) (root, rel string, err error) {
	clean := filepath.Clean(path)
	for p := clean; ; p = filepath.Dir(p) {
		if mirror.IsRepository(p) {
			r, err := filepath.Rel(p, clean)
			if err != nil {
				return "", "", err
			}
			return p, r, nil
		}
		if next := filepath.Dir(p); next == p {
			break
		}
	}
	return "", "", &mirror.Error{Msg: fmt.Sprintf("Path '%s' couldn't be identified as being within an existing backup repository", path), Kind: ErrNoRepository}
}

// incrementType is the parsable listing's word for an increment file.
func incrementType(path string, t increments.Type) string {
	switch t {
	case increments.TypeDir:
		return "directory"
	case increments.TypeMissing:
		return "missing"
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return "special"
	}
	return "regular"
}

// entryType is the parsable listing's word for a mirror entry.
func entryType(path string) string {
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
		return "missing"
	case fi.IsDir():
		return "directory"
	case fi.Mode().IsRegular():
		return "regular"
	}
	return "special"
}

// Format renders the listing as rdiff-backup prints it (API 200): the
// human form, or with parsable the "EPOCH TYPE" lines. Times are shown in
// loc (time.Local when nil).
func (l *IncrementList) Format(parsable bool, loc *time.Location) string {
	var b strings.Builder
	zone := increments.NewZone(loc, time.Unix(l.Mirror.Time, 0))
	if parsable {
		for _, i := range l.Increments {
			fmt.Fprintf(&b, "%d %s\n", i.Time, i.Type)
		}
		fmt.Fprintf(&b, "%d %s\n", l.Mirror.Time, l.Mirror.Type)
		return b.String()
	}
	fmt.Fprintf(&b, "Found %d increments:\n", len(l.Increments))
	for _, i := range l.Increments {
		fmt.Fprintf(&b, "    %s   %s\n", DisplayPath(i.Name), zone.Asctime(i.Time))
	}
	fmt.Fprintf(&b, "Current mirror: %s\n", zone.Asctime(l.Mirror.Time))
	return b.String()
}

// IncrementSize is one row of `list increments --size`.
type IncrementSize struct {
	Time       int64
	Size       int64 // bytes of the increment files of that time under the path (the mirror's size for the mirror row)
	Cumulative int64 // the mirror plus every increment from this one to the newest
}

// IncrementSizes lists the sizes of a path's increments, oldest first, the
// current mirror last: what `rdiff-backup list increments --size` shows.
func IncrementSizes(ctx context.Context, opts ListIncrementsOptions) ([]IncrementSize, error) {
	list, err := ListIncrements(ctx, opts)
	if err != nil {
		return nil, err
	}
	_, rel, err := findRepository(opts.Path)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(list.Repository, mirror.DataDirName)
	// Every increment file under the path, summed by time.
	byTime := map[int64]int64{}
	add := func(p string, d os.DirEntry) {
		n, err := increments.ParseName(d.Name())
		if err != nil || !n.Type.IsIncrement() {
			return
		}
		if fi, err := d.Info(); err == nil && fi.Mode().IsRegular() {
			byTime[n.Time] += fi.Size()
		}
	}
	incRoot := filepath.Join(data, "increments")
	if rel != "." {
		incRoot = filepath.Join(data, "increments", rel)
		// The entry's own increments sit beside it.
		parent := filepath.Join(data, "increments", filepath.Dir(rel))
		for _, i := range list.Increments {
			if fi, err := os.Lstat(filepath.Join(parent, i.Name)); err == nil && fi.Mode().IsRegular() {
				byTime[i.Time] += fi.Size()
			}
		}
	} else {
		for _, i := range list.Increments {
			if fi, err := os.Lstat(filepath.Join(data, i.Name)); err == nil && fi.Mode().IsRegular() {
				byTime[i.Time] += fi.Size()
			}
		}
	}
	filepath.WalkDir(incRoot, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			add(p, d)
		}
		return nil
	})
	// The mirror: every entry's own size, directories included.
	var mirrorSize int64
	mpath := filepath.Join(list.Repository, rel)
	filepath.WalkDir(mpath, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if rel == "." && d.IsDir() && d.Name() == mirror.DataDirName && filepath.Dir(p) == list.Repository {
			return filepath.SkipDir
		}
		if fi, err := d.Info(); err == nil {
			mirrorSize += fi.Size()
		}
		return nil
	})
	rows := make([]IncrementSize, len(list.Increments)+1)
	cum := mirrorSize
	rows[len(rows)-1] = IncrementSize{Time: list.Mirror.Time, Size: mirrorSize, Cumulative: mirrorSize}
	for k := len(list.Increments) - 1; k >= 0; k-- {
		i := list.Increments[k]
		cum += byTime[i.Time]
		rows[k] = IncrementSize{Time: i.Time, Size: byTime[i.Time], Cumulative: cum}
	}
	return rows, ctx.Err()
}

// FormatIncrementSizes renders the rows as rdiff-backup prints them (API
// 200), or with parsable as its YAML; times in loc (time.Local when nil).
func FormatIncrementSizes(rows []IncrementSize, parsable bool, loc *time.Location) string {
	var b strings.Builder
	if parsable {
		b.WriteString("---\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "- size: %d\n  time: %d\n  total_size: %d\n", r.Size, r.Time, r.Cumulative)
		}
		b.WriteString("...\n\n")
		return b.String()
	}
	zone := increments.NewZone(loc, time.Now())
	b.WriteString("          Time                 Size         Cumulative size \n")
	b.WriteString("------------------------ ----------------- -----------------\n")
	for k, r := range rows {
		fmt.Fprintf(&b, "%-24s %17s %17s", zone.Asctime(r.Time), metadata.ByteSummary(r.Size), metadata.ByteSummary(r.Cumulative))
		if k == len(rows)-1 {
			b.WriteString("  (current mirror)")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ListFilesOptions configure ListFiles.
type ListFilesOptions struct {
	// Path is the repository, or a path inside its mirror.
	Path string
	// At is a time spec (default "now").
	At  string
	Now time.Time
}

// ListFiles returns the paths present at the session At selects, under
// Path, relative to the repository root ("." for the root), depth first
// with names in byte order: what `rdiff-backup list files --at` prints.
func ListFiles(ctx context.Context, opts ListFilesOptions) ([]string, error) {
	root, rel, err := findRepository(opts.Path)
	if err != nil {
		return nil, err
	}
	at := opts.At
	if at == "" {
		at = "now"
	}
	listing, _, _, closeAll, err := listingAt(filepath.Join(root, mirror.DataDirName), at, opts.Now)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	var under metadata.Index
	if rel != "." {
		under = metadata.ParseIndex(filepath.ToSlash(rel))
	}
	var out []string
	for {
		rec, err := listing.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if len(under) == 0 || rec.Index.Equal(under) || rec.Index.HasPrefix(under) {
			out = append(out, rec.Index.String())
		}
	}
}

// DisplayPath turns a path's raw bytes into what rdiff-backup prints for
// it: UTF-8, each byte that is not part of valid UTF-8 shown as U+FFFD.
func DisplayPath(p string) string {
	if utf8.ValidString(p) {
		return p
	}
	var b strings.Builder
	for len(p) > 0 {
		r, n := utf8.DecodeRuneInString(p)
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(p[:n])
		}
		p = p[n:]
	}
	return b.String()
}
