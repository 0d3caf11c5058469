//go:build !linux

package fsfeatures

import "fmt"

// ScratchPrefix starts the name of the temporary subdirectory that Probe
// creates (and removes) in the probed directory.
const ScratchPrefix = "rdiff-backup.tmp."

// Probe is not implemented on this platform: it returns ErrNotSupported.
func Probe(dir string) (Features, error) {
	return Features{}, fmt.Errorf("probe %s: %w", dir, ErrNotSupported)
}

// ProbeReadOnly is not implemented on this platform: it returns ErrNotSupported.
func ProbeReadOnly(dir string) (Features, error) {
	return Features{}, fmt.Errorf("probe %s: %w", dir, ErrNotSupported)
}

// ProbeMetadata is not supported on this platform.
func ProbeMetadata(dir string) (eas, acls bool, err error) {
	return false, false, ErrNotSupported
}
