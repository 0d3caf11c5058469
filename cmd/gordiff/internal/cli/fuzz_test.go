package cli

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary command lines (words separated by NUL) and
// RDIFF_BACKUP_VERBOSITY values: Parse must never panic, and must return
// either an Invocation or an *Error with a sensible status.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(strings.Join(c.args, "\x00"), "")
	}
	for _, l := range wrongLines {
		f.Add(strings.Join(l, "\x00"), "")
	}
	f.Add("-v\x00-0\x00-l\x00r", "5")
	f.Add("info", "x")
	// No real file system: @FILE and mapping files come from a fake.
	saved := fsys
	f.Cleanup(func() { fsys = saved })
	fsys.readFile = func(name string) ([]byte, error) {
		if strings.HasPrefix(name, "args") {
			return []byte(strings.TrimPrefix(name, "args")), nil
		}
		return nil, os.ErrNotExist
	}
	fsys.checkOpen = func(name string) error {
		if strings.HasPrefix(name, "map") {
			return nil
		}
		return os.ErrNotExist
	}
	fsys.isDir = func(name string) bool { return name == "/tmp" }

	f.Fuzz(func(t *testing.T, line, verbosity string) {
		var args []string
		if line != "" {
			args = strings.Split(line, "\x00")
		}
		env := func(k string) string {
			if k == "RDIFF_BACKUP_VERBOSITY" {
				return verbosity
			}
			return ""
		}
		inv, err := Parse(args, env)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: error %T %v", args, err, err)
			}
			if e.Status != 1 && e.Status != 2 || e.Error() == "" {
				t.Fatalf("%q: bad error %+v", args, e)
			}
			_ = e.Text()
			return
		}
		if inv.Help != "" || inv.Version {
			return
		}
		if inv.Action == "" {
			t.Fatalf("%q: no action", args)
		}
		for _, l := range inv.Locations {
			if l.Raw == "" && l.Path != "" {
				t.Fatalf("%q: bad location %+v", args, l)
			}
		}
	})
}
