//go:build !amd64 || purego

package rsync

// skipRollsum rotates the rollsum window from p towards stop while the
// filter says no block has the window's weak sum, and returns where it
// stopped: at stop, or at a position worth a full look-up.
func skipRollsum(buf []byte, p, stop, l int, s1, s2 uint32, filter []uint64) (int, uint32, uint32) {
	return skipRollsumGeneric(buf, p, stop, l, s1, s2, filter)
}
