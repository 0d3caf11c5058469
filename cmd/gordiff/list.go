package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
)

// runList is the list action; `list increments` with or without --size
// (and the legacy -l and --list-increment-sizes) are available so far.
func runList(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if inv.Entity != "increments" {
		fmt.Fprintf(st.err, "ERROR: list %s is not available in this version of gordiff (list increments is)\n", inv.Entity)
		return exitError
	}
	if len(inv.Locations) != 1 {
		return c.fail("check", fmt.Errorf("Action list requires 1 location(s) instead of %d", len(inv.Locations)))
	}
	path, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	var out string
	var err2 error
	if inv.Size {
		var rows []gordiff.IncrementSize
		rows, err2 = gordiff.IncrementSizes(ctx, gordiff.ListIncrementsOptions{Path: path})
		out = gordiff.FormatIncrementSizes(rows, inv.ParsableOutput, nil)
	} else {
		var list *gordiff.IncrementList
		list, err2 = gordiff.ListIncrements(ctx, gordiff.ListIncrementsOptions{Path: path})
		if list != nil {
			out = list.Format(inv.ParsableOutput, nil)
		}
	}
	if err := err2; err != nil {
		step := "run"
		if errors.Is(err, gordiff.ErrNoRepository) {
			step = "check"
		}
		return c.fail(step, err)
	}
	fmt.Fprint(st.out, out)
	return c.finish()
}
