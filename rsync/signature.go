package rsync

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gordiff/gordiff/rsync/internal/md4"
	"github.com/gordiff/gordiff/rsync/internal/rollsum"
)

const sigHeaderLen = 12

// Signature is a loaded signature: its parameters and one (weak sum,
// truncated strong sum) pair per basis block. It is what a delta is computed
// against.
type Signature struct {
	SigParams
	weak   []uint32
	strong []byte // StrongLen bytes per block, in block order

	index *sigIndex // built on first use by Delta
}

// Blocks returns the number of blocks the signature describes.
func (s *Signature) Blocks() int { return len(s.weak) }

// Block returns block i's weak sum and truncated strong sum. The strong sum
// aliases the signature's memory and must not be modified.
func (s *Signature) Block(i int) (weak uint32, strong []byte) {
	return s.weak[i], s.strong[i*s.StrongLen : (i+1)*s.StrongLen]
}

// Size returns the length of the signature in librsync's file format.
func (s *Signature) Size() int64 {
	return sigHeaderLen + int64(len(s.weak))*int64(4+s.StrongLen)
}

// WriteTo writes the signature in librsync's file format.
func (s *Signature) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	writeSigHeader(bw, s.SigParams)
	var rec [4 + maxStrongSize]byte
	for i := range s.weak {
		weak, strong := s.Block(i)
		binary.BigEndian.PutUint32(rec[:4], weak)
		copy(rec[4:], strong)
		bw.Write(rec[:4+s.StrongLen])
	}
	err := bw.Flush()
	return cw.n, err
}

func writeSigHeader(w *bufio.Writer, p SigParams) {
	var h [sigHeaderLen]byte
	binary.BigEndian.PutUint32(h[0:], uint32(p.Magic))
	binary.BigEndian.PutUint32(h[4:], uint32(p.BlockLen))
	binary.BigEndian.PutUint32(h[8:], uint32(p.StrongLen))
	w.Write(h[:])
}

