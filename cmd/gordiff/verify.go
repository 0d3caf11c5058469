package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
)

// runVerify is the verify action (and the legacy --verify); only the
// current mirror can be verified so far.
func runVerify(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if len(inv.Locations) != 1 {
		return c.fail("check", fmt.Errorf("Action verify requires 1 location(s) instead of %d", len(inv.Locations)))
	}
	path, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	if inv.At != "" && inv.At != "now" {
		return c.fail("setup", gordiff.ErrVerifyOlder)
	}
	res, err := gordiff.Verify(ctx, gordiff.VerifyOptions{Path: path, Message: c.message})
	if err != nil {
		step := "run"
		if errors.Is(err, gordiff.ErrNoRepository) {
			step = "check"
		}
		return c.fail(step, err)
	}
	switch {
	case res.Corrupted > 0:
		c.message(1, fmt.Sprintf("Verification found %d potentially corrupted files", res.Corrupted))
		c.status |= exitWarning
	case res.NoHash > 0:
		c.message(3, fmt.Sprintf("Verification found %d files without hash, all others could be verified successfully", res.NoHash))
	default:
		c.message(3, "All files verified successfully")
	}
	return c.finish()
}
