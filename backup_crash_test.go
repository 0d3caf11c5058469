//go:build linux

package gordiff_test

// Crash safety: gordiff backups killed with SIGKILL at several points are
// brought back by gordiff's regress and by rdiff-backup's; a repository
// rdiff-backup left interrupted is regressed by gordiff. Also the tests that
// need a second process: two backups at once, and a backup run as an
// unprivileged user over a file it cannot read.
//
// The child process is this test binary: TestMain runs one backup instead
// of the tests when GORDIFF_TEST_CHILD_BACKUP=1.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gordiff/gordiff"
	"github.com/gordiff/gordiff/mirror"
)

func TestMain(m *testing.M) {
	if os.Getenv("GORDIFF_TEST_CHILD_BACKUP") == "1" {
		os.Exit(childBackup())
	}
	os.Exit(m.Run())
}

// The child's settings, from its environment.
const (
	envChild       = "GORDIFF_TEST_CHILD_BACKUP"
	envSrc         = "GORDIFF_TEST_SRC"
	envRepo        = "GORDIFF_TEST_REPO"
	envTime        = "GORDIFF_TEST_TIME"
	envKillAtEntry = "GORDIFF_TEST_KILL_AT_ENTRY" // SIGKILL itself after this many entries
	envKillOn      = "GORDIFF_TEST_KILL_ON"       // "create:PREFIX" or "delete:PREFIX": SIGKILL itself on that event in the data directory
	envPause       = "GORDIFF_TEST_PAUSE"         // at the first entry, create PATH.ready and wait while PATH exists
	envNoFsync     = "GORDIFF_TEST_NO_FSYNC"      // "1": BackupOptions.NoFsync
)

// childBackup runs one backup as the environment says, prints the result
// as JSON on stdout and returns the exit code.
func childBackup() int {
	at, err := strconv.ParseInt(os.Getenv(envTime), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: bad", envTime, err)
		return 3
	}
	repo := os.Getenv(envRepo)
	opts := gordiff.BackupOptions{Source: os.Getenv(envSrc), Repository: repo, Time: at, Location: time.UTC,
		NoFsync: os.Getenv(envNoFsync) == "1"}
	if n, _ := strconv.ParseInt(os.Getenv(envKillAtEntry), 10, 64); n > 0 {
		opts.Progress = func(p gordiff.Progress) {
			if p.Entries >= n {
				unix.Kill(os.Getpid(), unix.SIGKILL)
			}
		}
	}
	if pause := os.Getenv(envPause); pause != "" {
		var once sync.Once
		opts.Progress = func(gordiff.Progress) {
			once.Do(func() {
				os.WriteFile(pause+".ready", nil, 0o644)
				for {
					if _, err := os.Lstat(pause); err != nil {
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
			})
		}
	}
	if ev := os.Getenv(envKillOn); ev != "" {
		if err := killOn(filepath.Join(repo, "rdiff-backup-data"), ev); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 3
		}
	}
	res, err := gordiff.Backup(context.Background(), opts)
	if res != nil {
		json.NewEncoder(os.Stdout).Encode(res)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// killOn watches dir with inotify and kills this process the moment an
// entry whose name starts with the given prefix is created or deleted.
func killOn(dir, event string) error {
	what, prefix, ok := strings.Cut(event, ":")
	var mask uint32
	switch {
	case ok && what == "create":
		mask = unix.IN_CREATE | unix.IN_MOVED_TO
	case ok && what == "delete":
		mask = unix.IN_DELETE | unix.IN_MOVED_FROM
	default:
		return fmt.Errorf("bad %s %q", envKillOn, event)
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		return err
	}
	if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
		return err
	}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := unix.Read(fd, buf)
			if err != nil {
				return
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				l := int(binary.NativeEndian.Uint32(buf[off+12:]))
				name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+l], "\x00"))
				if strings.HasPrefix(name, prefix) {
					unix.Kill(os.Getpid(), unix.SIGKILL)
				}
				off += unix.SizeofInotifyEvent + l
			}
		}
	}()
	return nil
}

