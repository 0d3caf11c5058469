package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
	"github.com/gordiff/gordiff/increments"
)

// runList is the list action; `list increments` with or without --size
// (and the legacy -l and --list-increment-sizes) are available so far.
func runList(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if inv.Entity == "files" {
		return runListFiles(ctx, inv, st, c)
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
		switch {
		case list == nil:
		case inv.ParsableOutput && inv.EffectiveAPIVersion() >= 201:
			out = list.FormatYAML(path)
		default:
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

// runListFiles is `list files --at` and `--changed-since` (and the legacy
// --list-at-time and --list-changed-since).
func runListFiles(ctx context.Context, inv *cli.Invocation, st streams, c *console) int {
	if len(inv.Locations) != 1 {
		return c.fail("check", fmt.Errorf("Action list requires 1 location(s) instead of %d", len(inv.Locations)))
	}
	path, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	warn := func(msg string) { c.message(2, msg) }
	var now time.Time
	if inv.CurrentTime != nil {
		now = time.Unix(*inv.CurrentTime, 0)
	}
	var lines []string
	if inv.ChangedSince != "" {
		var changes []gordiff.FileChange
		changes, err = gordiff.ListChangedSince(ctx, gordiff.ListChangedSinceOptions{Path: path, Since: inv.ChangedSince, Now: now, Warn: warn})
		for _, ch := range changes {
			lines = append(lines, ch.String())
		}
	} else {
		var files []string
		files, err = gordiff.ListFiles(ctx, gordiff.ListFilesOptions{Path: path, At: inv.At, Now: now, Warn: warn})
		for _, f := range files {
			lines = append(lines, gordiff.DisplayPath(f))
		}
	}
	if err != nil {
		step := "run"
		switch {
		case errors.Is(err, gordiff.ErrNoRepository):
			step = "check"
		case errors.Is(err, increments.ErrBadTimeSpec):
			step = "setup"
		}
		return c.fail(step, err)
	}
	for _, l := range lines {
		fmt.Fprintln(st.out, l)
	}
	return c.finish()
}
