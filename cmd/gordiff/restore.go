package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
	"github.com/gordiff/gordiff/increments"
)

// runRestore is the restore action (and the legacy -r/--restore-as-of).
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
	if inv.Increment || inv.At == "" {
		return c.fail("check", errors.New("restoring from an increment file is not available in this version of gordiff; give --at TIME"))
	}
	err = gordiff.Restore(ctx, gordiff.RestoreOptions{Path: from, Target: to, At: inv.At, Force: inv.Force})
	if err != nil {
		step := "run"
		switch {
		case errors.Is(err, gordiff.ErrNoRepository), errors.Is(err, gordiff.ErrTargetExists):
			step = "check"
		case errors.Is(err, increments.ErrBadTimeSpec):
			step = "setup"
		}
		return c.fail(step, err)
	}
	return c.finish()
}
