package metadata

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"slices"

	"github.com/klauspost/compress/flate"
)

// Sealed blocks. gordiff writes a backup's mirror_metadata snapshot as a
// series of gzip members of about BlockTextSize bytes of text each, cut
// between records. RFC 1952 allows any number of members, and every gzip
// reader (rdiff-backup's Python gzip module, zcat, this package's readers)
// reads them as one stream: to them the file is the same listing.
//
// Each member's header carries an extra field (RFC 1952 section 2.3.1.1,
// subfield "GD") that lets the next backup know, without inflating the
// member, that its records are the ones the source gives again: the number
// of records and lines it holds, the length and CRC-32 of its compressed
// data, and the SHA-256 of its text with every SHA1Digest line left out
// (the one field the source cannot know). The next session hashes its own
// records' texts the same way; equal digests mean equal records, and the
// member is neither inflated nor parsed. That is a third of the CPU of a
// backup of an unchanged tree.
//
// Nothing else changes: the members' content is the listing rdiff-backup
// writes, a snapshot without sealed members (written by rdiff-backup or an
// older gordiff) is read as before, and any member that does not match is
// inflated and compared record by record.

// BlockTextSize is the text a sealed member holds: it ends with the first
// record that reaches this size.
const BlockTextSize = 64 << 10

// maxBlockText bounds the text of a sealed member a reader inflates: a
// member claiming more is damaged (one record is at most a few lines of
// MaxLineLength).
const maxBlockText = BlockTextSize + 16*MaxLineLength

const (
	blockSI1, blockSI2 = 'G', 'D'
	blockVersion       = 1
	blockPayload       = 1 + 4*4 + sha256.Size
)

// BlockInfo is what a sealed member's header says of it.
type BlockInfo struct {
	Records uint32 // records in the member
	Lines   uint32 // lines of its text
	RawLen  uint32 // bytes of compressed data between header and trailer
	RawCRC  uint32 // CRC-32 (IEEE) of those bytes followed by the 8-byte trailer
	// Digest is the SHA-256 of the member's text with each record's
	// SHA1Digest line left out.
	Digest [sha256.Size]byte
}

// MemberHeader is a gzip member header, parsed.
type MemberHeader struct {
	Len    int    // bytes of the header
	MTime  uint32 // the header's modification time
	Extra  []byte // the extra field (XLEN bytes), nil without FEXTRA
	Name   []byte // the file name, nil without FNAME
	Info   BlockInfo
	Sealed bool // the extra field holds a valid "GD" subfield: Info is set
}

// ErrShortHeader is returned by ParseMemberHeader when b ends inside the
// header.
var ErrShortHeader = errors.New("gzip header cut short")

// errNotGzip: the bytes are not a gzip member header gordiff can read.
var errNotGzip = errors.New("not a gzip member header")

// ParseMemberHeader parses the gzip member header at the start of b.
func ParseMemberHeader(b []byte) (MemberHeader, error) {
	var h MemberHeader
	if len(b) < 10 {
		return h, ErrShortHeader
	}
	if b[0] != gzipMagic[0] || b[1] != gzipMagic[1] || b[2] != 8 || b[3]&0xe0 != 0 {
		return h, errNotGzip
	}
	flg, n := b[3], 10
	h.MTime = binary.LittleEndian.Uint32(b[4:8])
	if flg&0x04 != 0 { // FEXTRA
		if len(b) < n+2 {
			return h, ErrShortHeader
		}
		xlen := int(binary.LittleEndian.Uint16(b[n:]))
		n += 2
		if len(b) < n+xlen {
			return h, ErrShortHeader
		}
		h.Extra = b[n : n+xlen : n+xlen]
		n += xlen
		h.Info, h.Sealed = parseBlockExtra(h.Extra)
	}
	for _, bit := range []byte{0x08, 0x10} { // FNAME, FCOMMENT
		if flg&bit == 0 {
			continue
		}
		i := bytes.IndexByte(b[n:], 0)
		if i < 0 {
			return h, ErrShortHeader
		}
		if bit == 0x08 {
			h.Name = b[n : n+i : n+i]
		}
		n += i + 1
	}
	if flg&0x02 != 0 { // FHCRC
		n += 2
		if len(b) < n {
			return h, ErrShortHeader
		}
	}
	h.Len = n
	return h, nil
}

