package metadata

import (
	"fmt"
	"testing"
)

// TestOwnerNameCache checks that cached lookups give what the system's
// user and group databases give, from many goroutines at once.
func TestOwnerNameCache(t *testing.T) {
	ids := []int64{0, 1, 2, 65534, 4242, 1 << 31, -1}
	want := map[int64][2]string{}
	for _, id := range ids {
		want[id] = [2]string{lookupUser(id), lookupGroup(id)}
	}
	done := make(chan error)
	for g := range 8 {
		go func() {
			for i := range 200 {
				id := ids[(g+i)%len(ids)]
				if u, gr := LookupUserName(id), LookupGroupName(id); u != want[id][0] || gr != want[id][1] {
					done <- fmt.Errorf("id %d: %q %q, want %q", id, u, gr, want[id])
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
