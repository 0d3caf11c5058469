package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/selection"
)

// runRestore is the restore action (and the legacy -r/--restore-as-of and
// --restore).
func runRestore(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if len(inv.Locations) != 2 {
		return c.fail("check", fmt.Errorf("Action restore requires 2 location(s) instead of %d", len(inv.Locations)))
	}
	from, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	to, err := localPath(inv.Locations[1])
	if err != nil {
		return c.fail("check", err)
	}
	sel, err := selectionOptions(inv)
	if err != nil {
		return c.fail("check", err)
	}
	var logFile *os.File
	defer func() {
		if logFile != nil {
			logFile.Close()
		}
	}()
	opts := gordiff.RestoreOptions{
		Path: from, Target: to, At: inv.At, Increment: inv.Increment,
		Force: inv.Force, CreateFullPath: inv.CreateFullPath, NoEAs: !inv.EAs, NoACLs: !inv.ACLs,
		Selection:       sel,
		SelectionConfig: selection.Config{NullSeparator: inv.NullSeparator, Stdin: st.in, Warn: func(m string) { c.message(2, m) }},
		Message:         c.message,
		Checked: func(repo string) {
			if inv.Verbosity <= 0 {
				return
			}
			// From here on rdiff-backup appends its messages to
			// restore.log in the repository, when it can write there.
			f, err := os.OpenFile(filepath.Join(repo, "rdiff-backup-data", "restore.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
			if err == nil {
				logFile = f
				c.log, c.logLevel = f, inv.Verbosity
			}
		},
	}
	if inv.CurrentTime != nil {
		opts.Now = time.Unix(*inv.CurrentTime, 0)
	}
	res, err := gordiff.Restore(ctx, opts)
	if res != nil && res.Warning {
		c.status |= exitWarning
	}
	if errors.Is(err, selection.ErrInvalid) {
		// rdiff-backup stops on a bad selection with a fatal error,
		// without naming a step.
		fmt.Fprintf(st.err, "Fatal Error: %v\n", err)
		return c.status | exitError
	}
	if err != nil {
		step := "run"
		switch {
		case errors.Is(err, gordiff.ErrNoRepository), errors.Is(err, gordiff.ErrTargetExists), errors.Is(err, gordiff.ErrRestoreUsage):
			step = "check"
		case errors.Is(err, increments.ErrBadTimeSpec), errors.Is(err, gordiff.ErrRestoreTarget):
			step = "setup"
		}
		return c.fail(step, err)
	}
	if len(res.FileErrors) > 0 {
		// rdiff-backup exits 0 here, having written an empty file in
		// place of each one it could not rebuild; gordiff writes none
		// and sets the file-error bit.
		c.status |= exitFileError
	}
	return c.finish()
}