// parseBlockExtra finds gordiff's subfield in a gzip extra field.
func parseBlockExtra(x []byte) (BlockInfo, bool) {
	var info BlockInfo
	for len(x) >= 4 {
		si1, si2 := x[0], x[1]
		l := int(binary.LittleEndian.Uint16(x[2:4]))
		x = x[4:]
		if l > len(x) {
			return info, false
		}
		if si1 == blockSI1 && si2 == blockSI2 && l == blockPayload && x[0] == blockVersion {
			p := x[1:l]
			info.Records = binary.LittleEndian.Uint32(p[0:])
			info.Lines = binary.LittleEndian.Uint32(p[4:])
			info.RawLen = binary.LittleEndian.Uint32(p[8:])
			info.RawCRC = binary.LittleEndian.Uint32(p[12:])
			copy(info.Digest[:], p[16:])
			return info, true
		}
		x = x[l:]
	}
	return info, false
}

// AppendMemberHeader appends a gzip member header: name (latin-1, may be
// empty: no FNAME) and extra (the raw extra field, may be nil).
func AppendMemberHeader(dst []byte, mtime uint32, extra []byte, name string) []byte {
	var flg byte
	if extra != nil {
		flg |= 0x04
	}
	if name != "" {
		flg |= 0x08
	}
	dst = append(dst, gzipMagic[0], gzipMagic[1], 8, flg)
	dst = binary.LittleEndian.AppendUint32(dst, mtime)
	dst = append(dst, 0, 255) // XFL, OS unknown
	if extra != nil {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(extra)))
		dst = append(dst, extra...)
	}
	if name != "" {
		dst = append(append(dst, name...), 0)
	}
	return dst
}

// appendBlockExtra appends the extra field of a sealed member.
func appendBlockExtra(dst []byte, info *BlockInfo) []byte {
	dst = append(dst, blockSI1, blockSI2)
	dst = binary.LittleEndian.AppendUint16(dst, blockPayload)
	dst = append(dst, blockVersion)
	dst = binary.LittleEndian.AppendUint32(dst, info.Records)
	dst = binary.LittleEndian.AppendUint32(dst, info.Lines)
	dst = binary.LittleEndian.AppendUint32(dst, info.RawLen)
	dst = binary.LittleEndian.AppendUint32(dst, info.RawCRC)
	return append(dst, info.Digest[:]...)
}

// shaLine opens a record's SHA1 line.
var shaLine = []byte("\n  SHA1Digest ")

// CutSHA1 cuts a record's text around its SHA1Digest line: before ends
// with the newline that opens the line, after starts with the line that
// follows it, and sha is the line's value. found is false when the text
// has no whole SHA1 line.
func CutSHA1(text []byte) (before, sha, after []byte, found bool) {
	i := bytes.Index(text, shaLine)
	if i < 0 {
		return text, nil, nil, false
	}
	rest := text[i+len(shaLine):]
	j := bytes.IndexByte(rest, '\n')
	if j < 0 {
		return text, nil, nil, false
	}
	return text[:i+1], rest[:j], rest[j+1:], true
}

// hashWithoutSHA1 adds a record's text to h, leaving out its SHA1Digest
// line: what a block digest covers.
func hashWithoutSHA1(h hash.Hash, text []byte) {
	before, _, after, found := CutSHA1(text)
	h.Write(before)
	if found {
		h.Write(after)
	}
}

// blockJob is a member's text on its way to the compressing goroutine.
type blockJob struct {
	text []byte
	info BlockInfo
}

// blockWriter writes record texts as sealed members. Compression and
// writing run on a goroutine of its own, whose error close returns.
type blockWriter struct {
	text  []byte
	info  BlockInfo
	h     hash.Hash
	jobs  chan blockJob
	free  chan []byte
	done  chan error
	err   error
	wrote bool
}

