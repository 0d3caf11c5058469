//go:build linux

package gordiff_test

import (
	"archive/tar"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/gordiff/gordiff"
)

// TestRestoreCommittedRepositories: the repositories under testdata/repos,
// written by rdiff-backup 2.2.2 (make.sh there; one with compressed
// increments, one without), restore at every session to exactly the trees
// rdiff-backup restored when they were made (the .manifest files: type,
// permissions, size, SHA-1, mtime, link target, link count). It needs no
// rdiff-backup and no root.
func TestRestoreCommittedRepositories(t *testing.T) {
	t.Parallel()
	tars, err := filepath.Glob(filepath.Join("testdata", "repos", "*.tar"))
	if err != nil || len(tars) == 0 {
		t.Fatalf("no repositories under testdata/repos: %v", err)
	}
	for _, tarPath := range tars {
		name := strings.TrimSuffix(filepath.Base(tarPath), ".tar")
		dir := t.TempDir()
		extractTar(t, tarPath, dir)
		manifest, err := os.ReadFile(strings.TrimSuffix(tarPath, ".tar") + ".manifest")
		if err != nil {
			t.Fatal(err)
		}
		sessions := strings.Split(strings.TrimPrefix(string(manifest), "session "), "\nsession ")
		if len(sessions) < 2 {
			t.Fatalf("%s: %d sessions in the manifest", name, len(sessions))
		}
		for _, s := range sessions {
			at, want, _ := strings.Cut(s, "\n")
			out := filepath.Join(dir, "out-"+at)
			if _, err := gordiff.Restore(context.Background(), gordiff.RestoreOptions{Path: filepath.Join(dir, name), Target: out, At: at}); err != nil {
				t.Fatalf("%s at %s: %v", name, at, err)
			}
			if got, want := strings.TrimSpace(restoreManifest(t, out)), strings.TrimSpace(want); got != want {
				t.Errorf("%s at %s: the restored tree differs from rdiff-backup's\nrecorded:\n%s\ngordiff:\n%s", name, at, want, got)
			}
		}
	}
}

// extractTar unpacks a tar of a repository (directories, regular files,
// symlinks, hard links) into dir.
func extractTar(t *testing.T, path, dir string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var dirs []*tar.Header
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o700)
			dirs = append(dirs, h)
		case tar.TypeReg:
			var w *os.File
			if w, err = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
				_, err = io.Copy(w, tr)
				if cerr := w.Close(); err == nil {
					err = cerr
				}
			}
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, p)
		case tar.TypeLink:
			err = os.Link(filepath.Join(dir, filepath.FromSlash(h.Linkname)), p)
		default:
			err = fmt.Errorf("unexpected entry type %q", h.Typeflag)
		}
		if err == nil && h.Typeflag == tar.TypeReg {
			if err = os.Chmod(p, fs.FileMode(h.Mode&0o777)); err == nil {
				err = os.Chtimes(p, h.ModTime, h.ModTime)
			}
		}
		if err != nil {
			t.Fatalf("%s: %s: %v", path, h.Name, err)
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		p := filepath.Join(dir, filepath.FromSlash(dirs[i].Name))
		os.Chmod(p, fs.FileMode(dirs[i].Mode&0o777)|0o700)
		os.Chtimes(p, dirs[i].ModTime, dirs[i].ModTime)
	}
}

// restoreManifest is testdata/repos/manifest.py in Go: one line per entry
// below root, sorted, "path type mode size mtime sha1 target links"
// separated by tabs.
func restoreManifest(t *testing.T, root string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			return err
		}
		kind, mode, size, mtime, sha, target, links := "other", strconv.FormatUint(uint64(st.Mode&0o7777), 8), "-", strconv.FormatInt(st.Mtim.Sec, 10), "-", "-", "1"
		switch st.Mode & syscall.S_IFMT {
		case syscall.S_IFDIR:
			kind = "dir"
		case syscall.S_IFLNK:
			kind, mode, mtime = "sym", "-", "-"
			if target, err = os.Readlink(p); err != nil {
				return err
			}
		case syscall.S_IFREG:
			kind, size, links = "reg", strconv.FormatInt(st.Size, 10), strconv.FormatUint(uint64(st.Nlink), 10)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha1.Sum(b)
			sha = hex.EncodeToString(h[:])
		}
		lines = append(lines, strings.Join([]string{rel, kind, mode, size, mtime, sha, target, links}, "\t"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}
