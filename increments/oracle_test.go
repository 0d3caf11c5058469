package increments

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rdiffBackup returns the path of the real rdiff-backup, skipping the test
// when it is not installed.
func rdiffBackup(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("rdiff-backup")
	if err != nil {
		t.Skip("rdiff-backup not installed: ", err)
	}
	return p
}

// rdiffBackupPython returns the interpreter named in rdiff-backup's #! line,
// which can import rdiff-backup's own modules.
func rdiffBackupPython(t *testing.T) string {
	t.Helper()
	p := rdiffBackup(t)
	f, err := os.Open(p)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	if !strings.HasPrefix(line, "#!") {
		t.Fatalf("%s: no #! line: %q", p, line)
	}
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		t.Fatalf("%s: empty #! line", p)
	}
	py := fields[len(fields)-1]
	if filepath.Base(fields[0]) != "env" {
		py = fields[0]
	}
	return py
}

// pyOracle runs a Python program with rdiff-backup's modules under TZ=tz,
// feeding it one JSON value per line and returning one JSON-decoded reply
// per input.
func pyOracle(t *testing.T, tz, program string, args []string, inputs []any) []json.RawMessage {
	t.Helper()
	py := rdiffBackupPython(t)
	var in bytes.Buffer
	for _, v := range inputs {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("marshal %v: %v", v, err)
		}
		in.Write(b)
		in.WriteByte('\n')
	}
	cmd := exec.Command(py, append([]string{"-c", program}, args...)...)
	cmd.Env = append(os.Environ(), "TZ="+tz)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python oracle: %v\n%s", err, stderr.String())
	}
	var res []json.RawMessage
	for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		res = append(res, json.RawMessage(l))
	}
	if len(res) != len(inputs) {
		t.Fatalf("python oracle: %d replies for %d inputs\n%s", len(res), len(inputs), out)
	}
	return res
}

// runRB runs the real rdiff-backup with the given TZ and arguments and
// returns its standard output; it fails the test on a non-zero exit unless
// allowFail.
func runRB(t *testing.T, tz string, allowFail bool, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(rdiffBackup(t), args...)
	cmd.Env = append(os.Environ(), "TZ="+tz)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && !allowFail {
		t.Fatalf("rdiff-backup %v: %v\n%s%s", args, err, o.String(), e.String())
	}
	return o.String(), e.String(), code
}

// mkTree writes the files of tree (name to content) under dir.
func mkTree(t *testing.T, dir string, tree map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range tree {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readDirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
