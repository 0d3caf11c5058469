package mirror

import "runtime"

// Parallel inside, ordered outside. The expensive part of an entry (copying
// a file in, hashing it, computing its reverse delta) runs on a pool of
// workers; everything that must happen in index order (metadata and
// statistics lines, mirror renames, directory completion) runs afterwards on
// the session's goroutine, as the entry's tail, in the order the entries
// were processed. At most maxInFlight entries wait for their tails, so
// memory stays bounded whatever the tree.

const maxInFlight = 128

// task is one entry's in-order tail, waiting for its background part.
type task struct {
	done chan struct{} // closed when the background part is over; nil if none
	tail func() error
}

// startWorkers starts the pool that runs background parts.
func (s *session) startWorkers() {
	n := runtime.GOMAXPROCS(0)
	work := make(chan func(), maxInFlight)
	s.work = work
	for range n {
		go func() {
			for job := range work {
				job()
			}
		}()
	}
}

// stopWorkers waits for every queued background part, then ends the pool.
func (s *session) stopWorkers() {
	if s.work == nil {
		return
	}
	for _, t := range s.tasks.all() {
		if t.done != nil {
			<-t.done
		}
	}
	s.tasks.reset()
	close(s.work)
	s.work = nil
}

// emit schedules an entry's work: bg (may be nil) on a worker, then tail
// in order on this goroutine. Only tails may touch the session's outputs.
func (s *session) emit(bg func(), tail func() error) error {
	if bg == nil && s.tasks.len() == 0 {
		return s.runTail(tail)
	}
	t := &task{tail: tail}
	if bg != nil {
		if s.work == nil {
			bg()
		} else {
			t.done = make(chan struct{})
			done := t.done
			s.work <- func() { bg(); close(done) }
		}
	}
	s.tasks.push(t)
	if s.tasks.len() > maxInFlight {
		return s.drain(s.tasks.len() - maxInFlight/2)
	}
	return s.drain(0)
}

// drain runs the tails whose background part is over, in order, and
// blocks until at least n tails have run.
func (s *session) drain(n int) error {
	for s.tasks.len() > 0 {
		t := s.tasks.front()
		if t.done != nil {
			if n > 0 {
				<-t.done
			} else {
				select {
				case <-t.done:
				default:
					return nil
				}
			}
		}
		s.tasks.pop()
		n--
		if err := s.runTail(t.tail); err != nil {
			return err
		}
	}
	return nil
}

// drainAll runs every pending tail.
func (s *session) drainAll() error { return s.drain(s.tasks.len()) }

// runTail runs one tail; while it runs, tails queued after it wait (a
// commit it triggers must not run them ahead of it).
func (s *session) runTail(tail func() error) error {
	if s.inTail {
		return tail()
	}
	s.inTail = true
	defer func() { s.inTail = false }()
	return tail()
}
