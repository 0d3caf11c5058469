#!/usr/bin/env bash
# bench/backup.sh: time `gordiff backup` against rdiff-backup 2.2, rsync and
# cp -a on the same trees, in one run, and print a Markdown report (header +
# tables) on stdout that can be pasted into BENCHMARKS.md as is. Progress
# goes to stderr.
#
#   bench/backup.sh > result.md                   # full comparison
#   SCALE=1 bench/backup.sh > scale.md            # gordiff RSS at 50k and 500k files
#   NFILES=2000 GOTREE_SUBDIR=src/fmt bench/backup.sh   # quick plumbing check
#
# Trees (each kept as a "pristine" and a "changed" copy; the tools only read
# them, and the tree being backed up is renamed to <tree>.src for the run, so
# every tool sees the same path and the same bytes):
#   gen  NFILES seeded files, 0-64 KiB (log-uniform, median ~1 KiB, 2 % empty),
#        in directories 3-6 deep, plus NFILES/500 relative symlinks
#   go   a copy of $(go env GOROOT)/$GOTREE_SUBDIR
# Runs per tree and tool: 1. initial backup into a new destination, 2. rerun
# with no change, 3. rerun after ~CHANGE_PCT % of the files were rewritten in
# part, appended to or only touched, and NFILES/1000 files added and deleted
# (cp -a has no incremental mode: only its initial copy is timed).
#
# Environment (all optional):
#   NFILES        files in the generated tree                         (50000)
#   SEED          generator seed                                      (1)
#   CHANGE_PCT    % of the regular files changed before run 3         (1)
#   TREES         trees to run, of: gen go                            (gen go)
#   TOOLS         tools to run, of: cp find rsync rdiff-backup gordiff
#                                             (cp find rsync rdiff-backup gordiff)
#   GOTREE_SUBDIR directory under GOROOT copied as the go tree        (src)
#   REPEAT        times the whole run sequence is repeated per tool, tools
#                 interleaved; the best wall time of each run is kept (1)
#   RSYNC_FLAGS   rsync options                                       (-a --delete)
#   SCALE=1       only gordiff, only runs 1 and 2, on generated trees of
#                 each size in SCALE_NFILES                    (50000 500000)
#   BENCH_DIR     work directory (default: mktemp -d under /var/tmp)
#   KEEP=1        keep the work directory (and reuse its trees on the next
#                 run with the same BENCH_DIR and parameters)
#   GORDIFF       gordiff binary (default: CGO_ENABLED=0 go build ./cmd/gordiff into BENCH_DIR)
#   RDIFF_BACKUP  reference rdiff-backup                 (rdiff-backup in PATH)
set -euo pipefail
export LC_ALL=C # also makes $EPOCHREALTIME use a decimal point

NFILES=${NFILES:-50000}
SEED=${SEED:-1}
CHANGE_PCT=${CHANGE_PCT:-1}
TREES=${TREES:-gen go}
TOOLS=${TOOLS:-cp find rsync rdiff-backup gordiff}
GOTREE_SUBDIR=${GOTREE_SUBDIR:-src}
REPEAT=${REPEAT:-1}
RSYNC_FLAGS=${RSYNC_FLAGS:--a --delete}
SCALE=${SCALE:-0}
SCALE_NFILES=${SCALE_NFILES:-50000 500000}
KEEP=${KEEP:-0}
TIME=/usr/bin/time
GEN_VERSION=1 # bump when the tree generator or the change script changes

BENCH_NAME=backup.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

