package gordiff

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/rsync"
)

// openVersion opens the content of the mirror's regular file ix (of the
// repository at root, data directory data, current mirror time now) as of
// session at: the mirror's bytes taken back through every increment of
// the file from the newest down to at. It is the one way the read actions
// (restore, verify --at, compare) get at an older version's bytes; it
// never writes into the repository.
//
// No intermediate version is written anywhere: the reverse deltas but the
// oldest are composed into one list of extents pointing into the mirror
// file (or the snapshot the chain starts from) and into their literal
// bytes, and the oldest delta is streamed over that list. Going back ten
// sessions costs reading ten deltas, not writing ten copies of the file.
func openVersion(root, data string, ix metadata.Index, at, now int64) (io.ReadCloser, error) {
	return openFileVersion(plainVersionSource(root, data, ix), at, now, listIncrementDir)
}

// openRecordVersion is openVersion for a file known by its metadata
// record, which may name stand-ins under long_filename_data for a mirror
// file or increments whose names are too long (see versionSourceOf).
// Callers that have the record should prefer it; list (nil: no cache)
// reads the increments directories, a cachedLister for callers that go
// through a listing.
func openRecordVersion(root, data string, rec *metadata.Record, at, now int64, list incLister) (io.ReadCloser, error) {
	if list == nil {
		list = listIncrementDir
	}
	return openFileVersion(versionSourceOf(root, data, rec), at, now, list)
}

// versionSource is where the versions of one file are: its mirror file,
// and the directory and base name of its increments.
type versionSource struct {
	ix              metadata.Index
	mirror          string
	incDir, incBase string
}

func plainVersionSource(root, data string, ix metadata.Index) versionSource {
	dir := filepath.Join(data, "increments")
	if len(ix) > 1 {
		dir = filepath.Join(dir, filepath.FromSlash(ix[:len(ix)-1].String()))
	}
	return versionSource{ix: ix, mirror: metadata.FullPath(root, ix), incDir: dir, incBase: ix[len(ix)-1]}
}

// versionSourceOf honours the record's long-name stand-ins: with an
// AlternateMirrorName the mirror file and its increments are under
// long_filename_data by that name; with an AlternateIncrementName only the
// increments are.
func versionSourceOf(root, data string, rec *metadata.Record) versionSource {
	s := plainVersionSource(root, data, rec.Index)
	long := filepath.Join(data, "long_filename_data")
	switch {
	case rec.AlternateMirrorName != "":
		s.mirror = filepath.Join(long, rec.AlternateMirrorName)
		s.incDir, s.incBase = long, rec.AlternateMirrorName
	case rec.AlternateIncrementName != "":
		s.incDir, s.incBase = long, rec.AlternateIncrementName
	}
	return s
}

// openFileVersion opens the version at session at of the file src
// describes, with list reading its increments directory.
func openFileVersion(src versionSource, at, now int64, list incLister) (io.ReadCloser, error) {
	ix := src.ix
	chain, err := versionChain(src, at, now, list)
	if err != nil {
		return nil, err
	}
	// Only the increments older than the oldest snapshot or missing
	// marker matter: that one replaces whatever came before it.
	start := -1
	for i, inc := range chain {
		if inc.n.Type != increments.TypeDiff {
			start = i
		}
	}
	deltas := chain[start+1:]
	var base io.ReaderAt
	var baseSize int64
	var closers closeList
	switch {
	case start < 0:
		f, err := openRead(src.mirror)
		if err != nil {
			return nil, fmt.Errorf("opening the mirror file: %w", err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("opening the mirror file: %w", err)
		}
		if len(deltas) == 0 {
			return f, nil
		}
		base, baseSize = f, fi.Size()
		closers = append(closers, f)
	case chain[start].n.Type == increments.TypeMissing:
		if len(deltas) > 0 {
			return nil, fmt.Errorf("increment %s: a delta with no newer version to apply it to: %w", deltas[0].path, rsync.ErrCorrupt)
		}
		return nil, fmt.Errorf("%s: the file did not exist at the chosen session (%s)", ix.String(), chain[start].path)
	default:
		snap := chain[start].path
		if len(deltas) == 0 {
			rc, err := metadata.OpenDataFile(snap)
			if err != nil {
				return nil, fmt.Errorf("opening increment %s: %w", snap, err)
			}
			return &namedReader{ReadCloser: rc, what: "reading increment " + snap}, nil
		}
		if !chain[start].n.Compressed {
			f, err := openRead(snap)
			if err != nil {
				return nil, fmt.Errorf("opening increment %w", err)
			}
			fi, err := f.Stat()
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("opening increment %w", err)
			}
			base, baseSize = f, fi.Size()
			closers = append(closers, f)
		} else {
			// A compressed snapshot has no random access: its bytes go
			// to the literal store once.
			lits := &litStore{}
			closers = append(closers, lits)
			rc, err := metadata.OpenDataFile(snap)
			if err != nil {
				closers.Close()
				return nil, fmt.Errorf("opening increment %s: %w", snap, err)
			}
			n, err := lits.readFrom(rc, -1)
			rc.Close()
			if err != nil {
				closers.Close()
				return nil, fmt.Errorf("reading increment %s: %w", snap, err)
			}
			base, baseSize = lits, n
		}
	}
	// Compose every delta but the oldest over the base.
	v := &extents{base: base, size: baseSize}
	if baseSize > 0 {
		v.exts = []extent{{n: baseSize}}
	}
	if len(deltas) > 1 {
		lits := &litStore{}
		closers = append(closers, lits)
		v.lits = lits
		for _, d := range deltas[:len(deltas)-1] {
			if v, err = v.compose(d.path); err != nil {
				closers.Close()
				return nil, err
			}
		}
	}
	last := deltas[len(deltas)-1].path
	delta, err := metadata.OpenDataFile(last)
	if err != nil {
		closers.Close()
		return nil, fmt.Errorf("opening increment %s: %w", last, err)
	}
	closers = append(closers, delta)
	var basis io.ReaderAt = v
	if len(deltas) == 1 {
		basis = base // the file itself: Patch may copy inside the kernel
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := rsync.Patch(pw, basis, delta); err != nil {
			pw.CloseWithError(fmt.Errorf("applying increment %s: %w", last, err))
			return
		}
		pw.Close()
	}()
	return &pipedVersion{pr: pr, done: done, closers: closers}, nil
}

