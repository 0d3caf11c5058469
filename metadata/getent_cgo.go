//go:build cgo && !osusergo

package metadata

// nssFallback is false: with cgo, os/user asks the C library, which asks
// every source getent would.
const nssFallback = false
