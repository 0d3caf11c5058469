package metadata

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// OpenDataFile opens a data-directory file for reading and returns its
// decompressed content. gzip is detected by its magic bytes, so both
// "x.snapshot" and "x.snapshot.gz" work whatever their content; a file named
// .gz that is neither empty nor gzip is an error. Multi-member gzip streams
// are read whole.
func OpenDataFile(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	rc, err := decompress(f, path, false)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return rc, nil
}

// openListing is OpenDataFile for the listings read record by record
// (mirror_metadata, extended_attributes, access_control_lists): a gzip
// stream is decompressed on its own goroutine, ahead of the parser.
func openListing(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	rc, err := decompress(f, path, true)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return rc, nil
}

type readCloser struct {
	io.Reader
	closers []io.Closer
}

func (r *readCloser) Close() error {
	var first error
	for _, c := range r.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// NewDecompressor returns r's content, gunzipped if it starts with the gzip
// magic. name is used in error messages only.
func NewDecompressor(r io.Reader, name string) (io.Reader, error) {
	rc, err := decompress(io.NopCloser(r), name, false)
	if err != nil {
		return nil, err
	}
	return rc, nil
}

// decompress returns f's content, gunzipped when it is gzip; async reads
// the gzip stream on its own goroutine.
func decompress(f io.ReadCloser, name string, async bool) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("metadata: reading %s: %w", name, err)
	}
	if len(head) == 2 && head[0] == gzipMagic[0] && head[1] == gzipMagic[1] {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("metadata: reading %s: %w", name, err)
		}
		if async {
			ar := newAsyncReader(zr)
			return &readCloser{Reader: ar, closers: []io.Closer{ar, zr, f}}, nil
		}
		return &readCloser{Reader: zr, closers: []io.Closer{zr, f}}, nil
	}
	if len(head) > 0 && strings.HasSuffix(name, ".gz") {
		return nil, fmt.Errorf("metadata: reading %s: named .gz but not gzip data", name)
	}
	return &readCloser{Reader: br, closers: []io.Closer{f}}, nil
}

// DataFile writes a data-directory file the way rdiff-backup's "gzip only if
// something is written" wrapper does: the file is created at the first
// write, as base+".gz" (gzip, level 9, header name = base name) when
// compressing, else as base; if nothing at all is written, Close creates an
// empty file named base, without ".gz". Files are created 0600 and must not
// exist yet.
type DataFile struct {
	base     string
	compress bool
	f        *os.File
	zw       *gzip.Writer
	zbuf     *bufio.Writer // between zw and f
	bw       interface {
		io.Writer
		Flush() error
	}
	blk    *blockWriter // sealed members (Blocks)
	path   string
	closed bool
	// Blocks writes a compressed file as sealed members (see
	// BlockTextSize); it takes whole records only, from a Writer.
	Blocks bool
	// Now gives the gzip header time; time.Now when nil.
	Now func() time.Time
	// NoSync skips the fsync at Close, for writers that sync the whole
	// file system at their commit point instead.
	NoSync bool
}

// CreateDataFile prepares a DataFile; nothing touches the disk before the
// first Write or Close. base is the full path without ".gz".
func CreateDataFile(base string, compress bool) *DataFile {
	return &DataFile{base: base, compress: compress}
}

func (d *DataFile) open(gz bool) error {
	d.path = d.base
	if gz {
		d.path += ".gz"
	}
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	d.f = f
	var w io.Writer = f
	if gz {
		// rdiff-backup writes level 9; any level reads the same, and the
		// fastest keeps metadata off a backup's critical path.
		// The compressor writes a few hundred bytes at a time: buffered,
		// or a listing costs thousands of system calls.
		d.zbuf = bufio.NewWriterSize(f, 64<<10)
		now := time.Now
		if d.Now != nil {
			now = d.Now
		}
		name := latin1OrEmpty(filepath.Base(d.base))
		if d.Blocks {
			d.blk = newBlockWriter(d.zbuf, uint32(now().Unix()), name)
			return nil
		}
		zw, err := gzip.NewWriterLevel(d.zbuf, gzip.BestSpeed)
		if err != nil {
			return fmt.Errorf("metadata: %s: %w", d.path, err)
		}
		zw.Name = name
		zw.ModTime = now()
		d.zw = zw
		// Compression runs on its own goroutine.
		d.bw = newAsyncWriter(zw)
		return nil
	}
	d.bw = bufio.NewWriterSize(w, 64<<10)
	return nil
}