// child describes one child backup.
type child struct {
	src, repo   string
	at          int64
	killAtEntry int
	killOn      string
	pause       string
	noFsync     bool
	asNobody    string // when set, the test binary copied here runs as nobody
}

func (c child) command(t testing.TB) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	if c.asNobody != "" {
		cmd = exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", c.asNobody)
	} else {
		cmd = exec.Command(self)
	}
	cmd.Env = append(os.Environ(), envChild+"=1", envSrc+"="+c.src, envRepo+"="+c.repo,
		envTime+"="+strconv.FormatInt(c.at, 10), envPause+"="+c.pause, envKillOn+"="+c.killOn,
		envKillAtEntry+"="+strconv.Itoa(c.killAtEntry))
	if c.noFsync {
		cmd.Env = append(cmd.Env, envNoFsync+"=1")
	}
	return cmd
}

// childOutcome is how a child backup ended.
type childOutcome struct {
	res    *gordiff.BackupResult
	killed bool // by SIGKILL
	err    error
	stderr string
}

func wait(cmd *exec.Cmd, stdout, stderr *bytes.Buffer) childOutcome {
	err := cmd.Wait()
	o := childOutcome{err: err, stderr: stderr.String()}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		o.killed = true
	}
	if stdout.Len() > 0 {
		var r gordiff.BackupResult
		if json.Unmarshal(stdout.Bytes(), &r) == nil {
			o.res = &r
		}
	}
	return o
}

