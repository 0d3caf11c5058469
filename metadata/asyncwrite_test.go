//go:build linux

package metadata

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestDataFileAbort: a data file abandoned by a failed session keeps what
// was written (readable), leaves no goroutine behind, and one never
// written is not created; Abort after Close changes nothing.
func TestDataFileAbort(t *testing.T) {
	dir := t.TempDir()
	before := runtime.NumGoroutine()
	text := bytes.Repeat([]byte("File a\n  Type reg\n"), 20000) // several async buffers
	d := CreateDataFile(filepath.Join(dir, "written"), true)
	if _, err := d.Write(text); err != nil {
		t.Fatal(err)
	}
	d.Abort()
	d.Abort()
	if got := content(t, d.Path()); !bytes.Equal(got, text) {
		t.Errorf("aborted file reads %d bytes, want the %d written", len(got), len(text))
	}
	e := CreateDataFile(filepath.Join(dir, "never"), true)
	e.Abort()
	if _, err := os.Lstat(filepath.Join(dir, "never")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a data file never written was created by Abort: %v", err)
	}
	c := CreateDataFile(filepath.Join(dir, "closed"), true)
	if _, err := c.Write([]byte("x\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c.Abort()
	if got := content(t, c.Path()); string(got) != "x\n" {
		t.Errorf("Abort after Close changed the file: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Abort, %d before", n, before)
	}
}
