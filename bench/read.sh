#!/usr/bin/env bash
# bench/read.sh: time gordiff's read actions (restore, list increments,
# verify) and `remove increments` against rdiff-backup 2.2, with `cp -a` as
# the yardstick for restores, in one run, and print a Markdown report (header
# + tables) on stdout that can be pasted into BENCHMARKS.md as is. Progress
# goes to stderr.
#
#   BENCH_DIR=/dev/shm/rbench bench/read.sh > result.md   # on tmpfs (see BENCHMARKS.md)
#   GOTREE_SUBDIR=src/fmt NSESS_REMOVE=10 REPEAT=1 bench/read.sh  # quick plumbing check
#
# Data:
#   tree    a copy of $(go env GOROOT)/$GOTREE_SUBDIR (session 0), then NSESS-1
#           seeded changes: CHANGE_PCT % of the regular files modified in
#           place (a run of up to 4 KiB overwritten, or up to 4 KiB appended;
#           mtime moved), max(2, files/2000) files added and as many removed
#   repos   that tree backed up after every change, one day apart
#           (--current-time T0 + i*86400), by each writer in WRITERS into its
#           own repository, from the same source path
#   remove  a repository of NSESS_REMOVE sessions written by gordiff the same
#           way (one day apart); each tool's run gets a fresh `cp -a` of it
# Cases, per writer's repository (each tool runs the same command line):
#   restore --at now REPO OUT        (cp -a of the latest tree beside it)
#   restore --at T0 REPO OUT         (the oldest session; cp -a of that tree)
#   list increments REPO
#   list increments --size REPO
#   verify REPO
# and once: --force remove increments --older-than T0+REMOVE_AT*86400 COPY
#
# Every run is checked: a restore must give back the expected session's tree
# (diff -r, and type, mode, owner, size and mtime of every entry); the two
# tools' list outputs must be byte-identical; verify must exit 0 (and both
# tools must fail on a copy with one damaged mirror file); after remove the
# two repositories must hold the same files and list the same increments.
#
# Environment (all optional):
#   GOTREE_SUBDIR directory under GOROOT copied as the tree             (src)
#   NSESS         sessions in the read repositories                       (5)
#   NSESS_REMOVE  sessions in the remove repository                     (100)
#   REMOVE_AT     remove increments older than session REMOVE_AT   (NSESS_REMOVE/2)
#   CHANGE_PCT    % of the regular files changed per session              (1)
#   SEED          seed of the changes                                     (1)
#   WRITERS       who writes the read repositories, of: gordiff rdiff-backup
#                                                         (gordiff rdiff-backup)
#   CASES         of: latest oldest list size verify remove  (all of them)
#   REPEAT        measured runs per tool and case, interleaved; the median
#                 wall and CPU time are reported                           (3)
#   PROFILE       1 = for every missed target, one more gordiff run with
#                 GORDIFF_CPUPROFILE and the top of its profile in the report (1)
#   BENCH_DIR     work directory (default: mktemp -d under /var/tmp)
#   KEEP=1        keep the work directory (and reuse its trees and repositories
#                 on the next run with the same BENCH_DIR, parameters and binary)
#   GORDIFF       gordiff binary (default: CGO_ENABLED=0 go build ./cmd/gordiff into BENCH_DIR)
#   GORDIFF_COMMIT  what to call that binary in the report (default: the
#                 commit it was built from, if the binary or the build knows it)
#   RDIFF_BACKUP  reference rdiff-backup                     (rdiff-backup in PATH)
set -euo pipefail
export LC_ALL=C # also makes $EPOCHREALTIME use a decimal point

GOTREE_SUBDIR=${GOTREE_SUBDIR:-src}
NSESS=${NSESS:-5}
NSESS_REMOVE=${NSESS_REMOVE:-100}
REMOVE_AT=${REMOVE_AT:-$((NSESS_REMOVE / 2))}
CHANGE_PCT=${CHANGE_PCT:-1}
SEED=${SEED:-1}
WRITERS=${WRITERS:-gordiff rdiff-backup}
CASES=${CASES:-latest oldest list size verify remove}
REPEAT=${REPEAT:-3}
PROFILE=${PROFILE:-1}
KEEP=${KEEP:-0}
TIME=/usr/bin/time
GEN_VERSION=1        # bump when the change script or the repository build changes
T0=1767225600        # 2026-01-01 00:00 UTC: --current-time of session 0
DAY=86400

BENCH_NAME=read.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