func latin1OrEmpty(s string) string {
	for _, r := range s {
		if r > 0xff || r == 0 {
			return ""
		}
	}
	return s
}

// Write implements io.Writer.
func (d *DataFile) Write(p []byte) (int, error) {
	if d.closed {
		return 0, fmt.Errorf("metadata: write to closed %s", d.base)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if d.f == nil {
		if err := d.open(d.compress); err != nil {
			return 0, err
		}
	}
	if d.blk != nil {
		return 0, fmt.Errorf("metadata: %s takes whole records", d.path)
	}
	n, err := d.bw.Write(p)
	if err != nil {
		return n, fmt.Errorf("metadata: writing %s: %w", d.path, err)
	}
	return n, nil
}

// writeRecord writes one record's text.
func (d *DataFile) writeRecord(text []byte) error {
	if d.closed {
		return fmt.Errorf("metadata: write to closed %s", d.base)
	}
	if d.f == nil {
		if err := d.open(d.compress); err != nil {
			return err
		}
	}
	if d.blk == nil {
		_, err := d.bw.Write(text)
		return err
	}
	d.blk.record(text)
	return nil
}

// Close flushes, syncs (unless NoSync) and closes the file, creating an
// empty uncompressed file if nothing was written.
func (d *DataFile) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	if d.f == nil {
		if err := d.open(false); err != nil {
			return err
		}
	}
	var err error
	if d.blk != nil {
		err = d.blk.close()
		if ferr := d.zbuf.Flush(); err == nil {
			err = ferr
		}
	} else {
		err = d.bw.Flush()
	}
	if d.zw != nil {
		if cerr := d.zw.Close(); err == nil {
			err = cerr
		}
		if ferr := d.zbuf.Flush(); err == nil {
			err = ferr
		}
	}
	if !d.NoSync {
		if serr := d.f.Sync(); err == nil {
			err = serr
		}
	}
	if cerr := d.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("metadata: closing %s: %w", d.path, err)
	}
	return nil
}

// Abort ends a file that will not be completed (its session failed): what
// was written is flushed and the file closed, unsynced, and the
// compressing goroutine stops; a file never written is not created. A
// closed file is left alone.
func (d *DataFile) Abort() {
	if d == nil || d.closed {
		return
	}
	d.closed = true
	if d.f == nil {
		return
	}
	if d.blk != nil {
		d.blk.close()
		d.zbuf.Flush()
	} else {
		d.bw.Flush()
	}
	if d.zw != nil {
		d.zw.Close()
		d.zbuf.Flush()
	}
	d.f.Close()
}

// Path returns the name the file got (with or without ".gz"); it is empty
// before the first Write or Close.
func (d *DataFile) Path() string { return d.path }

// OpenReader opens a mirror_metadata file (compressed or not) for reading;
// Close the Reader when done.
func OpenReader(path string) (*Reader, error) {
	rc, err := openListing(path)
	if err != nil {
		return nil, err
	}
	rd := NewReader(rc, path)
	rd.closer = rc
	return rd, nil
}

// OpenEAReader opens an extended_attributes file for reading; Close it when
// done.
func OpenEAReader(path string) (*EAReader, error) {
	rc, err := openListing(path)
	if err != nil {
		return nil, err
	}
	rd := NewEAReader(rc, path)
	rd.h.closer = rc
	return rd, nil
}

// OpenACLReader opens an access_control_lists file for reading; Close it
// when done.
func OpenACLReader(path string) (*ACLReader, error) {
	rc, err := openListing(path)
	if err != nil {
		return nil, err
	}
	rd := NewACLReader(rc, path)
	rd.h.closer = rc
	return rd, nil
}

func closeIf(c io.Closer) error {
	if c == nil {
		return nil
	}
	if err := c.Close(); err != nil {
		return fmt.Errorf("metadata: closing: %w", err)
	}
	return nil
}
