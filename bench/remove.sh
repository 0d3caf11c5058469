#!/usr/bin/env bash
# bench/remove.sh: time `gordiff remove increments` against rdiff-backup 2.2
# on the same repository of many sessions, and print a Markdown report on
# stdout (progress on stderr).
#
#   bench/remove.sh > result.md                          # 100 sessions, ~100k increments
#   NFILES=100000 bench/remove.sh > result.md            # ~1M increment files
#   NFILES=2000 SESSIONS=10 bench/remove.sh              # quick plumbing check
#
# The repository is written by gordiff (SESSIONS backups with increasing
# --current-time) from a seeded tree of NFILES small files in NFILES/100
# directories; before each backup after the first, CHANGE_PCT % of the
# files (a fresh seeded sample each time) get a line appended, so every
# session leaves about NFILES*CHANGE_PCT/100 file increments plus the
# directory increments of their parents. Two copies of it (cp -a) are
# then pruned, one by each program, with the same
# `--force remove increments --older-than SPEC`; the copies are made just
# before, so both start with the same warm page cache. Afterwards the two
# results must hold the same files (logs aside), `rdiff-backup verify`
# must pass on gordiff's, and rdiff-backup must restore the oldest session
# left from gordiff's result as it does from its own (diff -r).
#
# Environment (all optional):
#   NFILES      files in the tree                                  (10000)
#   SESSIONS    backups                                            (100)
#   CHANGE_PCT  % of the files changed before each backup           (10)
#   SPEC        --older-than                                      (50B)
#   SEED        generator seed                                      (1)
#   BENCH_DIR   work directory (default: mktemp -d under /var/tmp)
#   KEEP=1      keep the work directory, and reuse its repository on the
#               next run with the same BENCH_DIR and parameters
#   GORDIFF     gordiff binary (default: CGO_ENABLED=0 go build ./cmd/gordiff)
#   RDIFF_BACKUP  reference rdiff-backup               (rdiff-backup in PATH)
set -euo pipefail

NFILES=${NFILES:-10000}
SESSIONS=${SESSIONS:-100}
CHANGE_PCT=${CHANGE_PCT:-10}
SPEC=${SPEC:-50B}
SEED=${SEED:-1}
KEEP=${KEEP:-0}
RDIFF_BACKUP=${RDIFF_BACKUP:-rdiff-backup}
TIME=/usr/bin/time
T0=1700000000

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { echo "remove.sh: FAIL: $*" >&2; exit 1; }
log() { echo "remove.sh: $*" >&2; }

[[ -x $TIME ]] || die "$TIME is needed (apt-get install time)"
command -v "$RDIFF_BACKUP" >/dev/null || die "$RDIFF_BACKUP not found"
command -v python3 >/dev/null || die "python3 is needed to generate the tree"

if [[ -z ${BENCH_DIR:-} ]]; then
	BENCH_DIR=$(mktemp -d /var/tmp/gordiff-remove.XXXXXX)
fi
mkdir -p "$BENCH_DIR"
if [[ $KEEP != 1 ]]; then
	trap 'rm -rf "$BENCH_DIR"' EXIT
fi
if [[ -z ${GORDIFF:-} ]]; then
	GORDIFF=$BENCH_DIR/gordiff
	(cd "$REPO" && CGO_ENABLED=0 go build -o "$GORDIFF" ./cmd/gordiff)
fi

