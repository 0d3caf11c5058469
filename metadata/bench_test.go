//go:build linux

package metadata

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// benchRecords is the number of records of the generated snapshot, the size
// of the no-change backup the speed goal is about.
const benchRecords = 50000

var (
	benchOnce  sync.Once
	benchRecs  []*Record
	benchPlain []byte
	benchGzip  []byte
)

// benchCorpus returns a generated listing shaped like a real tree: nested
// directories of mostly regular files with digests, some symlinks, hard
// links, long and odd names; its mirror_metadata text; and that text
// gzipped as a snapshot is.
func benchCorpus() ([]*Record, []byte, []byte) {
	benchOnce.Do(func() {
		var recs []*Record
		add := func(r *Record) {
			if len(recs) < benchRecords {
				recs = append(recs, r)
			}
		}
		owner := func(r *Record, i int) *Record {
			r.Uid, r.Gid, r.Uname, r.Gname = 1000, 1000, "builder", "users"
			if i%7 == 0 {
				r.Uid, r.Gid, r.Uname, r.Gname = 0, 0, "root", "root"
			}
			return r
		}
		add(owner(&Record{Index: Index{}, Type: TypeDir, ModTime: 1700000000, Permissions: 0o755}, 0))
		n := 0
		for top := 0; len(recs) < benchRecords; top++ {
			tix := Index{fmt.Sprintf("project-%03d", top)}
			add(owner(&Record{Index: tix, Type: TypeDir, ModTime: 1700000000 + int64(top), Permissions: 0o755}, top))
			for sub := 0; sub < 12 && len(recs) < benchRecords; sub++ {
				six := tix.Append(fmt.Sprintf("src_%02d", sub))
				add(owner(&Record{Index: six, Type: TypeDir, ModTime: 1700000100, Permissions: 0o755}, sub))
				for f := 0; f < 40 && len(recs) < benchRecords; f++ {
					n++
					name := fmt.Sprintf("file_%05d.go", n)
					switch n % 97 {
					case 3:
						name = fmt.Sprintf("with space %d.txt", n)
					case 5:
						name = fmt.Sprintf("new\nline\\back %d", n)
					case 7:
						name = fmt.Sprintf("lat\xe9n-%d", n)
					}
					r := owner(&Record{Index: six.Append(name), Type: TypeReg, Size: int64(n * 37 % 100000),
						ModTime: 1700000000 + int64(n), Permissions: 0o644,
						SHA1: fmt.Sprintf("%040x", uint64(n)*0x9e3779b97f4a7c15)}, n)
					switch n % 50 {
					case 10:
						r.NumHardLinks, r.Inode, r.DeviceLoc = 2, uint64(n), 2049
					case 20:
						r.Type, r.Size, r.SHA1, r.ModTime = TypeSym, 0, "", 0
						r.SymData = "../../target/" + name
						r.Permissions = 0o777
					case 30:
						r.AlternateMirrorName = fmt.Sprintf("%d", n)
					}
					add(r)
				}
			}
		}
		sort.Slice(recs, func(i, j int) bool { return CompareIndex(recs[i].Index, recs[j].Index) < 0 })
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				panic(err)
			}
		}
		if err := w.Flush(); err != nil {
			panic(err)
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(buf.Bytes())
		_ = zw.Close()
		benchRecs, benchPlain, benchGzip = recs, buf.Bytes(), gz.Bytes()
	})
	return benchRecs, benchPlain, benchGzip
}

