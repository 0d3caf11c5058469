package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/gordiff/gordiff/rsync"
)

// rdiffOptions are the options of librsync's rdiff 2.3.2.
type rdiffOptions struct {
	Action    string   // signature, delta or patch
	Files     []string // its file arguments; "-" is stdin or stdout
	Hash      string   // md4 or blake2
	Rollsum   string   // rollsum or rabinkarp
	BlockLen  int      // 0: recommended
	StrongLen int      // 0: full size, -1: minimum safe
	Force     bool     // overwrite existing output files
	Stats     bool     // print statistics to stderr
}

// rdiff's exit statuses for problems found before any work starts.
const (
	rdiffSyntaxError = 101 // RS_SYNTAX_ERROR
	rdiffIOError     = 100 // RS_IO_ERROR
)

const rdiffUsage = `Usage: gordiff rdiff [OPTIONS] signature [BASIS [SIGNATURE]]
                    [OPTIONS] delta SIGNATURE [NEWFILE [DELTA]]
                    [OPTIONS] patch BASIS [DELTA [NEWFILE]]

Options:
  -v, --verbose             Trace internal processing
  -V, --version             Show program version
  -?, --help                Show this help message
  -s, --statistics          Show performance statistics
  -f, --force               Force overwriting existing files
Signature generation options:
  -H, --hash=ALG            Hash algorithm: blake2 (default), md4
  -R, --rollsum=ALG         Rollsum algorithm: rabinkarp (default), rollsum
Delta-encoding options:
  -b, --block-size=BYTES    Signature block size, 0 (default) for recommended
  -S, --sum-size=BYTES      Signature strength, 0 (default) for max, -1 for min
IO options:
  -I, --input-size=BYTES    Input buffer size (accepted, no effect)
  -O, --output-size=BYTES   Output buffer size (accepted, no effect)
`

