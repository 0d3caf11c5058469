package rsync

import "testing"

// TestSigArgsTable checks the values of spec section 6 (rdiff's defaults and
// the minimum strong length).
func TestSigArgsTable(t *testing.T) {
	const (
		KiB = 1 << 10
		MiB = 1 << 20
		GiB = 1 << 30
	)
	cases := []struct {
		n      int64
		blockL int
		minS   int
	}{
		{0, 256, 5},
		{212, 256, 5},
		{65536, 256, 6},
		{100000, 256, 6},
		{300000, 512, 7},
		{MiB, 1024, 7},
		{10000000, 3072, 7},
		{100000000, 9984, 7},
		{GiB, 32768, 8},
		{2 * GiB, 46336, 8},
		{10000000000, 99968, 9},
		{1024 * GiB, 1048576, 10},
		{UnknownSize, 2048, 12},
	}
	for _, c := range cases {
		if got := RecommendedBlockLen(c.n); got != c.blockL {
			t.Errorf("RecommendedBlockLen(%d) = %d, want %d", c.n, got, c.blockL)
		}
		p, err := SigArgs(c.n, 0, 0, -1)
		if err != nil {
			t.Fatalf("SigArgs(%d): %v", c.n, err)
		}
		if p.StrongLen != c.minS || p.BlockLen != c.blockL || p.Magic != RkBlake2SigMagic {
			t.Errorf("SigArgs(%d, 0, 0, -1) = %+v, want L=%d S=%d", c.n, p, c.blockL, c.minS)
		}
		d, _ := SigArgs(c.n, 0, 0, 0)
		if d.StrongLen != 32 {
			t.Errorf("SigArgs(%d) default strong length %d, want 32", c.n, d.StrongLen)
		}
	}
	if _, err := SigArgs(100, MD4SigMagic, 0, 17); err == nil {
		t.Error("strong length 17 with MD4 accepted")
	}
	if _, err := SigArgs(100, Magic(0x72730138), 0, 0); err == nil {
		t.Error("unknown magic accepted")
	}
}

// TestRdiffBackupBlockLen checks rdiff-backup's rule (spec section 7).
func TestRdiffBackupBlockLen(t *testing.T) {
	cases := map[int64]int{
		0: 64, 10239: 64, 10240: 80, 65536: 256, 100000: 384, 300000: 576,
		1 << 20: 1024, 10000000: 2432, 100000000: 12192, 1 << 30: 32768,
		2 << 30: 32768, 10000000000: 76288,
	}
	for n, want := range cases {
		if got := RdiffBackupBlockLen(n); got != want {
			t.Errorf("RdiffBackupBlockLen(%d) = %d, want %d", n, got, want)
		}
	}
	p := RdiffBackupSigParams(1 << 30)
	if p != (SigParams{MD4SigMagic, 32768, 8}) {
		t.Errorf("RdiffBackupSigParams(1 GiB) = %+v", p)
	}
}

func TestSigMagic(t *testing.T) {
	for _, c := range []struct {
		rk, b2 bool
		m      Magic
	}{{false, false, MD4SigMagic}, {false, true, Blake2SigMagic}, {true, false, RkMD4SigMagic}, {true, true, RkBlake2SigMagic}} {
		m := SigMagic(c.rk, c.b2)
		if m != c.m || m.RabinKarp() != c.rk || m.Blake2() != c.b2 {
			t.Errorf("SigMagic(%v, %v) = %s", c.rk, c.b2, m)
		}
	}
}
