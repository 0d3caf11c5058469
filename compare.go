package gordiff

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gordiff/gordiff/fsfeatures"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/mirror"
	"github.com/gordiff/gordiff/remote"
	"github.com/gordiff/gordiff/selection"
)

// CompareOptions configure Compare.
type CompareOptions struct {
	// Source is the directory compared with the backup.
	Source string
	// Path is the repository, or a path inside its mirror (then the source
	// directory is compared with that part of the backup).
	Path string
	// Method is "meta" (the default when empty): metadata only; "hash":
	// also the SHA-1 of regular files against the recorded digest; "full":
	// also the bytes of regular files against the session's content.
	Method string
	// At is the time spec of the session compared with (cli.md section
	// 4); empty means "now", the current mirror.
	At string
	// Now is the reference for relative time specs; zero means the clock.
	Now time.Time
	// Selection chooses the source entries taken into account (cli.md
	// 3.6): an excluded entry that the backup has is reported deleted.
	Selection       []selection.Option
	SelectionConfig selection.Config
	// Report receives each difference, in path order; nil drops them.
	Report func(CompareReport)
	// Message receives warnings and, at level 5, each path found equal;
	// nil discards them.
	Message func(Level, string)
}

// CompareReport is one difference between the source and the backup.
type CompareReport struct {
	// Index is the path relative to the compared directories; empty for
	// their root.
	Index metadata.Index
	// Reason is what rdiff-backup prints before the path: "new", "deleted",
	// "changed", or for regular files compared by hash or full content
	// "metadata changed, data changed", "metadata the same, data changed"
	// or "metadata changed, data the same".
	Reason string
}

// String renders the report as rdiff-backup prints it: "REASON: PATH".
func (r CompareReport) String() string {
	return r.Reason + ": " + DisplayPath(r.Index.String())
}

// CompareResult sums up a comparison.
type CompareResult struct {
	Time        int64 // the session compared with
	Differences int   // reports made
}

// ErrBadMethod reports a compare method other than meta, hash and full.
var ErrBadMethod = errors.New("unknown compare method")

// Compare compares the source directory with the backup as of the session
// At selects, the way `rdiff-backup compare` does, and reports each path
// that differs. Metadata are compared as a backup would to decide that an
// entry changed: type, permissions, owner, size, mtime, symlink target,
// device numbers, hard-link identity, extended attributes and ACLs.
func Compare(ctx context.Context, opts CompareOptions) (*CompareResult, error) {
	method := opts.Method
	if method == "" {
		method = "meta"
	}
	if method != "meta" && method != "hash" && method != "full" {
		return nil, fmt.Errorf("%w %q (meta, hash or full)", ErrBadMethod, method)
	}
	say := func(l Level, format string, a ...any) {
		if opts.Message != nil {
			opts.Message(l, fmt.Sprintf(format, a...))
		}
	}
	// Both locations are checked before failing, and a bad repository is
	// named first, as rdiff-backup does.
	root, rel, rerr := findRepository(opts.Path)
	var serr error
	if fi, err := os.Stat(opts.Source); err != nil {
		serr = &mirror.Error{Msg: fmt.Sprintf("Source path %s does not exist", opts.Source), Kind: ErrSource}
	} else if !fi.IsDir() {
		serr = &mirror.Error{Msg: fmt.Sprintf("Source path %s is not a directory", opts.Source), Kind: ErrSource}
	}
	if rerr != nil || serr != nil {
		return nil, errors.Join(rerr, serr)
	}
	set, err := selection.New(opts.Source, opts.Selection, opts.SelectionConfig)
	if err != nil {
		return nil, err
	}
	sl, err := openSessionListing(root, rel, opts.At, opts.Now)
	if err != nil {
		return nil, err
	}
	defer sl.close()
	listing, data, under, at, mirrorTime := sl.listing, sl.data, sl.under, sl.at, sl.mirrorTime

	eas, acls, ferr := fsfeatures.ProbeMetadata(opts.Source)
	eas, acls = eas && ferr == nil, acls && ferr == nil
	side, err := openSessionSide(data, at, eas, acls, func(m string) { say(2, "%s", m) })
	if err != nil {
		return nil, err
	}
	defer side.close()

	src := remote.NewLocalSource(opts.Source, remote.LocalOptions{Selection: set, EAs: eas, ACLs: acls})
	defer src.Close()
	if err := src.Begin(ctx, remote.BeginOptions{}); err != nil {
		return nil, err
	}
	repo := &repoStream{listing: listing, under: under}
	c := &comparer{list: cachedLister(),
		ctx: ctx, opts: opts, method: method, say: say, src: src, side: side,
		root: root, data: data, at: at, now: mirrorTime, digests: linkDigests{}, res: &CompareResult{Time: at},
	}
	s, err := nextSource(ctx, src, say)
	if err != nil {
		return c.res, err
	}
	r, err := repo.next()
	if err != nil {
		return c.res, err
	}
	for s != nil || r != nil {
		if err := ctx.Err(); err != nil {
			return c.res, err
		}
		var cmp int
		switch {
		case s == nil:
			cmp = 1
		case r == nil:
			cmp = -1
		default:
			cmp = metadata.CompareIndex(s.Index, r.rel)
		}
		switch {
		case cmp < 0:
			c.report(s.Index, "new")
		case cmp > 0:
			c.report(r.rel, "deleted")
		default:
			if err := c.pair(s, r); err != nil {
				return c.res, err
			}
		}
		if cmp <= 0 {
			if s, err = nextSource(ctx, src, say); err != nil {
				return c.res, err
			}
		}
		if cmp >= 0 {
			if r, err = repo.next(); err != nil {
				return c.res, err
			}
		}
	}
	return c.res, nil
}

