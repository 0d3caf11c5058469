package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// L is a local location, R a remote one.
func L(raw string) Location { return Location{Raw: raw, Path: raw} }

func R(raw, user, host, path string) Location {
	hi := host
	if user != "" {
		hi = user + "@" + host
	}
	return Location{Raw: raw, HostInfo: hi, User: user, Host: host, Path: path}
}

func sel(pairs ...string) []SelectionOption {
	var s []SelectionOption
	for i := 0; i < len(pairs); i += 2 {
		s = append(s, SelectionOption{Flag: pairs[i], Arg: pairs[i+1]})
	}
	return s
}

func i64(n int64) *int64 { return &n }

// parseCase is one command line and the Invocation it must give: the
// defaults for its syntax and action, changed by set.
type parseCase struct {
	args   []string
	syntax Syntax
	action string
	entity string
	locs   []Location
	set    func(*Invocation)
}

func act(action, entity string, args []string, locs []Location, set func(*Invocation)) parseCase {
	return parseCase{args: args, syntax: ActionSyntax, action: action, entity: entity, locs: locs, set: set}
}

func leg(action, entity string, args []string, locs []Location, set func(*Invocation)) parseCase {
	return parseCase{args: args, syntax: LegacySyntax, action: action, entity: entity, locs: locs, set: set}
}

func w(s string) []string { return strings.Fields(s) }

const schemaPlink = `c:\backup\plink.exe -P 22 -i C:\Users\<utilisateur windows>\privatekey.ppk %s rdiff-backup --server`
const schemaPlinkBatch = `c:\backup\plink -P 22 -i c:\Users\<Utilisateur Windows>\privatekey.ppk %s rdiff-backup --server`