// runChild runs a child backup and, when killAfter > 0, kills it after
// that long.
func runChild(t testing.TB, c child, killAfter time.Duration) childOutcome {
	t.Helper()
	cmd := c.command(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if killAfter > 0 {
		timer := time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	return wait(cmd, &stdout, &stderr)
}

// backupInChild runs a child backup that must succeed.
func backupInChild(t testing.TB, c child) *gordiff.BackupResult {
	t.Helper()
	o := runChild(t, c, 0)
	if o.err != nil || o.res == nil {
		t.Fatalf("child backup of %s into %s at %d: %v\n%s", c.src, c.repo, c.at, o.err, o.stderr)
	}
	return o.res
}

// The crash tree: 15 directories of 200 small files, three 4 MiB files,
// and a few entries that change type or go away.
const (
	crashDirs     = 15
	crashPerDir   = 200
	crashBigFiles = 3
)

func crashTree() []node {
	nodes := []node{tDir(".")}
	for d := 1; d <= crashDirs; d++ {
		dn := fmt.Sprintf("d%02d", d)
		nodes = append(nodes, tDir(dn))
		for f := 1; f <= crashPerDir; f++ {
			nodes = append(nodes, tFile(fmt.Sprintf("%s/f%03d", dn, f), fmt.Sprintf("v1 %d %d\n", d, f)))
		}
	}
	for b := 1; b <= crashBigFiles; b++ {
		nodes = append(nodes, tFile(fmt.Sprintf("big%d", b), randString(uint64(100+b), 4<<20)))
	}
	nodes = append(nodes, tFile("keep", "keep\n"), tFile("f2d", "file\n"), tDir("d2f"), tFile("d2f/x", "x\n"),
		tSym("sym", "keep"), tFifo("fifo"))
	return nodes
}

// crashChanges modifies every file of the crash tree for version v.
func crashChanges(t testing.TB, v int) []op {
	m := int64(baseMtime + 1000*v)
	var ops []op
	for d := 1; d <= crashDirs; d++ {
		for f := 1; f <= crashPerDir; f++ {
			ops = append(ops, appendTo(fmt.Sprintf("d%02d/f%03d", d, f), fmt.Sprintf("v%d %d %d\n", v, d, f), m))
		}
	}
	for b := 1; b <= crashBigFiles; b++ {
		p := fmt.Sprintf("big%d", b)
		ops = append(ops, writeAt(p, int64(b)<<20, randString(uint64(1000*v+b), 200<<10), m), appendTo(p, randString(uint64(2000*v+b), 300<<10), m))
	}
	switch v {
	case 2:
		ops = append(ops, remove("keep"), create(t, tFile("newer", "newer\n"), tSym("sym", "newer")))
	case 3:
		ops = append(ops, create(t, tDir("f2d"), tFile("f2d/in", "in\n")), create(t, tFile("d2f", "now a file\n")),
			remove("d15", "fifo"), create(t, tDir("d16"), tFile("d16/new", "new\n"), tFifo("fifo2")))
	}
	return ops
}

// crashBase is a repository with two gordiff sessions (written by child
// processes, so that no marker names a live process), and the source
// prepared for a third.
type crashBase struct {
	dir, src, repo string
	t1, t2, t3     int64
	s1, s2, s3     treeSnap
}

func newCrashBase(t *testing.T) *crashBase {
	dir := t.TempDir()
	b := &crashBase{dir: dir, src: filepath.Join(dir, "src"), repo: filepath.Join(dir, "base"),
		t1: sessionTime(0), t2: sessionTime(1), t3: sessionTime(2)}
	makeTree(t, b.src, crashTree()...)
	b.s1 = snapshotTree(t, b.src, snapOpts{})
	backupInChild(t, child{src: b.src, repo: b.repo, at: b.t1, noFsync: true})
	applyOps(t, b.src, crashChanges(t, 2))
	b.s2 = snapshotTree(t, b.src, snapOpts{})
	backupInChild(t, child{src: b.src, repo: b.repo, at: b.t2, noFsync: true})
	applyOps(t, b.src, crashChanges(t, 3))
	b.s3 = snapshotTree(t, b.src, snapOpts{})
	return b
}

// mirrorSnap is the mirror of a repository, without its data directory.
func mirrorSnap(t testing.TB, repo string) treeSnap {
	return snapshotTree(t, repo, snapOpts{skip: []string{"rdiff-backup-data"}})
}

func requireMarkers(t testing.TB, repo string, times ...int64) {
	t.Helper()
	var want []string
	for _, at := range times {
		want = append(want, "current_mirror."+timeString(at)+".data")
	}
	if got := markers(t, repo); !slices.Equal(got, want) {
		t.Fatalf("%s: markers %v, want %v", repo, got, want)
	}
}

// TestBackupCrash kills gordiff backups at several points; each killed
// repository is regressed (a) by gordiff, then a backup completes, and (b)
// on a copy, by rdiff-backup; every session then restores exactly.
func TestBackupCrash(t *testing.T) {
	needRdiffBackup(t)
	t.Parallel()
	b := newCrashBase(t)

	// A full third session, timed, on a copy: the time-based kill point
	// is a fraction of it.
	calib := filepath.Join(b.dir, "calib")
	copyTree(t, b.repo, calib)
	start := time.Now()
	backupInChild(t, child{src: b.src, repo: calib, at: b.t3})
	full := time.Since(start)
	t.Logf("an uninterrupted third session takes %v", full)
	requireSameTree(t, "the mirror after an uninterrupted third session", b.s3, mirrorSnap(t, calib))
	os.RemoveAll(calib)

	diffName := "mirror_metadata." + timeString(b.t2) + ".diff"
	snapName := "mirror_metadata." + timeString(b.t2) + ".snapshot"
	points := []struct {
		name        string
		after       time.Duration
		killAtEntry int
		killOn      string
		mustCrash   bool
	}{
		{name: "after 30% of a session", after: full * 3 / 10},
		{name: "at entry 1000", killAtEntry: 1000, mustCrash: true},
		{name: "while the old metadata becomes a diff", killOn: "create:" + diffName, mustCrash: true},
		{name: "once the old metadata snapshot is gone", killOn: "delete:" + snapName},
	}
	var crashed sync.Map
	for i, p := range points {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			repo := filepath.Join(b.dir, fmt.Sprintf("kill%d", i))
			copyTree(t, b.repo, repo)
			o := runChild(t, child{src: b.src, repo: repo, at: b.t3, killAtEntry: p.killAtEntry, killOn: p.killOn}, p.after)
			switch {
			case o.killed:
			case o.err == nil:
				t.Logf("the backup completed before it could be killed")
			default:
				t.Fatalf("the child backup failed: %v\n%s", o.err, o.stderr)
			}
			interrupted := len(markers(t, repo)) == 2
			meta, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "mirror_metadata.*"))
			for i := range meta {
				meta[i] = filepath.Base(meta[i])
			}
			t.Logf("killed: %v; markers %v; metadata %v", o.killed, markers(t, repo), meta)
			if interrupted {
				crashed.Store(p.name, true)
			} else if p.mustCrash {
				t.Fatalf("killing the backup %s left markers %v, want two (an interrupted session)", p.name, markers(t, repo))
			}
			if !interrupted {
				// Killed before the session began, or too late: the
				// repository must be healthy with all its sessions.
				want := map[int64]treeSnap{b.t1: b.s1, b.t2: b.s2}
				if slices.Equal(markers(t, repo), []string{"current_mirror." + timeString(b.t3) + ".data"}) {
					want[b.t3] = b.s3 // done, perhaps but for its statistics
				} else {
					requireMarkers(t, repo, b.t2)
				}
				restoreCheck(t, repo, b.dir, want)
				return
			}
			repoB := repo + "-rdiff"
			copyTree(t, repo, repoB)

			// (a) gordiff regresses, then completes the session.
			if err := gordiff.Regress(context.Background(), gordiff.RegressOptions{Repository: repo, Location: time.UTC}); err != nil {
				t.Fatalf("gordiff regress of a backup killed %s: %v", p.name, err)
			}
			requireMarkers(t, repo, b.t2)
			requireSameTree(t, "the mirror regressed by gordiff", b.s2, mirrorSnap(t, repo))
			checkNoIncrementsAt(t, repo, b.t2)
			restoreCheck(t, repo, b.dir, map[int64]treeSnap{b.t1: b.s1, b.t2: b.s2})
			res, err := gordiff.Backup(context.Background(), gordiff.BackupOptions{Source: b.src, Repository: repo, Time: b.t3, Location: time.UTC, NoFsync: true})
			if err != nil {
				t.Fatalf("gordiff backup after gordiff's regress: %v", err)
			}
			if res.Regressed {
				t.Errorf("the backup after a regress regressed again")
			}
			requireMarkers(t, repo, b.t3)
			requireSameTree(t, "the mirror after completing the session", b.s3, mirrorSnap(t, repo))
			restoreCheck(t, repo, b.dir, map[int64]treeSnap{b.t2: b.s2, b.t3: b.s3})

			// (b) rdiff-backup regresses the same killed repository.
			// Exit code 2 is rdiff-backup's "warnings": regress always
			// warns that the previous backup failed.
			if out, code := rdiffBackupCode(t, "regress", repoB); code&^2 != 0 {
				t.Fatalf("rdiff-backup regress of a gordiff backup killed %s: exit code %d\n%s", p.name, code, out)
			}
			requireMarkers(t, repoB, b.t2)
			requireSameTree(t, "the mirror regressed by rdiff-backup", b.s2, mirrorSnap(t, repoB))
			restoreCheck(t, repoB, b.dir, map[int64]treeSnap{b.t1: b.s1, b.t2: b.s2})
		})
	}
	t.Cleanup(func() {
		n := 0
		crashed.Range(func(any, any) bool { n++; return true })
		if n < 3 && !t.Failed() {
			t.Errorf("only %d of %d kill points interrupted a session", n, len(points))
		}
	})

	t.Run("rdiff-backup killed", func(t *testing.T) {
		t.Parallel()
		repo := filepath.Join(b.dir, "killed-rdiff")
		copyTree(t, b.repo, repo)
		cmd := exec.Command("rdiff-backup", "--current-time", strconv.FormatInt(b.t3, 10), "backup", b.src, repo)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		marker := filepath.Join(repo, "rdiff-backup-data", "current_mirror."+timeString(b.t3)+".data")
		deadline := time.Now().Add(60 * time.Second)
		for {
			if _, err := os.Lstat(marker); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("rdiff-backup did not start the session within a minute:\n%s", out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(time.Second)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if len(markers(t, repo)) != 2 {
			t.Fatalf("rdiff-backup finished before it could be killed (markers %v)", markers(t, repo))
		}
		res, err := gordiff.Backup(context.Background(), gordiff.BackupOptions{Source: b.src, Repository: repo, Time: b.t3, Location: time.UTC})
		if err != nil {
			t.Fatalf("gordiff backup over a repository rdiff-backup left interrupted: %v", err)
		}
		if !res.Regressed {
			t.Errorf("gordiff backup over an interrupted repository: Regressed = false")
		}
		requireMarkers(t, repo, b.t3)
		requireSameTree(t, "the mirror", b.s3, mirrorSnap(t, repo))
		restoreCheck(t, repo, b.dir, map[int64]treeSnap{b.t1: b.s1, b.t2: b.s2, b.t3: b.s3})
	})
}

// checkNoIncrementsAt fails when an increment named at (the failed
// session's increments) is left anywhere in the repository.
func checkNoIncrementsAt(t *testing.T, repo string, at int64) {
	t.Helper()
	ts := "." + timeString(at) + "."
	data := filepath.Join(repo, "rdiff-backup-data")
	var left []string
	filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(d.Name(), ts) {
			return nil
		}
		// At the top of the data directory only the session's own files
		// (metadata, statistics, marker) carry its time; the root's
		// increment is increments.<T>.dir.
		if filepath.Dir(p) != data || strings.HasPrefix(d.Name(), "increments.") {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("the regress left %d increments of the failed session, e.g. %v", len(left), left[:min(3, len(left))])
	}
}

// testConcurrentBackups: while one backup runs (a child paused after its
// first entry), a second backup and a regress fail with mirror.ErrLocked
// and change nothing; the first then completes.
func testConcurrentBackups(t *testing.T) {
	src, repo := smallRepo(t)
	makeTree(t, src, tFile("a", "changed\n", withMtime(baseMtime+5)), tFile("n", "new\n"))
	pause := filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(pause, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := child{src: src, repo: repo, at: t0 + 3600, pause: pause}.command(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Lstat(pause + ".ready"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the first backup did not start within 30 s: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	before := exactSnap(t, repo)
	_, err := gordiff.Backup(context.Background(), gordiff.BackupOptions{Source: src, Repository: repo, Time: t0 + 7200})
	if !errors.Is(err, mirror.ErrLocked) {
		t.Errorf("a second backup while one runs: err = %v, want mirror.ErrLocked", err)
	}
	requireUnchanged(t, "a second backup refused for the lock", before, repo)
	err = gordiff.Regress(context.Background(), gordiff.RegressOptions{Repository: repo})
	if !errors.Is(err, mirror.ErrLocked) {
		t.Errorf("a regress while a backup runs: err = %v, want mirror.ErrLocked", err)
	}
	requireUnchanged(t, "a regress refused for the lock", before, repo)
	os.Remove(pause)
	if o := wait(cmd, &stdout, &stderr); o.err != nil {
		t.Fatalf("the first backup, resumed: %v\n%s", o.err, o.stderr)
	}
	requireMarkers(t, repo, t0+3600)
}

// nobody is the unprivileged user backups run as.
const nobody = 65534

// nobodyWorkDir returns a temporary directory nobody can enter, holding a
// copy of the test binary nobody can run; it skips without root or
// setpriv.
func nobodyWorkDir(t *testing.T) (dir, bin string) {
	t.Helper()
	needRoot(t)
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("setpriv is not installed (exec.LookPath), needed to run a backup as nobody: ", err)
	}
	dir = t.TempDir()
	for p := dir; p != "/" && strings.HasPrefix(p, os.TempDir()+"/"); p = filepath.Dir(p) {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "gordiff.test")
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir, bin
}

// testUnreadableFile runs backups as nobody over a tree nobody owns,
// except for files that become root's and unreadable: the backup goes on,
// error_log names them, the previous version stays in the mirror, and
// every session restores.
func testUnreadableFile(t *testing.T) {
	dir, bin := nobodyWorkDir(t)
	src, repoDir := filepath.Join(dir, "src"), filepath.Join(dir, "r")
	repo := filepath.Join(repoDir, "repo")
	nb := withOwner(nobody, nobody)
	makeTree(t, repoDir, tDir(".", nb))
	makeTree(t, src, tDir(".", nb), tFile("a", "a\n", nb), tFile("secret", "v1 secret\n", nb), tDir("d", nb), tFile("d/x", "x\n", nb),
		tDir("ro", nb, withMode(0o555)), tFile("ro/f", "in a dir nobody cannot write\n", nb))
	want := map[int64]treeSnap{}

	s1 := snapshotTree(t, src, snapOpts{})
	if res := backupInChild(t, child{src: src, repo: repo, at: t0, asNobody: bin}); res.FileErrors != 0 {
		t.Fatalf("session 1 as nobody: %d file errors", res.FileErrors)
	}
	want[t0] = s1

	// Session 2: secret becomes root's 0600 with new content; newsecret
	// appears, root's 0600.
	makeTree(t, src, tFile("a", "a2\n", nb, withMtime(baseMtime+10)), tFile("ro/f", "changed\n", nb), tDir("ro", nb, withMode(0o555)))
	makeTree(t, src, tFile("secret", "v2 secret!\n", withMode(0o600), withOwner(0, 0), withMtime(baseMtime+10)),
		tFile("d/newsecret", "new secret\n", withMode(0o600), withOwner(0, 0)))
	s2 := snapshotTree(t, src, snapOpts{})
	logsBefore, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "error_log.*"))
	res := backupInChild(t, child{src: src, repo: repo, at: t0 + 3600, asNobody: bin})
	if res.FileErrors < 2 {
		t.Errorf("session 2 as nobody over two unreadable files: FileErrors = %d, want 2", res.FileErrors)
	}
	logsAfter, _ := filepath.Glob(filepath.Join(repo, "rdiff-backup-data", "error_log.*"))
	var newLog string
	for _, l := range logsAfter {
		if !slices.Contains(logsBefore, l) {
			newLog = l
		}
	}
	if newLog == "" {
		t.Fatalf("session 2 wrote no error_log (have %v)", logsAfter)
	}
	if !strings.Contains(filepath.Base(newLog), timeString(t0+3600)) {
		t.Errorf("the new error log %s is not named after session 2", newLog)
	}
	text := readDataFile(t, newLog)
	for _, name := range []string{"secret'", "d/newsecret'"} {
		if !strings.Contains(text, "/"+name) {
			t.Errorf("error_log does not name %s:\n%s", strings.TrimSuffix(name, "'"), text)
		}
	}
	if got, err := os.ReadFile(filepath.Join(repo, "secret")); err != nil || string(got) != "v1 secret\n" {
		t.Errorf("the mirror's copy of the unreadable file: %q, %v; want the previous version %q", got, err, "v1 secret\n")
	}
	w2 := s2.clone()
	w2["secret"] = s1["secret"]
	delete(w2, "d/newsecret")
	want[t0+3600] = w2

	// Session 3: both readable again.
	makeTree(t, src, tFile("secret", "v3 secret\n", nb, withMtime(baseMtime+20)), tFile("d/newsecret", "new secret\n", nb))
	s3 := snapshotTree(t, src, snapOpts{})
	if res := backupInChild(t, child{src: src, repo: repo, at: t0 + 7200, asNobody: bin}); res.FileErrors != 0 {
		t.Errorf("session 3 as nobody: %d file errors", res.FileErrors)
	}
	want[t0+7200] = s3
	restoreCheck(t, repo, dir, want)
}
