package mirror

import "testing"

func TestFIFO(t *testing.T) {
	var q fifo[int]
	next, want := 0, 0
	// A queue kept a few items deep for a long run: order kept, and the
	// array neither reallocated nor grown once warm.
	for range 3 {
		q.push(next)
		next++
	}
	var arr *int
	for i := range 10000 {
		q.push(next)
		next++
		if got := q.pop(); got != want {
			t.Fatalf("pop %d: got %d, want %d", i, got, want)
		}
		want++
		if i == 100 {
			arr = &q.items[:1][0]
		}
		if i > 100 && &q.items[:1][0] != arr {
			t.Fatalf("step %d: the array was reallocated (len %d, cap %d, head %d)", i, len(q.items), cap(q.items), q.head)
		}
	}
	if q.len() != 3 || len(q.all()) != 3 || q.front() != want {
		t.Fatalf("after the run: len %d, all %v, front %d; want 3 items from %d", q.len(), q.all(), q.front(), want)
	}
	for q.len() > 0 {
		if got := q.pop(); got != want {
			t.Fatalf("draining: got %d, want %d", got, want)
		}
		want++
	}
	if q.head != 0 || len(q.items) != 0 {
		t.Errorf("an emptied queue does not restart at its array's start: head %d, len %d", q.head, len(q.items))
	}
	q.push(1)
	q.reset()
	if q.len() != 0 || q.items != nil {
		t.Errorf("reset left %v", q.items)
	}
}
