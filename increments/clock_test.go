package increments

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	c := FixedClock(1700000000)
	if c.Seconds() != 1700000000 || !c.Now().Equal(time.Unix(1700000000, 0)) {
		t.Errorf("FixedClock: %v", c.Now())
	}
	var sys Clock
	before := time.Now().Unix()
	if s := sys.Seconds(); s < before || s > time.Now().Unix() {
		t.Errorf("nil Clock: %d", s)
	}
	frac := Clock(func() time.Time { return time.Unix(1700000000, 999999999) })
	if frac.Seconds() != 1700000000 {
		t.Errorf("Seconds does not truncate: %d", frac.Seconds())
	}
}
