package rsync

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// DeltaVisitor receives a delta's commands in order, from ReadDelta.
type DeltaVisitor interface {
	// Copy is a COPY command: n bytes of the basis from offset off.
	Copy(off, n int64) error
	// Literal is a LITERAL command of n bytes, readable from r. The
	// visitor must read all n bytes (or return an error).
	Literal(r io.Reader, n int64) error
}

// ReadDelta reads a delta up to its END command and hands each command to
// v without applying it, so that deltas can be composed or inspected. It
// refuses what Patch refuses, except copies past the end of the basis,
// which it cannot know: the visitor checks those.
func ReadDelta(delta io.Reader, v DeltaVisitor) error {
	br := bufio.NewReaderSize(delta, 64<<10)
	var hdr [4]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return fmt.Errorf("delta header: %w", inputEnded(err))
	}
	if m := Magic(binary.BigEndian.Uint32(hdr[:])); m != DeltaMagic {
		return fmt.Errorf("delta magic %s: %w", m, ErrBadMagic)
	}
	var out int64
	for {
		op, err := br.ReadByte()
		if err != nil {
			return fmt.Errorf("delta command at output byte %d: %w", out, inputEnded(err))
		}
		switch {
		case op == 0:
			return nil
		case op <= 0x44:
			n := int64(op)
			if op > 0x40 {
				if n, err = readParam(br, 1<<(op-0x41)); err != nil {
					return fmt.Errorf("literal length at output byte %d: %w", out, err)
				}
				if n <= 0 {
					return fmt.Errorf("literal length %d at output byte %d: %w", n, out, ErrCorrupt)
				}
			}
			lr := &io.LimitedReader{R: br, N: n}
			if err := v.Literal(lr, n); err != nil {
				return fmt.Errorf("literal of %d bytes at output byte %d: %w", n, out, inputEnded(err))
			}
			if lr.N != 0 {
				return fmt.Errorf("literal of %d bytes at output byte %d: %w", n, out, ErrInputEnded)
			}
			out += n
		case op <= 0x54:
			k := op - 0x45
			off, err := readParam(br, 1<<(k/4))
			if err != nil {
				return fmt.Errorf("copy offset at output byte %d: %w", out, err)
			}
			n, err := readParam(br, 1<<(k%4))
			if err != nil {
				return fmt.Errorf("copy length at output byte %d: %w", out, err)
			}
			if n <= 0 || off < 0 {
				return fmt.Errorf("copy of %d bytes from basis offset %d at output byte %d: %w", n, off, out, ErrCorrupt)
			}
			if err := v.Copy(off, n); err != nil {
				return fmt.Errorf("copy of %d bytes from basis offset %d at output byte %d: %w", n, off, out, err)
			}
			out += n
		default:
			return fmt.Errorf("opcode 0x%02x at output byte %d: %w", op, out, ErrCorrupt)
		}
	}
}
