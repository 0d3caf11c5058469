package main

import (
	"fmt"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/cmd/gordiff/internal/cli"
)

// runCalculate is the calculate action (and the legacy
// --calculate-average).
func runCalculate(inv *cli.Invocation, st streams) int {
	c := newConsole(st, inv)
	var files []string
	for _, l := range inv.Locations {
		p, err := localPath(l)
		if err != nil {
			return c.fail("check", err)
		}
		files = append(files, p)
	}
	out, err := gordiff.CalculateAverage(files)
	if err != nil {
		return c.fail("run", err)
	}
	fmt.Fprint(st.out, out)
	return c.finish()
}
