package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/mirror"
	"github.com/gordiff/gordiff/selection"
)

// backupOptions turns a parsed backup command line into the library's
// options.
func backupOptions(inv *cli.Invocation, st streams, c *console) (gordiff.BackupOptions, error) {
	if len(inv.Locations) != 2 {
		return gordiff.BackupOptions{}, fmt.Errorf("Action backup requires 2 location(s) instead of %d", len(inv.Locations))
	}
	src, err := localPath(inv.Locations[0])
	if err != nil {
		return gordiff.BackupOptions{}, err
	}
	dst, err := localPath(inv.Locations[1])
	if err != nil {
		return gordiff.BackupOptions{}, err
	}
	sel, err := selectionOptions(inv)
	if err != nil {
		return gordiff.BackupOptions{}, err
	}
	o := gordiff.BackupOptions{
		Source: src, Repository: dst,
		Selection:            sel,
		SelectionConfig:      selection.Config{NullSeparator: inv.NullSeparator, Stdin: st.in, Warn: func(m string) { c.message(2, m) }},
		Force:                inv.Force,
		CreateFullPath:       inv.CreateFullPath,
		NoCompression:        !inv.Compression,
		NoHardLinks:          !inv.HardLinks,
		NoFileStatistics:     !inv.FileStatistics,
		NoEAs:                !inv.EAs,
		NoACLs:               !inv.ACLs,
		NoFsync:              !inv.Fsync,
		NullSeparator:        inv.NullSeparator,
		CompatibleTimestamps: inv.UseCompatibleTimes,
		Verbosity:            inv.Verbosity,
		Message:              c.message,
		Progress:             c.progressFunc(),
	}
	if inv.NotCompressedRegexp != cli.DefaultNotCompressedRegexp {
		o.NotCompressedRegexp = inv.NotCompressedRegexp
	}
	if inv.CurrentTime != nil {
		o.Time = *inv.CurrentTime
	}
	return o, nil
}

// selectionOptions maps the command line's selection options, in order,
// to the selection package's.
func selectionOptions(inv *cli.Invocation) ([]selection.Option, error) {
	var out []selection.Option
	for _, so := range inv.Selections {
		k, stdin, ok := selection.KindFromFlag(so.Flag)
		if !ok {
			return nil, fmt.Errorf("unknown selection option --%s", so.Flag)
		}
		out = append(out, selection.Option{Kind: k, Arg: so.Arg, Stdin: stdin})
	}
	return out, nil
}

// runBackup is the backup action.
func runBackup(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	opts, err := backupOptions(inv, st, c)
	if err != nil {
		return c.fail("check", err)
	}
	res, err := gordiff.Backup(ctx, opts)
	if res != nil && res.Regressed {
		c.status |= exitWarning
	}
	if err != nil {
		step := "run"
		switch {
		case errors.Is(err, gordiff.ErrSource), errors.Is(err, mirror.ErrNotRepository):
			step = "check"
		case errors.Is(err, mirror.ErrNotInPast), errors.Is(err, mirror.ErrLocked), errors.Is(err, mirror.ErrBadDataDir),
			errors.Is(err, mirror.ErrStillRunning), errors.Is(err, selection.ErrInvalid):
			step = "setup"
		}
		return c.fail(step, err)
	}
	if res.FileErrors > 0 {
		// rdiff-backup exits 0 here, hiding the loss from scripts;
		// gordiff sets the file-error bit.
		c.status |= exitFileError
	}
	if inv.PrintStatistics {
		zone := increments.NewZone(nil, time.Unix(res.Time, 0))
		fmt.Fprint(st.out, "--------------[ Session statistics ]--------------\n")
		st.out.Write(res.Stats.Format(zone.Location()))
		fmt.Fprint(st.out, "--------------------------------------------------\n")
	}
	return c.finish()
}

// runRegress is the regress action (and the legacy
// --check-destination-dir).
func runRegress(ctx context.Context, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	if len(inv.Locations) != 1 {
		return c.fail("check", fmt.Errorf("Action regress requires 1 location(s) instead of %d", len(inv.Locations)))
	}
	repo, err := localPath(inv.Locations[0])
	if err != nil {
		return c.fail("check", err)
	}
	if !mirror.IsRepository(repo) {
		return c.fail("check", fmt.Errorf("Source directory '%s' doesn't have a sub-directory 'rdiff-backup-data'", repo))
	}
	err = gordiff.Regress(ctx, gordiff.RegressOptions{
		Repository: repo, Force: inv.Force, NoFsync: !inv.Fsync, Verbosity: inv.Verbosity, Message: c.message,
	})
	switch {
	case errors.Is(err, gordiff.ErrNoRegressNeeded):
		c.message(3, err.Error())
		return c.finish()
	case err != nil:
		return c.fail("run", err)
	}
	c.status |= exitWarning
	return c.finish()
}