// cpuMeter reports, when the returned func is called after the loop, the
// process's CPU time per op (user and system, every thread, so GC work
// too): on a shared machine it varies less than wall time.
func cpuMeter(b *testing.B) func() {
	cpu := func() int64 {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return ru.Utime.Nano() + ru.Stime.Nano()
	}
	start := cpu()
	return func() { b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op") }
}

// benchRead reads data, plain or gzipped, whole per op from a file through
// OpenReader as a backup does; throughput is counted in uncompressed bytes.
func benchRead(b *testing.B, data []byte, plainLen int) {
	path := filepath.Join(b.TempDir(), "mirror_metadata.snapshot")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer cpuMeter(b)()
	b.SetBytes(int64(plainLen))
	for b.Loop() {
		rd, err := OpenReader(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchRecords || rd.Skipped != 0 {
			b.Fatalf("read %d records, skipped %d", n, rd.Skipped)
		}
		if err := rd.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRecords), "ns/record")
}

// BenchmarkReaderNext reads the whole 50,000-record snapshot per op.
// BenchmarkReaderNextText cuts the snapshot into record texts, as the
// backup merge reads the last listing.
func BenchmarkReaderNextText(b *testing.B) {
	_, plain, _ := benchCorpus()
	b.ReportAllocs()
	defer cpuMeter(b)()
	b.SetBytes(int64(len(plain)))
	var buf []byte
	for b.Loop() {
		rd := NewReader(bytes.NewReader(plain), "bench")
		n := 0
		for {
			var err error
			buf, _, err = rd.NextText(buf[:0])
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchRecords {
			b.Fatalf("read %d texts", n)
		}
	}
}

func BenchmarkReaderNext(b *testing.B) {
	_, plain, gz := benchCorpus()
	b.Run("plain", func(b *testing.B) { benchRead(b, plain, len(plain)) })
	b.Run("gzip", func(b *testing.B) { benchRead(b, gz, len(plain)) })
}

// BenchmarkAppendRecord formats one record per op, cycling through the
// snapshot.
func BenchmarkAppendRecord(b *testing.B) {
	recs, _, _ := benchCorpus()
	b.ReportAllocs()
	defer cpuMeter(b)()
	var buf []byte
	i := 0
	for b.Loop() {
		buf = AppendRecord(buf[:0], recs[i], true)
		if i++; i == len(recs) {
			i = 0
		}
	}
}

// BenchmarkWriterWrite writes the whole snapshot through a Writer per op
// (order check, validation, formatting, buffering).
func BenchmarkWriterWrite(b *testing.B) {
	recs, plain, _ := benchCorpus()
	b.ReportAllocs()
	defer cpuMeter(b)()
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		w := NewWriter(io.Discard)
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileStatsWrite writes one file_statistics line per op.
func BenchmarkFileStatsWrite(b *testing.B) {
	recs, _, _ := benchCorpus()
	stats := make([]FileStat, len(recs))
	for i, r := range recs {
		stats[i] = FileStat{Index: r.Index, SourceSize: r.Size, MirrorSize: r.Size, IncrementSize: NA, Changed: i%10 == 0}
	}
	b.ReportAllocs()
	defer cpuMeter(b)()
	w := NewFileStatsWriter(io.Discard, false)
	i := 0
	for b.Loop() {
		if err := w.Write(&stats[i]); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(stats) {
			i = 0
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCompareIndex does what the backup merge does per entry: compare
// a source index with an equal one parsed from the old snapshot, and with
// the next one. In the merge both were just made and are in the cache: "hot"
// cycles through 1,000 pairs; "cold" through all 50,000, where memory
// layout counts as much as the comparison.
func BenchmarkCompareIndex(b *testing.B) {
	recs, plain, _ := benchCorpus()
	parsed := make([]Index, 0, len(recs))
	rd := NewReader(bytes.NewReader(plain), "bench")
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		parsed = append(parsed, r.Index)
	}
	run := func(b *testing.B, n int) {
		b.ReportAllocs()
		defer cpuMeter(b)()
		i := 0
		for b.Loop() {
			if CompareIndex(recs[i].Index, parsed[i]) != 0 || CompareIndex(recs[i].Index, parsed[i+1]) >= 0 {
				b.Fatal("bad order")
			}
			if i++; i == n {
				i = 0
			}
		}
	}
	b.Run("hot", func(b *testing.B) { run(b, 1000) })
	b.Run("cold", func(b *testing.B) { run(b, len(recs)-1) })
}

// BenchmarkFromStat builds records from stat results in hand, as the walk
// does, for regular files and directories (whose owner names are cached).
func BenchmarkFromStat(b *testing.B) {
	dir := b.TempDir()
	type ent struct {
		path string
		ix   Index
		st   syscall.Stat_t
	}
	var ents []ent
	for i := range 64 {
		name := fmt.Sprintf("f%02d", i)
		p := filepath.Join(dir, name)
		var err error
		if i%8 == 0 {
			err = os.Mkdir(p, 0o755)
		} else {
			err = os.WriteFile(p, []byte(name), 0o644)
		}
		if err != nil {
			b.Fatal(err)
		}
		e := ent{path: p, ix: Index{name}}
		if err := syscall.Lstat(p, &e.st); err != nil {
			b.Fatal(err)
		}
		ents = append(ents, e)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMeter(b)()
		i := 0
		for b.Loop() {
			e := &ents[i]
			if _, err := FromStat(e.path, e.ix, &e.st); err != nil {
				b.Fatal(err)
			}
			if i++; i == len(ents) {
				i = 0
			}
		}
	})
	// The walk builds records on several goroutines at once.
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMeter(b)()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				e := &ents[i]
				if _, err := FromStat(e.path, e.ix, &e.st); err != nil {
					b.Error(err)
					return
				}
				if i++; i == len(ents) {
					i = 0
				}
			}
		})
	})
}

// BenchmarkFullPath joins a source root and an index, once per entry in a
// backup that reads extended attributes or ACLs.
func BenchmarkFullPath(b *testing.B) {
	recs, _, _ := benchCorpus()
	b.ReportAllocs()
	defer cpuMeter(b)()
	i := 0
	for b.Loop() {
		_ = FullPath("/home/user/src", recs[i].Index)
		if i++; i == 1000 {
			i = 0
		}
	}
}
