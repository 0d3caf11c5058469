package rsync

import (
	"bytes"
	"cmp"
	"math/bits"
	"slices"
)

// sigIndex finds, for a window's weak sum and strong sum, the lowest basis
// block with the same pair: the rule librsync follows and the only property
// of its hash table that shows in a delta.
//
// Layout: the distinct (weak, strong) pairs sorted by weak sum then strong
// sum, each keeping its lowest block index; an open-addressing table from
// weak sum to the run of pairs with that weak sum; and in front of it a
// filter of about 16 bits per distinct weak sum, so that the byte-by-byte
// scan of unmatched data touches a few KiB of memory and rarely the table.
type sigIndex struct {
	blocks []int32 // block indices, sorted by (weak, strong); duplicates removed

	slots     []indexSlot // open addressing, len a power of two
	slotShift uint        // 32 - log2(len(slots))

	filter []uint64 // the Bloom filter's bits
}

type indexSlot struct {
	weak       uint32
	start, end int32 // run in blocks; end == 0 means an empty slot
}

// spread scatters a weak sum over 32 bits (Fibonacci hashing); the table
// uses its top bits.
func spread(weak uint32) uint32 { return weak * 0x9e3779b1 }

// filterHash spreads a weak sum over 64 bits; each half picks one of the
// filter's two probes.
func filterHash(weak uint32) uint64 { return uint64(weak) * 0x9e3779b97f4a7c15 }

// probes maps the two halves of h onto [0, nbits) by multiplication
// (Lemire's reduction): no variable shifts, no power-of-two size needed.
func probes(h, nbits uint64) (uint64, uint64) {
	return (h >> 32) * nbits >> 32, (h & 0xffffffff) * nbits >> 32
}

func buildIndex(s *Signature) *sigIndex {
	n := len(s.weak)
	ix := &sigIndex{}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	sl := s.StrongLen
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(s.weak[a], s.weak[b]); c != 0 {
			return c
		}
		if c := bytes.Compare(s.strong[int(a)*sl:int(a+1)*sl], s.strong[int(b)*sl:int(b+1)*sl]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	// Keep the first (lowest index) of each run of equal pairs.
	uniq := order[:0]
	distinctWeak := 0
	for k, b := range order {
		if k > 0 {
			p := order[k-1]
			if s.weak[p] == s.weak[b] && bytes.Equal(s.strong[int(p)*sl:int(p+1)*sl], s.strong[int(b)*sl:int(b+1)*sl]) {
				continue
			}
		}
		if len(uniq) == 0 || s.weak[uniq[len(uniq)-1]] != s.weak[b] {
			distinctWeak++
		}
		uniq = append(uniq, b)
	}
	ix.blocks = uniq

	tableBits := max(bits.Len(uint(2*distinctWeak)), 4)
	ix.slots = make([]indexSlot, 1<<tableBits)
	ix.slotShift = uint(32 - tableBits)
	// 64 bits per distinct weak sum and two probes: ~0.1 % false
	// positives, each of which costs a table probe that misses the cache.
	// At most 2^26 words, so that a probe's product stays within 64 bits.
	ix.filter = make([]uint64, min(max(distinctWeak, 8), 1<<26))

	mask := uint32(len(ix.slots) - 1)
	for start := 0; start < len(uniq); {
		w := s.weak[uniq[start]]
		end := start + 1
		for end < len(uniq) && s.weak[uniq[end]] == w {
			end++
		}
		f1, f2 := probes(filterHash(w), uint64(len(ix.filter))*64)
		ix.filter[f1/64] |= 1 << (f1 % 64)
		ix.filter[f2/64] |= 1 << (f2 % 64)
		h := spread(w)
		for i := h >> ix.slotShift; ; i = (i + 1) & mask {
			if ix.slots[i].end == 0 {
				ix.slots[i] = indexSlot{weak: w, start: int32(start), end: int32(end)}
				break
			}
		}
		start = end
	}
	return ix
}

// mayHave reports whether some block could have this weak sum; false is
// certain.
func (ix *sigIndex) mayHave(weak uint32) bool {
	f1, f2 := probes(filterHash(weak), uint64(len(ix.filter))*64)
	return ix.filter[f1/64]&(1<<(f1%64)) != 0 && ix.filter[f2/64]&(1<<(f2%64)) != 0
}

// run returns the range of ix.blocks holding the pairs with this weak sum.
func (ix *sigIndex) run(weak uint32) (start, end int) {
	mask := uint32(len(ix.slots) - 1)
	for i := spread(weak) >> ix.slotShift; ; i = (i + 1) & mask {
		sl := &ix.slots[i]
		if sl.end == 0 {
			return 0, 0
		}
		if sl.weak == weak {
			return int(sl.start), int(sl.end)
		}
	}
}

// find returns the lowest block whose weak sum is weak and whose strong sum
// starts like strong(window), or -1. The strong sum is computed only when
// some block has the weak sum.
func (ix *sigIndex) find(s *Signature, weak uint32, window []byte) int {
	start, end := ix.run(weak)
	if start == end {
		return -1
	}
	var sum [maxStrongSize]byte
	strong := strongSum(s.Magic.Blake2(), window, &sum)[:s.StrongLen]
	sl := s.StrongLen
	// The run is sorted by strong sum and holds each strong sum once.
	k, found := slices.BinarySearchFunc(ix.blocks[start:end], strong, func(b int32, target []byte) int {
		return bytes.Compare(s.strong[int(b)*sl:int(b+1)*sl], target)
	})
	if !found {
		return -1
	}
	return int(ix.blocks[start+k])
}
