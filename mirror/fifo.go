package mirror

// fifo is a first-in, first-out queue that keeps its array: popping moves a
// head index instead of slicing the front away (which gives up the array's
// head, so that the appends after it reallocate), the array is reused from
// its start whenever the queue empties, and a full array with half of it
// spent is compacted rather than grown.
type fifo[T any] struct {
	items []T
	head  int
}

func (q *fifo[T]) len() int { return len(q.items) - q.head }

// front returns the oldest item; the queue must not be empty.
func (q *fifo[T]) front() T { return q.items[q.head] }

func (q *fifo[T]) push(v T) {
	if len(q.items) == cap(q.items) && q.head > 0 && q.head >= len(q.items)/2 {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, v)
}

// pop removes and returns the oldest item; the queue must not be empty.
func (q *fifo[T]) pop() T {
	v := q.items[q.head]
	var zero T
	q.items[q.head] = zero // no reference kept
	if q.head++; q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return v
}

// all returns the items, oldest first, for reading.
func (q *fifo[T]) all() []T { return q.items[q.head:] }

// reset empties the queue and lets its array go.
func (q *fifo[T]) reset() {
	clear(q.items)
	q.items, q.head = nil, 0
}