var parseCases = []parseCase{
	// cli.md 1.1
	leg("backup", "", w("--no-new src backup"), []Location{L("src"), L("backup")}, nil),
	leg("list", "increments", w("--no-new --api-version 201 -l repo"), []Location{L("repo")},
		func(i *Invocation) { i.APIVersion = 201 }),
	leg("list", "increments", []string{"--remote-schema", "ssh %s rdiff-backup --server", "-l", "h::/r"},
		[]Location{R("h::/r", "", "h", "/r")}, func(i *Invocation) { i.RemoteSchema = "ssh %s rdiff-backup --server" }),

	// cli.md 1.2
	leg("list", "increments", w("--verb 2 -l repo"), []Location{L("repo")}, func(i *Invocation) { i.Verbosity, i.TerminalVerbosity = 2, 2 }),
	leg("list", "increments", w("--parsable -l repo"), []Location{L("repo")}, func(i *Invocation) { i.ParsableOutput = true }),
	leg("remove", "increments", w("--remove-older 4B repo"), []Location{L("repo")}, func(i *Invocation) { i.OlderThan = "4B" }),
	act("list", "increments", w("list increments --si repo"), []Location{L("repo")}, func(i *Invocation) { i.Size = true }),
	act("info", "", w("--verbosity=5 info"), nil, func(i *Invocation) { i.Verbosity, i.TerminalVerbosity = 5, 5 }),
	act("info", "", w("-v5 info"), nil, func(i *Invocation) { i.Verbosity, i.TerminalVerbosity = 5, 5 }),
	act("info", "", w("-v=5 info"), nil, func(i *Invocation) { i.Verbosity, i.TerminalVerbosity = 5, 5 }),
	act("info", "", w("-v 5 info"), nil, func(i *Invocation) { i.Verbosity, i.TerminalVerbosity = 5, 5 }),
	leg("list", "increments", w("-lv5 repo"), []Location{L("repo")}, func(i *Invocation) { i.Verbosity, i.TerminalVerbosity = 5, 5 }),
	leg("list", "increments", w("-v -0 -l repo"), []Location{L("repo")}, func(i *Invocation) { i.Verbosity, i.TerminalVerbosity = 0, 0 }),
	act("info", "", w("--remote-schema A --remote-schema B info"), nil, func(i *Invocation) { i.RemoteSchema = "B" }),
	act("list", "files", w("list files --at=-1D repo"), []Location{L("repo")}, func(i *Invocation) { i.At = "-1D" }),
	act("backup", "", []string{"backup", "src", "repo", "--exclude", "**/b.txt"}, []Location{L("src"), L("repo")},
		func(i *Invocation) { i.Selections = sel("exclude", "**/b.txt") }),
	leg("list", "increments", w("-l --exclude x repo"), []Location{L("repo")}, nil),
	act("info", "", w("--new info"), nil, nil),

	// cli.md 1.7
	act("backup", "", w("backup src repo"), []Location{L("src"), L("repo")}, nil),
	act("backup", "", w("-v5 --force backup --create-full-path --exclude-fifos --exclude-sockets src deep/er/repo"),
		[]Location{L("src"), L("deep/er/repo")}, func(i *Invocation) {
			i.Verbosity, i.TerminalVerbosity, i.Force, i.CreateFullPath = 5, 5, true, true
			i.Selections = sel("exclude-fifos", "", "exclude-sockets", "")
		}),
	act("backup", "", w("--current-time 1793527200 backup --print-statistics src repo"), []Location{L("src"), L("repo")},
		func(i *Invocation) { i.CurrentTime, i.PrintStatistics = i64(1793527200), true }),
	act("restore", "", w("restore --at 2B repo out"), []Location{L("repo"), L("out")}, func(i *Invocation) { i.At = "2B" }),
	act("restore", "", w("--force restore --at 1B repo/a.txt existing-file"), []Location{L("repo/a.txt"), L("existing-file")},
		func(i *Invocation) { i.Force, i.At = true, "1B" }),
	act("restore", "", w("restore repo/rdiff-backup-data/increments/a.txt.2026-11-02T10:00:00Z.diff.gz a.old"),
		[]Location{L("repo/rdiff-backup-data/increments/a.txt.2026-11-02T10:00:00Z.diff.gz"), L("a.old")}, nil),
	act("list", "increments", w("list increments repo"), []Location{L("repo")}, nil),
	act("list", "increments", w("--parsable-output list increments --size repo/sub"), []Location{L("repo/sub")},
		func(i *Invocation) { i.ParsableOutput, i.Size = true, true }),
	act("list", "files", w("list files --at 3B repo"), []Location{L("repo")}, func(i *Invocation) { i.At = "3B" }),
	act("list", "files", w("list files --changed-since 1B repo/sub"), []Location{L("repo/sub")}, func(i *Invocation) { i.ChangedSince = "1B" }),
	act("remove", "increments", w("--force remove increments --older-than 10D repo"), []Location{L("repo")},
		func(i *Invocation) { i.Force, i.OlderThan = true, "10D" }),
	act("remove", "increments", w("remove increments --older-than 3B --size repo"), []Location{L("repo")},
		func(i *Invocation) { i.OlderThan, i.Size = "3B", true }),
	act("regress", "", w("regress repo"), []Location{L("repo")}, nil),
	act("verify", "", w("verify --at 2B repo"), []Location{L("repo")}, func(i *Invocation) { i.At = "2B" }),
	act("compare", "", w("compare --method hash --at 2B src repo"), []Location{L("src"), L("repo")},
		func(i *Invocation) { i.Method, i.At = "hash", "2B" }),
	act("test", "", w("test me@host::/srv"), []Location{R("me@host::/srv", "me", "host", "/srv")}, nil),
	act("list", "increments", []string{"--remote-schema", "{h}", "list", "increments",
		"rdiff-backup server --restrict-path /srv/repo --restrict-mode read-write::/srv/repo"},
		[]Location{{Raw: "rdiff-backup server --restrict-path /srv/repo --restrict-mode read-write::/srv/repo",
			HostInfo: "rdiff-backup server --restrict-path /srv/repo --restrict-mode read-write",
			Host:     "rdiff-backup server --restrict-path /srv/repo --restrict-mode read-write", Path: "/srv/repo"}},
		func(i *Invocation) { i.RemoteSchema = "{h}" }),
	act("info", "", w("info"), nil, nil),
	act("calculate", "", w("calculate repo/rdiff-backup-data/session_statistics.2026-11-01T10:00:00Z.data repo/rdiff-backup-data/session_statistics.2026-11-02T10:00:00Z.data"),
		[]Location{L("repo/rdiff-backup-data/session_statistics.2026-11-01T10:00:00Z.data"),
			L("repo/rdiff-backup-data/session_statistics.2026-11-02T10:00:00Z.data")}, nil),
	act("complete", "", w("complete --cword 1 -- rdiff-backup li"), nil,
		func(i *Invocation) { i.CWord, i.Words = 1, w("rdiff-backup li") }),
	act("complete", "", []string{"complete", "--cword", "2", "--", "rdiff-backup", "list", ""}, nil,
		func(i *Invocation) { i.CWord, i.Words = 2, []string{"rdiff-backup", "list", ""} }),
	act("backup", "", w("--terminal-verbosity 1 -v 5 backup src repo"), []Location{L("src"), L("repo")},
		func(i *Invocation) { i.Verbosity, i.TerminalVerbosity, i.TerminalVerbositySet = 5, 1, true }),
	act("list", "increments", w("--api-version 201 --parsable-output list increments repo"), []Location{L("repo")},
		func(i *Invocation) { i.APIVersion, i.ParsableOutput = 201, true }),
	act("backup", "", []string{"backup", "--exclude", "**/*.bak", "/home", "/srv/backup/home"},
		[]Location{L("/home"), L("/srv/backup/home")}, func(i *Invocation) { i.Selections = sel("exclude", "**/*.bak") }),
	act("server", "", w("server --restrict-path /srv --restrict-mode read-only --debug"), nil,
		func(i *Invocation) { i.RestrictPath, i.RestrictMode, i.Debug = "/srv", "read-only", true }),

	// cli.md 2.4, legacy side (the action side is in 1.7 or below)
	leg("backup", "", w("src repo"), []Location{L("src"), L("repo")}, nil),
	leg("backup", "", w("--force -v5 host::/etc /backup/etc"), []Location{R("host::/etc", "", "host", "/etc"), L("/backup/etc")},
		func(i *Invocation) { i.Force, i.Verbosity, i.TerminalVerbosity = true, 5, 5 }),
	leg("restore", "", w("-r 1B repo/a.txt out"), []Location{L("repo/a.txt"), L("out")}, func(i *Invocation) { i.At = "1B" }),
	leg("restore", "", w("-r 3D --force repo host::/etc"), []Location{L("repo"), R("host::/etc", "", "host", "/etc")},
		func(i *Invocation) { i.At, i.Force = "3D", true }),
	leg("restore", "", w("--restore repo/rdiff-backup-data/increments/a.txt.T.diff.gz out"),
		[]Location{L("repo/rdiff-backup-data/increments/a.txt.T.diff.gz"), L("out")}, func(i *Invocation) { i.Increment = true }),
	leg("list", "increments", w("-l repo"), []Location{L("repo")}, nil),
	leg("list", "increments", w("--list-increment-sizes repo"), []Location{L("repo")}, func(i *Invocation) { i.Size = true }),
	leg("list", "files", w("--list-at-time 3B repo"), []Location{L("repo")}, func(i *Invocation) { i.At = "3B" }),
	leg("list", "files", w("--list-changed-since 3B repo"), []Location{L("repo")}, func(i *Invocation) { i.ChangedSince = "3B" }),
	leg("remove", "increments", w("--remove-older-than 4W --force repo"), []Location{L("repo")},
		func(i *Invocation) { i.OlderThan, i.Force = "4W", true }),
	leg("regress", "", w("--check-destination-dir repo"), []Location{L("repo")}, nil),
	leg("compare", "", w("--compare src repo"), []Location{L("src"), L("repo")}, nil),
	leg("compare", "", w("--compare-at-time 2B src repo"), []Location{L("src"), L("repo")}, func(i *Invocation) { i.At = "2B" }),
	leg("compare", "", w("--compare-hash src repo"), []Location{L("src"), L("repo")}, func(i *Invocation) { i.Method = "hash" }),
	leg("compare", "", w("--compare-full-at-time 1D src repo"), []Location{L("src"), L("repo")},
		func(i *Invocation) { i.Method, i.At = "full", "1D" }),
	leg("compare", "", w("--compare-hash-at-time 1B src repo"), []Location{L("src"), L("repo")},
		func(i *Invocation) { i.Method, i.At = "hash", "1B" }),
	leg("compare", "", w("--compare-full src repo"), []Location{L("src"), L("repo")}, func(i *Invocation) { i.Method = "full" }),
	leg("backup", "", w("--backup-mode --print-statistics --api-version=201 a b"), []Location{L("a"), L("b")},
		func(i *Invocation) { i.PrintStatistics, i.APIVersion = true, 201 }),
	leg("verify", "", w("--verify repo"), []Location{L("repo")}, nil),
	leg("verify", "", w("--verify-at-time 2B repo"), []Location{L("repo")}, func(i *Invocation) { i.At = "2B" }),
	leg("calculate", "", w("--calculate-average s1 s2"), []Location{L("s1"), L("s2")}, nil),
	leg("test", "", w("--test-server h::/x"), []Location{R("h::/x", "", "h", "/x")}, nil),
	leg("server", "", w("--server"), nil, nil),
	leg("server", "", w("-s --restrict-read-only /srv"), nil, func(i *Invocation) { i.RestrictPath, i.RestrictMode = "/srv", "read-only" }),
	leg("server", "", w("--restrict-update-only /a --restrict-path /b --server"), nil, func(i *Invocation) { i.RestrictPath = "/b" }),
	leg("backup", "", w("-b --ssh-no-compression a b"), []Location{L("a"), L("b")}, func(i *Invocation) { i.SSHCompression = false }),
	leg("backup", "", []string{"-r", "", "a", "b"}, []Location{L("a"), L("b")}, nil),

	// cli.md 7 and the user's page (seed)
	leg("test", "", w("--test-server root@192.168.1.21::/home"), []Location{R("root@192.168.1.21::/home", "root", "192.168.1.21", "/home")}, nil),
	leg("backup", "", w("--force -v5 root@192.168.1.2::/etc /backup/etc"),
		[]Location{R("root@192.168.1.2::/etc", "root", "192.168.1.2", "/etc"), L("/backup/etc")},
		func(i *Invocation) { i.Force, i.Verbosity, i.TerminalVerbosity = true, 5, 5 }),
	leg("remove", "increments", w("-v5 --remove-older-than 4W /backup"), []Location{L("/backup")},
		func(i *Invocation) { i.OlderThan, i.Verbosity, i.TerminalVerbosity = "4W", 5, 5 }),
	leg("list", "increments", w("-l /home/backup/server1/home/"), []Location{L("/home/backup/server1/home/")}, nil),
	leg("list", "increments", []string{"-l", "--remote-schema=ssh -p 225 -C %s rdiff-backup --server", "root@192.168.1.250::/home/backup"},
		[]Location{R("root@192.168.1.250::/home/backup", "root", "192.168.1.250", "/home/backup")},
		func(i *Invocation) { i.RemoteSchema = "ssh -p 225 -C %s rdiff-backup --server" }),
	leg("list", "increments", w("--list-increment-sizes /home/backup/server1/home/"), []Location{L("/home/backup/server1/home/")},
		func(i *Invocation) { i.Size = true }),
	leg("restore", "", w("-v5 -r 1h --force ./etc/hosts root@192.168.1.2::/etc/hosts"),
		[]Location{L("./etc/hosts"), R("root@192.168.1.2::/etc/hosts", "root", "192.168.1.2", "/etc/hosts")},
		func(i *Invocation) { i.Verbosity, i.TerminalVerbosity, i.At, i.Force = 5, 5, "1h", true }),
	leg("restore", "", w("-v5 -r 3D --force ./etc root@192.168.1.2::/etc"),
		[]Location{L("./etc"), R("root@192.168.1.2::/etc", "root", "192.168.1.2", "/etc")},
		func(i *Invocation) { i.Verbosity, i.TerminalVerbosity, i.At, i.Force = 5, 5, "3D", true }),
	leg("restore", "", w("-r now a b"), []Location{L("a"), L("b")}, func(i *Invocation) { i.At = "now" }),
	leg("restore", "", w("-r 1B a b"), []Location{L("a"), L("b")}, func(i *Invocation) { i.At = "1B" }),
	leg("restore", "", w("-r 1D a b"), []Location{L("a"), L("b")}, func(i *Invocation) { i.At = "1D" }),
	leg("restore", "", w("-r 5m3s a b"), []Location{L("a"), L("b")}, func(i *Invocation) { i.At = "5m3s" }),
	leg("restore", "", w("-r 2010-12-21 a b"), []Location{L("a"), L("b")}, func(i *Invocation) { i.At = "2010-12-21" }),
	leg("list", "increments", w("-l /mnt/backup/server1"), []Location{L("/mnt/backup/server1")}, nil),
	leg("restore", "", w("-v5 -r 2013-04-12 --force /mnt/backup/server1/home/web root@server1.localdomain::/home/web"),
		[]Location{L("/mnt/backup/server1/home/web"), R("root@server1.localdomain::/home/web", "root", "server1.localdomain", "/home/web")},
		func(i *Invocation) { i.Verbosity, i.TerminalVerbosity, i.At, i.Force = 5, 5, "2013-04-12", true }),
	leg("backup", "", w("--no-hard-links --exclude-symbolic-links --no-acls --no-eas src /mnt/smb/backup"),
		[]Location{L("src"), L("/mnt/smb/backup")}, func(i *Invocation) {
			i.HardLinks, i.ACLs, i.EAs = false, false, false
			i.Selections = sel("exclude-symbolic-links", "")
		}),
	leg("backup", "", w("-v5 --force --create-full-path --exclude-fifos --exclude-sockets --no-hard-links --exclude-symbolic-links --no-acls --no-eas src deep/er/repo"),
		[]Location{L("src"), L("deep/er/repo")}, func(i *Invocation) {
			i.Verbosity, i.TerminalVerbosity, i.Force, i.CreateFullPath = 5, 5, true, true
			i.HardLinks, i.ACLs, i.EAs = false, false, false
			i.Selections = sel("exclude-fifos", "", "exclude-sockets", "", "exclude-symbolic-links", "")
		}),
	leg("backup", "", []string{"-v5", "--force", "--create-full-path", "--exclude-fifos", "--exclude-sockets",
		"--exclude", "/var/cache", "--include", "/etc", "--include", "/home", "--exclude", "**",
		"--remote-schema", "ssh -p 22 %s rdiff-backup --server",
		"/", "root@192.168.0.100::/media/backup/server.domain.com"},
		[]Location{L("/"), R("root@192.168.0.100::/media/backup/server.domain.com", "root", "192.168.0.100", "/media/backup/server.domain.com")},
		func(i *Invocation) {
			i.Verbosity, i.TerminalVerbosity, i.Force, i.CreateFullPath = 5, 5, true, true
			i.Selections = sel("exclude-fifos", "", "exclude-sockets", "", "exclude", "/var/cache",
				"include", "/etc", "include", "/home", "exclude", "**")
			i.RemoteSchema = "ssh -p 22 %s rdiff-backup --server"
		}),
	leg("backup", "", []string{"-v5", "--force", "--create-full-path", "--exclude-fifos", "--exclude-sockets",
		"--include", "/etc", "--exclude", "**",
		"--remote-schema", "ssh -p 2222 %s rdiff-backup --server",
		"--remote-schema", "ssh -p 22 %s rdiff-backup --server",
		"root@server.domain.com::/", "root@192.168.0.100::/media/backup/server.domain.com"},
		[]Location{R("root@server.domain.com::/", "root", "server.domain.com", "/"),
			R("root@192.168.0.100::/media/backup/server.domain.com", "root", "192.168.0.100", "/media/backup/server.domain.com")},
		func(i *Invocation) {
			i.Verbosity, i.TerminalVerbosity, i.Force, i.CreateFullPath = 5, 5, true, true
			i.Selections = sel("exclude-fifos", "", "exclude-sockets", "", "include", "/etc", "exclude", "**")
			i.RemoteSchema = "ssh -p 22 %s rdiff-backup --server"
		}),
	leg("remove", "increments", []string{"--remote-schema", "ssh -p 22 %s rdiff-backup --server",
		"--remove-older-than", "1W", "--force", "root@192.168.0.100::/media/backup/server.domain.com"},
		[]Location{R("root@192.168.0.100::/media/backup/server.domain.com", "root", "192.168.0.100", "/media/backup/server.domain.com")},
		func(i *Invocation) {
			i.RemoteSchema, i.OlderThan, i.Force = "ssh -p 22 %s rdiff-backup --server", "1W", true
		}),
	leg("test", "", []string{"-v5", "--test-server", "--remote-schema", schemaPlink, "utilisateur_cible@server.systea.net::/tmp"},
		[]Location{R("utilisateur_cible@server.systea.net::/tmp", "utilisateur_cible", "server.systea.net", "/tmp")},
		func(i *Invocation) { i.Verbosity, i.TerminalVerbosity, i.RemoteSchema = 5, 5, schemaPlink }),
	leg("backup", "", []string{"-v5", "--remote-schema", schemaPlinkBatch, "c:/partage/", "USER@SERVER.systea.net::/home/backup/partage"},
		[]Location{L("c:/partage/"), R("USER@SERVER.systea.net::/home/backup/partage", "USER", "SERVER.systea.net", "/home/backup/partage")},
		func(i *Invocation) { i.Verbosity, i.TerminalVerbosity, i.RemoteSchema = 5, 5, schemaPlinkBatch }),
	leg("remove", "increments", []string{"-v5", "--remote-schema", schemaPlinkBatch, "--remove-older-than", "4W", "USER@SERVER.systea.net::/home/backup/partage"},
		[]Location{R("USER@SERVER.systea.net::/home/backup/partage", "USER", "SERVER.systea.net", "/home/backup/partage")},
		func(i *Invocation) {
			i.Verbosity, i.TerminalVerbosity, i.RemoteSchema, i.OlderThan = 5, 5, schemaPlinkBatch, "4W"
		}),

	// selection options: full names, order, abbreviations, filelists
	act("backup", "", []string{"backup", "--exclude-filelist-st", "--include-filelist", "-", "--exclude-if", ".nobackup",
		"--max-file-size", " 1_000 ", "--exclude-globbing-filelist", "g.txt", "--include-regexp", `\.py$`,
		"--exclude-other", "--include-special-files", "--min-file-size=5", "a", "b"},
		[]Location{L("a"), L("b")}, func(i *Invocation) {
			i.Selections = sel("exclude-filelist-stdin", "", "include-filelist", "-", "exclude-if-present", ".nobackup",
				"max-file-size", "1000", "exclude-globbing-filelist", "g.txt", "include-regexp", `\.py$`,
				"exclude-other-filesystems", "", "include-special-files", "", "min-file-size", "5")
		}),
	leg("backup", "", w("--null-separator --include-globbing-filelist-stdin --exclude-device-files a b"),
		[]Location{L("a"), L("b")}, func(i *Invocation) {
			i.NullSeparator = true
			i.Selections = sel("include-globbing-filelist-stdin", "", "exclude-device-files", "")
		}),
	leg("compare", "", w("--compare --exclude a/x a b"), []Location{L("a"), L("b")},
		func(i *Invocation) { i.Selections = sel("exclude", "a/x") }),
	// locations with escapes (cli.md 5.1)
	act("backup", "", []string{"backup", `a\::b::/x`, `we\::ird`}, []Location{
		{Raw: `a\::b::/x`, HostInfo: "a::b", Host: "a::b", Path: "/x"}, {Raw: `we\::ird`, Path: "we::ird"}}, nil),
	act("backup", "", []string{"backup", `u@h::\\srv\share`, `c:\dir`}, []Location{
		{Raw: `u@h::\\srv\share`, HostInfo: "u@h", User: "u", Host: "h", Path: "//srv/share"}, {Raw: `c:\dir`, Path: "c:/dir"}}, nil),
	// all globals, and the remaining group options
	act("regress", "", w("--api-version 200 --current-time 10 --force --no-fsync --null-separator --chars-to-quote A-Z --parsable-output --remote-tempdir /rt --no-ssh-compression --use-compatible-timestamps regress --no-compression --not-compressed-regexp x --allow-duplicate-timestamps --preserve-numerical-ids repo"),
		[]Location{L("repo")}, func(i *Invocation) {
			i.APIVersion, i.CurrentTime, i.Force, i.Fsync, i.NullSeparator = 200, i64(10), true, false, true
			q := "A-Z"
			i.CharsToQuote, i.ParsableOutput, i.RemoteTempdir, i.SSHCompression, i.UseCompatibleTimes = &q, true, "/rt", false, true
			i.Compression, i.NotCompressedRegexp, i.AllowDuplicateTimestamps, i.PreserveNumericalIDs = false, "x", true, true
		}),
	act("backup", "", w("backup --no-compare-inode --no-carbonfile --no-resource-forks --never-drop-acls --no-file-statistics --no-print-statistics --no-compression-regexp y a b"),
		[]Location{L("a"), L("b")}, func(i *Invocation) {
			i.CompareInode, i.Carbonfile, i.ResourceForks, i.NeverDropACLs, i.FileStatistics = false, false, false, true, false
			i.NotCompressedRegexp = "y"
		}),
	act("restore", "", w("restore --increment --create-full-path --user-mapping-file - a b"), []Location{L("a"), L("b")},
		func(i *Invocation) { i.Increment, i.CreateFullPath, i.UserMappingFile = true, true, "-" }),
	act("complete", "", w("complete --no-unique --cword=-2 -- rdiff-backup --verb"), nil,
		func(i *Invocation) { i.Unique, i.CWord, i.Words = false, -2, w("rdiff-backup --verb") }),
	act("calculate", "", w("calculate --method average s"), []Location{L("s")}, nil),
	act("list", "increments", w("list increments --size --no-size repo"), []Location{L("repo")}, nil),
	act("backup", "", w("backup -- -src -dst"), []Location{L("-src"), L("-dst")}, nil),
}