posint NSESS "$NSESS"
posint NSESS_REMOVE "$NSESS_REMOVE"
posint REMOVE_AT "$REMOVE_AT"
posint SEED "$SEED"
posint REPEAT "$REPEAT"
((NSESS >= 2)) || die "NSESS must be at least 2"
((REMOVE_AT < NSESS_REMOVE)) || die "REMOVE_AT must be below NSESS_REMOVE"
[[ $CHANGE_PCT =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "CHANGE_PCT must be a number"
[[ $GOTREE_SUBDIR != *..* ]] || die "GOTREE_SUBDIR must stay under GOROOT"
for w in $WRITERS; do [[ $w == gordiff || $w == rdiff-backup ]] || die "unknown writer '$w' in WRITERS"; done
for c in $CASES; do
	case $c in latest | oldest | list | size | verify | remove) ;; *) die "unknown case '$c' in CASES" ;; esac
done
has_case() { [[ " $CASES " == *" $1 "* ]]; }
[[ -x $TIME ]] || die "$TIME (GNU time) is required"
command -v python3 >/dev/null || die "python3 is required (change script)"
command -v go >/dev/null || die "go is required (the tree is the Go distribution's source)"
GOROOT_DIR=$(go env GOROOT)
[[ -d $GOROOT_DIR/$GOTREE_SUBDIR ]] || die "$GOROOT_DIR/$GOTREE_SUBDIR is not a directory"
RDIFF_BACKUP=${RDIFF_BACKUP:-$(command -v rdiff-backup || true)}
[[ -n $RDIFF_BACKUP && -x $RDIFF_BACKUP ]] || die "rdiff-backup not found (set RDIFF_BACKUP)"

# ---------------------------------------------------------------- work dir
bench_workdir gordiff-read-bench
# What this script creates (bench_cleanup removes it, and nothing else).
OUR_FILES=('tree.*' 'src' 'src100' 'repo.*' 'work.*' 'out.*' 'prof.*' 'stamp.*'
	gordiff time.txt err.txt 'chk.*' 'list.*')
trap bench_cleanup EXIT

# ---------------------------------------------------------------- gordiff
bench_gordiff
if [[ $BUILT == 1 ]]; then
	if [[ -z ${GORDIFF_COMMIT:-} ]]; then
		GORDIFF_COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || true)
		if [[ -n $GORDIFF_COMMIT ]] && ! git -C "$REPO" diff-index --quiet HEAD -- 2>/dev/null; then
			GORDIFF_COMMIT+=" with uncommitted changes"
		fi
	fi
fi
GORDIFF_SUM=$(sha256sum "$GORDIFF" | cut -c1-16)

# ---------------------------------------------------------------- data
# change_tree DIR SEED PCT SESSION: one seeded session's change, in place;
# prints a one-line summary.
change_tree() {
	python3 - "$@" <<-'EOF'
		import os, random, stat, sys
		root, seed, pct, sess = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
		r = random.Random(seed * 1000003 + sess)
		files = []
		for d, dn, fn in os.walk(root):
		    dn.sort()
		    for f in sorted(fn):
		        p = os.path.join(d, f)
		        if stat.S_ISREG(os.lstat(p).st_mode):
		            files.append(p)
		nchg = max(1, round(len(files) * pct / 100))
		nnew = max(2, len(files) // 2000)
		ndel = min(nnew, max(0, len(files) - nchg))
		pick = r.sample(files, nchg + ndel)
		chg, dele = pick[:nchg], pick[nchg:]
		over = app = 0
		for i, p in enumerate(chg):
		    st = os.lstat(p)
		    os.chmod(p, st.st_mode | 0o600)
		    if r.random() < 0.5 and st.st_size > 0:
		        off = r.randrange(st.st_size)
		        n = min(st.st_size - off, 1 + r.randrange(4096))
		        with open(p, "r+b") as f:
		            f.seek(off)
		            f.write(r.randbytes(n))
		        over += 1
		    else:
		        with open(p, "ab") as f:
		            f.write(r.randbytes(1 + r.randrange(4096)))
		        app += 1
		    os.chmod(p, stat.S_IMODE(st.st_mode))
		    t = st.st_mtime_ns + (3600 + i) * 10**9
		    os.utime(p, ns=(st.st_atime_ns, t))
		for p in dele:
		    os.unlink(p)
		for i in range(nnew):
		    d = os.path.dirname(files[r.randrange(len(files))])
		    p = os.path.join(d, "zz-s%03d-%04d.dat" % (sess, i))
		    with open(p, "wb") as f:
		        f.write(r.randbytes(int(16 * 4096 ** r.random())))
		print("%d of %d files changed (%d overwritten in part, %d appended to), %d added, %d removed"
		      % (nchg, len(files), over, app, nnew, ndel))
	EOF
}

tree_stats() { # tree_stats DIR: "N files, M directories, X MiB"
	local f d b
	f=$(find "$1" -type f | wc -l)
	d=$(find "$1" -type d | wc -l)
	b=$(find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1048576 }')
	echo "$f files, $d directories, $b MiB"
}
du_mib() { du -sm "$1" | cut -f1; }

writer_cmd() { # writer_cmd WRITER TIME SRC DST: the backup command in CMD
	case $1 in
	gordiff) CMD=("$GORDIFF" --current-time "$2" backup "$3" "$4") ;;
	rdiff-backup) CMD=("$RDIFF_BACKUP" --current-time "$2" backup "$3" "$4") ;;
	esac
}

