package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
)

// runInfo is the info action: the environment, as a YAML document.
func runInfo(ctx context.Context, args []string, inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	v := version
	if progName() == "rdiff-backup" {
		v = "2.2.2"
	}
	info, err := gordiff.Info(ctx, gordiff.InfoOptions{
		Argv:           append([]string{argv0()}, args...),
		APIVersion:     inv.APIVersion,
		Version:        v,
		GordiffVersion: version,
	})
	if err != nil {
		return c.fail("run", err)
	}
	fmt.Fprint(st.out, info.Format())
	return c.finish()
}

// argv0 is the program's path as rdiff-backup's Python sees its own: the
// name it was started with, or, when that has no slash, where the PATH
// search found it.
func argv0() string {
	name := os.Args[0]
	if !strings.Contains(name, "/") {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return name
}
