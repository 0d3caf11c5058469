package md4

import (
	"encoding/binary"
	"hash"
)

// Size is the size of an MD4 digest in bytes.
const Size = 16

// BlockSize is the block size of MD4 in bytes.
const BlockSize = 64

const (
	init0 = 0x67452301
	init1 = 0xEFCDAB89
	init2 = 0x98BADCFE
	init3 = 0x10325476
)

// Sum returns the MD4 digest of data. It does not allocate.
func Sum(data []byte) [Size]byte {
	s := [4]uint32{init0, init1, init2, init3}
	n := len(data) &^ (BlockSize - 1)
	if n > 0 {
		block(&s, data[:n])
	}
	var tail [2 * BlockSize]byte
	t := copy(tail[:], data[n:])
	return finish(&s, &tail, t, uint64(len(data)))
}

// finish pads the t buffered bytes in tail (t < BlockSize) for a message of
// total length msgLen bytes, runs the last one or two blocks and returns the
// digest.
func finish(s *[4]uint32, tail *[2 * BlockSize]byte, t int, msgLen uint64) [Size]byte {
	tail[t] = 0x80
	clear(tail[t+1:])
	end := BlockSize
	if t >= BlockSize-8 {
		end = 2 * BlockSize
	}
	binary.LittleEndian.PutUint64(tail[end-8:end], msgLen<<3)
	block(s, tail[:end])

	var out [Size]byte
	binary.LittleEndian.PutUint32(out[0:], s[0])
	binary.LittleEndian.PutUint32(out[4:], s[1])
	binary.LittleEndian.PutUint32(out[8:], s[2])
	binary.LittleEndian.PutUint32(out[12:], s[3])
	return out
}

// digest is the streaming state behind New.
type digest struct {
	s   [4]uint32
	buf [2 * BlockSize]byte // first BlockSize bytes hold pending input; the rest is padding room
	nx  int
	len uint64
}

// New returns a streaming MD4 hash.Hash. Sum on it appends the digest without
// changing the state, so writing may go on afterwards.
func New() hash.Hash {
	d := new(digest)
	d.Reset()
	return d
}

func (d *digest) Reset() {
	d.s = [4]uint32{init0, init1, init2, init3}
	d.nx = 0
	d.len = 0
}

func (d *digest) Size() int { return Size }

func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Write(p []byte) (int, error) {
	nn := len(p)
	d.len += uint64(nn)
	if d.nx > 0 {
		n := copy(d.buf[d.nx:BlockSize], p)
		d.nx += n
		p = p[n:]
		if d.nx < BlockSize {
			return nn, nil
		}
		block(&d.s, d.buf[:BlockSize])
		d.nx = 0
	}
	if n := len(p) &^ (BlockSize - 1); n > 0 {
		block(&d.s, p[:n])
		p = p[n:]
	}
	d.nx = copy(d.buf[:], p)
	return nn, nil
}

func (d *digest) Sum(in []byte) []byte {
	s := d.s
	tail := d.buf
	sum := finish(&s, &tail, d.nx, d.len)
	return append(in, sum[:]...)
}
