//go:build !linux

package main

import "io"

// isTerminal: no progress line outside Linux for now.
func isTerminal(w io.Writer) bool { return false }

// terminalWidth is unknown outside Linux for now.
func terminalWidth(w io.Writer) int { return 0 }
