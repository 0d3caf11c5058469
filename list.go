package gordiff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

// FormatYAML renders the listing as rdiff-backup's parsable output under
// API 201: a YAML list of the increments and then the mirror, each with
// its base name (the increment file's, the mirror entry's own name), time
// and type. path is the path the listing was asked for.
func (l *IncrementList) FormatYAML(path string) string {
	var b strings.Builder
	b.WriteString("---\n")
	row := func(base string, t int64, typ string) {
		fmt.Fprintf(&b, "- base: %s\n  time: %d\n  type: %s\n", yamlScalar(DisplayPath(base), 8), t, yamlScalar(typ, 8))
	}
	for _, i := range l.Increments {
		row(i.Name, i.Time, i.Type)
	}
	row(filepath.Base(filepath.Clean(path)), l.Mirror.Time, l.Mirror.Type)
	b.WriteString("...\n\n")
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
	// The entry's own increments sit beside it (the root's in the data
	// directory, as increments.<T>.dir); a directory's contents' below.
	incRoot, parent, base := filepath.Join(data, "increments"), data, "increments"
	if rel != "." {
		incRoot = filepath.Join(data, "increments", rel)
		parent, base = filepath.Dir(incRoot), filepath.Base(incRoot)
	}
	byTime, err := incrementSizesByTime(incRoot, parent, base)
	if err != nil {
		return nil, err
	}
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
	// A row for every time found among the increment files, whether or
	// not the entry itself has an increment then.
	times := slices.Sorted(maps.Keys(byTime))
	rows := make([]IncrementSize, len(times)+1)
	cum := mirrorSize
	rows[len(rows)-1] = IncrementSize{Time: list.Mirror.Time, Size: mirrorSize, Cumulative: mirrorSize}
	for k := len(times) - 1; k >= 0; k-- {
		cum += byTime[times[k]]
		rows[k] = IncrementSize{Time: times[k], Size: byTime[times[k]], Cumulative: cum}
	}
	return rows, ctx.Err()
}

// incrementSizesByTime sums, by session time, the sizes of the increment
// files named base.<T>.<type> in parent and of every increment-shaped file
// below incRoot: the times and sizes of `list increments --size` and of
// `remove increments --size`. A time is counted even when its files are
// not regular (size 0).
func incrementSizesByTime(incRoot, parent, base string) (map[int64]int64, error) {
	byTime := map[int64]int64{}
	add := func(d os.DirEntry) {
		n, err := increments.ParseName(d.Name())
		if err != nil {
			return
		}
		byTime[n.Time] += 0
		if fi, err := d.Info(); err == nil && fi.Mode().IsRegular() {
			byTime[n.Time] += fi.Size()
		}
	}
	ents, err := os.ReadDir(parent)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", parent, err)
	}
	for _, e := range ents {
		if n, err := increments.ParseName(e.Name()); err == nil && n.Base == base && !e.IsDir() {
			add(e)
		}
	}
	err = filepath.WalkDir(incRoot, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if p == incRoot && errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			add(d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", incRoot, err)
	}
	return byTime, nil
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
	// Warn, if set, receives the warnings rdiff-backup prints on the way
	// (an EA or ACL file missing for the session).
	Warn func(string)
}

