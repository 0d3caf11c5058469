package rsync

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/gordiff/gordiff/rsync/internal/rollsum"
)

// maxMiss is the longest literal run the delta writer emits before flushing
// it: librsync 2.3.2's MAXMISS, kept so that our deltas are byte-identical
// to rdiff's (2.3.3 and later use 65533; both are valid).
const maxMiss = 32768

// deltaChunk is how much new data the delta scanner reads ahead at once.
const deltaChunk = 1 << 20

// writers and scanBufs recycle the output buffer and the scan window
// between deltas: a backup computes one per changed file, most of them
// small, and allocating (and clearing) them each time would cost more than
// the delta.
var (
	writers  = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}
	scanBufs sync.Pool
)

// WriteDelta reads the new file to its end and writes to w a delta that turns
// the basis described by sig into the new file. It follows librsync
// 2.3.2's search (spec section 9), so its output is normally the bytes
// `rdiff delta` writes. Memory is the signature's index plus a window of the
// new file of about one block, the longest literal and a read-ahead chunk;
// it does not grow with the new file's size.
func WriteDelta(w io.Writer, sig *Signature, newData io.Reader) error {
	sticky := &stickyWriter{w: w}
	bw := writers.Get().(*bufio.Writer)
	bw.Reset(sticky)
	defer func() { bw.Reset(nil); writers.Put(bw) }()
	e := &encoder{w: bw, sticky: sticky}
	var buf [4]byte
	binary.BigEndian.PutUint32(buf[:], uint32(DeltaMagic))
	e.w.Write(buf[:])

	var err error
	if sig.Blocks() == 0 {
		err = literalOnly(e, newData)
	} else {
		if sig.index == nil {
			sig.index = buildIndex(sig)
		}
		sc := &scanner{sig: sig, ix: sig.index, e: e, r: newData, l: sig.BlockLen}
		if b, ok := scanBufs.Get().(*[]byte); ok {
			sc.buf = (*b)[:0]
		}
		err = sc.run()
		if cap(sc.buf) <= 4<<20 {
			b := sc.buf[:0]
			scanBufs.Put(&b)
		}
	}
	if err != nil {
		return err
	}
	e.w.WriteByte(0) // END
	return e.w.Flush()
}

// literalOnly encodes the new file as literals: with no basis blocks there
// is nothing to search for.
func literalOnly(e *encoder, r io.Reader) error {
	buf := make([]byte, maxMiss)
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			e.literal(buf[:n])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if e.sticky.err != nil {
			return e.sticky.err
		}
		if err != nil {
			return fmt.Errorf("reading new file: %w", err)
		}
	}
}

// encoder writes delta commands with the narrowest opcodes and holds one
// pending copy so that copies of consecutive basis ranges merge.
type encoder struct {
	w          *bufio.Writer
	sticky     *stickyWriter // under w: remembers the first write error
	cpos, clen int64
}

// stickyWriter remembers the first error of the writer below it, so that a
// long scan can stop as soon as the output has failed (a full disk).
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// width returns the opcode width class of v: 0, 1, 2, 3 for 1, 2, 4, 8 bytes.
func width(v uint64) int {
	switch {
	case v < 1<<8:
		return 0
	case v < 1<<16:
		return 1
	case v < 1<<32:
		return 2
	}
	return 3
}

func putInt(w *bufio.Writer, v uint64, class int) {
	var b [8]byte
	n := 1 << class
	binary.BigEndian.PutUint64(b[:], v)
	w.Write(b[8-n:])
}

// literal writes p as one LITERAL command (len(p) must be > 0).
func (e *encoder) literal(p []byte) {
	n := uint64(len(p))
	if n <= 64 {
		e.w.WriteByte(byte(n))
	} else {
		c := width(n)
		e.w.WriteByte(0x41 + byte(c))
		putInt(e.w, n, c)
	}
	e.w.Write(p)
}

// addCopy records a copy of basis [off, off+n), merging it into the pending
// copy when it continues it; pending is the literal waiting before it.
func (e *encoder) addCopy(off, n int64, pending []byte) {
	if e.clen > 0 && e.cpos+e.clen == off {
		e.clen += n
		return
	}
	e.flush(pending)
	e.cpos, e.clen = off, n
}

