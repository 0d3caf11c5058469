package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
	"github.com/gordiff/gordiff/selection"
)

// runCompare is the compare action (and the legacy --compare,
// --compare-hash, --compare-full and their -at-time forms).
func runCompare(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if len(inv.Locations) != 2 {
		return c.fail("check", fmt.Errorf("Action compare requires 2 location(s) instead of %d", len(inv.Locations)))
	}
	src, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	repo, err := localPath(inv.Locations[1])
	if err != nil {
		return c.fail("check", err)
	}
	sel, err := selectionOptions(inv)
	if err != nil {
		return c.fail("setup", err)
	}
	opts := gordiff.CompareOptions{
		Source: src, Path: repo, Method: inv.Method, At: inv.At,
		Selection:       sel,
		SelectionConfig: selection.Config{NullSeparator: inv.NullSeparator, Stdin: st.in, Warn: func(m string) { c.message(2, m) }},
		Message:         c.message,
		Report: func(r gordiff.CompareReport) {
			c.mu.Lock()
			defer c.mu.Unlock()
			fmt.Fprintln(st.out, r.String())
		},
	}
	if inv.CurrentTime != nil {
		opts.Now = time.Unix(*inv.CurrentTime, 0)
	}
	res, err := gordiff.Compare(ctx, opts)
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		// Both locations are bad: one message each.
		errs := j.Unwrap()
		for _, e := range errs[:len(errs)-1] {
			c.message(1, e.Error())
		}
		err = errs[len(errs)-1]
	}
	if err != nil {
		return c.fail(readStep(err), err)
	}
	api201 := inv.EffectiveAPIVersion() >= 201
	switch {
	case res.Differences == 0 && api201:
		c.message(3, "No changes found. Directory matches backup data")
	case res.Differences == 0:
		c.message(3, "No changes found. Directory matches archive data.")
	case api201:
		c.message(2, fmt.Sprintf("Directory has %d file differences to backup", res.Differences))
		c.status |= exitFileWarning
	default:
		// Differences fail the run under API 200.
		c.message(1, "Action compare failed on step run")
		return c.status | exitError
	}
	return c.finish()
}
