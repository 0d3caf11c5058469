package selection

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// WalkFunc receives the entries Walk selects, in order. rel is the path
// below the root ("." for the root), fi its lstat. When err is not nil, rel
// could not be listed or examined: fi is nil and the walk goes on unless fn
// returns an error. fi is only valid during the call: its memory is
// reused once its directory is done. An error from fn stops the walk and
// is returned by Walk,
// except fs.SkipDir: returned for a directory it skips the directory's
// content, returned for anything else it is ignored.
type WalkFunc func(rel string, fi fs.FileInfo, err error) error

// Walk visits the tree at root in the repository's order and calls fn for
// every entry rdiff-backup would back up with the selection set: the root
// first, then pre-order with the names of each directory sorted bytewise.
// It never follows symbolic links (the root included) and never yields
// rdiff-backup-data directly under the root. A directory answered Scan is
// yielded just before the first entry below it that is selected, or not at
// all. Only the listings of the directories on the current path are held.
//
// set may be nil (everything is selected); otherwise root must be the base
// the set was built for (after normalisation), and the set's normalised
// base is the path the walk opens.
func Walk(ctx context.Context, root string, set *Set, fn WalkFunc) error {
	if set == nil {
		var err error
		if set, err = New(root, nil, Config{}); err != nil {
			return err
		}
	} else if nb := NormalizeBase(root); nb != set.base {
		return fmt.Errorf("selection: walk root %q is not the selection base %q", nb, set.base)
	}
	fi, err := os.Lstat(set.base)
	if err != nil {
		return fmt.Errorf("selection: walk: %w", err)
	}
	if err := fn(".", fi, nil); err != nil {
		if errors.Is(err, fs.SkipDir) {
			return nil
		}
		return err
	}
	if !fi.IsDir() {
		return nil
	}
	w := &walker{ctx: ctx, set: set, fn: fn, pf: newPrefetcher()}
	w.pf.kinds.base, w.pf.kinds.prefix = set.base, set.prefix
	defer w.pf.stop()
	return w.dir(set.base, set.prefix, fi, nil)
}

type pendingDir struct {
	rel string
	fi  fs.FileInfo
}

type walker struct {
	ctx     context.Context
	set     *Set
	fn      WalkFunc
	pending []pendingDir // scanned directories not yet yielded, outermost first
	count   int
	pf      *prefetcher
}

func (w *walker) rel(full string) string {
	if len(full) <= len(w.set.prefix) {
		return "."
	}
	return full[len(w.set.prefix):]
}

// report hands an error to fn; only fn's own error stops the walk.
func (w *walker) report(rel string, err error) error {
	if ferr := w.fn(rel, nil, err); ferr != nil && !errors.Is(ferr, fs.SkipDir) {
		return ferr
	}
	return nil
}

