package metadata

import (
	"errors"
	"io"
)

// errReadAfterClose is returned by an asyncReader used after Close.
var errReadAfterClose = errors.New("metadata: read after close")

// asyncReader reads r on its own goroutine, a few buffers ahead of its
// reader, so that decompressing a listing runs beside the code parsing it.
// Close stops the goroutine and waits for it, so that r can be closed
// afterwards; a reader read to its end needs no Close to stop it.
type asyncReader struct {
	buf    []byte // the chunk being read, for reuse
	cur    []byte // its unread part
	err    error  // r's error after the chunks received so far
	full   chan asyncChunk
	free   chan []byte
	stop   chan struct{}
	done   chan struct{}
	closed bool
}

type asyncChunk struct {
	b   []byte
	err error
}

const (
	asyncReadSize = 64 << 10
	asyncReads    = 4
)

func newAsyncReader(r io.Reader) *asyncReader {
	a := &asyncReader{
		full: make(chan asyncChunk, asyncReads),
		free: make(chan []byte, asyncReads),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range asyncReads {
		a.free <- make([]byte, asyncReadSize)
	}
	full, free, stop, done := a.full, a.free, a.stop, a.done
	go func() {
		defer close(done)
		for {
			var b []byte
			select {
			case b = <-free:
			case <-stop:
				return
			}
			n := 0
			var err error
			for n < len(b) && err == nil {
				var k int
				k, err = r.Read(b[n:])
				n += k
			}
			select {
			case full <- asyncChunk{b[:n], err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return a
}

func (a *asyncReader) Read(p []byte) (int, error) {
	if a.closed {
		return 0, errReadAfterClose
	}
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)]
			a.buf = nil
		}
		c := <-a.full
		a.buf, a.cur, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the goroutine and waits until it no longer reads.
func (a *asyncReader) Close() error {
	if !a.closed {
		a.closed = true
		close(a.stop)
		<-a.done
	}
	return nil
}
