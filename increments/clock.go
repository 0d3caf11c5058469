package increments

import "time"

// Clock tells the current time. Code that needs "now" (the session time of a
// backup, the reference of a time specification such as "3D") takes a Clock
// instead of calling time.Now, so tests and --current-time can fix it.
// The nil Clock is the system clock.
type Clock func() time.Time

// Now returns the current time according to c; a nil c reads the system clock.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// Seconds returns the current time in whole seconds since the epoch,
// truncated as rdiff-backup does under its default API 200.
func (c Clock) Seconds() int64 {
	return c.Now().Unix()
}

// FixedClock returns a Clock that always tells the given number of seconds
// since the epoch, which is what --current-time SECONDS does.
func FixedClock(seconds int64) Clock {
	t := time.Unix(seconds, 0)
	return func() time.Time { return t }
}
