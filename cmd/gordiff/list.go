package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
)

// runList is the list action; only `list increments` (and the legacy -l)
// is available so far.
func runList(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if inv.Entity != "increments" || inv.Size {
		fmt.Fprintf(st.err, "ERROR: list %s%s is not available in this version of gordiff (list increments is)\n", inv.Entity, map[bool]string{true: " --size"}[inv.Size])
		return exitError
	}
	if len(inv.Locations) != 1 {
		return c.fail("check", fmt.Errorf("Action list requires 1 location(s) instead of %d", len(inv.Locations)))
	}
	path, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	list, err := gordiff.ListIncrements(ctx, gordiff.ListIncrementsOptions{Path: path})
	if err != nil {
		step := "run"
		if errors.Is(err, gordiff.ErrNoRepository) {
			step = "check"
		}
		return c.fail(step, err)
	}
	fmt.Fprint(st.out, list.Format(inv.ParsableOutput, nil))
	return c.finish()
}