// flush writes the pending copy, or else the pending literal if any.
func (e *encoder) flush(pending []byte) {
	if e.clen > 0 {
		co, cl := width(uint64(e.cpos)), width(uint64(e.clen))
		e.w.WriteByte(0x45 + byte(4*co+cl))
		putInt(e.w, uint64(e.cpos), co)
		putInt(e.w, uint64(e.clen), cl)
		e.clen = 0
		return
	}
	if len(pending) > 0 {
		e.literal(pending)
	}
}

// scanner runs librsync's search over the new file. Positions p (window
// start) and q (start of the unmatched bytes not yet written) index buf,
// which holds the new file from q onwards.
type scanner struct {
	sig *Signature
	ix  *sigIndex
	e   *encoder
	r   io.Reader
	l   int // block length

	buf  []byte
	p, q int
	eof  bool

	// Weak sum of the window buf[p:p+wlen]; wlen == 0 means not computed.
	wlen   int
	s1, s2 uint32 // rollsum
	rkHash uint32 // RabinKarp
	rkMult uint32 // rkMult^wlen
}

// fill makes buf hold at least need bytes from p on, or everything up to
// the end of the input.
func (s *scanner) fill(need int) error {
	if s.e.sticky.err != nil {
		return s.e.sticky.err
	}
	if s.eof || len(s.buf)-s.p >= need {
		return nil
	}
	// Drop what is already written.
	if s.q > 0 {
		n := copy(s.buf, s.buf[s.q:])
		s.buf = s.buf[:n]
		s.p -= s.q
		s.q = 0
	}
	target := s.p + max(need, deltaChunk)
	for len(s.buf) < target {
		if len(s.buf) == cap(s.buf) {
			nb := make([]byte, len(s.buf), min(max(2*cap(s.buf), 64<<10), target))
			copy(nb, s.buf)
			s.buf = nb
		}
		n, err := s.r.Read(s.buf[len(s.buf):min(cap(s.buf), target)])
		s.buf = s.buf[:len(s.buf)+n]
		if err == io.EOF {
			s.eof = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading new file: %w", err)
		}
	}
	return nil
}

func (s *scanner) computeWeak(window []byte) {
	s.wlen = len(window)
	if s.sig.Magic.RabinKarp() {
		s.rkHash = rabinKarpUpdate(rkSeed, window)
		s.rkMult = rkPower(uint64(len(window)))
	} else {
		s.s1, s.s2 = rollsum.Sum(window)
	}
}

func (s *scanner) digest() uint32 {
	if s.sig.Magic.RabinKarp() {
		return s.rkHash
	}
	return s.s2<<16 | s.s1&0xffff
}

// match looks the current window up and, on a hit, records the copy and
// moves past the window.
func (s *scanner) match() bool {
	d := s.digest()
	if !s.ix.mayHave(d) {
		return false
	}
	window := s.buf[s.p : s.p+s.wlen]
	i := s.ix.find(s.sig, d, window)
	if i < 0 {
		return false
	}
	s.e.addCopy(int64(i)*int64(s.l), int64(s.wlen), s.buf[s.q:s.p])
	s.p += s.wlen
	s.q = s.p
	s.wlen = 0
	return true
}

// miss handles an unmatched byte at p (before p moves on): the pending copy
// is written, or the literal if it has reached its cap.
func (s *scanner) miss() {
	if s.e.clen > 0 || s.p-s.q >= maxMiss {
		s.e.flush(s.buf[s.q:s.p])
		s.q = s.p
	}
}

