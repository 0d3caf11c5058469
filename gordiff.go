// Package gordiff is the embedding API of gordiff, a native Go
// reimplementation of rdiff-backup: every action the command line offers is
// a function here, with options and a context. The command line only
// parses, calls these and prints.
//
// This package wires the source side and the repository side together
// (remote, mirror) and applies rdiff-backup's rules about locations; it must
// never print, read the terminal, or exit the process.
package gordiff

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gordiff/gordiff/fsfeatures"
	"github.com/gordiff/gordiff/increments"
	"github.com/gordiff/gordiff/mirror"
	"github.com/gordiff/gordiff/remote"
	"github.com/gordiff/gordiff/selection"
)

// Level is a message's level (1 error, 2 warning, 3 note, 5 info, 8 debug).
type Level = mirror.Level

// Progress is the state of a running backup.
type Progress = mirror.Progress

// BackupOptions configure Backup. The zero value backs up everything with
// rdiff-backup's defaults.
type BackupOptions struct {
	Source, Repository string

	// Selection is the ordered list of selection options (cli.md 3).
	Selection []selection.Option
	// SelectionConfig carries --null-separator and stdin for filelists.
	SelectionConfig selection.Config

	// Time is the session time (--current-time); 0 reads Clock.
	Time  int64
	Clock increments.Clock
	// Location is the zone for time strings; nil is time.Local (TZ).
	Location *time.Location

	Force                bool
	CreateFullPath       bool
	NoCompression        bool
	NotCompressedRegexp  string // "" keeps rdiff-backup's default
	NoHardLinks          bool
	NoFileStatistics     bool
	NoEAs, NoACLs        bool
	NoFsync              bool
	NullSeparator        bool
	CompatibleTimestamps bool

	// Verbosity is the level up to which messages go to backup.log.
	Verbosity int
	// Message receives every message; nil discards them.
	Message func(Level, string)
	// Progress is called after each entry when set.
	Progress func(Progress)
}

// BackupResult is what a finished backup reports.
type BackupResult = mirror.Result

// ErrSource reports an unusable source directory.
var ErrSource = errors.New("bad source")

// Backup backs up opts.Source into opts.Repository: a first backup creates
// the repository, later ones add a session, and an interrupted session is
// regressed first.
func Backup(ctx context.Context, opts BackupOptions) (*BackupResult, error) {
	say := func(l Level, format string, a ...any) {
		if opts.Message != nil {
			opts.Message(l, fmt.Sprintf(format, a...))
		}
	}
	fi, err := os.Stat(opts.Source)
	if err != nil {
		return nil, &mirror.Error{Msg: fmt.Sprintf("Source path %s does not exist", opts.Source), Kind: ErrSource}
	}
	if !fi.IsDir() {
		return nil, &mirror.Error{Msg: fmt.Sprintf("Source path %s is not a directory", opts.Source), Kind: ErrSource}
	}
	sel := append([]selection.Option(nil), opts.Selection...)
	if inside(opts.Repository, opts.Source) {
		say(mirror.LevelWarning, "The target directory '%s' may be contained in the source directory '%s'. This could cause an infinite recursion. You may need to use the --exclude option (which you might already have done).", opts.Repository, opts.Source)
		// Keep the repository out of its own backup.
		sel = append([]selection.Option{{Kind: selection.KindExclude, Arg: opts.Repository}}, sel...)
	}
	set, err := selection.New(opts.Source, sel, opts.SelectionConfig)
	if err != nil {
		return nil, err
	}
	if opts.CreateFullPath {
		if err := os.MkdirAll(filepath.Dir(filepath.Clean(opts.Repository)), 0o700); err != nil {
			return nil, fmt.Errorf("Unable to delete and/or create directory %s: %w", opts.Repository, err)
		}
	}
	// The session's time is fixed now, before the walk starts (below):
	// every lstat of the source must come after it, as the next session's
	// ctime test (UnchangedSince) assumes, or an EA or ACL changed
	// between an early lstat and a later session time would be missed
	// for good.
	at := sessionTime(opts)
	mopts := mirror.Options{
		Time: at.Unix(), Clock: opts.Clock, Zone: increments.NewZone(opts.Location, at),
		CompatibleTimestamps: opts.CompatibleTimestamps,
		NoCompression:        opts.NoCompression, NoHardLinks: opts.NoHardLinks,
		NoFileStatistics: opts.NoFileStatistics, NoFsync: opts.NoFsync, NullSeparator: opts.NullSeparator,
		Force: opts.Force, SourceName: opts.Source, Verbosity: opts.Verbosity,
		Message: opts.Message, Progress: opts.Progress,
	}
	if opts.NotCompressedRegexp != "" {
		re, err := regexp.Compile("^(?:" + opts.NotCompressedRegexp + ")")
		if err != nil {
			return nil, fmt.Errorf("No compression regular expression 'b'%s'' doesn't compile: %w", opts.NotCompressedRegexp, err)
		}
		mopts.NotCompressed = re
	}
	eas, acls, ferr := fsfeatures.ProbeMetadata(opts.Source)
	mopts.EAs = !opts.NoEAs && ferr == nil && eas
	mopts.ACLs = !opts.NoACLs && ferr == nil && acls
	src := remote.NewLocalSource(opts.Source, remote.LocalOptions{Selection: set, EAs: mopts.EAs, ACLs: mopts.ACLs})
	defer src.Close()
	src.Start(ctx) // the walk overlaps with opening the repository
	return mirror.Backup(ctx, opts.Repository, src, mopts)
}

// inside reports whether path is below dir (lexically, after making both
// absolute).
func inside(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	return p != d && strings.HasPrefix(p, d+string(filepath.Separator))
}

// RegressOptions configure Regress.
type RegressOptions struct {
	Repository string
	Location   *time.Location
	Force      bool
	NoFsync    bool
	Verbosity  int
	Message    func(Level, string)
}

// ErrNoRegressNeeded reports a healthy repository given to Regress.
var ErrNoRegressNeeded = mirror.ErrNoRegressNeeded

// Regress brings a repository whose last backup was interrupted back to
// its last good session.
func Regress(ctx context.Context, opts RegressOptions) error {
	return mirror.Regress(ctx, opts.Repository, mirror.RegressOptions{
		Zone: increments.NewZone(opts.Location, time.Now()), Force: opts.Force, NoFsync: opts.NoFsync,
		Verbosity: opts.Verbosity, Message: opts.Message,
	})
}

// sessionTime is the time the session will carry, for choosing the zone's
// offset.
func sessionTime(o BackupOptions) time.Time {
	if o.Time != 0 {
		return time.Unix(o.Time, 0)
	}
	return o.Clock.Now()
}
