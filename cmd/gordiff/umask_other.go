//go:build !unix

package main

// currentUmask: platforms without a umask create files as asked.
func currentUmask() int { return 0 }