// ListFiles returns the paths present at the session At selects, under
// Path, relative to the repository root ("." for the root), depth first
// with names in byte order: what `rdiff-backup list files --at` prints.
func ListFiles(ctx context.Context, opts ListFilesOptions) ([]string, error) {
	root, rel, err := findRepository(opts.Path)
	if err != nil {
		return nil, err
	}
	sl, err := openSessionListing(root, rel, opts.At, opts.Now)
	if err != nil {
		return nil, err
	}
	defer sl.close()
	listing, data, under, session := sl.listing, sl.data, sl.under, sl.at
	if opts.Warn != nil {
		side, err := openSessionSide(data, session, true, true, opts.Warn)
		if err != nil {
			return nil, err
		}
		side.close()
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

// ListChangedSinceOptions configure ListChangedSince.
type ListChangedSinceOptions struct {
	// Path is the repository, or a path inside its mirror.
	Path string
	// Since is a time spec; the session it selects (the latest at or
	// before it, or the oldest) is compared with the current mirror.
	Since string
	Now   time.Time
	// Warn, if set, receives the warnings rdiff-backup prints on the way
	// (an EA or ACL file missing for one of the two sessions).
	Warn func(string)
}

// FileChange is one line of `list files --changed-since`.
type FileChange struct {
	Kind  string         // "changed", "new" or "deleted"
	Index metadata.Index // relative to the repository root
}

// String renders the line as rdiff-backup prints it: the kind padded to 7
// columns, a space, the path (U+FFFD for bytes that are not UTF-8).
func (c FileChange) String() string {
	return fmt.Sprintf("%-7s %s", c.Kind, DisplayPath(c.Index.String()))
}

// ListChangedSince compares the listing of the session Since selects with
// the current mirror's, under Path, and returns one change per path that
// differs, in index order: what `rdiff-backup list files --changed-since`
// prints. Two entries are the same when rdiff-backup's loose comparison of
// their metadata says so (no ctime or link count; owners and sizes only
// where they matter; extended attributes and ACLs included).
func ListChangedSince(ctx context.Context, opts ListChangedSinceOptions) ([]FileChange, error) {
	root, rel, err := findRepository(opts.Path)
	if err != nil {
		return nil, err
	}
	since := opts.Since
	if since == "" {
		since = "now"
	}
	data := filepath.Join(root, mirror.DataDirName)
	old, oldAt, mirrorTime, closeOld, err := listingAt(data, since, opts.Now)
	if err != nil {
		return nil, err
	}
	defer closeOld()
	cur, _, _, closeCur, err := listingAt(data, strconv.FormatInt(mirrorTime, 10), opts.Now)
	if err != nil {
		return nil, err
	}
	defer closeCur()
	oldSide, err := openSessionSide(data, oldAt, true, true, opts.Warn)
	if err != nil {
		return nil, err
	}
	defer oldSide.close()
	curSide, err := openSessionSide(data, mirrorTime, true, true, opts.Warn)
	if err != nil {
		return nil, err
	}
	defer curSide.close()

	var under metadata.Index
	if rel != "." {
		under = metadata.ParseIndex(filepath.ToSlash(rel))
	}
	next := func(src *metadata.PatchedReader) (*metadata.Record, error) {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return rec, err
	}
	var out []FileChange
	o, err := next(old)
	if err != nil {
		return nil, err
	}
	c, err := next(cur)
	if err != nil {
		return nil, err
	}
	for o != nil || c != nil {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		var cmp int
		switch {
		case o == nil:
			cmp = 1
		case c == nil:
			cmp = -1
		default:
			cmp = metadata.CompareIndex(o.Index, c.Index)
		}
		var change FileChange
		switch {
		case cmp < 0:
			change = FileChange{"deleted", o.Index}
		case cmp > 0:
			change = FileChange{"new", c.Index}
		default:
			change.Index = o.Index
			if !sameEntry(o, c) ||
				!metadata.SameEAs(oldSide.eaAt(o.Index), curSide.eaAt(c.Index)) ||
				!metadata.SameACLs(oldSide.aclAt(o.Index), curSide.aclAt(c.Index)) {
				change.Kind = "changed"
			}
		}
		if change.Kind != "" && (len(under) == 0 || change.Index.HasPrefix(under)) {
			out = append(out, change)
		}
		if cmp <= 0 {
			if o, err = next(old); err != nil {
				return out, err
			}
		}
		if cmp >= 0 {
			if c, err = next(cur); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// sameEntry is rdiff-backup's loose comparison of an older record with a
// newer one of the same index. Only the fields the older record carries
// are compared; the link count never is, the inode and device only for a
// regular file of several links, the size only for regular files, the
// owners not for symbolic links, and a special file may have become an
// empty regular file without changing type. A newer record without owner
// names matches any.
func sameEntry(o, c *metadata.Record) bool {
	special := func(t metadata.FileType) bool {
		return t == metadata.TypeDev || t == metadata.TypeSock || t == metadata.TypeFifo || t == metadata.TypeSym
	}
	hasMtime := func(t metadata.FileType) bool { return t != metadata.TypeSym && t != metadata.TypeDev }
	if o.Type != c.Type && !(special(o.Type) && c.Type == metadata.TypeReg && c.Size == 0) {
		return false
	}
	switch o.Type {
	case metadata.TypeReg:
		if o.Size != c.Size || (o.SHA1 != "" && o.SHA1 != c.SHA1) {
			return false
		}
		if o.NumHardLinks > 1 && (c.NumHardLinks == 0 || o.Inode != c.Inode || o.DeviceLoc != c.DeviceLoc) {
			return false
		}
	case metadata.TypeSym:
		if c.Type != metadata.TypeSym || o.SymData != c.SymData {
			return false
		}
	case metadata.TypeDev:
		if c.Type != metadata.TypeDev || o.DevKind != c.DevKind || o.DevMajor != c.DevMajor || o.DevMinor != c.DevMinor {
			return false
		}
	}
	if hasMtime(o.Type) && (!hasMtime(c.Type) || o.ModTime != c.ModTime) {
		return false
	}
	if o.Type != metadata.TypeSym {
		if o.Uid != c.Uid || o.Gid != c.Gid {
			return false
		}
		if (c.Uname != "" && c.Uname != o.Uname) || (c.Gname != "" && c.Gname != o.Gname) {
			return false
		}
	}
	if o.Permissions != c.Permissions {
		return false
	}
	if o.AlternateMirrorName != "" && o.AlternateMirrorName != c.AlternateMirrorName {
		return false
	}
	if o.AlternateIncrementName != "" && o.AlternateIncrementName != c.AlternateIncrementName {
		return false
	}
	return true
}
