package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/selection"
)

// runVerify is the verify action (and the legacy --verify and
// --verify-at-time): any session, the current mirror by default.
func runVerify(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if len(inv.Locations) != 1 {
		return c.fail("check", fmt.Errorf("Action verify requires 1 location(s) instead of %d", len(inv.Locations)))
	}
	path, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	opts := gordiff.VerifyOptions{Path: path, At: inv.At, Message: c.message}
	if inv.CurrentTime != nil {
		opts.Now = time.Unix(*inv.CurrentTime, 0)
	}
	res, err := gordiff.Verify(ctx, opts)
	if err != nil {
		return c.fail(readStep(err), err)
	}
	api201 := inv.EffectiveAPIVersion() >= 201
	switch {
	case res.Corrupted > 0:
		c.message(1, fmt.Sprintf("Verification found %d potentially corrupted files", res.Corrupted))
		if api201 {
			c.status |= exitFileError
			if res.NoHash > 0 {
				c.message(3, fmt.Sprintf("Verification also found %d files without hash", res.NoHash))
			}
		} else {
			c.status |= exitWarning
		}
	case res.NoHash > 0:
		c.message(3, fmt.Sprintf("Verification found %d files without hash, all others could be verified successfully", res.NoHash))
	default:
		c.message(3, "All files verified successfully")
	}
	if api201 && res.NoHash > 0 {
		c.status |= exitFileWarning
	}
	return c.finish()
}

// readStep is the step rdiff-backup names when a read action (verify,
// compare) fails with err: a location that is not what it should be fails
// the check, an unusable time spec or selection the setup, the rest the
// run.
func readStep(err error) string {
	switch {
	case errors.Is(err, gordiff.ErrNoRepository), errors.Is(err, gordiff.ErrSource):
		return "check"
	case errors.Is(err, increments.ErrBadTimeSpec), errors.Is(err, selection.ErrInvalid):
		return "setup"
	}
	return "run"
}
