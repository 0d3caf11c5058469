package metadata

import (
	"bytes"
	"errors"
	"io"
	"slices"
)

// At returns the record of ix, reading the file in step with a listing:
// indexes must be asked in increasing order (the same one may be asked
// again). rec is nil when the file has no record of ix. known is false
// when there is nothing to go by: r is nil (the session kept no such
// file), or the file could not be read up to ix, after which every answer
// is unknown rather than "no attributes", so that a damaged file is not
// taken for attributes removed. Do not mix At and Next.
func (r *EAReader) At(ix Index) (rec *EARecord, known bool) {
	if r == nil {
		return nil, false
	}
	return recordAt(r.Next, &r.head, &r.dead, ix, func(e *EARecord) Index { return e.Index })
}

// At is EAReader.At for ACLs.
func (r *ACLReader) At(ix Index) (rec *ACLRecord, known bool) {
	if r == nil {
		return nil, false
	}
	return recordAt(r.Next, &r.head, &r.dead, ix, func(a *ACLRecord) Index { return a.Index })
}

func recordAt[T any](next func() (*T, error), head **T, dead *bool, ix Index, index func(*T) Index) (*T, bool) {
	for !*dead {
		if *head == nil {
			r, err := next()
			if errors.Is(err, io.EOF) {
				return nil, true
			}
			if err != nil {
				*dead = true
				break
			}
			*head = r
		}
		switch c := CompareIndex(index(*head), ix); {
		case c < 0:
			*head = nil
		case c == 0:
			return *head, true
		default:
			return nil, true
		}
	}
	return nil, false
}

// SameEAs reports whether two sets of extended attributes are equal, in
// any order; nil is the empty set.
func SameEAs(a, b *EARecord) bool {
	var x, y []XAttr
	if a != nil {
		x = a.Attrs
	}
	if b != nil {
		y = b.Attrs
	}
	return slices.EqualFunc(sortedAttrs(x), sortedAttrs(y), func(p, q XAttr) bool {
		return p.Name == q.Name && bytes.Equal(p.Value, q.Value)
	})
}

func sortedAttrs(a []XAttr) []XAttr {
	a = slices.Clone(a)
	slices.SortFunc(a, func(p, q XAttr) int {
		switch {
		case p.Name < q.Name:
			return -1
		case p.Name > q.Name:
			return 1
		}
		return 0
	})
	return a
}

// SameACLs reports whether two ACLs are equal; nil, like an ACL that says
// nothing beyond the permission bits (IsBasic), is no ACL.
func SameACLs(a, b *ACLRecord) bool {
	if a != nil && a.IsBasic() {
		a = nil
	}
	if b != nil && b.IsBasic() {
		b = nil
	}
	if a == nil || b == nil {
		return a == b
	}
	eq := func(p, q ACLEntry) bool { return p.String() == q.String() }
	return slices.EqualFunc(a.Access, b.Access, eq) && slices.EqualFunc(a.Default, b.Default, eq)
}