// WriteSignature reads the basis to its end and writes its signature with
// parameters p to w, block by block; memory use is of the order of one
// block.
func WriteSignature(w io.Writer, basis io.Reader, p SigParams) error {
	if err := p.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	writeSigHeader(bw, p)
	var rec [4 + maxStrongSize]byte
	err := signBlocks(basis, p, func(weak uint32, strong []byte) {
		binary.BigEndian.PutUint32(rec[:4], weak)
		copy(rec[4:], strong)
		bw.Write(rec[:4+p.StrongLen])
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// ComputeSignature reads the basis to its end and returns its signature
// with parameters p, held in memory.
func ComputeSignature(basis io.Reader, p SigParams) (*Signature, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s := &Signature{SigParams: p}
	err := signBlocks(basis, p, func(weak uint32, strong []byte) {
		s.weak = append(s.weak, weak)
		s.strong = append(s.strong, strong[:p.StrongLen]...)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// signChunk is how much basis signBlocks reads at once when blocks are
// small: many blocks per read keeps the per-call cost down, and at least
// eight full blocks let MD4 run in its eight SIMD lanes.
const signChunk = 256 << 10

// signBlocks cuts r into blocks of p.BlockLen bytes and calls emit with each
// block's weak sum and full strong sum, in order.
func signBlocks(r io.Reader, p SigParams, emit func(weak uint32, strong []byte)) error {
	l := p.BlockLen
	chunk := l
	switch {
	case l < signChunk/8:
		chunk = signChunk / l * l
	case l <= 1<<20:
		chunk = 8 * l
	}
	b2 := p.Magic.Blake2()
	var buf []byte
	var sum [maxStrongSize]byte
	var md4s [][md4.Size]byte
	for {
		var err error
		buf, err = readUpTo(r, buf, chunk)
		if err != nil {
			return fmt.Errorf("reading basis: %w", err)
		}
		full := len(buf) / l
		if !b2 && full > 0 {
			// MD4 of the whole blocks, several at a time.
			if cap(md4s) < full {
				md4s = make([][md4.Size]byte, full)
			}
			md4s = md4s[:full]
			md4.SumBlocks(buf[:full*l], l, md4s)
		}
		for i := 0; i*l < len(buf); i++ {
			block := buf[i*l : min((i+1)*l, len(buf))]
			var strong []byte
			if !b2 && i < full {
				strong = md4s[i][:]
			} else {
				strong = strongSum(b2, block, &sum)
			}
			emit(weakSum(p.Magic, block), strong)
		}
		if len(buf) < chunk {
			return nil
		}
	}
}

// weakSum is the weak sum of one whole block for the format m.
func weakSum(m Magic, block []byte) uint32 {
	if m.RabinKarp() {
		return rabinKarpUpdate(rkSeed, block)
	}
	s1, s2 := rollsum.Sum(block)
	return s2<<16 | s1&0xffff
}

// readUpTo reads from r until it has want bytes or r ends, reusing buf's
// memory. It grows the buffer only as data arrives, so a huge want on a
// short input costs no more than the input.
func readUpTo(r io.Reader, buf []byte, want int) ([]byte, error) {
	buf = buf[:0]
	for len(buf) < want {
		if len(buf) == cap(buf) {
			grow := min(max(2*cap(buf), 64<<10), want)
			nb := make([]byte, len(buf), grow)
			copy(nb, buf)
			buf = nb
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), want)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// ReadSignature loads a signature in librsync's file format, with
// librsync's validity checks: a known magic, a positive block length, a
// strong-sum length of 0 (meaning the hash's full size) up to the hash's
// size. It is stricter than librsync in one way: bytes after the last
// complete record are an error rather than ignored.
func ReadSignature(r io.Reader) (*Signature, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var h [sigHeaderLen]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return nil, fmt.Errorf("signature header: %w", inputEnded(err))
	}
	magic := Magic(binary.BigEndian.Uint32(h[0:]))
	blockLen := int32(binary.BigEndian.Uint32(h[4:]))
	strongLen := int32(binary.BigEndian.Uint32(h[8:]))
	if !magic.IsSignature() {
		return nil, fmt.Errorf("signature magic %s: %w", magic, ErrBadMagic)
	}
	if blockLen < 1 {
		return nil, fmt.Errorf("signature block length %d: %w", blockLen, ErrCorrupt)
	}
	if strongLen < 0 || strongLen > maxStrongSize {
		return nil, fmt.Errorf("signature strong sum length %d: %w", strongLen, ErrCorrupt)
	}
	if strongLen == 0 {
		strongLen = int32(magic.StrongSize())
	}
	s := &Signature{SigParams: SigParams{Magic: magic, BlockLen: int(blockLen), StrongLen: int(strongLen)}}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var rec [4 + maxStrongSize]byte
	recLen := 4 + s.StrongLen
	for {
		n, err := io.ReadFull(br, rec[:recLen])
		if n == 0 && err == io.EOF {
			return s, nil
		}
		if err != nil {
			return nil, fmt.Errorf("signature block %d: %w", len(s.weak), inputEnded(err))
		}
		s.weak = append(s.weak, binary.BigEndian.Uint32(rec[:4]))
		s.strong = append(s.strong, rec[4:recLen]...)
	}
}

// inputEnded turns the io package's end-of-input errors into ErrInputEnded
// and passes other errors through.
func inputEnded(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrInputEnded
	}
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// SignatureWriter computes the signature of the bytes written to it, for
// callers that see the basis pass by (a file being copied) and would
// otherwise have to read it a second time.
type SignatureWriter struct {
	sig     *Signature
	partial []byte // the bytes of an unfinished block
	sum     [maxStrongSize]byte
}

// NewSignatureWriter starts a signature with parameters p.
func NewSignatureWriter(p SigParams) (*SignatureWriter, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &SignatureWriter{sig: &Signature{SigParams: p}}, nil
}

// Write adds p to the basis; it never fails.
func (w *SignatureWriter) Write(p []byte) (int, error) {
	n := len(p)
	l := w.sig.BlockLen
	if len(w.partial) > 0 {
		take := min(l-len(w.partial), len(p))
		w.partial = append(w.partial, p[:take]...)
		p = p[take:]
		if len(w.partial) == l {
			w.block(w.partial)
			w.partial = w.partial[:0]
		}
	}
	for len(p) >= l {
		w.block(p[:l])
		p = p[l:]
	}
	if len(p) > 0 {
		if w.partial == nil {
			w.partial = make([]byte, 0, min(l, 64<<10))
		}
		w.partial = append(w.partial, p...)
	}
	return n, nil
}

func (w *SignatureWriter) block(b []byte) {
	s := w.sig
	s.weak = append(s.weak, weakSum(s.Magic, b))
	s.strong = append(s.strong, strongSum(s.Magic.Blake2(), b, &w.sum)[:s.StrongLen]...)
}

// Signature finishes the last, short block and returns the signature.
// Nothing may be written afterwards.
func (w *SignatureWriter) Signature() *Signature {
	if len(w.partial) > 0 {
		w.block(w.partial)
		w.partial = nil
	}
	return w.sig
}