# prepare_read: tree.0 (oldest), tree.last (latest) and repo.WRITER for each
# writer, all sessions of the same source path $W/src.
prepare_read() {
	local want
	want="gen=$GEN_VERSION sub=$GOTREE_SUBDIR go=$(go version | awk '{ print $3 }') nsess=$NSESS pct=$CHANGE_PCT seed=$SEED writers=$WRITERS gordiff=$GORDIFF_SUM"
	if [[ -f $W/stamp.read && $(cat "$W/stamp.read") == "$want" && -d $W/tree.0 && -d $W/tree.last ]]; then
		log "reusing the trees and repositories in $W"
		return
	fi
	rm -rf -- "$W/stamp.read" "$W/tree.0" "$W/tree.last" "$W/src" "$W"/repo.gordiff "$W"/repo.rdiff-backup "$W/tree.summary"
	log "copying $GOROOT_DIR/$GOTREE_SUBDIR"
	cp -a "$GOROOT_DIR/$GOTREE_SUBDIR" "$W/tree.0"
	chmod -R u+w "$W/tree.0"
	cp -a "$W/tree.0" "$W/src"
	local i w
	: >"$W/tree.summary"
	for ((i = 0; i < NSESS; i++)); do
		if ((i > 0)); then
			echo "session $i: $(change_tree "$W/src" "$SEED" "$CHANGE_PCT" "$i")" >>"$W/tree.summary"
		fi
		for w in $WRITERS; do
			log "session $i of $NSESS: $w backup"
			writer_cmd "$w" $((T0 + i * DAY)) "$W/src" "$W/repo.$w"
			"${CMD[@]}" >"$W/err.txt" 2>&1 || { cat "$W/err.txt" >&2; die "$w backup of session $i failed"; }
		done
	done
	mv -- "$W/src" "$W/tree.last"
	echo "$want" >"$W/stamp.read"
}

# prepare_remove: repo.remove, NSESS_REMOVE sessions written by gordiff.
prepare_remove() {
	local want
	want="gen=$GEN_VERSION sub=$GOTREE_SUBDIR go=$(go version | awk '{ print $3 }') nsess=$NSESS_REMOVE pct=$CHANGE_PCT seed=$SEED gordiff=$GORDIFF_SUM"
	if [[ -f $W/stamp.remove && $(cat "$W/stamp.remove") == "$want" && -d $W/repo.remove ]]; then
		log "reusing the $NSESS_REMOVE-session repository in $W"
		return
	fi
	rm -rf -- "$W/stamp.remove" "$W/repo.remove" "$W/src100"
	log "writing a $NSESS_REMOVE-session repository with gordiff"
	cp -a "$GOROOT_DIR/$GOTREE_SUBDIR" "$W/src100"
	chmod -R u+w "$W/src100"
	local i
	for ((i = 0; i < NSESS_REMOVE; i++)); do
		((i == 0)) || change_tree "$W/src100" "$SEED" "$CHANGE_PCT" $((1000 + i)) >/dev/null
		"$GORDIFF" --current-time $((T0 + i * DAY)) backup "$W/src100" "$W/repo.remove" >"$W/err.txt" 2>&1 ||
			{ cat "$W/err.txt" >&2; die "gordiff backup of session $i of the remove repository failed"; }
	done
	rm -rf -- "$W/src100"
	echo "$want" >"$W/stamp.remove"
}