posint NFILES "$NFILES"
posint SEED "$SEED"
posint REPEAT "$REPEAT"
[[ $CHANGE_PCT =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "CHANGE_PCT must be a number"
[[ -x $TIME ]] || die "$TIME (GNU time) is required"
command -v python3 >/dev/null || die "python3 is required (tree generator)"
if [[ $SCALE == 1 ]]; then
	TREES=
	TOOLS=gordiff
	for n in $SCALE_NFILES; do posint SCALE_NFILES "$n"; TREES+=" gen-$n"; done
else
	for t in $TREES; do [[ $t == gen || $t == go ]] || die "unknown tree '$t' in TREES"; done
	TREES=${TREES//gen/gen-$NFILES}
fi
for t in $TOOLS; do
	case $t in cp | find | rsync | rdiff-backup | gordiff) ;; *) die "unknown tool '$t' in TOOLS" ;; esac
done
has_tool() { [[ " $TOOLS " == *" $1 "* ]]; }

RDIFF_BACKUP=${RDIFF_BACKUP:-$(command -v rdiff-backup || true)}
NOTES=()
# rdiff-backup is also the checker of gordiff's repositories, so it is
# required even when it is not timed.
[[ -n $RDIFF_BACKUP && -x $RDIFF_BACKUP ]] || die "rdiff-backup not found (set RDIFF_BACKUP)"
if has_tool rsync && ! command -v rsync >/dev/null; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		log "installing rsync with apt-get"
		{ apt-get install -y rsync || { apt-get update && apt-get install -y rsync; }; } >&2 || true
	fi
	if ! command -v rsync >/dev/null; then
		NOTES+=("rsync is not installed (and could not be installed: not root or no apt-get); its rows and ratios are missing.")
		TOOLS=$(echo " $TOOLS " | sed 's/ rsync / /')
	fi
fi

# ---------------------------------------------------------------- work dir
bench_workdir gordiff-backup-bench
# What this script creates (bench_cleanup removes it, and nothing else).
OUR_FILES=('gen-*.pristine' 'gen-*.changed' 'gen-*.stamp' 'gen-*.src' 'gen-*.summary'
	go.pristine go.changed go.stamp go.src go.summary
	'dst.*' 'restore.*' 'list.*' gordiff time.txt out.txt err.txt)
MOVED_FROM= MOVED_TO=
cleanup() {
	# put back a tree that was renamed for a run interrupted by an error
	if [[ -n $MOVED_TO && -e $MOVED_TO && ! -e $MOVED_FROM ]]; then mv -- "$MOVED_TO" "$MOVED_FROM"; fi
	bench_cleanup
}
trap cleanup EXIT

# ---------------------------------------------------------------- gordiff
bench_gordiff

# ---------------------------------------------------------------- trees
# gen_tree DIR NFILES SEED: the seeded many-small-files tree. Contents are
# slices of one seeded 1 MiB random block, each file starting with its own
# path, so they are cheap to write but all different. Modes and mtimes
# (with nanoseconds) are seeded too; directory mtimes are fixed.
gen_tree() {
	python3 - "$@" <<-'EOF'
		import os, random, sys
		root, nfiles, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
		r = random.Random(seed)
		pool = r.randbytes(1 << 20)
		pool += pool[:65536]
		ndirs = max(4, nfiles // 20)
		dirs, seen = [], set()
		while len(dirs) < ndirs:
		    d = "/".join("d%02d" % r.randrange(10) for _ in range(r.randint(3, 6)))
		    if d not in seen:
		        seen.add(d)
		        dirs.append(d)
		os.makedirs(root)
		for d in dirs:
		    os.makedirs(os.path.join(root, d), exist_ok=True)
		exts = [".txt", ".go", ".c", ".h", ".dat", ".json", ""]
		files = []
		for i in range(nfiles):
		    rel = "%s/f%06d%s" % (dirs[r.randrange(ndirs)], i, exts[r.randrange(len(exts))])
		    size = 0 if r.random() < 0.02 else min(65536, int(16 * 4096 ** r.random()))
		    off = r.randrange(1 << 20)
		    data = (("%s %d\n" % (rel, seed)).encode() + pool[off:off + size])[:size]
		    mode = 0o755 if r.random() < 0.05 else 0o644
		    mtime = (1500000000 + r.randrange(100000000)) * 10**9 + r.randrange(10**9)
		    p = os.path.join(root, rel)
		    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
		    os.write(fd, data)
		    os.fchmod(fd, mode)
		    os.close(fd)
		    os.utime(p, ns=(mtime, mtime))
		    files.append(rel)
		for i in range(nfiles // 500):
		    d = dirs[r.randrange(ndirs)]
		    target = files[r.randrange(nfiles)]
		    link = os.path.join(root, d, "l%05d" % i)
		    os.symlink(os.path.relpath(os.path.join(root, target), os.path.join(root, d)), link)
		    t = 1600000000 * 10**9
		    os.utime(link, ns=(t, t), follow_symlinks=False)
		for d, _, _ in os.walk(root):
		    os.utime(d, ns=(1600000000 * 10**9, 1600000000 * 10**9))
	EOF
}

# change_tree DIR SEED PCT: apply the seeded change to DIR in place and
# print a one-line summary. Of PCT % of the regular files (at least 1):
# 40 % get a random run of up to 4 KiB overwritten, 30 % get up to 4 KiB
# appended, 30 % only get a new mtime; max(2, files/1000) new files are
# added and as many deleted. Changed files get their mtime moved by one
# hour (plus the file's rank in seconds); directory mtimes are put back.
change_tree() {
	python3 - "$@" <<-'EOF'
		import os, random, stat, sys
		root, seed, pct = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
		r = random.Random(seed * 1000003 + 7)
		files = []
		for d, dn, fn in os.walk(root):
		    dn.sort()
		    for f in sorted(fn):
		        p = os.path.join(d, f)
		        if stat.S_ISREG(os.lstat(p).st_mode):
		            files.append(p)
		nchg = max(1, round(len(files) * pct / 100))
		nnew = max(2, len(files) // 1000)
		ndel = min(nnew, max(0, len(files) - nchg))
		pick = r.sample(files, nchg + ndel)
		chg, dele = pick[:nchg], pick[nchg:]
		dirtimes = {}
		def keep_dir_time(p):
		    d = os.path.dirname(p)
		    if d not in dirtimes:
		        st = os.stat(d)
		        dirtimes[d] = (st.st_atime_ns, st.st_mtime_ns)
		count = {"rewritten": 0, "appended": 0, "touched": 0}
		for i, p in enumerate(chg):
		    st = os.lstat(p)
		    os.chmod(p, st.st_mode | 0o600)
		    k = r.random()
		    if k < 0.4 and st.st_size > 0:
		        off = r.randrange(st.st_size)
		        n = min(st.st_size - off, 1 + r.randrange(4096))
		        with open(p, "r+b") as f:
		            f.seek(off)
		            f.write(r.randbytes(n))
		        count["rewritten"] += 1
		    elif k < 0.7 or st.st_size == 0:
		        with open(p, "ab") as f:
		            f.write(r.randbytes(1 + r.randrange(4096)))
		        count["appended"] += 1
		    else:
		        count["touched"] += 1
		    os.chmod(p, stat.S_IMODE(st.st_mode))
		    t = st.st_mtime_ns + (3600 + i) * 10**9
		    os.utime(p, ns=(st.st_atime_ns, t))
		for p in dele:
		    keep_dir_time(p)
		    os.unlink(p)
		for i in range(nnew):
		    d = os.path.dirname(files[r.randrange(len(files))])
		    p = os.path.join(d, "zz-new-%05d.dat" % i)
		    keep_dir_time(p)
		    with open(p, "wb") as f:
		        f.write(r.randbytes(int(16 * 4096 ** r.random()) if r.random() > 0.02 else 0))
		    t = 1700000000 * 10**9 + i
		    os.utime(p, ns=(t, t))
		for d, (a, m) in dirtimes.items():
		    os.utime(d, ns=(a, m))
		print("%d of %d files changed (%d with a run overwritten, %d appended to, %d only touched), %d new, %d deleted"
		      % (nchg, len(files), count["rewritten"], count["appended"], count["touched"], nnew, ndel))
	EOF
}

# tree_stats DIR: "F files, D dirs, L symlinks, M MiB"
tree_stats() {
	find "$1" -printf '%y %s\n' | awk '
		$1 == "f" { f++; b += $2 } $1 == "d" { d++ } $1 == "l" { l++ }
		END { printf "%d files, %d directories, %d symlinks, %.1f MiB", f, d, l, b / 1048576 }'
}

GOROOT_DIR=
# prepare_tree TREE: make $W/TREE.pristine and $W/TREE.changed (unless SCALE).
prepare_tree() {
	local t=$1 want
	case $t in
	gen-*) want="gen=$GEN_VERSION nfiles=${t#gen-} seed=$SEED pct=$CHANGE_PCT scale=$SCALE" ;;
	go)
		command -v go >/dev/null || die "go not found (needed for the go tree)"
		GOROOT_DIR=$(go env GOROOT)
		[[ -d $GOROOT_DIR/$GOTREE_SUBDIR ]] || die "$GOROOT_DIR/$GOTREE_SUBDIR is not a directory"
		want="gen=$GEN_VERSION go=$GOROOT_DIR/$GOTREE_SUBDIR $(go version) seed=$SEED pct=$CHANGE_PCT scale=$SCALE"
		;;
	esac
	if [[ -f $W/$t.stamp && $(cat "$W/$t.stamp") == "$want" && -d $W/$t.pristine &&
		($SCALE == 1 || -d $W/$t.changed) && -f $W/$t.summary ]]; then
		log "reusing tree $t in $W"
		return
	fi
	rm -rf -- "$W/$t.stamp" "$W/$t.pristine" "$W/$t.changed" "$W/$t.src" "$W/$t.summary"
	case $t in
	gen-*)
		log "generating $t (${t#gen-} files, seed $SEED)"
		gen_tree "$W/$t.pristine" "${t#gen-}" "$SEED" || die "tree generator failed"
		;;
	go)
		log "copying $GOROOT_DIR/$GOTREE_SUBDIR"
		cp -a "$GOROOT_DIR/$GOTREE_SUBDIR" "$W/go.pristine" || die "copy of the go tree failed"
		chmod -R u+w "$W/go.pristine"
		;;
	esac
	if [[ $SCALE == 1 ]]; then
		echo "unchanged" >"$W/$t.summary"
	else
		log "making the changed copy of $t"
		cp -a "$W/$t.pristine" "$W/$t.changed"
		change_tree "$W/$t.changed" "$SEED" "$CHANGE_PCT" >"$W/$t.summary" || die "change script failed"
	fi
	echo "$want" >"$W/$t.stamp"
}