# gen SESSION: make the tree (session 0) or change CHANGE_PCT % of it.
gen() {
	python3 - "$BENCH_DIR/src" "$NFILES" "$CHANGE_PCT" "$SEED" "$1" <<'EOF'
import os, random, sys
root, n, pct, seed, k = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ndirs = max(1, n // 100)
path = lambda i: os.path.join(root, "d%04d" % (i % ndirs), "f%07d" % i)
if k == 0:
    rnd = random.Random(seed)
    for d in range(ndirs):
        os.makedirs(os.path.join(root, "d%04d" % d), exist_ok=True)
    for i in range(n):
        with open(path(i), "w") as f:
            f.write("file %d %s\n" % (i, "x" * rnd.randrange(0, 200)))
else:
    rnd = random.Random(seed * 1000003 + k)
    for i in rnd.sample(range(n), int(n * pct / 100)):
        with open(path(i), "a") as f:
            f.write("session %d\n" % k)
EOF
}

stamp="$NFILES-$SESSIONS-$CHANGE_PCT-$SEED"
repo=$BENCH_DIR/repo
if [[ ! -f $BENCH_DIR/repo.done || $(cat "$BENCH_DIR/repo.done") != "$stamp" ]]; then
	rm -rf "$BENCH_DIR/src" "$repo" "$BENCH_DIR/repo.done"
	log "writing $SESSIONS sessions of $NFILES files with gordiff"
	for ((k = 0; k < SESSIONS; k++)); do
		gen "$k"
		"$GORDIFF" --current-time $((T0 + k * 3600)) backup "$BENCH_DIR/src" "$repo" >/dev/null
		((k % 10 == 9)) && log "  session $((k + 1))"
	done
	echo "$stamp" >"$BENCH_DIR/repo.done"
fi
incfiles=$(find "$repo/rdiff-backup-data" -type f | wc -l)
log "repository: $incfiles files in rdiff-backup-data"

# run TOOL: prune a fresh copy with TOOL; prints "wall cpu rss" on stdout.
run() {
	local tool=$1 copy=$BENCH_DIR/copy-$1 bin
	rm -rf "$copy"
	cp -a "$repo" "$copy"
	sync
	bin=$RDIFF_BACKUP
	[[ $tool == gordiff ]] && bin=$GORDIFF
	log "$tool --force remove increments --older-than $SPEC"
	$TIME -f '%e %U %S %M' -o "$BENCH_DIR/time-$tool" "$bin" --force remove increments --older-than "$SPEC" "$copy" >"$BENCH_DIR/out-$tool" 2>&1 ||
		die "$tool remove failed: $(cat "$BENCH_DIR/out-$tool")"
	read -r wall user sys rss <"$BENCH_DIR/time-$tool"
	echo "$wall $(echo "$user + $sys" | bc) $rss"
}
read -r rb_wall rb_cpu rb_rss < <(run rdiff-backup)
read -r gd_wall gd_cpu gd_rss < <(run gordiff)
left=$(find "$BENCH_DIR/copy-gordiff/rdiff-backup-data" -type f | wc -l)

log "checking"
status=OK
listing() { (cd "$1" && find . ! -name '*.log' | LC_ALL=C sort); }
if ! diff <(listing "$BENCH_DIR/copy-rdiff-backup") <(listing "$BENCH_DIR/copy-gordiff") >"$BENCH_DIR/files.diff"; then
	status="FAILED: the two results hold different files ($(wc -l <"$BENCH_DIR/files.diff") lines of diff)"
elif ! "$RDIFF_BACKUP" verify "$BENCH_DIR/copy-gordiff" >/dev/null 2>&1; then
	status="FAILED: rdiff-backup verify of gordiff's result"
else
	oldest=$("$RDIFF_BACKUP" --parsable-output list increments "$BENCH_DIR/copy-gordiff" | awk 'NR == 1 { print $1 }')
	rm -rf "$BENCH_DIR/r1" "$BENCH_DIR/r2"
	"$RDIFF_BACKUP" restore --at "$oldest" "$BENCH_DIR/copy-gordiff" "$BENCH_DIR/r1" >/dev/null 2>&1 || status="FAILED: restore from gordiff's result"
	"$RDIFF_BACKUP" restore --at "$oldest" "$BENCH_DIR/copy-rdiff-backup" "$BENCH_DIR/r2" >/dev/null 2>&1 || status="FAILED: restore from rdiff-backup's result"
	diff -r "$BENCH_DIR/r1" "$BENCH_DIR/r2" >/dev/null || status="FAILED: the restores at $oldest differ"
fi

cat <<EOF
### Run: remove increments, $SESSIONS sessions

- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- System: $(uname -sr) $(uname -m), $(nproc) CPUs
- rdiff-backup: $("$RDIFF_BACKUP" --version 2>&1)
- gordiff: commit $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown), $(go version | cut -d' ' -f3)
- Repository: $SESSIONS sessions written by gordiff, $NFILES files, $CHANGE_PCT % changed per session; $incfiles files in rdiff-backup-data
- Command: \`--force remove increments --older-than $SPEC\` on a fresh \`cp -a\` copy each; $left files left

| tool | wall s | CPU s | peak RSS KiB |
|---|---:|---:|---:|
| rdiff-backup | $rb_wall | $rb_cpu | $rb_rss |
| gordiff | $gd_wall | $gd_cpu | $gd_rss |

Speed-up (rdiff-backup / gordiff): wall $(echo "scale=1; $rb_wall / $gd_wall" | bc)×, CPU $(echo "scale=1; $rb_cpu / $gd_cpu" | bc)×.

Checks: $status
EOF
[[ $status == OK ]]