func (s *scanner) run() error {
	l := s.l
	rk := s.sig.Magic.RabinKarp()
	mL := rkPower(uint64(l))
	for {
		if err := s.fill(l + 1); err != nil {
			return err
		}
		if len(s.buf)-s.p > l {
			// Phase 1: a full window with at least one byte after it.
			if s.wlen == 0 {
				s.computeWeak(s.buf[s.p : s.p+l])
			}
			if s.e.clen == 0 {
				// Fast path: positions whose weak sum no block has are
				// plain misses; skip them without leaving the loop.
				stop := min(len(s.buf)-l, s.q+maxMiss)
				if rk {
					s.p, s.rkHash = skipRabinKarp(s.buf, s.p, stop, l, s.rkHash, mL, s.ix.filter)
				} else {
					s.p, s.s1, s.s2 = skipRollsum(s.buf, s.p, stop, l, s.s1, s.s2, s.ix.filter)
				}
				if len(s.buf)-s.p <= l {
					continue
				}
			}
			if s.match() {
				continue
			}
			s.miss()
			out, in := s.buf[s.p], s.buf[s.p+l]
			if rk {
				s.rkHash = s.rkHash*rkMult + uint32(in) - mL*(uint32(out)+rkAdj)
			} else {
				s.s1 += uint32(in) - uint32(out)
				s.s2 += s.s1 - uint32(l)*(uint32(out)+charOffset)
			}
			s.p++
			continue
		}
		if s.p >= len(s.buf) {
			break
		}
		// Phase 2: the window ends at the end of the file and shrinks.
		if s.wlen == 0 {
			s.computeWeak(s.buf[s.p:])
		}
		if s.match() {
			continue
		}
		s.miss()
		out := uint32(s.buf[s.p])
		if rk {
			s.rkMult *= rkInvM
			s.rkHash -= s.rkMult * (out + rkAdj)
		} else {
			s.s1 -= out + charOffset
			s.s2 -= uint32(s.wlen) * (out + charOffset)
		}
		s.wlen--
		s.p++
	}
	s.e.flush(s.buf[s.q:s.p])
	return nil
}

// skipRollsum rotates the rollsum window from p towards stop while the
// filter says no block has the window's weak sum, and returns where it
// stopped: at stop, or at a position worth a full look-up.
func skipRollsumGeneric(buf []byte, p, stop, l int, s1, s2 uint32, filter []uint64) (int, uint32, uint32) {
	if p >= stop {
		return p, s1, s2
	}
	// Kept lean, so that the loop's values stay in registers.
	window := buf[p : stop+l]
	n := stop - p
	ul := uint32(l)
	off := ul * charOffset
	nbits := uint64(len(filter)) * 64
	for i := 0; i < n; i++ {
		h := filterHash(s2<<16 | s1&0xffff)
		if f1 := (h >> 32) * nbits >> 32; filter[f1/64]&(1<<(f1%64)) != 0 {
			if f2 := (h & 0xffffffff) * nbits >> 32; filter[f2/64]&(1<<(f2%64)) != 0 {
				return p + i, s1, s2
			}
		}
		out, in := uint32(window[i]), uint32(window[i+l])
		s1 += in - out
		s2 += s1 - ul*out - off
	}
	return stop, s1, s2
}

// skipRabinKarp is skipRollsum for the RabinKarp weak sum; mL is
// rkMult^l.
func skipRabinKarp(buf []byte, p, stop, l int, h, mL uint32, filter []uint64) (int, uint32) {
	if p >= stop {
		return p, h
	}
	window := buf[p : stop+l]
	n := stop - p
	adj := mL * rkAdj
	nbits := uint64(len(filter)) * 64
	for i := 0; i < n; i++ {
		x := filterHash(h)
		if f1 := (x >> 32) * nbits >> 32; filter[f1/64]&(1<<(f1%64)) != 0 {
			if f2 := (x & 0xffffffff) * nbits >> 32; filter[f2/64]&(1<<(f2%64)) != 0 {
				return p + i, h
			}
		}
		h = h*rkMult + uint32(window[i+l]) - mL*uint32(window[i]) - adj
	}
	return stop, h
}

// WriteIdentityDelta writes the delta that rebuilds a basis of size bytes
// from itself: a single COPY of all of it (nothing for an empty basis). It
// is what WriteDelta produces for an unchanged file, without reading it.
func WriteIdentityDelta(w io.Writer, size int64) error {
	bw := bufio.NewWriter(w)
	var buf [4]byte
	binary.BigEndian.PutUint32(buf[:], uint32(DeltaMagic))
	bw.Write(buf[:])
	e := &encoder{w: bw}
	if size > 0 {
		e.addCopy(0, size, nil)
		e.flush(nil)
	}
	bw.WriteByte(0)
	return bw.Flush()
}