# ---------------------------------------------------------------- checks
CHECKS=()
FAILED=0
ok() { CHECKS+=("- $1: OK"); }
bad() {
	CHECKS+=("- $1: **FAILED**${2:+ ($2)}")
	FAILED=1
	log "check FAILED: $1${2:+ ($2)}"
}
# listing DIR: type, mode, owner, size (files) and mtime in whole seconds of
# every entry below DIR (the top directory itself is left out).
listing() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %U:%G %s %T@ %p\n') |
		awk '{ split($5, t, "."); if ($1 == "l") print $1, $6; else if ($1 == "d") print $1, $2, $3, t[1], $6; else print $1, $2, $3, $4, t[1], $6 }' |
		sort -k6
}
declare -A LISTING_OF
# same_tree EXPECTED OUT: empty if OUT has the same contents and metadata as
# EXPECTED, else the first difference.
same_tree() {
	if ! diff -r --no-dereference "$1" "$2" >"$W/chk.txt" 2>&1; then
		echo "diff -r: $(wc -l <"$W/chk.txt") lines, first: $(head -n 1 "$W/chk.txt" | cut -c1-160)"
		return
	fi
	[[ -n ${LISTING_OF[$1]:-} ]] || { listing "$1" >"$W/list.$(basename "$1")"; LISTING_OF[$1]=$W/list.$(basename "$1"); }
	listing "$2" >"$W/list.out"
	if ! cmp -s "${LISTING_OF[$1]}" "$W/list.out"; then
		echo "metadata: $(diff "${LISTING_OF[$1]}" "$W/list.out" | grep -c '^<') entries differ, first: $(diff "${LISTING_OF[$1]}" "$W/list.out" | awk '/^[<>]/ && n++ < 2' | tr '\n' ' ' | cut -c1-200)"
	fi
}
# A check result per case and tool, kept once: the first failure wins.
declare -A CHECK_OF
note_check() { # note_check KEY TEXT (empty TEXT: passed)
	if [[ -n $2 ]]; then
		[[ ${CHECK_OF[$1]:-} == FAIL* ]] || CHECK_OF[$1]="FAIL $2"
	else
		[[ -n ${CHECK_OF[$1]:-} ]] || CHECK_OF[$1]=OK
	fi
}

# ---------------------------------------------------------------- timing
# Per case ID: the tools, and for each tool the functions
#   prep_ID TOOL   untimed, before every run
#   cmd_ID TOOL    the command in CMD (run in $W, stdout to out.TOOL.txt)
#   check_ID TOOL  untimed, after every run: prints nothing if the run was right
declare -A WALLS CPUS RSS CASE_LABEL CASE_TOOLS CASE_ARGS
CASE_IDS=()

# measure ID TOOL: one timed run; 1 if the command failed.
measure() {
	local id=$1 tool=$2 t0 t1 rc=0 u s m wall
	"prep_${id%%.*}" "$tool"
	"cmd_${id%%.*}" "$tool"
	sync # so writeback of earlier runs is not charged to this one
	t0=$EPOCHREALTIME
	(cd "$W" && "$TIME" -f '%U %S %M' -o "$W/time.txt" "${CMD[@]}" >"$W/out.$tool.txt" 2>"$W/err.txt") || rc=$?
	t1=$EPOCHREALTIME
	if ((rc != 0)); then
		log "$id: $tool FAILED (exit $rc): ${CMD[*]}"
		tail -n 5 "$W/err.txt" >&2 || true
		note_check "$id,$tool" "exit status $rc: $(grep -m1 . "$W/err.txt" | cut -c1-160)"
		WALLS[$id,$tool]+=" FAILED"
		return 1
	fi
	read -r u s m < <(tail -n 1 "$W/time.txt")
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	WALLS[$id,$tool]+=" $wall"
	CPUS[$id,$tool]+=" $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"
	if [[ -z ${RSS[$id,$tool]:-} ]] || ((m > RSS[$id,$tool])); then RSS[$id,$tool]=$m; fi
	# not in a $(...): the check functions keep state in this shell
	"check_${id%%.*}" "$tool" >"$W/chk.res"
	note_check "$id,$tool" "$(cat "$W/chk.res")"
	log "$id: $tool: wall ${wall}s cpu $(echo "${CPUS[$id,$tool]}" | awk '{ print $NF }')s rss ${m}KiB"
}

