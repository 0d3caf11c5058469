//go:build linux

package gordiff

// Internals the external tests reach.
var (
	OpenVersion = openVersion
	// SetLiteralMemory sets how many delta literal bytes a version keeps
	// in memory before using a temporary file, and returns the old value.
	SetLiteralMemory = func(n int) int { old := litStoreMem; litStoreMem = n; return old }
)

// OpenRecordVersion is openRecordVersion.
var OpenRecordVersion = openRecordVersion
