package gordiff

import (
	"io"
	"os"
	"runtime"
	"sync"
)

// fileJob is the content and attributes of one restored regular file,
// written by a worker while the restorer goes on with the listing: the
// copies of a restore are system calls that two CPUs do in about half
// the time. The restorer stays the only one to touch its own state; what
// a job has to say is kept in the job and said in listing order.
type fileJob struct {
	restoreEntry
	path  string
	in    io.ReadCloser // the content, opened by the restorer
	done  chan struct{}
	err   error
	lost  bool // the content could not be written: the file goes
	warns []string
}

// startWorkers starts the file writers.
func (r *restorer) startWorkers() {
	n := min(max(runtime.GOMAXPROCS(0), 1), 4)
	r.jobs = make(chan *fileJob, 64)
	r.wg.Add(n)
	for range n {
		go func() {
			defer r.wg.Done()
			var buf []byte
			for j := range r.jobs {
				j.run(r, &buf)
				close(j.done)
			}
		}()
	}
}

// stopWorkers waits for every job and says what they had to say.
func (r *restorer) stopWorkers() {
	if r.jobs != nil {
		close(r.jobs)
		r.wg.Wait()
		r.jobs = nil
	}
	r.drain(true)
}

// submit queues a regular file; its link-group followers find it in
// r.leaders.
func (r *restorer) submit(e restoreEntry, path string, in io.ReadCloser) *fileJob {
	if r.jobs == nil {
		r.startWorkers()
	}
	j := &fileJob{restoreEntry: e, path: path, in: in, done: make(chan struct{})}
	r.queue = append(r.queue, j)
	r.submitted++
	r.jobs <- j
	r.drain(false)
	return j
}

// drain reports the finished jobs at the head of the queue, in order; all
// of them when wait is set.
func (r *restorer) drain(wait bool) {
	for len(r.queue) > 0 {
		j := r.queue[0]
		if wait {
			<-j.done
		} else {
			select {
			case <-j.done:
			default:
				return
			}
		}
		r.queue[0] = nil
		r.queue = r.queue[1:]
		r.reported++
		for _, w := range j.warns {
			r.msg(2, w)
		}
		if j.err != nil {
			if j.lost {
				os.Remove(j.path)
			}
			r.res.Entries--
			r.report(j.rec.Index, j.err)
		}
	}
}

// run writes the job's file.
func (j *fileJob) run(r *restorer, buf *[]byte) {
	defer j.in.Close()
	f, err := writeContent(j.path, j.in, buf)
	if err != nil {
		j.err, j.lost = err, true
		return
	}
	j.applySide(j.path, func(w string) { j.warns = append(j.warns, w) })
	err = applyFileAttrs(f, j.rec)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	j.err = err
}

// workerState is what a restorer keeps for its workers.
type workerState struct {
	jobs    chan *fileJob
	wg      sync.WaitGroup
	queue   []*fileJob             // submitted, not yet reported, in order
	leaders map[[2]uint64]*fileJob // hard-link group -> the job of its first path

	submitted, reported int // jobs so far
}