// nextSource returns the next source entry that could be examined, or nil
// at the end; the others are warned about and left out.
func nextSource(ctx context.Context, src *remote.LocalSource, say func(Level, string, ...any)) (*remote.Entry, error) {
	for {
		e, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if e.Record == nil {
			say(2, "Error listing source path %s: %v", DisplayPath(e.Index.String()), e.Err)
			continue
		}
		if e.Err != nil {
			say(2, "Error listing source directory %s: %v", DisplayPath(e.Index.String()), e.Err)
		}
		return e, nil
	}
}

// repoEntry is one record of the session's listing under the compared
// sub-path.
type repoEntry struct {
	rec *metadata.Record // with the full index
	rel metadata.Index   // the index below the sub-path
}

type repoStream struct {
	listing *metadata.PatchedReader
	under   metadata.Index
}

func (rs *repoStream) next() (*repoEntry, error) {
	for {
		rec, err := rs.listing.Next()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rs.under) > 0 && !rec.Index.Equal(rs.under) && !rec.Index.HasPrefix(rs.under) {
			continue
		}
		return &repoEntry{rec: rec, rel: rec.Index[len(rs.under):]}, nil
	}
}

// comparer holds the state of one Compare.
type comparer struct {
	ctx     context.Context
	opts    CompareOptions
	method  string
	say     func(Level, string, ...any)
	src     *remote.LocalSource
	side    *sessionSide
	root    string
	data    string
	at      int64
	now     int64
	digests linkDigests
	res     *CompareResult
	list    incLister // reads increments directories, cached
}

func (c *comparer) report(ix metadata.Index, reason string) {
	c.res.Differences++
	if c.opts.Report != nil {
		c.opts.Report(CompareReport{Index: ix, Reason: reason})
	}
}

// sourcePath is how rdiff-backup names a source entry in its messages.
func (c *comparer) sourcePath(ix metadata.Index) string {
	if len(ix) == 0 {
		return DisplayPath(c.opts.Source)
	}
	if strings.HasSuffix(c.opts.Source, "/") {
		return DisplayPath(c.opts.Source + ix.String())
	}
	return DisplayPath(c.opts.Source + "/" + ix.String())
}

// pair compares an entry present on both sides.
func (c *comparer) pair(s *remote.Entry, r *repoEntry) error {
	same := sameMetadata(s.Record, r.rec) && c.sameSide(s, r)
	if c.method == "meta" || s.Record.Type != metadata.TypeReg || r.rec.Type != metadata.TypeReg {
		if same {
			c.say(5, "Successfully compared path %s", c.sourcePath(s.Index))
		} else {
			c.report(s.Index, "changed")
		}
		return nil
	}
	var dataChanged bool
	var err error
	if c.method == "hash" {
		dataChanged, err = c.hashChanged(s, r)
	} else {
		dataChanged, err = c.contentChanged(s, r)
	}
	if err != nil {
		return err
	}
	switch {
	case same && !dataChanged:
		if c.method == "hash" {
			c.say(5, "Successfully compared path %s", c.sourcePath(s.Index))
		} else {
			c.say(5, "Successfully compared path %s", DisplayPath(s.Index.String()))
		}
	case same:
		c.report(s.Index, "metadata the same, data changed")
	case dataChanged:
		c.report(s.Index, "metadata changed, data changed")
	default:
		c.report(s.Index, "metadata changed, data the same")
	}
	return nil
}

// hashChanged compares a source file's SHA-1 with the recorded digest; a
// file without one counts as unchanged (whatever its size), with a
// warning.
func (c *comparer) hashChanged(s *remote.Entry, r *repoEntry) (bool, error) {
	digest := c.digests.digest(r.rec)
	if digest == "" {
		c.say(2, "Metadata file has no digest for mirror file %s, unable to compare.", DisplayPath(r.rel.String()))
		return false, nil
	}
	if s.Record.Size != r.rec.Size {
		return true, nil
	}
	in, err := c.src.Open(c.ctx, s.Index)
	if err != nil {
		return false, fmt.Errorf("reading source file %s: %w", c.sourcePath(s.Index), err)
	}
	defer in.Close()
	got, err := readerSHA1(in)
	if err != nil {
		return false, fmt.Errorf("reading source file %s: %w", c.sourcePath(s.Index), err)
	}
	return got != digest, nil
}