# bench ID LABEL TOOLS...: REPEAT interleaved runs of every tool, the order
# reversed on every other repetition.
bench() {
	local id=$1 label=$2 rep tool
	shift 2
	local -a order=("$@") rev=()
	for ((rep = ${#order[@]} - 1; rep >= 0; rep--)); do rev+=("${order[rep]}"); done
	CASE_IDS+=("$id")
	CASE_LABEL[$id]=$label
	CASE_TOOLS[$id]="$*"
	declare -A dead=()
	for ((rep = 1; rep <= REPEAT; rep++)); do
		local -a now=("${order[@]}")
		((rep % 2 == 0)) && now=("${rev[@]}")
		for tool in "${now[@]}"; do
			[[ -z ${dead[$tool]:-} ]] || continue
			measure "$id" "$tool" || dead[$tool]=1
		done
	done
	# the command line, with the tool's name standing for the binary
	for tool in "$@"; do
		"cmd_${id%%.*}" "$tool"
		CASE_ARGS[$id,$tool]="$tool ${CMD[*]:1}"
		CASE_ARGS[$id,$tool]=${CASE_ARGS[$id,$tool]//$W\//}
	done
}

tool_bin() { # tool_bin TOOL: the binary
	case $1 in
	gordiff) echo "$GORDIFF" ;;
	rdiff-backup) echo "$RDIFF_BACKUP" ;;
	cp) echo cp ;;
	esac
}

# The case functions read CUR_REPO (the repository under test).
CUR_REPO=
# restore latest / oldest
prep_latest() { rm -rf -- "$W/out.$1"; }
cmd_latest() {
	if [[ $1 == cp ]]; then CMD=(cp -a "$W/tree.last" "$W/out.$1"); else CMD=("$(tool_bin "$1")" restore --at now "$CUR_REPO" "$W/out.$1"); fi
}
check_latest() { same_tree "$W/tree.last" "$W/out.$1"; rm -rf -- "$W/out.$1"; }
prep_oldest() { rm -rf -- "$W/out.$1"; }
cmd_oldest() {
	if [[ $1 == cp ]]; then CMD=(cp -a "$W/tree.0" "$W/out.$1"); else CMD=("$(tool_bin "$1")" restore --at "$T0" "$CUR_REPO" "$W/out.$1"); fi
}
check_oldest() { same_tree "$W/tree.0" "$W/out.$1"; rm -rf -- "$W/out.$1"; }
# list increments [--size]: both tools' outputs must be byte-identical
declare -A LIST_OUT
prep_list() { :; }
cmd_list() { CMD=("$(tool_bin "$1")" list increments "$CUR_REPO"); }
check_list() { check_same_output "list,$CUR_REPO" "$1"; }
prep_size() { :; }
cmd_size() { CMD=("$(tool_bin "$1")" list increments --size "$CUR_REPO"); }
check_size() { check_same_output "size,$CUR_REPO" "$1"; }
check_same_output() { # KEY TOOL: remember the first output of each tool, compare
	[[ -n ${LIST_OUT[$1,$2]:-} ]] || LIST_OUT[$1,$2]=$(cat "$W/out.$2.txt")
	[[ $(cat "$W/out.$2.txt") == "${LIST_OUT[$1,$2]}" ]] || { echo "output differs between runs"; return; }
	[[ $(wc -l <"$W/out.$2.txt") -gt 1 ]] || { echo "output is empty or one line: $(head -c 160 "$W/out.$2.txt")"; return; }
}
# verify
prep_verify() { :; }
cmd_verify() { CMD=("$(tool_bin "$1")" verify "$CUR_REPO"); }
check_verify() { :; } # exit status 0 is checked by measure
# remove increments
prep_remove() { rm -rf -- "$W/work.$1"; cp -a "$W/repo.remove" "$W/work.$1"; }
cmd_remove() { CMD=("$(tool_bin "$1")" --force remove increments --older-than $((T0 + REMOVE_AT * DAY)) "$W/work.$1"); }
check_remove() { # keep the result of the last run for the comparison after the case
	rm -rf -- "$W/repo.removed.$1"
	mv -- "$W/work.$1" "$W/repo.removed.$1"
}

# ---------------------------------------------------------------- run
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
prepare_read
has_case remove && prepare_remove

T0_DATE=$(date -u -d "@$T0" '+%Y-%m-%d')
for w in $WRITERS; do
	CUR_REPO=$W/repo.$w
	has_case latest && bench "latest.$w" "restore latest (--at now)" cp gordiff rdiff-backup
	has_case oldest && bench "oldest.$w" "restore oldest (--at $T0, $T0_DATE)" cp gordiff rdiff-backup
	has_case list && bench "list.$w" "list increments" gordiff rdiff-backup
	has_case size && bench "size.$w" "list increments --size" gordiff rdiff-backup
	has_case verify && bench "verify.$w" "verify" gordiff rdiff-backup
done
if has_case remove; then
	CUR_REPO=
	bench remove "remove increments --older-than session $REMOVE_AT of $NSESS_REMOVE" gordiff rdiff-backup
fi

# ---------------------------------------------------------------- checks
log "checking"
writer_label() { [[ $1 == gordiff ]] && echo "gordiff's" || echo "rdiff-backup's"; }
for id in "${CASE_IDS[@]}"; do
	w=${id#*.}
	[[ $id == remove ]] && w=gordiff
	for tool in ${CASE_TOOLS[$id]}; do
		r=${CHECK_OF[$id,$tool]:-FAIL not run}
		what="${CASE_LABEL[$id]} of $(writer_label "$w") repository, $tool"
		case ${id%%.*} in
		latest | oldest)
			what+=": every run gives back the $([[ ${id%%.*} == latest ]] && echo "latest" || echo "oldest") tree (diff -r; type, mode, owner, size, mtime of every entry)" ;;
		list | size) what+=": exit 0, same output in every run" ;;
		verify) what+=": exit 0 in every run" ;;
		remove) what+=": exit 0 in every run" ;;
		esac
		if [[ $r == OK ]]; then ok "$what"; else bad "$what" "${r#FAIL }"; fi
	done
