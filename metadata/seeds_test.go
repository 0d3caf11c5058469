//go:build linux

package metadata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestGenerateFuzzSeeds rewrites testdata/fuzz/*/rdiff-backup-* from files the
// real rdiff-backup writes. It runs only with GORDIFF_GEN_SEEDS=1.
func TestGenerateFuzzSeeds(t *testing.T) {
	if os.Getenv("GORDIFF_GEN_SEEDS") != "1" {
		t.Skip("set GORDIFF_GEN_SEEDS=1 to regenerate the fuzz seed corpus")
	}
	needRoot(t)
	dir := t.TempDir()
	src, repo := filepath.Join(dir, "src"), filepath.Join(dir, "repo")
	makeTree(t, src, oddTree)
	eaTree(t, src)
	backup(t, src, repo, t1)
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(src, "a")); err != nil {
		t.Fatal(err)
	}
	backup(t, src, repo, t2)
	seeds := map[string][]string{
		"FuzzReader":       {"mirror_metadata."},
		"FuzzEAReader":     {"extended_attributes."},
		"FuzzACLReader":    {"access_control_lists."},
		"FuzzFileStats":    {"file_statistics."},
		"FuzzSessionStats": {"session_statistics."},
	}
	for fuzz, prefixes := range seeds {
		out := filepath.Join("testdata", "fuzz", fuzz)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, prefix := range prefixes {
			for i, f := range dataFiles(t, repo, prefix) {
				data := content(t, f)
				name := filepath.Join(out, fmt.Sprintf("rdiff-backup-%s%d", prefix, i))
				body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
				if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	out := filepath.Join("testdata", "fuzz", "FuzzQuoting")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, n := range oddTree {
		body := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", n.path)
		if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("tree-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