// contentChanged compares a source file's bytes with the file's content
// at the session. A source file that cannot be read counts as changed,
// with a warning.
func (c *comparer) contentChanged(s *remote.Entry, r *repoEntry) (bool, error) {
	if s.Record.Size != r.rec.Size {
		return true, nil
	}
	in, err := c.src.Open(c.ctx, s.Index)
	if err != nil {
		c.say(2, "Error reading source file %s", c.sourcePath(s.Index))
		return true, nil
	}
	defer in.Close()
	old, err := openVersionOrEmpty(c.root, c.data, r.rec, c.at, c.now, c.list, func(missing string) {
		c.say(2, "The content of %s could not be found in the repository (it is missing at %s), so it is compared as an empty file", DisplayPath(r.rel.String()), missing)
	})
	if err != nil {
		return false, err
	}
	defer old.Close()
	same, err := sameContent(in, old)
	if err != nil {
		var se *sourceReadError
		if errors.As(err, &se) {
			c.say(2, "Error reading source file %s", c.sourcePath(s.Index))
			return true, nil
		}
		return false, fmt.Errorf("reading %s at %s: %w", r.rec.Index.String(), time.Unix(c.at, 0).UTC().Format(time.RFC3339), err)
	}
	return !same, nil
}

type sourceReadError struct{ err error }

func (e *sourceReadError) Error() string { return e.err.Error() }
func (e *sourceReadError) Unwrap() error { return e.err }

// sameContent reads a and b to their ends and tells whether they hold the
// same bytes. An error reading a is a *sourceReadError.
func sameContent(a, b io.Reader) (bool, error) {
	bufA, bufB := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		n, errA := io.ReadFull(a, bufA)
		if errA != nil && errA != io.EOF && errA != io.ErrUnexpectedEOF {
			return false, &sourceReadError{errA}
		}
		m, errB := io.ReadFull(b, bufB)
		if errB != nil && errB != io.EOF && errB != io.ErrUnexpectedEOF {
			return false, errB
		}
		if n != m || !bytes.Equal(bufA[:n], bufB[:m]) {
			return false, nil
		}
		if errA != nil || errB != nil { // a short read: both ended
			return true, nil
		}
	}
}

// readerSHA1 returns the hex SHA-1 of what r holds.
func readerSHA1(r io.Reader) (string, error) {
	h := sha1.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sameMetadata tells whether a source entry's attributes match the
// backup's record of it, with rdiff-backup's rules: times other than the
// mtime, and the link count, are not compared; size only for regular
// files; owner not for symbolic links; mtime not for symbolic links and
// devices; the inode and device only for a regular file with several
// links; an owner name is compared only when the backup recorded one; and
// a special file may stand for an empty regular file in the backup.
func sameMetadata(s, r *metadata.Record) bool {
	special := s.Type == metadata.TypeFifo || s.Type == metadata.TypeSock || s.Type == metadata.TypeDev
	if s.Type != r.Type && !(special && r.Type == metadata.TypeReg && r.Size == 0) {
		return false
	}
	if s.Permissions != r.Permissions {
		return false
	}
	if s.Type != metadata.TypeSym {
		if s.Uid != r.Uid || s.Gid != r.Gid {
			return false
		}
		if (r.Uname != "" && r.Uname != s.Uname) || (r.Gname != "" && r.Gname != s.Gname) {
			return false
		}
	}
	switch s.Type {
	case metadata.TypeReg:
		if s.Size != r.Size {
			return false
		}
		if s.NumHardLinks > 1 && (r.NumHardLinks <= 1 || r.Inode != s.Inode || r.DeviceLoc != s.DeviceLoc) {
			return false
		}
	case metadata.TypeSym:
		return s.SymData == r.SymData
	case metadata.TypeDev:
		return r.Type == metadata.TypeDev && s.DevKind == r.DevKind && s.DevMajor == r.DevMajor && s.DevMinor == r.DevMinor
	}
	// The record has an mtime unless it is of a symlink or a device.
	if r.Type == metadata.TypeSym || r.Type == metadata.TypeDev {
		return false
	}
	return s.ModTime == r.ModTime
}

// sameSide tells whether a source entry's extended attributes and ACL
// (as far as they are compared) match the session's records.
func (c *comparer) sameSide(s *remote.Entry, r *repoEntry) bool {
	if c.side.eas && !metadata.SameEAs(s.EA, c.side.eaAt(r.rec.Index)) {
		return false
	}
	if c.side.acls && !metadata.SameACLs(s.ACL, c.side.aclAt(r.rec.Index)) {
		return false
	}
	return true
}
