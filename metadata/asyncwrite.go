package metadata

import (
	"io"
)

// asyncWriter hands full buffers to a goroutine that writes them to w, so
// that compressing a data file runs beside the code producing its text.
// Write errors are sticky and come back from a later Write or from Flush.
type asyncWriter struct {
	buf  []byte
	full chan []byte // buffers to write, in order
	free chan []byte // buffers written, for reuse
	done chan error  // the writer goroutine's result, once full is closed
	err  error
}

// What is still buffered when the file is closed is compressed while the
// session waits: small buffers keep that tail short (with 128 KiB ones it
// was a millisecond or two of a 35 ms backup).
const (
	asyncBufSize = 32 << 10
	asyncBufs    = 3
)

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{
		full: make(chan []byte, asyncBufs),
		free: make(chan []byte, asyncBufs),
		done: make(chan error, 1),
	}
	for range asyncBufs - 1 {
		a.free <- make([]byte, 0, asyncBufSize)
	}
	a.buf = make([]byte, 0, asyncBufSize)
	full, free, done := a.full, a.free, a.done
	go func() {
		var err error
		for b := range full {
			if err == nil {
				_, err = w.Write(b)
			}
			free <- b[:0]
		}
		done <- err
	}()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	n := len(p)
	for len(p) > 0 {
		k := copy(a.buf[len(a.buf):cap(a.buf)], p)
		a.buf = a.buf[:len(a.buf)+k]
		p = p[k:]
		if len(a.buf) == cap(a.buf) {
			a.full <- a.buf
			a.buf = <-a.free
		}
	}
	return n, nil
}

// Flush hands over what is buffered, waits until everything is written
// and stops the goroutine: the writer takes no more writes after it.
func (a *asyncWriter) Flush() error {
	if a.full == nil {
		return a.err
	}
	if len(a.buf) > 0 {
		a.full <- a.buf
	}
	close(a.full)
	a.full = nil
	if err := <-a.done; err != nil && a.err == nil {
		a.err = err
	}
	return a.err
}