func expected(c parseCase) *Invocation {
	want := defaults(3)
	want.Syntax, want.Prog, want.Action, want.Entity, want.Locations = c.syntax, "rdiff-backup", c.action, c.entity, c.locs
	if want.Locations == nil {
		want.Locations = []Location{}
	}
	switch {
	case c.action == "compare":
		want.At, want.Method = "now", "meta"
	case c.action == "verify", c.action == "list" && c.entity == "files":
		want.At = "now"
	case c.action == "calculate":
		want.Method = "average"
	case c.action == "complete":
		want.Words = []string{}
	}
	if c.syntax == LegacySyntax && !strings.Contains(" "+strings.Join(c.args, " ")+" ", " --no-new ") {
		want.Deprecation = DeprecationWarning
	}
	if c.set != nil {
		c.set(want)
	}
	return want
}

func TestParseTable(t *testing.T) {
	for _, c := range parseCases {
		got, err := Parse(c.args, nil)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		got.Args = nil
		want := expected(c)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", c.args, *got, *want)
		}
	}
}

// TestLegacyEqualsAction checks the legacy → action pairs of cli.md 2.4:
// both spellings give the same Invocation.
func TestLegacyEqualsAction(t *testing.T) {
	pairs := [][2]string{
		{"src repo", "backup src repo"},
		{"--force -v5 host::/etc /backup/etc", "--force -v5 backup host::/etc /backup/etc"},
		{"-r 1B repo/a.txt out", "restore --at 1B repo/a.txt out"},
		{"-r 3D --force repo host::/etc", "--force restore --at 3D repo host::/etc"},
		{"--restore repo/rdiff-backup-data/increments/a.txt.T.diff.gz out", "restore --increment repo/rdiff-backup-data/increments/a.txt.T.diff.gz out"},
		{"-l repo", "list increments repo"},
		{"--list-increment-sizes repo", "list increments --size repo"},
		{"--list-at-time 3B repo", "list files --at 3B repo"},
		{"--list-changed-since 3B repo", "list files --changed-since 3B repo"},
		{"--remove-older-than 4W --force repo", "--force remove increments --older-than 4W repo"},
		{"--check-destination-dir repo", "regress repo"},
		{"--compare src repo", "compare src repo"},
		{"--compare-at-time 2B src repo", "compare --at 2B src repo"},
		{"--compare-hash src repo", "compare --method hash src repo"},
		{"--compare-full-at-time 2B src repo", "compare --method full --at 2B src repo"},
		{"--verify repo", "verify repo"},
		{"--verify-at-time 2B repo", "verify --at 2B repo"},
		{"--calculate-average s1 s2", "calculate s1 s2"},
		{"--test-server h::/x", "test h::/x"},
		{"--server", "server"},
		{"--restrict /srv -s", "server --restrict-path /srv"},
		{"-l --exclude x --no-acls --print-statistics --create-full-path repo", "list increments repo"},
		{"--exclude x --no-acls --print-statistics --create-full-path --allow-duplicate-timestamps a b",
			"backup --exclude x --no-acls --print-statistics --create-full-path a b"},
		{"--check-destination-dir --exclude x --no-compression --allow-duplicate-timestamps r",
			"regress --no-compression --allow-duplicate-timestamps r"},
	}
	for _, p := range pairs {
		old, err := Parse(w(p[0]), nil)
		if err != nil {
			t.Errorf("%s: %v", p[0], err)
			continue
		}
		neu, err := Parse(w(p[1]), nil)
		if err != nil {
			t.Errorf("%s: %v", p[1], err)
			continue
		}
		if old.Syntax != LegacySyntax || neu.Syntax != ActionSyntax || old.Deprecation == "" || neu.Deprecation != "" {
			t.Errorf("%s / %s: syntaxes %v %v", p[0], p[1], old.Syntax, neu.Syntax)
		}
		old.Syntax, old.Args, old.Deprecation = 0, nil, ""
		neu.Syntax, neu.Args = 0, nil
		if !reflect.DeepEqual(old, neu) {
			t.Errorf("%s\n  %+v\n%s\n  %+v", p[0], *old, p[1], *neu)
		}
	}
}