// versionInc is one increment of a file, by name and path.
type versionInc struct {
	n    increments.Name
	path string
}

// incFile is an increment-shaped file of an increments directory.
type incFile struct {
	n    increments.Name
	name string
}

// incLister returns the increment-shaped files of a directory of
// increments (none when it does not exist).
type incLister func(dir string) ([]incFile, error)

func listIncrementDir(dir string) ([]incFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("listing increments: %w", err)
	}
	var out []incFile
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		if n, err := increments.ParseName(e.Name()); err == nil {
			out = append(out, incFile{n, e.Name()})
		}
	}
	return out, nil
}

// cachedLister remembers the listings of the last directories read: a
// restore visits the files of a directory together, and listing the
// directory once per file would cost the square of its size.
func cachedLister() incLister {
	cache := map[string][]incFile{}
	return func(dir string) ([]incFile, error) {
		if l, ok := cache[dir]; ok {
			return l, nil
		}
		l, err := listIncrementDir(dir)
		if err != nil {
			return nil, err
		}
		if len(cache) >= 64 {
			clear(cache)
		}
		cache[dir] = l
		return l, nil
	}
}

// versionChain lists the increments of ix with times in [at, now), newest
// first: the ones that take the mirror's version back to session at.
func versionChain(src versionSource, at, now int64, list incLister) ([]versionInc, error) {
	dir := src.incDir
	files, err := list(dir)
	if err != nil {
		return nil, err
	}
	var chain []versionInc
	for _, f := range files {
		n := f.n
		if n.Base != src.incBase || n.Time < at || n.Time >= now {
			continue
		}
		if n.Type == increments.TypeDiff || n.Type == increments.TypeSnapshot || n.Type == increments.TypeMissing {
			chain = append(chain, versionInc{n, filepath.Join(dir, f.name)})
		}
	}
	slices.SortFunc(chain, func(a, b versionInc) int {
		switch {
		case a.n.Time > b.n.Time:
			return -1
		case a.n.Time < b.n.Time:
			return 1
		}
		return 0
	})
	return chain, nil
}

// extent is a run of a version's bytes: n bytes from offset off of the
// base (lit false) or of the literal store.
type extent struct {
	out, off, n int64
	lit         bool
}

// extents is a version of a file as a list of extents covering [0, size)
// in order, over a base and a store of literal bytes.
type extents struct {
	exts []extent
	size int64
	base io.ReaderAt
	lits *litStore
}

// compose reads the delta at path, which turns v into the next older
// version, and returns that version over the same base and store.
func (v *extents) compose(path string) (*extents, error) {
	rc, err := metadata.OpenDataFile(path)
	if err != nil {
		return nil, fmt.Errorf("opening increment %s: %w", path, err)
	}
	defer rc.Close()
	c := &composer{prev: v, next: &extents{base: v.base, lits: v.lits}}
	if err := rsync.ReadDelta(rc, c); err != nil {
		return nil, fmt.Errorf("applying increment %s: %w", path, err)
	}
	return c.next, nil
}

// composer builds the next older version from one delta's commands.
type composer struct {
	prev, next *extents
}

func (c *composer) add(e extent) {
	e.out = c.next.size
	c.next.size += e.n
	if k := len(c.next.exts) - 1; k >= 0 {
		if l := &c.next.exts[k]; l.lit == e.lit && l.off+l.n == e.off {
			l.n += e.n
			return
		}
	}
	c.next.exts = append(c.next.exts, e)
}