func newBlockWriter(w io.Writer, mtime uint32, name string) *blockWriter {
	b := &blockWriter{
		h:    sha256.New(),
		jobs: make(chan blockJob, 2),
		free: make(chan []byte, 3),
		done: make(chan error, 1),
		text: make([]byte, 0, BlockTextSize+4096),
	}
	jobs, free, done := b.jobs, b.free, b.done
	go func() {
		var err error
		var raw bytes.Buffer
		zw, _ := flate.NewWriter(&raw, flate.BestSpeed)
		hdr := make([]byte, 0, 128)
		for j := range jobs {
			if err == nil {
				raw.Reset()
				zw.Reset(&raw)
				if _, err = zw.Write(j.text); err == nil {
					err = zw.Close()
				}
				j.info.RawLen = uint32(raw.Len())
				raw.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(j.text)))
				raw.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(j.text))))
				j.info.RawCRC = crc32.ChecksumIEEE(raw.Bytes()) // data and trailer
				extra := appendBlockExtra(nil, &j.info)
				hdr = AppendMemberHeader(hdr[:0], mtime, extra, name)
				name = "" // only the first member is named
				hdr = append(hdr, raw.Bytes()...)
				if err == nil {
					_, err = w.Write(hdr)
				}
			}
			select {
			case free <- j.text[:0]:
			default:
			}
		}
		done <- err
	}()
	return b
}

// record adds one record's text.
func (b *blockWriter) record(text []byte) {
	b.text = append(b.text, text...)
	b.info.Records++
	b.info.Lines += uint32(bytes.Count(text, []byte{'\n'}))
	hashWithoutSHA1(b.h, text)
	if len(b.text) >= BlockTextSize {
		b.seal()
	}
}

// seal hands the member's text to the compressor and starts the next.
func (b *blockWriter) seal() {
	info := b.info
	b.h.Sum(info.Digest[:0])
	b.jobs <- blockJob{text: b.text, info: info}
	b.wrote = true
	b.info = BlockInfo{}
	b.h.Reset()
	select {
	case b.text = <-b.free:
	default:
		b.text = make([]byte, 0, BlockTextSize+4096)
	}
}

// close seals the last member (an empty one if nothing was written) and
// waits for the compressor.
func (b *blockWriter) close() error {
	if b.jobs == nil {
		return b.err
	}
	if b.info.Records > 0 || !b.wrote {
		b.seal()
	}
	close(b.jobs)
	b.jobs = nil
	if err := <-b.done; err != nil && b.err == nil {
		b.err = err
	}
	return b.err
}

// Block is a member of a listing read by a BlockReader, its data still
// compressed.
type Block struct {
	Header    MemberHeader
	Raw       []byte // the compressed data
	CRC, Size uint32 // the trailer: CRC-32 and length of the text
	hdr       []byte // Header's memory
	zr        io.ReadCloser
	one       [1]byte
}

// Inflate appends the member's text to dst and checks it against the
// trailer.
func (b *Block) Inflate(dst []byte) ([]byte, error) {
	// Deflate cannot expand data more than 1032 times: a bound on what
	// a damaged trailer can make this allocate.
	if b.Size > maxBlockText || uint64(b.Size) > 1032*uint64(len(b.Raw))+1024 {
		return dst, fmt.Errorf("a member claims %d bytes of text from %d compressed", b.Size, len(b.Raw))
	}
	start := len(dst)
	dst = slices.Grow(dst, int(b.Size))[:start+int(b.Size)]
	if b.zr == nil {
		b.zr = flate.NewReader(bytes.NewReader(b.Raw))
	} else {
		b.zr.(flate.Resetter).Reset(bytes.NewReader(b.Raw), nil)
	}
	zr := b.zr
	if _, err := io.ReadFull(zr, dst[start:]); err != nil {
		return dst[:start], fmt.Errorf("inflating a member: %w", err)
	}
	if n, _ := zr.Read(b.one[:]); n != 0 {
		return dst[:start], errors.New("a member holds more text than its trailer says")
	}
	if crc32.ChecksumIEEE(dst[start:]) != b.CRC {
		return dst[:start], errors.New("a member's text does not match its CRC")
	}
	return dst, nil
}

// BlockReader reads a listing written in sealed members member by member,
// without inflating them.
type BlockReader struct {
	f    io.Closer // nil for newBlockReader's
	br   *bufio.Reader
	name string
	n    int   // members read
	left int64 // bytes of the file not read yet
}

// OpenBlocks opens a listing for reading member by member. It returns
// (nil, nil) when the file does not start with a sealed member: a listing
// gordiff did not write in blocks, to be read with OpenReader.
func OpenBlocks(path string) (*BlockReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("metadata: %w", err)
	}
	r := newBlockReader(f, fi.Size(), path)
	if r == nil {
		f.Close()
		return nil, nil
	}
	r.f = f
	return r, nil
}