# ---------------------------------------------------------------- timing
PHASES=(init nochange change)
declare -A PHASE_LABEL=([init]="1. initial" [nochange]="2. no change" [change]="3. ${CHANGE_PCT} % changed")
declare -A PHASE_STATE=([init]=pristine [nochange]=pristine [change]=changed)
# Sessions run at the real time, as they do in use: a --current-time in
# the past would make every file's ctime look newer than the last session
# and defeat gordiff's skip of unchanged extended attributes and ACLs.
# session_time waits for a second no session of this run has used yet
# (rdiff-backup refuses two sessions in one second) and sets SESSION_TIME,
# the second the session starts in (or the one before the tool's stamp).
LAST_SESSION=0
session_time() {
	while (($(date +%s) <= LAST_SESSION)); do sleep 0.1; done
	SESSION_TIME=$(date +%s)
	LAST_SESSION=$SESSION_TIME
}
declare -A SESSION_AT # tree,tool,phase -> the session time of the kept repository

# tool_cmd TOOL PHASE SRC DST: the command in CMD (empty: not measured).
tool_cmd() {
	local tool=$1 phase=$2 src=$3 dst=$4
	CMD=()
	case $tool in
	cp) [[ $phase == init ]] && CMD=(cp -a "$src" "$dst") ;;
	# the floor of a no-change run: one lstat of every entry, nothing else
	find) [[ $phase == nochange ]] && CMD=(find "$src" -printf '%s %T@ %m %U %G\n') ;;
	# shellcheck disable=SC2206 # RSYNC_FLAGS is a word list
	rsync) CMD=(rsync $RSYNC_FLAGS "$src/" "$dst/") ;;
	rdiff-backup) CMD=("$RDIFF_BACKUP" backup "$src" "$dst") ;;
	gordiff) CMD=("$GORDIFF" backup "$src" "$dst") ;;
	esac
	return 0
}