func TestHelpVersion(t *testing.T) {
	for _, c := range []struct {
		args    string
		syntax  Syntax
		version bool
		prefix  string
		has     string
	}{
		{"-h", LegacySyntax, false, "usage: rdiff-backup [-h]", DeprecationWarning[:40]},
		{"--help", ActionSyntax, false, "usage: rdiff-backup [-h]", "possible actions"},
		{"--new -h", ActionSyntax, false, "usage: rdiff-backup [-h]", "possible actions"},
		{"backup --help", ActionSyntax, false, "usage: rdiff-backup backup [-h]", "--exclude GLOB"},
		{"list files -h", ActionSyntax, false, "usage: rdiff-backup list files [-h]", "--changed-since TIME"},
		{"remove increments --he", ActionSyntax, false, "usage: rdiff-backup remove increments [-h] --older-than TIME", "--older-than"},
		{"-l -h repo", LegacySyntax, false, "usage: rdiff-backup [-h]", "--list-increments"},
		{"-V", LegacySyntax, true, "", ""},
		{"--version", LegacySyntax, true, "", ""},
		{"-V backup", ActionSyntax, true, "", ""},
		{"--vers", LegacySyntax, true, "", ""},
	} {
		inv, err := Parse(w(c.args), nil)
		if err != nil {
			t.Errorf("%s: %v", c.args, err)
			continue
		}
		if inv.Syntax != c.syntax || inv.Version != c.version || inv.Deprecation != "" {
			t.Errorf("%s: syntax %v version %v deprecation %q", c.args, inv.Syntax, inv.Version, inv.Deprecation)
		}
		if !strings.HasPrefix(inv.Help, c.prefix) || !strings.Contains(inv.Help, c.has) {
			t.Errorf("%s: help:\n%s", c.args, inv.Help)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		args   []string
		env    map[string]string
		kind   ErrorKind
		status int
		text   string // the whole stderr, or its last line when usage
	}{
		{w("src backup"), nil, UsageError, 2, "rdiff-backup: error: argument action: invalid choice: 'src' (choose from 'backup', 'calculate', 'compare', 'complete', 'info', 'list', 'regress', 'remove', 'restore', 'server', 'test', 'verify')"},
		{w("-l list"), nil, UsageError, 2, "rdiff-backup list: error: the following arguments are required: entity"},
		{w("--list-incr repo"), nil, UsageError, 2, "rdiff-backup: error: ambiguous option: --list-incr could match --list-increments, --list-increment-sizes"},
		{w("-v"), nil, UsageError, 2, "rdiff-backup: error: argument -v/--verbosity: expected one argument"},
		{w("-v 10 a b"), nil, UsageError, 2, "rdiff-backup: error: argument -v/--verbosity: invalid choice: 10 (choose from 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)"},
		{w("list files --at -1D repo"), nil, UsageError, 2, "rdiff-backup list files: error: argument --at: expected one argument"},
		{w("backup --force src r1"), nil, UsageError, 2, "rdiff-backup: error: unrecognized arguments: --force"},
		{w("--exclude x backup a b"), nil, UsageError, 2, "rdiff-backup: error: argument action: invalid choice: 'x' (choose from 'backup', 'calculate', 'compare', 'complete', 'info', 'list', 'regress', 'remove', 'restore', 'server', 'test', 'verify')"},
		{w("-r 1B -l repo"), nil, UsageError, 2, "rdiff-backup: error: argument -l/--list-increments: not allowed with argument -r/--restore-as-of"},
		{w("-l repo -r 1B"), nil, UsageError, 2, "rdiff-backup: error: argument -r/--restore-as-of: not allowed with argument -l/--list-increments"},
		{w("src"), nil, UsageError, 2, "rdiff-backup: error: Action backup requires 2 location(s) instead of ['src']."},
		{w("-l repo extra"), nil, UsageError, 2, "rdiff-backup: error: Action list requires 1 location(s) instead of ['repo', 'extra']."},
		{w("--calculate-average"), nil, UsageError, 2, "rdiff-backup: error: Action calculate requires at least 1 location(s) instead of []."},
		{nil, nil, UsageError, 2, "rdiff-backup: error: Action backup requires 2 location(s) instead of []."},
		{w("backup src"), nil, UsageError, 2, "rdiff-backup backup: error: the following arguments are required: [[USER@]SERVER::]PATH"},
		{w("remove increments repo"), nil, UsageError, 2, "rdiff-backup remove increments: error: the following arguments are required: --older-than"},
		{w("info extra"), nil, UsageError, 2, "rdiff-backup: error: unrecognized arguments: extra"},
		{w("@/nonexistent/file"), nil, UsageError, 2, "rdiff-backup: error: [Errno 2] No such file or directory: '/nonexistent/file'"},
		{w("--user-mapping-file /nonexistent/F -l r"), nil, UsageError, 2, "rdiff-backup: error: argument --user-mapping-file: can't open '/nonexistent/F': [Errno 2] No such file or directory: '/nonexistent/F'"},
		{w("--api-version 202 info"), nil, FatalError, 1, "Fatal Error: API version 202 must be between 200 and 201.\n"},
		{w("--no-new --api-version 202 -l r"), nil, FatalError, 1, "Fatal Error: API version 202 must be between 200 and 201.\n"},
		{w("--api-version=202 -l r"), nil, FatalError, 1, DeprecationWarning + "\nFatal Error: API version 202 must be between 200 and 201.\n"},
		{w("test /srv/data"), nil, PreCheckError, 1, "ERROR: Only remote locations can be tested but location '/srv/data' isn't remote\nERROR: Action test failed on step pre_check\n"},
		{w("-v0 test /srv/data"), nil, PreCheckError, 1, ""},
		{w("--test-server a::b::c"), nil, PreCheckError, 1, DeprecationWarning + "\nERROR: Too many parts separated by double colon in 'b'a::b::c''\nERROR: Action test failed on step pre_check\n"},
		{w("test ::/srv/x"), nil, PreCheckError, 1, "ERROR: No file host in location 'b'::/srv/x'' starting with '::'\nERROR: Action test failed on step pre_check\n"},
		{w("list increments host::"), nil, PreCheckError, 1, "ERROR: No file path in location 'b'host::'' ending with '::'\nERROR: Action list failed on step pre_check\n"},
		{w("complete"), nil, PreCheckError, 1, "ERROR: There must be at least one word, the command rdiff-backup itself, to complete\nERROR: The word count -1 isn't within range of the words list []\nERROR: Action complete failed on step pre_check\n"},
		{w("--tempdir /nonexistent/t info"), nil, PreCheckError, 1, "ERROR: Temporary directory '/nonexistent/t' doesn't exist.\nERROR: Action info failed on step pre_check\n"},
		{w("info"), map[string]string{"RDIFF_BACKUP_VERBOSITY": "x"}, CrashError, 1, "ValueError: invalid literal for int() with base 10: 'x'\n"},
	} {
		env := func(k string) string { return c.env[k] }
		_, err := Parse(c.args, env)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: got %v, want an *Error", c.args, err)
			continue
		}
		text := e.Text()
		if c.kind == UsageError {
			text = lastLine(text)
		}
		if e.Kind != c.kind || e.Status != c.status || text != c.text {
			t.Errorf("%q: got kind %d status %d\n%s\nwant kind %d status %d\n%s", c.args, e.Kind, e.Status, text, c.kind, c.status, c.text)
		}
	}
}

