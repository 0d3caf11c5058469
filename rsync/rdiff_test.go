package rsync

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// These tests run the real rdiff (librsync 2.3.2) side by side with this
// package on the same files.

func runRdiff(t *testing.T, rdiff string, args ...string) {
	t.Helper()
	if out, err := exec.Command(rdiff, args...).CombinedOutput(); err != nil {
		t.Fatalf("rdiff %v: %v\n%s", args, err, out)
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSignatureMatchesRdiff: byte-identical signatures for the four formats
// and several block and strong lengths, on empty, 1-byte, sub-block,
// exact-multiple and multi-MiB inputs.
func TestSignatureMatchesRdiff(t *testing.T) {
	rdiff := needRdiff(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(21, 22))
	inputs := map[string][]byte{
		"empty":    {},
		"one":      {0x5a},
		"subblock": randomBytes(rng, 100),
		"multiple": randomBytes(rng, 4096),
		"big":      append(randomBytes(rng, 3<<20), bytes.Repeat([]byte{0}, 300000)...),
	}
	type combo struct{ b, s int }
	combos := []combo{{0, 0}, {0, -1}, {64, 8}, {1, 16}, {333, 5}, {32768, 8}, {4096, 1}}
	for name, data := range inputs {
		in := writeFile(t, dir, name, data)
		for _, hash := range []string{"md4", "blake2"} {
			for _, roll := range []string{"rollsum", "rabinkarp"} {
				for _, c := range combos {
					if c.b == 1 && len(data) > 10000 {
						continue // 3 million records: slow for nothing
					}
					args := []string{"-H", hash, "-R", roll, "-b", strconv.Itoa(c.b), "-S", strconv.Itoa(c.s)}
					ref := filepath.Join(dir, "ref.sig")
					runRdiff(t, rdiff, append(append([]string{"-f"}, args...), "signature", in, ref)...)
					var got bytes.Buffer
					if err := WriteSignature(&got, bytes.NewReader(data), sigParamsFromArgs(t, args, int64(len(data)))); err != nil {
						t.Fatal(err)
					}
					if want := readFile(t, ref); !bytes.Equal(got.Bytes(), want) {
						t.Errorf("%s %v: signature differs from rdiff's (%d vs %d bytes)", name, args, got.Len(), len(want))
					}
				}
			}
		}
	}
}

// TestDeltaAndPatchWithRdiff: round trips both ways with the real rdiff,
// on random data with insertions, deletions, moved and repeated blocks.
// Our delta is applied by `rdiff patch`, rdiff's delta by our Patch, and
// since both follow librsync 2.3.2's search the delta bytes are compared
// too.
func TestDeltaAndPatchWithRdiff(t *testing.T) {
	rdiff := needRdiff(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(31, 32))
	for i := 0; i < 40; i++ {
		var basis []byte
		switch i % 4 {
		case 0:
			basis = randomBytes(rng, rng.IntN(300000))
		case 1:
			basis = bytes.Repeat(vectorA(), 1+rng.IntN(500))
		case 2:
			basis = append(bytes.Repeat([]byte{7}, rng.IntN(40000)), randomBytes(rng, 5000)...)
		case 3:
			basis = randomBytes(rng, rng.IntN(3000))
		}
		newData := mutate(rng, basis)
		if i == 5 {
			newData = append(newData, randomBytes(rng, 100000)...) // literal runs past the cap
		}
		args := []string{"-H", []string{"md4", "blake2"}[i%2], "-R", []string{"rollsum", "rabinkarp"}[i/2%2],
			"-b", strconv.Itoa([]int{0, 16, 64, 576, 4096}[i%5]), "-S", strconv.Itoa([]int{0, 8, 4, -1}[i%4])}
		if i%7 == 0 { // rdiff-backup's choice
			p := RdiffBackupSigParams(int64(len(basis)))
			args = []string{"-H", "md4", "-R", "rollsum", "-b", strconv.Itoa(p.BlockLen), "-S", "8"}
		}
		name := fmt.Sprintf("case%d", i)
		basisPath := writeFile(t, dir, name+".basis", basis)
		newPath := writeFile(t, dir, name+".new", newData)
		sigPath := filepath.Join(dir, name+".sig")
		runRdiff(t, rdiff, append(append([]string{"-f"}, args...), "signature", basisPath, sigPath)...)

		sig, err := ReadSignature(bytes.NewReader(readFile(t, sigPath)))
		if err != nil {
			t.Fatal(err)
		}
		var ours bytes.Buffer
		if err := WriteDelta(&ours, sig, bytes.NewReader(newData)); err != nil {
			t.Fatal(err)
		}
		oursPath := writeFile(t, dir, name+".ours.delta", ours.Bytes())
		outPath := filepath.Join(dir, name+".out")
		runRdiff(t, rdiff, "-f", "patch", basisPath, oursPath, outPath)
		if !bytes.Equal(readFile(t, outPath), newData) {
			t.Fatalf("%s %v: rdiff patch of our delta does not give the new file", name, args)
		}

		theirsPath := filepath.Join(dir, name+".theirs.delta")
		runRdiff(t, rdiff, "-f", "delta", sigPath, newPath, theirsPath)
		theirs := readFile(t, theirsPath)
		var out bytes.Buffer
		if err := Patch(&out, bytes.NewReader(basis), bytes.NewReader(theirs)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), newData) {
			t.Fatalf("%s %v: our patch of rdiff's delta does not give the new file", name, args)
		}
		// rdiff emits slack deltas in input-buffer-sized chunks against an
		// empty signature (spec 9.5); only there may the bytes differ.
		if sig.Blocks() > 0 && !bytes.Equal(ours.Bytes(), theirs) {
			t.Errorf("%s %v: delta bytes differ from rdiff's (%d vs %d bytes)", name, args, ours.Len(), len(theirs))
		}
	}
}
