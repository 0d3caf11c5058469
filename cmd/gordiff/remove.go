package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
	"github.com/gordiff/gordiff/increments"
)

// runRemove is `remove increments --older-than [--size]` (and the legacy
// --remove-older-than).
func runRemove(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if len(inv.Locations) != 1 {
		return c.fail("check", fmt.Errorf("Action remove requires 1 location(s) instead of %d", len(inv.Locations)))
	}
	repo, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	if inv.Verbosity > 0 {
		// rdiff-backup keeps remove.log in the repository, also when the
		// removal is refused.
		if f, err := os.OpenFile(filepath.Join(repo, "rdiff-backup-data", "remove.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err == nil {
			defer f.Close()
			c.log, c.logLevel = f, inv.Verbosity
		}
	}
	opts := gordiff.RemoveOptions{Repository: repo, OlderThan: inv.OlderThan, Force: inv.Force, Size: inv.Size, Message: c.message}
	if inv.CurrentTime != nil {
		opts.Now = time.Unix(*inv.CurrentTime, 0)
	}
	zone := increments.NewZone(nil, time.Now())
	res, err := gordiff.RemoveIncrements(ctx, opts)
	switch {
	case errors.Is(err, gordiff.ErrNothingToRemove):
		c.message(3, fmt.Sprintf("No increments older than %s found, exiting.", zone.Asctime(res.Cutoff)))
		c.message(2, fmt.Sprintf("No increment is older than '%s'", inv.OlderThan))
		c.status |= exitWarning
		return c.finish()
	case errors.Is(err, gordiff.ErrSeveralToRemove):
		lines := gordiff.FormatRemovalTimes(res, nil)
		c.message(1, fmt.Sprintf("Found %d relevant increments, dates/times:\n%s\nIf you want to delete multiple increments in this way, use the --force option.", len(res.Sessions), strings.Join(lines, "\n")))
		c.message(1, "Action remove failed on step setup")
		return c.status | exitError
	case errors.Is(err, gordiff.ErrNoRepository):
		// The check's messages are out already.
		c.message(1, "Action remove failed on step check")
		return c.status | exitError
	case errors.Is(err, increments.ErrBadTimeSpec):
		return c.fail("setup", err)
	case err != nil:
		return c.fail("run", err)
	}
	c.message(3, gordiff.FormatRemoval(res, nil))
	return c.finish()
}