// Copy maps a copy from the newer version through that version's extents.
func (c *composer) Copy(off, n int64) error {
	p := c.prev
	if off > p.size || n > p.size-off {
		return fmt.Errorf("basis ends at %d: %w", p.size, rsync.ErrInputEnded)
	}
	i := sort.Search(len(p.exts), func(i int) bool { return p.exts[i].out+p.exts[i].n > off })
	for n > 0 {
		e := p.exts[i]
		skip := off - e.out
		take := min(e.n-skip, n)
		c.add(extent{off: e.off + skip, n: take, lit: e.lit})
		off += take
		n -= take
		i++
	}
	return nil
}

// Literal keeps the delta's literal bytes in the store.
func (c *composer) Literal(r io.Reader, n int64) error {
	pos := c.next.lits.size
	if _, err := c.next.lits.readFrom(r, n); err != nil {
		return err
	}
	c.add(extent{off: pos, n: n, lit: true})
	return nil
}

// ReadAt reads the version's bytes [off, off+len(p)).
func (v *extents) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("negative offset %d", off)
	}
	i := sort.Search(len(v.exts), func(i int) bool { return v.exts[i].out+v.exts[i].n > off })
	done := 0
	for done < len(p) {
		if i >= len(v.exts) {
			return done, io.EOF
		}
		e := v.exts[i]
		skip := off - e.out
		chunk := p[done:min(int64(len(p)), int64(done)+e.n-skip)]
		src := v.base
		if e.lit {
			src = v.lits
		}
		got, err := src.ReadAt(chunk, e.off+skip)
		done += got
		off += int64(got)
		if got < len(chunk) {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // a base shorter than it was
			}
			return done, err
		}
		i++
	}
	return done, nil
}

// litStoreMem is how many literal bytes a store keeps in memory before it
// moves them to an unnamed temporary file.
var litStoreMem = 32 << 20

// litStore holds the literal bytes of composed deltas: in memory while
// small, then in a temporary file removed as soon as it is created.
type litStore struct {
	mem  []byte
	f    *os.File
	size int64
}

// readFrom appends n bytes of r (all of r when n < 0) to the store and
// returns how many it appended.
func (s *litStore) readFrom(r io.Reader, n int64) (int64, error) {
	if n >= 0 {
		r = io.LimitReader(r, n)
	}
	var got int64
	for {
		if s.f == nil && len(s.mem) >= litStoreMem {
			if err := s.spill(); err != nil {
				return got, err
			}
		}
		if s.f != nil {
			k, err := io.Copy(io.NewOffsetWriter(s.f, s.size), r)
			s.size += k
			got += k
			if err != nil {
				return got, err
			}
			break
		}
		if cap(s.mem)-len(s.mem) < 64<<10 {
			s.mem = slices.Grow(s.mem, max(64<<10, len(s.mem)))
		}
		k, err := r.Read(s.mem[len(s.mem):cap(s.mem)])
		s.mem = s.mem[:len(s.mem)+k]
		s.size += int64(k)
		got += int64(k)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return got, err
		}
	}
	if n >= 0 && got < n {
		return got, io.ErrUnexpectedEOF
	}
	return got, nil
}

func (s *litStore) spill() error {
	f, err := os.CreateTemp("", ".gordiff-literals-*")
	if err != nil {
		return fmt.Errorf("keeping delta literals: %w", err)
	}
	os.Remove(f.Name())
	if _, err := f.Write(s.mem); err != nil {
		f.Close()
		return fmt.Errorf("keeping delta literals: %w", err)
	}
	s.f, s.mem = f, nil
	return nil
}

func (s *litStore) ReadAt(p []byte, off int64) (int, error) {
	if s.f != nil {
		return s.f.ReadAt(p, off)
	}
	if off >= int64(len(s.mem)) {
		return 0, io.EOF
	}
	n := copy(p, s.mem[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (s *litStore) Close() error {
	s.mem = nil
	if s.f != nil {
		return s.f.Close()
	}
	return nil
}

// closeList closes its members in order.
type closeList []io.Closer

func (l closeList) Close() error {
	var first error
	for _, c := range l {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// pipedVersion is the output of the oldest delta's patch, running in its
// own goroutine.
type pipedVersion struct {
	pr      *io.PipeReader
	done    chan struct{}
	closers closeList
}

func (p *pipedVersion) Read(b []byte) (int, error) { return p.pr.Read(b) }

func (p *pipedVersion) Close() error {
	p.pr.CloseWithError(errors.New("version reader closed"))
	<-p.done
	return p.closers.Close()
}

// namedReader names its source in read errors.
type namedReader struct {
	io.ReadCloser
	what string
}

func (r *namedReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%s: %w", r.what, err)
	}
	return n, err
}
