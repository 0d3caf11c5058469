//go:build amd64 && !purego

package rsync

// skipRollsumAMD64 is skipRollsumGeneric's loop in assembly: the Go
// compiler keeps several of its values on the stack, and this loop runs
// once per byte of unmatched data. It returns how many positions it
// advanced and the rolled sums.
//
//go:noescape
func skipRollsumAMD64(window *byte, n, l int, s1, s2 uint32, filter *uint64, nbits uint64, off uint32) (i int, s1o, s2o uint32)

// skipRollsum rotates the rollsum window from p towards stop while the
// filter says no block has the window's weak sum, and returns where it
// stopped: at stop, or at a position worth a full look-up.
func skipRollsum(buf []byte, p, stop, l int, s1, s2 uint32, filter []uint64) (int, uint32, uint32) {
	if p >= stop {
		return p, s1, s2
	}
	window := buf[p : stop+l]
	i, s1, s2 := skipRollsumAMD64(&window[0], stop-p, l, s1, s2, &filter[0], uint64(len(filter))*64, uint32(l)*charOffset)
	return p + i, s1, s2
}