declare -A WALL CPU RSS
FAILED=0
FAILURES=()
# measure TREE TOOL PHASE REP: one measured run; returns 1 if the tool failed.
measure() {
	local t=$1 tool=$2 phase=$3 rep=$4
	local src=$W/$t.src dst=$W/dst.$t.$tool e u s m c k=$t,$tool,$phase
	tool_cmd "$tool" "$phase" "$src" "$dst"
	((${#CMD[@]})) || return 0
	MOVED_FROM=$W/$t.${PHASE_STATE[$phase]} MOVED_TO=$src
	mv -- "$MOVED_FROM" "$MOVED_TO"
	# Wait for a second of its own first, then warm up: waiting last
	# left the machine idle right before the measured command, and on
	# this VM the first process after an idle spell starts several ms
	# late, whatever the tool (a fixed cost that weighed most on the
	# shortest runs).
	session_time
	sync # so writeback of the previous run is not charged to this one
	find "$src" -type f -exec cat {} + >/dev/null # warm-up read of the source
	local rc=0
	SESSION_TIME=$(date +%s) # the warm-up may have crossed into the next second
	LAST_SESSION=$SESSION_TIME
	SESSION_AT[$k]=$SESSION_TIME
	local t0=$EPOCHREALTIME t1
	"$TIME" -f '%U %S %M' -o "$W/time.txt" "${CMD[@]}" >"$W/out.txt" 2>"$W/err.txt" || rc=$?
	t1=$EPOCHREALTIME
	LAST_SESSION=$(date +%s) # the tool may have stamped its session a second later
	mv -- "$MOVED_TO" "$MOVED_FROM"
	MOVED_FROM= MOVED_TO=
	if ((rc != 0)); then
		log "$t: $tool ${PHASE_LABEL[$phase]} FAILED (exit $rc): ${CMD[*]}"
		tail -n 20 "$W/err.txt" >&2 || true
		FAILED=1
		FAILURES+=("- $t: \`${tool}\` run ${PHASE_LABEL[$phase]} **FAILED** with exit status $rc: $(grep -m1 . "$W/err.txt" | cut -c1-200)")
		WALL[$k]=FAILED
		return 1
	fi
	read -r u s m < <(tail -n 1 "$W/time.txt")
	e=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	log "$t: $tool ${PHASE_LABEL[$phase]} run $rep/$REPEAT: wall ${e}s cpu ${c}s rss ${m}KiB"
	if [[ -z ${WALL[$k]:-} ]] || awk -v a="$e" -v b="${WALL[$k]}" 'BEGIN { exit !(a < b) }'; then
		WALL[$k]=$e
		CPU[$k]=$c
		RSS[$k]=$m
	fi
}

# run_tree TREE: all reps, tools and phases on one tree.
run_tree() {
	local t=$1 rep tool phase
	declare -A dead=()
	for ((rep = 1; rep <= REPEAT; rep++)); do
		for tool in $TOOLS; do # interleaved, so drift hits all tools
			[[ -z ${dead[$tool]:-} ]] || continue
			rm -rf -- "$W/dst.$t.$tool"
			for phase in "${PHASES[@]}"; do
				[[ $SCALE == 1 && $phase == change ]] && continue
				if ! measure "$t" "$tool" "$phase" "$rep"; then
					dead[$tool]=1
					break
				fi
			done
			# keep gordiff's repository for the checks, drop the others
			[[ $tool == gordiff ]] || rm -rf -- "$W/dst.$t.$tool"
		done
	done
}

# ---------------------------------------------------------------- checks
tree_label() {
	case $1 in
	gen-*) echo "gen ${1#gen-}" ;;
	go) echo "go" ;;
	esac
}
CHECKS=()
ok() { CHECKS+=("- $1: OK"); }
bad() {
	CHECKS+=("- $1: **FAILED**${2:+ ($2)}")
	FAILED=1
}
# listing DIR: type, mode, owner, size (files), mtime in whole seconds
# (files and directories) of every entry but rdiff-backup-data.
listing() {
	(cd "$1" && find . -path ./rdiff-backup-data -prune -o -printf '%y %m %U:%G %s %T@ %p\n') |
		awk '{ split($5, t, "."); if ($1 == "l") print $1, $6, $7; else if ($1 == "d") print $1, $2, $3, t[1], $6; else print $1, $2, $3, $4, t[1], $6 }' |
		LC_ALL=C sort -k3
}
check_tree() {
	local t=$1 dst=$W/dst.$t.gordiff state=changed last=change
	[[ $SCALE == 1 ]] && state=pristine last=nochange
	local src=$W/$t.$state l
	l=$(tree_label "$t")
	has_tool gordiff || return 0
	if [[ ${WALL[$t,gordiff,$last]:-FAILED} == FAILED ]]; then
		bad "$l: checks of gordiff's repository" "skipped: a gordiff run failed"
		return
	fi
	log "$t: checking gordiff's repository"
	if "$RDIFF_BACKUP" verify "$dst" >"$W/out.txt" 2>&1; then
		ok "$l: \`rdiff-backup verify\` of gordiff's repository exits 0"
	else
		bad "$l: \`rdiff-backup verify\` of gordiff's repository exits 0" "$(tail -n 1 "$W/out.txt" | cut -c1-200)"
	fi
	if diff -r --no-dereference -x rdiff-backup-data "$src" "$dst" >"$W/out.txt" 2>&1; then
		ok "$l: \`diff -r\` of gordiff's mirror against the source is empty"
	else
		bad "$l: \`diff -r\` of gordiff's mirror against the source is empty" "$(wc -l <"$W/out.txt") lines, first: $(head -n 1 "$W/out.txt" | cut -c1-200)"
	fi
	listing "$src" >"$W/list.src"
	listing "$dst" >"$W/list.dst"
	if cmp -s "$W/list.src" "$W/list.dst"; then
		ok "$l: type, mode, owner, size and mtime (s) of every mirror entry match the source"
	else
		bad "$l: type, mode, owner, size and mtime (s) of every mirror entry match the source" \
			"first difference: $(diff "$W/list.src" "$W/list.dst" | grep -m1 '^[<>]' | cut -c1-200)"
	fi
	if [[ $SCALE != 1 ]]; then
		# The increments gordiff wrote must give back the unchanged tree.
		rm -rf -- "$W/restore.$t"
		if "$RDIFF_BACKUP" restore --at "${SESSION_AT[$t,gordiff,nochange]}" "$dst" "$W/restore.$t" >"$W/out.txt" 2>&1 &&
			diff -r --no-dereference "$W/$t.pristine" "$W/restore.$t" >"$W/out.txt" 2>&1; then
			ok "$l: \`rdiff-backup restore --at\` run 2 of gordiff's repository gives back the unchanged tree"
		else
			bad "$l: \`rdiff-backup restore --at\` run 2 of gordiff's repository gives back the unchanged tree" \
				"$(head -n 1 "$W/out.txt" | cut -c1-200)"
		fi
		rm -rf -- "$W/restore.$t"
	fi
	rm -f "$W/list.src" "$W/list.dst"
}

# ---------------------------------------------------------------- run
declare -A STATS
for t in $TREES; do
	prepare_tree "$t"
	STATS[$t]=$(tree_stats "$W/$t.pristine")
	run_tree "$t"
	check_tree "$t"
	[[ $KEEP == 1 ]] || rm -rf -- "$W/dst.$t.gordiff"
	if [[ $SCALE == 1 && $KEEP != 1 ]]; then rm -rf -- "$W/$t.pristine"; fi
done

# ---------------------------------------------------------------- report
bench_env
num() { [[ ${1:-} =~ ^[0-9.]+$ ]]; }
# ratio A B MIN [DECIMALS]: A/B with 2 decimals (or DECIMALS), n/a if
# either is missing or B < MIN
ratio() {
	if num "${1:-}" && num "${2:-}" && awk -v b="$2" -v m="$3" 'BEGIN { exit !(b >= m) }'; then
		awk -v a="$1" -v b="$2" -v d="${4:-2}" 'BEGIN { printf "%.*f", d, a / b }'
	else
		echo n/a
	fi
}
# verdict VALUE TARGET: met / missed / blank
verdict() {
	num "$1" || return 0
	awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? "met" : "**missed**") }'
}
mib() { if num "${1:-}"; then awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; else echo "${1:-}"; fi; }