func (w *walker) flush() error {
	for _, p := range w.pending {
		if err := w.fn(p.rel, p.fi, nil); err != nil && !errors.Is(err, fs.SkipDir) {
			return err
		}
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	return nil
}

// dir walks the content of the directory at full, whose lstat is fi;
// prefix is full followed by '/'. l is its listing when it was fetched
// ahead, else nil.
func (w *walker) dir(full, prefix string, fi fs.FileInfo, l *listing) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if l == nil {
		l = &listing{dir: full, kinds: &w.pf.kinds}
		l.dev, l.hasDev = deviceOf(fi)
		l.fetch()
	} else {
		w.pf.take(l)
	}
	defer l.release() // fn saw its lstats: they are not kept
	if l.err != nil {
		if rerr := w.report(w.rel(full), l.err); rerr != nil {
			return rerr
		}
	}
	// Decide every child first, so that the directories to be entered
	// are listed ahead, in order, while the ones before them are walked.
	// The workers may have listed some ahead already (l.subs).
	verdicts := make([]Result, len(l.names))
	subs := make([]*listing, len(l.names))
	paths := make([]string, len(l.names)) // each child's full path, made once
	copy(subs, l.subs)
	var ahead []*listing
	for i, name := range l.names {
		fi := l.infos[i]
		if fi == nil {
			continue
		}
		child := prefix + name
		paths[i] = child
		verdicts[i] = w.set.match(child, child[len(w.set.prefix):], fi)
		switch {
		case !fi.IsDir() || verdicts[i] == Exclude:
			w.pf.abandon(subs[i])
			subs[i] = nil
		case subs[i] == nil:
			if subs[i] = w.pf.hold(child, fi); subs[i] != nil {
				ahead = append(ahead, subs[i])
			}
		}
	}
	// Queued at once, the first on top: the listers take them in the
	// walk's order, and are woken once.
	slices.Reverse(ahead)
	w.pf.push(ahead...)
	defer func() {
		for _, sub := range subs { // skipped or abandoned: let them go
			w.pf.abandon(sub)
		}
	}()
	for i, name := range l.names {
		if w.count++; w.count&1023 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		child := paths[i]
		if child == "" {
			child = prefix + name
		}
		rel := child[len(w.set.prefix):]
		fi := l.infos[i]
		if fi == nil {
			if errors.Is(l.errs[i], fs.ErrNotExist) {
				continue // vanished since the listing
			}
			if rerr := w.report(rel, l.errs[i]); rerr != nil {
				return rerr
			}
			continue
		}
		sub := subs[i]
		subs[i] = nil
		switch verdicts[i] {
		case Include:
			if err := w.flush(); err != nil {
				w.pf.abandon(sub)
				return err
			}
			if err := w.fn(rel, fi, nil); err != nil {
				w.pf.abandon(sub)
				if errors.Is(err, fs.SkipDir) {
					continue
				}
				return err
			}
			if fi.IsDir() {
				if err := w.dir(child, child+"/", fi, sub); err != nil {
					return err
				}
			}
		case Scan:
			if !fi.IsDir() {
				continue
			}
			mark := len(w.pending)
			w.pending = append(w.pending, pendingDir{rel: rel, fi: fi})
			if err := w.dir(child, child+"/", fi, sub); err != nil {
				return err
			}
			if len(w.pending) > mark {
				clear(w.pending[mark:])
				w.pending = w.pending[:mark]
			}
		}
	}
	return nil
}

// fsKinds is what a walk learns of the file systems it meets, for the
// listers' choice of system calls (see listing_linux.go): which devices
// are memory file systems, once per device, and where the mount points
// below the root are, read once per walk when first needed.
type fsKinds struct {
	memory       sync.Map // device number (uint64) -> bool
	base, prefix string   // the walk's root and its paths' prefix (Set's)

	mountsOnce sync.Once
	mounts     map[string]map[string]bool // directory (as the walk names it) -> its entries that are mount points
	mountsErr  error                      // the mount table could not be read: no shortcut anywhere
}

// A listing is a directory's sorted names with each one's lstat: the
// unit of work handed to the prefetch workers.
type listing struct {
	dir   string
	names []string
	infos []fs.FileInfo // nil where the lstat failed
	errs  []error       // the lstat errors (nil when none failed)
	err   error         // the listing's own error (names holds what was read)
	done  chan struct{} // closed when fetched (ahead listings only)

	dev    uint64 // the directory's file system, when hasDev
	hasDev bool
	kinds  *fsKinds     // the walk's knowledge of the file systems met
	mem    *listMem     // where names, infos and the lstats live (see release)
	subs   []*listing   // by name index: subdirectories listed ahead by a worker
	state  atomic.Int32 // queued, then taken by a worker or the walk
}

// prefetcher lists directories ahead of the walk on a few goroutines: the
// walk itself only decides and calls back, while listing and lstat, the
// system calls that dominate a walk over an unchanged tree, run in
// parallel. A worker that has listed a directory queues the listings of
// its subdirectories on the same file system (never across a mount: an
// excluded mount point may be a hung network file system), so the
// workers run ahead down the tree; the queue is a stack, children pushed
// last to first, so that they work in about the walk's own order. At most
// maxAhead listings are held (queued, fetched, or not yet released by the
// walk); past that a directory is listed when the walk reaches it, and a
// queued listing the walk needs before a worker took it is listed by the
// walk itself.
type prefetcher struct {
	kinds   fsKinds
	mu      sync.Mutex
	cond    *sync.Cond
	stack   []*listing
	held    int
	stopped bool
	wg      sync.WaitGroup
}

