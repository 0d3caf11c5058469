//go:build !cgo || osusergo

package metadata

// nssFallback is true: os/user reads only /etc/passwd and /etc/group.
const nssFallback = true
