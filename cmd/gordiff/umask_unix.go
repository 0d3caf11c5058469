//go:build unix

package main

import "syscall"

// currentUmask returns the process umask without changing it for longer
// than the two calls take.
func currentUmask() int {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return m
}