// maxAhead bounds the listings held ahead of the walk; 0 lists every
// directory when the walk reaches it (tests that change a tree during the
// walk set it so).
var maxAhead = 64

func newPrefetcher() *prefetcher {
	pf := &prefetcher{}
	pf.cond = sync.NewCond(&pf.mu)
	n := min(max(runtime.GOMAXPROCS(0), 2), 8)
	pf.wg.Add(n)
	for range n {
		go func() {
			defer pf.wg.Done()
			for {
				pf.mu.Lock()
				for len(pf.stack) == 0 && !pf.stopped {
					pf.cond.Wait()
				}
				if pf.stopped {
					pf.mu.Unlock()
					return
				}
				l := pf.stack[len(pf.stack)-1]
				pf.stack[len(pf.stack)-1] = nil
				pf.stack = pf.stack[:len(pf.stack)-1]
				pf.mu.Unlock()
				if l.state.CompareAndSwap(queued, taken) {
					pf.fetchAndExpand(l)
				}
			}
		}()
	}
	return pf
}

const (
	queued int32 = iota
	taken
)

// fetchAndExpand lists l, queues its subdirectories and marks it done.
func (pf *prefetcher) fetchAndExpand(l *listing) {
	l.fetch()
	var ahead []*listing // last to first: the first ends on top
	for i := len(l.names) - 1; i >= 0; i-- {
		fi := l.infos[i]
		if fi == nil || !fi.IsDir() {
			continue
		}
		if dev, ok := deviceOf(fi); !ok || !l.hasDev || dev != l.dev {
			continue
		}
		sub := pf.hold(l.dir+"/"+l.names[i], fi)
		if sub == nil {
			break
		}
		if l.subs == nil {
			l.subs = make([]*listing, len(l.names))
		}
		l.subs[i] = sub
		ahead = append(ahead, sub)
	}
	pf.push(ahead...) // at once, as the walk queues its own
	close(l.done)
}

// hold reserves a listing of dir (whose lstat is fi), or returns nil when
// too many are held.
func (pf *prefetcher) hold(dir string, fi fs.FileInfo) *listing {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if pf.held >= maxAhead || pf.stopped {
		return nil
	}
	pf.held++
	l := &listing{dir: dir, done: make(chan struct{}), kinds: &pf.kinds}
	l.dev, l.hasDev = deviceOf(fi)
	return l
}

// push queues listings; the last is taken first.
func (pf *prefetcher) push(ls ...*listing) {
	if len(ls) == 0 {
		return
	}
	pf.mu.Lock()
	pf.stack = append(pf.stack, ls...)
	pf.mu.Unlock()
	if len(ls) == 1 {
		pf.cond.Signal()
	} else {
		pf.cond.Broadcast()
	}
}

// take makes l listed (by the walk itself if no worker has started on it)
// and releases it.
func (pf *prefetcher) take(l *listing) {
	if l.state.CompareAndSwap(queued, taken) {
		pf.fetchAndExpand(l)
	} else {
		<-l.done
	}
	pf.release()
}

// abandon releases a listing the walk will not enter, and what was listed
// ahead below it.
func (pf *prefetcher) abandon(l *listing) {
	if l == nil {
		return
	}
	if l.state.CompareAndSwap(queued, taken) {
		close(l.done) // never listed: nothing below it either
	} else {
		<-l.done
	}
	pf.release()
	for _, sub := range l.subs {
		pf.abandon(sub)
	}
}

func (pf *prefetcher) release() {
	pf.mu.Lock()
	pf.held--
	pf.mu.Unlock()
}

// stop ends the workers; what is still queued was abandoned.
func (pf *prefetcher) stop() {
	pf.mu.Lock()
	pf.stopped = true
	pf.mu.Unlock()
	pf.cond.Broadcast()
	pf.wg.Wait()
}
