package rsync

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// patchChunk is the most a patch copies from the basis in one read.
const patchChunk = 256 << 10

// Patch applies a delta to the basis and writes the new file to w,
// streaming: memory is a fixed buffer whatever the sizes. The basis needs
// random access because copies may go anywhere in it.
//
// Patch refuses what librsync refuses: a wrong magic, a reserved opcode, a
// zero length, a negative offset or length, a copy reaching past the end of
// the basis, and a delta that ends before its END command. Bytes after END
// are not read. On error, w may have received part of the output; callers
// that write files should write to a temporary name and rename on success.
func Patch(w io.Writer, basis io.ReaderAt, delta io.Reader) error {
	p := &patcher{w: w, bw: bufio.NewWriterSize(w, 64<<10), basis: basis, buf: make([]byte, patchChunk)}
	if err := ReadDelta(delta, p); err != nil {
		return err
	}
	return p.bw.Flush()
}

// patcher is the DeltaVisitor that applies a delta: literals are copied
// from the delta, copies from the basis.
type patcher struct {
	w     io.Writer
	bw    *bufio.Writer
	basis io.ReaderAt
	buf   []byte
}

func (p *patcher) Copy(off, n int64) error {
	return copyBasis(p.bw, p.w, p.basis, off, n, p.buf)
}

func (p *patcher) Literal(r io.Reader, n int64) error {
	_, err := io.CopyN(p.bw, r, n)
	return err
}

// readParam reads a big-endian parameter of size bytes as a signed 64-bit
// integer, as librsync does.
func readParam(r *bufio.Reader, size int) (int64, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[8-size:]); err != nil {
		return 0, inputEnded(err)
	}
	return int64(binary.BigEndian.Uint64(b[:])), nil
}

// copyBasis writes basis [off, off+n) to bw in chunks, or, when the
// destination under bw and the basis are both files and the copy is large
// enough to be worth a system call, inside the kernel.
func copyBasis(bw *bufio.Writer, w io.Writer, basis io.ReaderAt, off, n int64, buf []byte) error {
	if off > 1<<62 || n > 1<<62 {
		return ErrInputEnded // past any basis that can exist
	}
	if n >= 64<<10 {
		if err := bw.Flush(); err != nil {
			return err
		}
		handled, err := copyFileRange(w, basis, off, n)
		if handled {
			if errors.Is(err, ErrInputEnded) {
				return fmt.Errorf("basis ends before %d: %w", off+n, ErrInputEnded)
			}
			return err
		}
	}
	for n > 0 {
		chunk := buf[:min(int64(len(buf)), n)]
		got, err := basis.ReadAt(chunk, off)
		if got < len(chunk) {
			if err == nil || errors.Is(err, io.EOF) {
				return fmt.Errorf("basis ends at %d: %w", off+int64(got), ErrInputEnded)
			}
			return fmt.Errorf("reading basis: %w", err)
		}
		if _, err := bw.Write(chunk); err != nil {
			return err
		}
		off += int64(got)
		n -= int64(got)
	}
	return nil
}
