package gordiff

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/mirror"
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Path is the repository, or a path inside its mirror.
	Path string
	// At is the time spec of the session to verify (cli.md section 4);
	// empty means "now", the current mirror.
	At string
	// Now is the reference for relative time specs; zero means the clock.
	Now time.Time
	// Message receives the per-file messages (warnings, and at level 5 each
	// file verified); nil discards them.
	Message func(Level, string)
}

// VerifyResult sums up a verification.
type VerifyResult struct {
	Time      int64 // the session verified
	Checked   int   // regular files whose digest was compared
	Corrupted int   // ... and did not match
	NoHash    int   // regular files without a recorded digest
}

// Verify recomputes the SHA-1 of every regular file (under Path) as it was
// at the session At selects and compares it with the digest that
// session's metadata recorded, as `rdiff-backup verify` does. An older
// session's content is rebuilt from the mirror and the increments; later
// paths of a hard-link group are checked against their group's digest. A
// file whose content cannot be found at all is checked as empty (a
// mismatch, with a warning); an increment that cannot be read or applied
// ends the verification with an error naming it.
func Verify(ctx context.Context, opts VerifyOptions) (*VerifyResult, error) {
	root, rel, err := findRepository(opts.Path)
	if err != nil {
		return nil, err
	}
	spec := opts.At
	if spec == "" {
		spec = "now"
	}
	data := filepath.Join(root, mirror.DataDirName)
	listing, at, mirrorTime, closeAll, err := listingAt(data, spec, opts.Now)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	var under metadata.Index
	if rel != "." {
		under = metadata.ParseIndex(filepath.ToSlash(rel))
	}
	say := func(l Level, format string, a ...any) {
		if opts.Message != nil {
			opts.Message(l, fmt.Sprintf(format, a...))
		}
	}
	digests := linkDigests{}
	res := &VerifyResult{Time: at}
	for {
		rec, err := listing.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if rec.Type != metadata.TypeReg || len(under) > 0 && !(rec.Index.Equal(under) || rec.Index.HasPrefix(under)) {
			continue
		}
		want := digests.digest(rec)
		// Paths are shown relative to the verified sub-path.
		path := DisplayPath(metadata.Index(rec.Index[len(under):]).String())
		if want == "" {
			res.NoHash++
			say(2, "Cannot find SHA1 digest for file %s, perhaps because this feature was added in v1.1.1", path)
			continue
		}
		got, err := versionSHA1(root, data, rec, at, mirrorTime, func(missing string) {
			say(2, "The content of %s could not be found in the repository (it is missing at %s), so it is checked as an empty file", path, missing)
		})
		if err != nil {
			return res, err
		}
		res.Checked++
		if got != want {
			res.Corrupted++
			say(2, "Computed SHA1 digest of file %s '%s' doesn't match recorded digest of '%s'. Your backup repository may be corrupted!", path, got, want)
		} else {
			say(5, "Verified SHA1 digest of file %s", path)
		}
	}
	return res, nil
}

// linkDigests finds the digest to check a regular file against the way
// rdiff-backup's hard-link table does: a later path of a hard-link group
// gets the digest of the group's first path that was looked up (rdiff-backup
// records it with that path only), and a group is forgotten once as many
// paths as it has links were looked up. Only the records looked up count,
// so a group whose first path is not looked up (outside the sub-path, say)
// has no digest for the others.
type linkDigests map[[2]uint64]*linkGroup

type linkGroup struct {
	first  string // index of the group's first path looked up
	left   int64  // links not looked up yet
	digest string
}

// digest returns the digest to check rec against; records come in the
// listing's order.
func (g linkDigests) digest(rec *metadata.Record) string {
	if rec.Type != metadata.TypeReg || rec.NumHardLinks < 2 {
		return rec.SHA1
	}
	k := [2]uint64{rec.Inode, rec.DeviceLoc}
	ix := rec.Index.String()
	grp := g[k]
	if grp == nil {
		grp = &linkGroup{first: ix, left: rec.NumHardLinks, digest: rec.SHA1}
		g[k] = grp
	}
	d := rec.SHA1
	if grp.first != ix {
		d = grp.digest
	}
	if grp.left--; grp.left <= 0 {
		delete(g, k)
	}
	return d
}

// versionSHA1 hashes the content of the regular file of rec at session
// at (see openVersionOrEmpty).
func versionSHA1(root, data string, rec *metadata.Record, at, now int64, missing func(string)) (string, error) {
	ix := rec.Index
	in, err := openVersionOrEmpty(root, data, rec, at, now, missing)
	if err != nil {
		return "", err
	}
	defer in.Close()
	h := sha1.New()
	if _, err := io.Copy(h, in); err != nil {
		return "", fmt.Errorf("reading %s at %s: %w", ix.String(), time.Unix(at, 0).UTC().Format(time.RFC3339), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// openVersionOrEmpty opens the content of the regular file of rec (which
// may name long-name stand-ins) at session at. When that content is simply not there (the mirror file deleted,
// say), missing is told the path looked for and the content is empty, as
// rdiff-backup makes it; an increment that cannot be read is an error.
func openVersionOrEmpty(root, data string, rec *metadata.Record, at, now int64, missing func(string)) (io.ReadCloser, error) {
	ix := rec.Index
	in, err := openRecordVersion(root, data, rec, at, now)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist):
		missing(pe.Path)
		return io.NopCloser(strings.NewReader("")), nil
	case err != nil:
		return nil, fmt.Errorf("reading %s at %s: %w", ix.String(), time.Unix(at, 0).UTC().Format(time.RFC3339), err)
	}
	return in, nil
}