// newBlockReader reads the size bytes of r, named name in errors; nil when
// they do not start with a sealed member.
func newBlockReader(r io.Reader, size int64, name string) *BlockReader {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4096)
	if h, err := ParseMemberHeader(head); err != nil || !h.Sealed {
		return nil
	}
	return &BlockReader{br: br, name: name, left: size}
}

// Close closes the file.
func (r *BlockReader) Close() error {
	if r.f == nil {
		return nil
	}
	return r.f.Close()
}

// Next reads the next member into b, reusing its memory; it returns io.EOF
// after the last. A member that is not sealed, that claims more than the
// file holds, or whose compressed data and trailer do not match its
// header's CRC, is an error: the listing is damaged.
func (r *BlockReader) Next(b *Block) error {
	if _, err := r.br.Peek(1); errors.Is(err, io.EOF) {
		return io.EOF
	} else if err != nil {
		return fmt.Errorf("metadata: reading %s: %w", r.name, err)
	}
	r.n++
	head, perr := r.br.Peek(4096)
	if perr != nil && !errors.Is(perr, io.EOF) {
		return fmt.Errorf("metadata: reading %s: %w", r.name, perr)
	}
	h, err := ParseMemberHeader(head)
	switch {
	case errors.Is(err, ErrShortHeader) && perr != nil:
		return r.damaged("header cut short")
	case err != nil:
		return r.damaged(err.Error())
	case !h.Sealed:
		return r.damaged("no block header")
	case int64(h.Len)+int64(h.Info.RawLen)+8 > r.left:
		return r.damaged(fmt.Sprintf("it claims %d bytes of data, the file has %d left", h.Info.RawLen, r.left-int64(h.Len)))
	}
	b.hdr = append(b.hdr[:0], head[:h.Len]...)
	b.Header, _ = ParseMemberHeader(b.hdr)
	r.br.Discard(h.Len)
	need := int(h.Info.RawLen) + 8
	r.left -= int64(h.Len + need)
	if cap(b.Raw) < need {
		b.Raw = make([]byte, need)
	}
	b.Raw = b.Raw[:need]
	if _, err := io.ReadFull(r.br, b.Raw); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return r.damaged("data cut short")
		}
		return fmt.Errorf("metadata: reading %s: %w", r.name, err)
	}
	if crc32.ChecksumIEEE(b.Raw) != h.Info.RawCRC {
		return r.damaged("compressed data does not match the header's CRC")
	}
	trailer := b.Raw[need-8:]
	b.Raw = b.Raw[:need-8]
	b.CRC = binary.LittleEndian.Uint32(trailer)
	b.Size = binary.LittleEndian.Uint32(trailer[4:])
	return nil
}

func (r *BlockReader) damaged(why string) error {
	return fmt.Errorf("metadata: reading %s: member %d: %s", r.name, r.n, why)
}

// BlockDigest hashes record texts as a sealed member's digest does; the
// texts given must have no SHA1Digest line.
type BlockDigest struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

// NewBlockDigest returns an empty BlockDigest.
func NewBlockDigest() *BlockDigest { return &BlockDigest{h: sha256.New()} }

// Reset empties the digest.
func (d *BlockDigest) Reset() { d.h.Reset() }

// Add hashes one record's text.
func (d *BlockDigest) Add(text []byte) { d.h.Write(text) }

// Matches reports whether the texts added since the last Reset are
// info's.
func (d *BlockDigest) Matches(info *BlockInfo) bool {
	return bytes.Equal(d.h.Sum(d.sum[:0]), info.Digest[:])
}

// SplitRecords appends to ends and lines where each record text of a
// member's text ends and the number of its first line, firstLine being
// the number of the text's first line: the texts NextText would give.
func SplitRecords(text []byte, firstLine int, ends, lines []int) ([]int, []int) {
	off := 0
	for off < len(text) {
		end := len(text)
		if i := nextFileLine(text[off:], 1); i >= 0 {
			end = off + i
		}
		ends = append(ends, end)
		lines = append(lines, firstLine)
		firstLine += bytes.Count(text[off:end], []byte{'\n'})
		off = end
	}
	return ends, lines
}