func TestVerbosityEnv(t *testing.T) {
	for _, c := range []struct {
		env, args     string
		verb, termVer int
	}{
		{"", "info", 3, 3},
		{"0", "info", 0, 0},
		{"7", "info", 7, 7},
		{" 15 ", "info", 15, 15},
		{"7", "-v2 info", 2, 2},
		{"7", "--terminal-verbosity 1 info", 7, 1},
	} {
		inv, err := Parse(w(c.args), func(k string) string {
			if k == "RDIFF_BACKUP_VERBOSITY" {
				return c.env
			}
			return ""
		})
		if err != nil {
			t.Errorf("%q %s: %v", c.env, c.args, err)
			continue
		}
		if inv.Verbosity != c.verb || inv.TerminalVerbosity != c.termVer {
			t.Errorf("%q %s: got %d/%d want %d/%d", c.env, c.args, inv.Verbosity, inv.TerminalVerbosity, c.verb, c.termVer)
		}
	}
}

func TestArgFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "args")
	if err := os.WriteFile(f, []byte("--force\nbackup\n--exclude\n**/x y\nsrc dir\n\nrepo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The empty line is an (empty) argument: three locations, one too many.
	if _, err := Parse([]string{"@" + f}, nil); err == nil || err.Error() != "rdiff-backup: error: unrecognized arguments: repo" {
		t.Errorf("empty line in @file: got %v", err)
	}
	if err := os.WriteFile(f, []byte("--force\nbackup\n--exclude\n**/x y\nsrc dir\nrepo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Parse([]string{"@" + f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !inv.Force || inv.Action != "backup" || len(inv.Locations) != 2 || inv.Locations[0].Path != "src dir" ||
		!reflect.DeepEqual(inv.Selections, sel("exclude", "**/x y")) {
		t.Errorf("got %+v", *inv)
	}
}
