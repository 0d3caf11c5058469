package metadata

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestEAReaderAt: lookups in increasing order find each record, answer
// "none" between and past them, may repeat an index, and a stream that
// breaks makes every later answer unknown, not "no attributes".
func TestEAReaderAt(t *testing.T) {
	text := "# file: a\nuser.x=0sMQ==\n\n# file: c\nuser.y=0sMg==\n\n# file: c/d\nuser.z=0sMw==\n\n"
	r := NewEAReader(strings.NewReader(text), "test")
	for _, c := range []struct {
		ix    string
		found bool
	}{{"a", true}, {"a", true}, {"b", false}, {"c", true}, {"c/d", true}, {"e", false}, {"f", false}} {
		rec, known := r.At(ParseIndex(c.ix))
		if !known || (rec != nil) != c.found || (rec != nil && rec.Index.String() != c.ix) {
			t.Errorf("At(%s) = %v, %v; want found %v", c.ix, rec, known, c.found)
		}
	}
	var none *EAReader
	if rec, known := none.At(ParseIndex("a")); rec != nil || known {
		t.Errorf("At on no reader = %v, %v", rec, known)
	}
	broken := NewEAReader(io.MultiReader(strings.NewReader(text[:37]), iotest.ErrReader(errors.New("disk gone"))), "broken")
	if _, known := broken.At(ParseIndex("a")); !known {
		t.Errorf("the record before the break is not known")
	}
	if rec, known := broken.At(ParseIndex("c")); rec != nil || known {
		t.Errorf("At past a read error = %v, %v; want unknown", rec, known)
	}
}

// TestSameEAsAndACLs: attribute order does not matter, nil is the empty
// set, and a basic ACL is no ACL.
func TestSameEAsAndACLs(t *testing.T) {
	a := &EARecord{Attrs: []XAttr{{Name: "user.a", Value: []byte("1")}, {Name: "user.b", Value: []byte("2")}}}
	b := &EARecord{Attrs: []XAttr{{Name: "user.b", Value: []byte("2")}, {Name: "user.a", Value: []byte("1")}}}
	c := &EARecord{Attrs: []XAttr{{Name: "user.a", Value: []byte("9")}, {Name: "user.b", Value: []byte("2")}}}
	if !SameEAs(a, b) || SameEAs(a, c) || SameEAs(a, nil) || !SameEAs(nil, &EARecord{}) {
		t.Error("SameEAs")
	}
	basic := &ACLRecord{Access: []ACLEntry{{Tag: ACLUserObj, Perm: 6}, {Tag: ACLGroupObj, Perm: 4}, {Tag: ACLOther, Perm: 4}}}
	full := &ACLRecord{Access: append(append([]ACLEntry{}, basic.Access...), ACLEntry{Tag: ACLUser, ID: 65534, HasID: true, Perm: 4}, ACLEntry{Tag: ACLMask, Perm: 4})}
	if !SameACLs(basic, nil) || SameACLs(full, nil) || !SameACLs(full, full) || SameACLs(full, basic) {
		t.Error("SameACLs")
	}
}