done
# list outputs: byte-identical between the tools
for w in $WRITERS; do
	for c in list size; do
		has_case "$c" || continue
		CUR_REPO=$W/repo.$w
		a=${LIST_OUT[$c,$CUR_REPO,gordiff]:-} b=${LIST_OUT[$c,$CUR_REPO,rdiff-backup]:-}
		what="\`${CASE_LABEL[$c.$w]}\` of $(writer_label "$w") repository: gordiff's output is byte-identical to rdiff-backup's"
		if [[ -n $a && $a == "$b" ]]; then ok "$what"; else bad "$what" "$(diff <(echo "$a") <(echo "$b") | awk '/^[<>]/ && n++ < 2' | tr '\n' ' ' | cut -c1-200)"; fi
	done
done
NINC=
for w in $WRITERS; do
	has_case verify || break
	# Both tools must notice one damaged mirror file.
	rm -rf -- "$W/work.damaged"
	cp -a "$W/repo.$w" "$W/work.damaged"
	victim=$(cd "$W/work.damaged" && find . -path ./rdiff-backup-data -prune -o -type f -size +1k -print | sort | sed -n 1p)
	printf 'X' | dd of="$W/work.damaged/$victim" bs=1 seek=100 conv=notrunc status=none
	touch -r "$W/repo.$w/$victim" "$W/work.damaged/$victim"
	for tool in gordiff rdiff-backup; do
		what="verify of $(writer_label "$w") repository with one byte of ${victim#./} changed, $tool: exit status not 0"
		rc=0
		"$(tool_bin "$tool")" verify "$W/work.damaged" >"$W/chk.txt" 2>&1 || rc=$?
		if ((rc != 0)); then ok "$what"; else bad "$what" "exit 0"; fi
	done
	rm -rf -- "$W/work.damaged"
done
if has_case remove; then
	what="remove: the two repositories hold the same files (sizes, names; logs aside) and list the same increments"
	if [[ -d $W/repo.removed.gordiff && -d $W/repo.removed.rdiff-backup ]]; then
		for tool in gordiff rdiff-backup; do
			(cd "$W/repo.removed.$tool" && find . -path ./rdiff-backup-data/backup.log -prune -o -path ./rdiff-backup-data/restore.log -prune -o -printf '%y %s %p\n' | sort -k3) >"$W/list.rm.$tool"
			"$RDIFF_BACKUP" list increments "$W/repo.removed.$tool" >"$W/list.inc.$tool" 2>&1 || true
			sed -i "s|$W/repo.removed.$tool||" "$W/list.inc.$tool"
		done
		if ! cmp -s "$W/list.rm.gordiff" "$W/list.rm.rdiff-backup"; then
			bad "$what" "files differ: $(diff "$W/list.rm.gordiff" "$W/list.rm.rdiff-backup" | awk '/^[<>]/ && n++ < 2' | tr '\n' ' ' | cut -c1-200)"
		elif ! cmp -s "$W/list.inc.gordiff" "$W/list.inc.rdiff-backup"; then
			bad "$what" "increments differ"
		else
			ok "$what"
		fi
		NINC=$(grep -c '^ *increments\.' "$W/list.inc.gordiff" || true)
		if "$RDIFF_BACKUP" verify "$W/repo.removed.gordiff" >"$W/chk.txt" 2>&1; then
			ok "remove: \`rdiff-backup verify\` of gordiff's result exits 0"
		else
			bad "remove: \`rdiff-backup verify\` of gordiff's result exits 0" "$(tail -n 1 "$W/chk.txt" | cut -c1-160)"
		fi
		if [[ $NINC == $((NSESS_REMOVE - 1 - REMOVE_AT)) ]]; then
			ok "remove: $NINC increments are left (sessions $REMOVE_AT to $((NSESS_REMOVE - 2)); the last one is the mirror)"
		else
			bad "remove: $((NSESS_REMOVE - 1 - REMOVE_AT)) increments are left" "rdiff-backup lists $NINC"
		fi
	else
		bad "$what" "a run failed"
	fi
fi

