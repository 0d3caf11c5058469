package gordiff

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/metadata"
	"github.com/gordiff/gordiff/mirror"
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Path is the repository, or a path inside its mirror.
	Path string
	// Message receives the per-file warnings; nil discards them.
	Message func(Level, string)
}

// VerifyResult sums up a verification.
type VerifyResult struct {
	Checked   int // regular files whose digest was compared
	Corrupted int // ... and did not match
	NoHash    int // regular files without a recorded digest
}

// ErrVerifyOlder reports a verification asked for an earlier session,
// which needs the restore machinery of step 3.
var ErrVerifyOlder = errors.New("verifying an earlier session than the current mirror is not available in this version of gordiff")

// Verify recomputes the SHA-1 of every regular file of the current mirror
// (under Path) and compares it with the digest the metadata recorded, as
// `rdiff-backup verify` does at the default time (now). Later paths of a
// hard-link group are checked against their group's digest.
func Verify(ctx context.Context, opts VerifyOptions) (*VerifyResult, error) {
	root, rel, err := findRepository(opts.Path)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(root, mirror.DataDirName)
	d, err := readDataDir(data)
	if err != nil {
		return nil, err
	}
	now, err := d.mirrorTime()
	if err != nil {
		return nil, err
	}
	snap := ""
	for _, m := range d.metas {
		if m.n.Time == now && m.n.Type == increments.TypeSnapshot {
			snap = m.path
		}
	}
	if snap == "" {
		return nil, fmt.Errorf("no mirror_metadata snapshot for the current mirror in %s", data)
	}
	rd, err := metadata.OpenReader(snap)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var under metadata.Index
	if rel != "." {
		under = metadata.ParseIndex(filepath.ToSlash(rel))
	}
	say := func(l Level, format string, a ...any) {
		if opts.Message != nil {
			opts.Message(l, fmt.Sprintf(format, a...))
		}
	}
	type linkKey struct{ dev, ino uint64 }
	groups := map[linkKey]string{}
	res := &VerifyResult{}
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if rec.Type != metadata.TypeReg {
			continue
		}
		want := rec.SHA1
		if rec.NumHardLinks > 1 {
			k := linkKey{rec.DeviceLoc, rec.Inode}
			if want != "" {
				groups[k] = want
			} else {
				want = groups[k]
			}
		}
		if len(under) > 0 && !(rec.Index.Equal(under) || rec.Index.HasPrefix(under)) {
			continue
		}
		// Paths are shown relative to the verified sub-path.
		path := metadata.Index(rec.Index[len(under):]).String()
		if want == "" {
			res.NoHash++
			say(2, "Cannot find SHA1 digest for file %s, perhaps because this feature was added in v1.1.1", path)
			say(2, "Hash for file %s missing, cannot check", path)
			continue
		}
		got, err := fileSHA1(metadata.FullPath(root, rec.Index))
		if err != nil {
			return res, err
		}
		res.Checked++
		if got != want {
			res.Corrupted++
			say(2, "Computed SHA1 digest of file %s '%s' doesn't match recorded digest of '%s'. Your backup repository may be corrupted!", path, got, want)
		}
	}
	return res, nil
}

func fileSHA1(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