if [[ $SCALE == 1 ]]; then
	echo "### gordiff backup: memory at scale"
else
	others=$(for tool in $TOOLS; do [[ $tool == gordiff ]] || printf '%s, ' "$tool"; done)
	echo "### gordiff backup${others:+ vs ${others%, }}"
fi
echo
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- System: $(uname -srm), $(nproc) CPUs, ${cpu_model:-unknown CPU}; work directory on ${fstype:-unknown file system}"
echo "- gordiff: commit $commit${gover:+, built with $gover} ($GORDIFF)"
echo "- rdiff-backup: $("$RDIFF_BACKUP" --version 2>&1 | head -n 1) (also the checker)"
if [[ $SCALE != 1 ]]; then
	if has_tool rsync; then echo "- rsync: $(rsync --version | head -n 1 | awk '{ print $3 }'), \`rsync $RSYNC_FLAGS SRC/ DST/\`"; fi
	if has_tool cp; then echo "- cp: $(cp --version | head -n 1), \`cp -a SRC DST\`"; fi
	if has_tool find; then echo "- find: $(find --version | head -n 1), \`find SRC -printf '%s %T@ %m %U %G\\n'\` (run 2 only)"; fi
fi
echo "- Method: REPEAT=$REPEAT (best wall time of the repeats, with its CPU and RSS); wall time taken with bash's \`\$EPOCHREALTIME\` around GNU time (which gives CPU and RSS, in 10 ms ticks), so short runs are resolved to the millisecond; before each measured command, in this order, a wait for a second of its own (sessions), \`sync\` and one warm-up read of the source (\`find SRC -type f -exec cat {} +\`), so that no idle spell precedes the command; page cache not dropped; rdiff-backup and gordiff sessions run at the real time (each in a second of its own), so files created before a session have older ctimes, as in use"
for t in $TREES; do
	case $t in
	gen-*) echo "- Tree $(tree_label "$t"): generated (seed $SEED), ${STATS[$t]}; sizes 0-64 KiB log-uniform (median ~1 KiB), directories 3-6 deep" ;;
	go) echo "- Tree go: copy of $GOROOT_DIR/$GOTREE_SUBDIR ($(go version | awk '{ print $3 }')), ${STATS[$t]}" ;;
	esac
	[[ $SCALE == 1 ]] || echo "  - before run 3: $(cat "$W/$t.summary")"
