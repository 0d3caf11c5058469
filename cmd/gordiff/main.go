// Command gordiff is a drop-in replacement for rdiff-backup: one static
// binary that reads and writes rdiff-backup 2.2 repositories and takes
// rdiff-backup's command lines. It also carries `gordiff rdiff`, a
// replacement for librsync's rdiff tool.
//
// This package only parses command lines, calls the library and prints; it
// holds no backup logic of its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"sync/atomic"
	"syscall"

	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	if os.Getenv("GOGC") == "" {
		// A backup's live heap is small and flat (the trees stream); a
		// lazier collector trades ~10 MiB of it for less CPU.
		debug.SetGCPercent(200)
	}
	os.Exit(profiled(func() int { return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr) }))
}

// profiled runs a command under the CPU profiler, the allocation
// profiler or the execution tracer when GORDIFF_CPUPROFILE,
// GORDIFF_MEMPROFILE or GORDIFF_TRACE names a file to write: debugging
// aids, to see where a slow run spends its time and what it waits on.
func profiled(cmd func() int) int {
	if p := os.Getenv("GORDIFF_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			defer f.Close()
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if p := os.Getenv("GORDIFF_TRACE"); p != "" {
		if f, err := os.Create(p); err == nil {
			defer f.Close()
			trace.Start(f)
			defer trace.Stop()
		}
	}
	if p := os.Getenv("GORDIFF_MEMPROFILE"); p != "" {
		runtime.MemProfileRate = 512
		defer func() {
			if f, err := os.Create(p); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	} else {
		// Allocation sampling costs a stack walk per sampled allocation
		// and touches memory of its own; only the profiler reads it.
		runtime.MemProfileRate = 0
	}
	return cmd()
}

// streams are the standard files a command works with; tests pass their
// own.
type streams struct {
	in       *os.File
	out, err io.Writer
}

func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	st := streams{in: stdin, out: stdout, err: stderr}
	if len(args) > 0 && args[0] == "rdiff" {
		return runRdiffCommand(args[1:], st)
	}
	inv, err := cli.ParseAs(progName(), args, os.Getenv)
	var cerr *cli.Error
	if errors.As(err, &cerr) {
		fmt.Fprint(stderr, cerr.Text())
		return cerr.Status
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", progName(), err)
		return 2
	}
	if inv.Deprecation != "" {
		fmt.Fprintln(stderr, inv.Deprecation)
	}
	switch {
	case inv.Help != "":
		fmt.Fprint(stdout, inv.Help)
		return 0
	case inv.Version:
		if progName() == "rdiff-backup" {
			fmt.Fprintln(stdout, "rdiff-backup 2.2.2")
		} else {
			fmt.Fprintf(stdout, "gordiff %s (rdiff-backup 2.2.2 compatible)\n", version)
		}
		return 0
	}
	ctx, stop := interruptible(context.Background())
	defer stop()
	switch inv.Action {
	case "backup":
		return runBackup(ctx, inv, st)
	case "regress":
		return runRegress(ctx, inv, st)
	case "list":
		return runList(ctx, inv, st)
	case "verify":
		return runVerify(ctx, inv, st)
	case "compare":
		return runCompare(ctx, inv, st)
	case "restore":
		return runRestore(ctx, inv, st)
	case "calculate":
		return runCalculate(inv, st)
	case "remove":
		return runRemove(ctx, inv, st)
	case "info":
		return runInfo(ctx, args, inv, st)
	}
	fmt.Fprintf(stderr, "ERROR: the %s action is not available in this version of gordiff yet (remote operation, with the server and test actions, is being built)\n", inv.Action)
	return 1
}

// progName is the name rdiff-backup's messages use for the program:
// "rdiff-backup" when gordiff is installed under that name, as a drop-in.
func progName() string {
	if filepath.Base(os.Args[0]) == "rdiff-backup" {
		return "rdiff-backup"
	}
	return "gordiff"
}

// interrupted is the cause of an action's cancellation by a signal.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string { return "interrupted by " + e.name() }

func (e *interrupted) name() string {
	if e.sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// signalled is set, before the action's context is cancelled, when SIGINT
// or SIGTERM stops the action; fail then names the signal rather than the
// cancellation it caused somewhere in the action.
var signalled atomic.Pointer[interrupted]

// interruptible returns a context cancelled by the first SIGINT or
// SIGTERM, which lets the action stop cleanly (a backup leaves what the
// next run regresses, as after a crash). The signal's default action comes
// back at once: a second one ends the process there and then.
func interruptible(parent context.Context) (context.Context, func()) {
	signalled.Store(nil) // a signal to an earlier run (in tests, run again in-process) is not this one's
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			signal.Stop(ch)
			in := &interrupted{sig: sig}
			signalled.Store(in)
			cancel(in)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}
