#!/usr/bin/env bash
# bench/pgo.sh: remake cmd/gordiff/default.pgo, the CPU profile `go build`
# uses for profile-guided optimisation of the gordiff binary.
#
#   bench/pgo.sh                  # writes cmd/gordiff/default.pgo
#   OUT=/tmp/p.pgo bench/pgo.sh   # writes elsewhere
#
# The profile is the merge of CPU profiles (GORDIFF_CPUPROFILE) of the work a
# sysadmin's schedule gives gordiff, weighted roughly as it comes: one
# initial backup of a generated tree, then mostly nightly sessions that find
# little or nothing changed, a few restores, verifies and listings, and the
# rsync engine (rdiff signature, delta, patch). The tree is bench/backup.sh's
# seeded generator (NFILES files, default 20000), made by running that script
# for gordiff alone with KEEP=1.
#
# The binary profiled is built without a profile (-pgo=off), so the profile
# does not feed on itself. Remake the profile when the hot code moves a lot;
# a stale one costs nothing but the gain (Go matches it by function name).
#
# Environment (all optional):
#   NFILES      files in the generated tree                 (20000)
#   NOCHANGE    no-change sessions profiled                 (30)
#   BENCH_DIR   work directory (default: mktemp -d under /var/tmp)
#   OUT         the profile written              (cmd/gordiff/default.pgo)
set -euo pipefail
export LC_ALL=C

NFILES=${NFILES:-20000}
NOCHANGE=${NOCHANGE:-30}
KEEP=${KEEP:-0}
BENCH_NAME=pgo.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OUT=${OUT:-$REPO/cmd/gordiff/default.pgo}
posint NFILES "$NFILES"
posint NOCHANGE "$NOCHANGE"

bench_workdir pgo
OUR_FILES=(gordiff gordiff-nopgo 'gen-*' 'dst.*' 'err.txt' 'out.txt' 'time.txt' profiles repo restored rdiff)
trap bench_cleanup EXIT

log "building gordiff without a profile"
(cd "$REPO" && CGO_ENABLED=0 go build -pgo=off -o "$W/gordiff-nopgo" ./cmd/gordiff) || die "go build failed"
G=$W/gordiff-nopgo

log "making the generated tree ($NFILES files) with bench/backup.sh"
KEEP=1 TREES=gen TOOLS=gordiff NFILES=$NFILES BENCH_DIR=$W GORDIFF=$G \
	"$REPO/bench/backup.sh" >/dev/null || die "bench/backup.sh failed"
P=$W/gen-$NFILES.pristine
C=$W/gen-$NFILES.changed
[[ -d $P && -d $C ]] || die "bench/backup.sh left no trees in $W"

rm -rf "$W/profiles" "$W/repo" "$W/restored" "$W/rdiff"
mkdir -p "$W/profiles" "$W/rdiff"
n=0
# prof CMD...: run one gordiff command under the CPU profiler.
prof() {
	n=$((n + 1))
	GORDIFF_CPUPROFILE=$W/profiles/$n.pprof "$G" "$@" >/dev/null 2>>"$W/err.txt" ||
		die "gordiff $* failed: $(tail -3 "$W/err.txt")"
}
# session TREE: one backup session, in a second of its own.
session() {
	sleep 1.05
	prof backup "$1" "$W/repo"
}

log "profiling an initial backup, $NOCHANGE no-change and 6 changed sessions"
prof backup "$P" "$W/repo"
for ((i = 0; i < NOCHANGE; i++)); do session "$P"; done
for i in 1 2 3; do
	session "$C"
	session "$P"
done
log "profiling restores, verify, listings and compare"
prof restore "$W/repo" "$W/restored"
rm -rf "$W/restored"
prof restore --at 3B "$W/repo" "$W/restored"
rm -rf "$W/restored"
prof verify "$W/repo"
prof compare "$P" "$W/repo"
for i in 1 2 3; do
	prof list increments "$W/repo"
	prof list files "$W/repo"
done
log "profiling the rsync engine on 64 MiB"
head -c $((64 << 20)) /dev/urandom >"$W/rdiff/old"
{ head -c $((32 << 20)) "$W/rdiff/old"; head -c 4096 /dev/urandom; tail -c +$(((32 << 20) + 1)) "$W/rdiff/old"; } >"$W/rdiff/new"
prof rdiff signature "$W/rdiff/old" "$W/rdiff/sig"
prof rdiff delta "$W/rdiff/sig" "$W/rdiff/new" "$W/rdiff/delta"
prof rdiff patch "$W/rdiff/old" "$W/rdiff/delta" "$W/rdiff/out"
cmp -s "$W/rdiff/new" "$W/rdiff/out" || die "rdiff patch did not rebuild the file"

go tool pprof -proto "$W"/profiles/*.pprof >"$OUT.tmp" 2>/dev/null || die "merging the profiles failed"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT ($n profiles, $(wc -c <"$OUT") bytes)"