done
for n in "${NOTES[@]}"; do echo "- Note: $n"; done
echo
echo "| tree | run | tool | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---|---:|---:|---:|"
for t in $TREES; do
	for phase in "${PHASES[@]}"; do
		[[ $SCALE == 1 && $phase == change ]] && continue
		first=1
		for tool in $TOOLS; do
			k=$t,$tool,$phase
			tool_cmd "$tool" "$phase" x y
			((${#CMD[@]})) || continue
			lt="" lp=""
			if ((first)); then lt=$(tree_label "$t") lp=${PHASE_LABEL[$phase]}; fi
			first=0
			if [[ -z ${WALL[$k]:-} ]]; then
				printf '| %s | %s | %s | not run | | |\n' "$lt" "$lp" "$tool"
			elif [[ ${WALL[$k]} == FAILED ]]; then
				printf '| %s | %s | %s | **FAILED** | | |\n' "$lt" "$lp" "$tool"
			else
				printf '| %s | %s | %s | %.3f | %.2f | %s |\n' "$lt" "$lp" "$tool" "${WALL[$k]}" "${CPU[$k]}" "$(mib "${RSS[$k]}")"
			fi
		done
	done
done
echo
echo "CPU s = user + sys. Peak RSS is GNU time's: the largest single process$(has_tool rsync && echo " (rsync runs as 2-3 processes)")."
has_tool cp && [[ $SCALE != 1 ]] && echo "cp -a has no incremental mode: only its initial copy is timed."
has_tool find && [[ $SCALE != 1 ]] && echo "find is no backup tool: its run 2 is the walk every tool must make to notice a change, one lstat per entry (single-threaded), the floor of a no-change run."
echo

# peak RSS of gordiff over all its runs on tree T
gordiff_rss() {
	local t=$1 p m=
	for p in "${PHASES[@]}"; do
		num "${RSS[$t,gordiff,$p]:-}" || continue
		if [[ -z $m ]] || ((RSS[$t,gordiff,$p] > m)); then m=${RSS[$t,gordiff,$p]}; fi
	done
	echo "$m"
}

if [[ $SCALE == 1 ]]; then
	echo "| measure | $(for t in $TREES; do printf '%s | ' "$(tree_label "$t")"; done)target | verdict |"
	echo "|---|$(for t in $TREES; do printf -- '---:|'; done)---|---|"
	row="| gordiff peak RSS MiB (runs 1-2) |"
	worst= first_rss= last_rss=
	for t in $TREES; do
		m=$(gordiff_rss "$t")
		row+=" $(mib "${m:-n/a}") |"
		if num "$m"; then
			[[ -z $first_rss ]] && first_rss=$m
			last_rss=$m
			if [[ -z $worst ]] || ((m > worst)); then worst=$m; fi
		fi
	done
	v=
	num "$worst" && v=$(verdict "$(mib "$worst")" 64)
	echo "$row ≤ 64 at every size | $v |"
	echo
	echo "RSS growth from the smallest to the largest tree: $(ratio "$last_rss" "$first_rss" 1)x (flat = about 1.0x)."
else
	echo "| ratio (wall time) | $(for t in $TREES; do printf '%s | ' "$(tree_label "$t")"; done)target |"
	echo "|---|$(for t in $TREES; do printf -- '---:|'; done)---|"
	target_row() { # LABEL NUMTOOL DENTOOL PHASE TARGET
		local row="| $1 |" t r
		for t in $TREES; do
			# three decimals: judged on two, 0.302 would pass for 0.30
			r=$(ratio "${WALL[$t,$2,$4]:-}" "${WALL[$t,$3,$4]:-}" 0.005 3)
			row+=" $r$([[ $r == n/a ]] || echo " $(verdict "$r" "$5")") |"
		done
		echo "$row ≤ $5 |"
	}
	if has_tool gordiff; then
		has_tool cp && target_row "gordiff initial / cp -a initial" gordiff cp init 1.2
		has_tool rsync && target_row "gordiff no change / rsync no change" gordiff rsync nochange 0.3
		has_tool rsync && target_row "gordiff ${CHANGE_PCT} % / rsync ${CHANGE_PCT} %" gordiff rsync change 1.0
		if has_tool find; then
			row="| gordiff no change / find's lstat walk (no target) |"
			for t in $TREES; do row+=" $(ratio "${WALL[$t,gordiff,nochange]:-}" "${WALL[$t,find,nochange]:-}" 0.005) |"; done
			echo "$row - |"
		fi
		row="| gordiff peak RSS MiB, all runs |"
		for t in $TREES; do
			m=$(gordiff_rss "$t")
			if num "$m"; then row+=" $(mib "$m") $(verdict "$(mib "$m")" 64) |"; else row+=" n/a |"; fi
		done
		echo "$row ≤ 64 (flat in NFILES: see SCALE=1) |"
	fi
	if has_tool gordiff && has_tool rdiff-backup; then
		echo
		echo "rdiff-backup / gordiff speedup (above 1 means gordiff is faster):"
		echo
		echo "| run | $(for t in $TREES; do printf '%s wall | %s CPU | ' "$(tree_label "$t")" "$(tree_label "$t")"; done)"
		echo "|---|$(for t in $TREES; do printf -- '---:|---:|'; done)"
		for phase in "${PHASES[@]}"; do
			row="| ${PHASE_LABEL[$phase]} |"
			for t in $TREES; do
				w=$(ratio "${WALL[$t,rdiff-backup,$phase]:-}" "${WALL[$t,gordiff,$phase]:-}" 0.005)
				c=$(ratio "${CPU[$t,rdiff-backup,$phase]:-}" "${CPU[$t,gordiff,$phase]:-}" 0.02)
				row+=" $w$([[ $w == n/a ]] || echo x) | $c$([[ $c == n/a ]] || echo x) |"
			done
			echo "$row"
		done
	fi
	echo
	echo "n/a = the denominator is under 5 ms of wall time or 0.02 s of CPU time (GNU time's 10 ms ticks), or a run is missing."
fi
echo
echo "Checks:"
echo
for f in "${FAILURES[@]}"; do echo "$f"; done
for c in "${CHECKS[@]}"; do echo "$c"; done
((${#CHECKS[@]} + ${#FAILURES[@]})) || echo "- none (gordiff not among TOOLS)"
if [[ $FAILED == 1 ]]; then
	echo
	echo "FAILED"
	die "a run or a check failed (see report)"
fi
echo
echo "OK"