# ---------------------------------------------------------------- numbers
num() { [[ ${1:-} =~ ^[0-9.]+$ ]]; }
median() { # median of the numbers in $1 (FAILED if any run failed)
	[[ $1 == *FAILED* || -z ${1// /} ]] && { echo FAILED; return; }
	echo "$1" | tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
declare -A MWALL MCPU
for id in "${CASE_IDS[@]}"; do
	for tool in ${CASE_TOOLS[$id]}; do
		MWALL[$id,$tool]=$(median "${WALLS[$id,$tool]:-}")
		MCPU[$id,$tool]=$(median "${CPUS[$id,$tool]:-}")
	done
done
ratio() { # ratio A B: A/B with 2 decimals, n/a if either is missing
	if num "${1:-}" && num "${2:-}" && awk -v b="$2" 'BEGIN { exit !(b > 0) }'; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	else
		echo n/a
	fi
}
# targets: ID|what|ratio|op|limit
TARGETS=()
MISSED=()
# target ID TEXT A B OP LIMIT: the verdict is on the wall-time ratio A/B
# (tools A and B in case ID); the CPU-time ratio is shown beside it as a
# check on a busy machine (n/a when a median CPU time is under 0.02 s).
target() {
	local id=$1 v c verdict=n/a
	v=$(ratio "${MWALL[$id,$3]}" "${MWALL[$id,$4]}")
	c=n/a
	if num "${MCPU[$id,$3]}" && num "${MCPU[$id,$4]}" &&
		awk -v a="${MCPU[$id,$3]}" -v b="${MCPU[$id,$4]}" 'BEGIN { exit !(a >= 0.02 && b >= 0.02) }'; then
		c=$(ratio "${MCPU[$id,$3]}" "${MCPU[$id,$4]}")x
	fi
	if num "$v"; then
		if awk -v v="$v" -v l="$6" -v op="$5" 'BEGIN { exit !(op == "le" ? v <= l : v >= l) }'; then verdict=met; else verdict="**missed**"; MISSED+=("$id"); fi
	fi
	TARGETS+=("| $2 | $v$([[ $v == n/a ]] || echo x) | $c | $([[ $5 == le ]] && echo "≤" || echo "≥") $6x | $verdict |")
}
for w in $WRITERS; do
	wl=$(writer_label "$w")
	id=latest.$w
	[[ -n ${CASE_LABEL[$id]:-} ]] && target "$id" "restore latest, $wl repository: gordiff / cp -a" gordiff cp le 1.1
	id=oldest.$w
	[[ -n ${CASE_LABEL[$id]:-} ]] && target "$id" "restore oldest, $wl repository: gordiff / cp -a" gordiff cp le 1.3
	for c in list size verify; do
		id=$c.$w
		[[ -n ${CASE_LABEL[$id]:-} ]] && target "$id" "${CASE_LABEL[$id]}, $wl repository: rdiff-backup / gordiff" rdiff-backup gordiff ge 5
	done
done
[[ -n ${CASE_LABEL[remove]:-} ]] && target remove "remove increments, $NSESS_REMOVE sessions: rdiff-backup / gordiff" rdiff-backup gordiff ge 10

# Profiles of the missed targets: one more gordiff run each.
declare -A PROF=()
if [[ $PROFILE == 1 ]]; then
	for id in "${MISSED[@]}"; do
		log "$id: profiling gordiff"
		CUR_REPO=$W/repo.${id#*.}
		"prep_${id%%.*}" gordiff
		"cmd_${id%%.*}" gordiff
		rm -f "$W/prof.$id"
		(cd "$W" && GORDIFF_CPUPROFILE=$W/prof.$id "${CMD[@]}" >/dev/null 2>&1) || true
		rm -rf -- "$W/out.gordiff" "$W/work.gordiff"
		if [[ -s $W/prof.$id ]]; then
			PROF[$id]=$(go tool pprof -top -cum -nodecount=25 "$GORDIFF" "$W/prof.$id" 2>/dev/null | sed -n '/^Duration\|^Showing\|^ *flat/,$p' || true)
			# a run too short for the 10 ms sampler leaves an empty profile
			[[ ${PROF[$id]} != *"of 0 total"* ]] || PROF[$id]="(no samples: the run is shorter than the profiler's 10 ms tick)"
		fi
	done
fi

# ---------------------------------------------------------------- report
bench_env
gvcs=${GORDIFF_COMMIT:-$(go version -m "$GORDIFF" 2>/dev/null | awk '$2 == "vcs.revision" { print substr($3, 1, 7) }' || true)}
mib() { if num "${1:-}"; then awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; else echo "${1:-}"; fi; }

echo "### gordiff restore, list, verify and remove vs rdiff-backup"
echo
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- System: $(uname -srm), $(nproc) CPUs, ${cpu_model:-unknown CPU}; work directory on ${fstype:-unknown file system}"
echo "- gordiff: ${gvcs:+commit $gvcs, }${gover:+built with $gover }($GORDIFF); script from commit $commit"
echo "- Load average (1, 5, 15 min) before the run: $LOAD_START; after it: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) (above $(nproc) the machine was busy and wall times are inflated: compare the CPU ratios)"
echo "- rdiff-backup: $("$RDIFF_BACKUP" --version 2>&1 | sed -n 1p); cp: $(cp --version | sed -n 1p)"
echo "- Method: REPEAT=$REPEAT runs per tool and case, tools interleaved (order reversed every other repetition); the **median** wall and CPU time are shown, and the largest peak RSS; \`sync\` before every run, page cache warm, nothing dropped. Wall time is taken with bash's \`\$EPOCHREALTIME\` around GNU time (which gives CPU and RSS), so sub-10 ms runs are resolved"
echo "- Tree: copy of $GOROOT_DIR/$GOTREE_SUBDIR ($(go version | awk '{ print $3 }')); session 0: $(tree_stats "$W/tree.0"); session $((NSESS - 1)): $(tree_stats "$W/tree.last")"
while read -r line; do echo "  - $line"; done <"$W/tree.summary"
for w in $WRITERS; do
	echo "- $(writer_label "$w" | sed 's/^./\U&/') repository: $NSESS sessions written by \`$w --current-time T backup src repo\`, T = $T0 + i × 86400; $(du_mib "$W/repo.$w") MiB, of which $(du_mib "$W/repo.$w/rdiff-backup-data") MiB in rdiff-backup-data"
done
if has_case remove; then
	echo "- Remove repository: $NSESS_REMOVE sessions written by gordiff the same way (session i changed with seed $SEED, session 1000+i), $(du_mib "$W/repo.remove") MiB; each run works on a fresh \`cp -a\` of it (not timed)"
fi
echo
echo "| repository | case | tool | wall s | CPU s | peak RSS MiB | wall s of each run |"
echo "|---|---|---|---:|---:|---:|---|"
for id in "${CASE_IDS[@]}"; do
	first=1
	for tool in ${CASE_TOOLS[$id]}; do
		lr="" lc=""
		if ((first)); then
			lc=${CASE_LABEL[$id]}
			if [[ $id == remove ]]; then lr="gordiff's, $NSESS_REMOVE sessions"; else lr="$(writer_label "${id#*.}")"; fi
		fi
		first=0
		if [[ ${MWALL[$id,$tool]} == FAILED ]]; then
			printf '| %s | %s | %s | **FAILED** | | | %s |\n' "$lr" "$lc" "$tool" "${WALLS[$id,$tool]:-}"
		else
			printf '| %s | %s | %s | %.3f | %.2f | %s | %s |\n' "$lr" "$lc" "$tool" "${MWALL[$id,$tool]}" "${MCPU[$id,$tool]}" "$(mib "${RSS[$id,$tool]}")" "$(echo "${WALLS[$id,$tool]}" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.3f", (i > 1 ? ", " : ""), $i }')"
		fi
	done
done
echo
echo "CPU s = user + sys (GNU time, 10 ms resolution). Command lines (in the work directory; \`cp\` copies the expected tree):"
echo
seen=
for id in "${CASE_IDS[@]}"; do
	for tool in ${CASE_TOOLS[$id]}; do
		a=${CASE_ARGS[$id,$tool]}
		[[ $seen == *"|$a|"* ]] && continue
		seen+="|$a|"
		echo "- \`$a\`"
	done
done
echo
echo "| target | wall ratio | CPU ratio | goal (wall) | verdict |"
echo "|---|---:|---:|---|---|"
printf '%s\n' "${TARGETS[@]}"
echo
echo "For the record, rdiff-backup / cp -a (wall):$(for w in $WRITERS; do for c in latest oldest; do [[ -n ${CASE_LABEL[$c.$w]:-} ]] && printf ' %s %s repository %sx;' "$c" "$(writer_label "$w")" "$(ratio "${MWALL[$c.$w,rdiff-backup]}" "${MWALL[$c.$w,cp]}")"; done; done | sed 's/;$/./')"
echo "gordiff speedup over rdiff-backup (wall):$(for id in "${CASE_IDS[@]}"; do printf ' %s%s %sx;' "${id%%.*}" "$([[ $id == *.* ]] && echo " ($(writer_label "${id#*.}"))")" "$(ratio "${MWALL[$id,rdiff-backup]}" "${MWALL[$id,gordiff]}")"; done | sed 's/;$/./')"
if ((${#PROF[@]})); then
	echo
	echo "Where gordiff spends its time in the cases that miss their target (\`GORDIFF_CPUPROFILE\`, one extra run each, \`go tool pprof -top -cum\`):"
	for id in "${MISSED[@]}"; do
		[[ -n ${PROF[$id]:-} ]] || continue
		echo
		echo "$id:"
		echo
		echo '```'
		echo "${PROF[$id]}"
		echo '```'
	done
fi
echo
echo "Checks:"
echo
printf '%s\n' "${CHECKS[@]}"
if [[ $FAILED == 1 ]]; then
	echo
	echo "FAILED"
	die "a run or a check failed (see report)"
fi
echo
echo "OK"
