package gordiff

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gordiff/gordiff/metadata"
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Path is the repository, or a path inside its mirror.
	Path string
	// At is the time spec of the session to verify (cli.md section 4);
	// empty means "now", the current mirror.
	At string
	// Now is the reference for relative time specs; zero means the clock.
	Now time.Time
	// Message receives the per-file messages (warnings, and at level 5 each
	// file verified); nil discards them.
	Message func(Level, string)
}

// VerifyResult sums up a verification.
type VerifyResult struct {
	Time      int64 // the session verified
	Checked   int   // regular files whose digest was compared
	Corrupted int   // ... and did not match
	NoHash    int   // regular files without a recorded digest
}

// Verify recomputes the SHA-1 of every regular file (under Path) as it was
// at the session At selects and compares it with the digest that
// session's metadata recorded, as `rdiff-backup verify` does. An older
// session's content is rebuilt from the mirror and the increments; later
// paths of a hard-link group are checked against their group's digest. A
// file whose content cannot be found at all is checked as empty (a
// mismatch, with a warning); an increment that cannot be read or applied
// ends the verification with an error naming it.
func Verify(ctx context.Context, opts VerifyOptions) (*VerifyResult, error) {
	root, rel, err := findRepository(opts.Path)
	if err != nil {
		return nil, err
	}
	sl, err := openSessionListing(root, rel, opts.At, opts.Now)
	if err != nil {
		return nil, err
	}
	defer sl.close()
	listing, data, under, at, mirrorTime := sl.listing, sl.data, sl.under, sl.at, sl.mirrorTime
	say := func(l Level, format string, a ...any) {
		if opts.Message != nil {
			opts.Message(l, fmt.Sprintf(format, a...))
		}
	}
	digests := linkDigests{}
	res := &VerifyResult{Time: at}
	// The files are hashed by workers, a bounded number ahead; the
	// results are taken (and said) in listing order.
	jobs := make(chan *hashJob, 16)
	var queue []*hashJob
	var wg sync.WaitGroup
	for range min(max(runtime.GOMAXPROCS(0), 1), 4) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 128<<10)
			for j := range jobs {
				j.run(buf)
			}
		}()
	}
	defer func() {
		close(jobs)
		wg.Wait()
		for _, j := range queue {
			<-j.done
		}
	}()
	// take reports the head of the queue; wait says whether to wait for it.
	take := func(wait bool) (bool, error) {
		j := queue[0]
		if wait {
			<-j.done
		} else {
			select {
			case <-j.done:
			default:
				return false, nil
			}
		}
		queue = queue[1:]
		for _, m := range j.pre {
			say(2, "%s", m)
		}
		if j.err != nil {
			return true, j.err
		}
		res.Checked++
		if j.got != j.want {
			res.Corrupted++
			say(2, "Computed SHA1 digest of file %s '%s' doesn't match recorded digest of '%s'. Your backup repository may be corrupted!", j.path, j.got, j.want)
		} else {
			say(5, "Verified SHA1 digest of file %s", j.path)
		}
		return true, nil
	}
	list := cachedLister()
	for {
		rec, err := listing.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if rec.Type != metadata.TypeReg || len(under) > 0 && !(rec.Index.Equal(under) || rec.Index.HasPrefix(under)) {
			continue
		}
		want := digests.digest(rec)
		// Paths are shown relative to the verified sub-path.
		path := DisplayPath(metadata.Index(rec.Index[len(under):]).String())
		if want == "" {
			for len(queue) > 0 { // said in order
				if _, err := take(true); err != nil {
					return res, err
				}
			}
			res.NoHash++
			say(2, "Cannot find SHA1 digest for file %s, perhaps because this feature was added in v1.1.1", path)
			continue
		}
		j := &hashJob{path: path, want: want, ix: rec.Index, at: at, done: make(chan struct{})}
		j.in, j.err = openVersionOrEmpty(root, data, rec, at, mirrorTime, list, func(missing string) {
			j.pre = append(j.pre, fmt.Sprintf("The content of %s could not be found in the repository (it is missing at %s), so it is checked as an empty file", path, missing))
		})
		queue = append(queue, j)
		if j.err != nil {
			close(j.done)
		} else {
			jobs <- j
		}
		for len(queue) > 0 {
			ok, err := take(len(queue) > 32)
			if err != nil {
				return res, err
			}
			if !ok {
				break
			}
		}
	}
	for len(queue) > 0 {
		if _, err := take(true); err != nil {
			return res, err
		}
	}
	return res, nil
}

// hashJob is the hashing of one file's content by a verify worker.
type hashJob struct {
	path, want, got string
	ix              metadata.Index
	at              int64
	in              io.ReadCloser
	pre             []string // messages to say before the result
	err             error
	done            chan struct{}
}

func (j *hashJob) run(buf []byte) {
	defer close(j.done)
	defer j.in.Close()
	h := sha1.New()
	// Through a plain Reader: an *os.File would take the copy over
	// with its WriteTo and allocate a buffer of its own per file.
	if _, err := io.CopyBuffer(h, struct{ io.Reader }{j.in}, buf); err != nil {
		j.err = fmt.Errorf("reading %s at %s: %w", j.ix.String(), time.Unix(j.at, 0).UTC().Format(time.RFC3339), err)
		return
	}
	j.got = hex.EncodeToString(h.Sum(nil))
}

// linkDigests finds the digest to check a regular file against the way
// rdiff-backup's hard-link table does: a later path of a hard-link group
// gets the digest of the group's first path that was looked up (rdiff-backup
// records it with that path only), and a group is forgotten once as many
// paths as it has links were looked up. Only the records looked up count,
// so a group whose first path is not looked up (outside the sub-path, say)
// has no digest for the others.
type linkDigests map[[2]uint64]*linkGroup

type linkGroup struct {
	first  string // index of the group's first path looked up
	left   int64  // links not looked up yet
	digest string
}

// digest returns the digest to check rec against; records come in the
// listing's order.
func (g linkDigests) digest(rec *metadata.Record) string {
	if rec.Type != metadata.TypeReg || rec.NumHardLinks < 2 {
		return rec.SHA1
	}
	k := [2]uint64{rec.Inode, rec.DeviceLoc}
	ix := rec.Index.String()
	grp := g[k]
	if grp == nil {
		grp = &linkGroup{first: ix, left: rec.NumHardLinks, digest: rec.SHA1}
		g[k] = grp
	}
	d := rec.SHA1
	if grp.first != ix {
		d = grp.digest
	}
	if grp.left--; grp.left <= 0 {
		delete(g, k)
	}
	return d
}

// openVersionOrEmpty opens the content of the regular file of rec (which
// may name long-name stand-ins) at session at. When that content is simply not there (the mirror file deleted,
// say), missing is told the path looked for and the content is empty, as
// rdiff-backup makes it; an increment that cannot be read is an error.
func openVersionOrEmpty(root, data string, rec *metadata.Record, at, now int64, list incLister, missing func(string)) (io.ReadCloser, error) {
	ix := rec.Index
	in, err := openRecordVersion(root, data, rec, at, now, list)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist):
		missing(pe.Path)
		return io.NopCloser(strings.NewReader("")), nil
	case err != nil:
		return nil, fmt.Errorf("reading %s at %s: %w", ix.String(), time.Unix(at, 0).UTC().Format(time.RFC3339), err)
	}
	return in, nil
}