// runRdiffCommand parses rdiff's command line and runs it, returning
// rdiff's exit status.
func runRdiffCommand(args []string, st streams) int {
	fs := pflag.NewFlagSet("gordiff rdiff", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o rdiffOptions
	var help, showVersion bool
	fs.BoolP("verbose", "v", false, "")
	fs.BoolVarP(&showVersion, "version", "V", false, "")
	fs.BoolVarP(&help, "help", "?", false, "")
	fs.BoolVarP(&o.Stats, "statistics", "s", false, "")
	fs.BoolVarP(&o.Force, "force", "f", false, "")
	fs.StringVarP(&o.Hash, "hash", "H", "blake2", "")
	fs.StringVarP(&o.Rollsum, "rollsum", "R", "rabinkarp", "")
	fs.IntVarP(&o.BlockLen, "block-size", "b", 0, "")
	fs.IntVarP(&o.StrongLen, "sum-size", "S", 0, "")
	fs.IntP("input-size", "I", 0, "")
	fs.IntP("output-size", "O", 0, "")
	fail := func(format string, a ...any) int {
		fmt.Fprintf(st.err, "gordiff rdiff: "+format+"\n\nTry `gordiff rdiff --help' for more information.\n", a...)
		return rdiffSyntaxError
	}
	if err := fs.Parse(args); err != nil {
		return fail("%v", err)
	}
	if help {
		fmt.Fprint(st.out, rdiffUsage)
		return 0
	}
	if showVersion {
		fmt.Fprintf(st.out, "gordiff rdiff %s (librsync 2.3.2 formats)\n", version)
		return 0
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return fail("You must specify an action: `signature', `delta', or `patch'.")
	}
	o.Action, o.Files = rest[0], rest[1:]
	if o.Hash != "md4" && o.Hash != "blake2" {
		return fail("Unknown hash algorithm '%s'.", o.Hash)
	}
	if o.Rollsum != "rollsum" && o.Rollsum != "rabinkarp" {
		return fail("Unknown rollsum algorithm '%s'.", o.Rollsum)
	}
	var min, max int
	switch o.Action {
	case "signature":
		min, max = 0, 2
	case "delta", "patch":
		min, max = 1, 3
	default:
		return fail("You must specify an action: `signature', `delta', or `patch'.")
	}
	if len(o.Files) < min || len(o.Files) > max {
		return fail("Usage for %s: gordiff rdiff [OPTIONS] %s", o.Action, map[string]string{
			"signature": "signature [BASIS [SIGNATURE]]",
			"delta":     "delta SIGNATURE [NEWFILE [DELTA]]",
			"patch":     "patch BASIS [DELTA [NEWFILE]]",
		}[o.Action])
	}
	for len(o.Files) < max {
		o.Files = append(o.Files, "-")
	}
	err := runRdiff(o, st)
	if err != nil {
		fmt.Fprintf(st.err, "gordiff rdiff: %v\n", err)
	}
	return rdiffExit(err)
}

// errFileExists marks an output file that exists while --force is off.
var errFileExists = errors.New("file exists (use -f to overwrite)")

func rdiffExit(err error) int {
	if err == nil {
		return 0
	}
	var pe *os.PathError
	if errors.Is(err, errFileExists) || errors.As(err, &pe) {
		return rdiffIOError
	}
	return rsync.ExitCode(err)
}

// runRdiff performs one rdiff action.
func runRdiff(o rdiffOptions, st streams) error {
	start := time.Now()
	in, err := openInput(o.Files[0], st)
	if err != nil {
		return err
	}
	defer in.Close()
	var inBytes, outBytes int64
	var run func(w io.Writer) error
	cr := &countReader{}
	switch o.Action {
	case "signature":
		size := int64(rsync.UnknownSize)
		if fi, err := in.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		p, err := rsync.SigArgs(size, rsync.SigMagic(o.Rollsum == "rabinkarp", o.Hash == "blake2"), o.BlockLen, o.StrongLen)
		if err != nil {
			return err
		}
		cr.r = in
		run = func(w io.Writer) error { return rsync.WriteSignature(w, cr, p) }
	case "delta":
		sig, err := rsync.ReadSignature(in)
		if err != nil {
			return fmt.Errorf("signature %s: %w", o.Files[0], err)
		}
		newFile, err := openInput(o.Files[1], st)
		if err != nil {
			return err
		}
		defer newFile.Close()
		cr.r = newFile
		run = func(w io.Writer) error { return rsync.WriteDelta(w, sig, cr) }
	case "patch":
		delta, err := openInput(o.Files[1], st)
		if err != nil {
			return err
		}
		defer delta.Close()
		cr.r = delta
		run = func(w io.Writer) error { return rsync.Patch(w, in, cr) }
	}
	outBytes, err = writeOutput(o.Files[len(o.Files)-1], o.Force, st, run)
	inBytes = cr.n
	if err != nil {
		return err
	}
	if o.Stats {
		secs := time.Since(start).Seconds()
		fmt.Fprintf(st.err, "gordiff rdiff: %s statistics: %d bytes in, %d bytes out, %.3f s (%.1f MB/s in)\n",
			o.Action, inBytes, outBytes, secs, float64(inBytes)/1e6/max(secs, 1e-9))
	}
	return nil
}

// openInput opens a file argument for reading; "-" is stdin.
func openInput(name string, st streams) (*os.File, error) {
	if name == "-" {
		return st.in, nil
	}
	return os.Open(name)
}

// writeOutput runs write against the named output ("-" is stdout). A file
// is written under a temporary name beside it and renamed into place only
// on success, so a failed run leaves no partial output behind and never
// damages an existing file.
func writeOutput(name string, force bool, st streams, write func(io.Writer) error) (int64, error) {
	if name == "-" {
		bw := bufio.NewWriterSize(st.out, 64<<10)
		cw := &countWriter{w: bw}
		if err := write(cw); err != nil {
			return cw.n, err
		}
		return cw.n, bw.Flush()
	}
	if !force {
		if _, err := os.Lstat(name); err == nil {
			return 0, fmt.Errorf("%s: %w", name, errFileExists)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	// The file itself, not a wrapper, so that a patch can copy basis
	// ranges into it inside the kernel.
	err = write(tmp)
	written, _ := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		err = tmp.Chmod(os.FileMode(0o666 &^ currentUmask()))
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return written, err
	}
	if !force {
		// Link fails if the name appeared meanwhile: never clobber
		// without -f.
		if err := os.Link(tmp.Name(), name); err != nil {
			if errors.Is(err, os.ErrExist) {
				return written, fmt.Errorf("%s: %w", name, errFileExists)
			}
			return written, err
		}
		return written, nil
	}
	return written, os.Rename(tmp.Name(), name)
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
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
