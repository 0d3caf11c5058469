// Command gordiff is a drop-in replacement for rdiff-backup: one static
// binary that reads and writes rdiff-backup 2.2 repositories and takes
// rdiff-backup's command lines. It also carries `gordiff rdiff`, a
// replacement for librsync's rdiff tool.
//
// This package only parses command lines, calls the library and prints; it
// holds no backup logic of its own.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// streams are the standard files a command works with; tests pass their
// own.
type streams struct {
	in       *os.File
	out, err io.Writer
}

func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	st := streams{in: stdin, out: stdout, err: stderr}
	if len(args) == 0 {
		usage(stderr)
		return 1
	}
	switch args[0] {
	case "rdiff":
		return runRdiffCommand(args[1:], st)
	case "-V", "--version", "version":
		fmt.Fprintf(stdout, "gordiff %s\n", version)
		return 0
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "gordiff: unknown action %q\n", args[0])
	usage(stderr)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: gordiff ACTION [OPTIONS] ...

Actions:
  rdiff signature|delta|patch ...   librsync's rdiff, with rdiff's options
                                    (see 'gordiff rdiff --help')
  version                           print the version
`)
}
