#!/usr/bin/env bash
# bench/ab.sh: compare gordiff builds on the no-change backup, the run whose
# cost is all CPU: each binary backs SRC up once into a repository of its
# own, then the binaries take turns (N rounds) backing the unchanged tree up
# again, each run under `perf stat`. Alternating keeps a noisy machine's
# drift out of the comparison, and each round starts with the next binary,
# because the first run after the pause between rounds is the slowest
# (by 15 % on this machine, a 2-vCPU VM): give N a multiple of the number
# of binaries. Prints every run, then each
# binary's means.
#
#   git stash; go build -o /tmp/old ./cmd/gordiff; git stash pop
#   go build -o /tmp/new ./cmd/gordiff
#   SRC=/dev/shm/tree N=12 bench/ab.sh /tmp/old /tmp/new
#
# A tree to use: KEEP=1 TREES=gen TOOLS=gordiff BENCH_DIR=/dev/shm/b
# bench/backup.sh leaves /dev/shm/b/gen-50000.pristine.
#
# Environment:
#   SRC        the tree backed up (required)
#   N          rounds                                            (8)
#   BENCH_DIR  where the repositories go (default: mktemp -d under /var/tmp)
set -euo pipefail
export LC_ALL=C

N=${N:-8}
KEEP=${KEEP:-0}
BENCH_NAME=ab.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -n ${SRC:-} && -d $SRC ]] || die "SRC must name the tree to back up"
posint N "$N"
(($# > 0)) || die "usage: SRC=TREE bench/ab.sh BINARY..."
command -v perf >/dev/null || die "perf is required (apt-get install linux-perf)"

bench_workdir ab
OUR_FILES=('repo.*' 'stat.*')
trap bench_cleanup EXIT

bins=()
for b in "$@"; do
	[[ -x $b ]] || die "$b is not executable"
	bins+=("$(cd "$(dirname "$b")" && pwd)/$(basename "$b")")
done
for i in "${!bins[@]}"; do
	rm -rf "$W/repo.$i"
	"${bins[$i]}" backup "$SRC" "$W/repo.$i" >/dev/null 2>&1 || die "${bins[$i]}: first backup failed"
done
sleep 1.1 # a session per second
declare -A cpu wall faults
for ((r = 1; r <= N; r++)); do
	order=() # each round starts with the next binary: the first run after the pause is slower
	for ((j = 0; j < ${#bins[@]}; j++)); do order+=($(((r + j) % ${#bins[@]}))); done
	for i in "${order[@]}"; do
		# Each measured run comes after the same warm-up: a walk of the
		# tree (caches and a busy CPU) and the binary's own start.
		find "$SRC" -printf '' && "${bins[$i]}" --version >/dev/null
		perf stat -x, -e task-clock,page-faults -o "$W/stat.$i" \
			"${bins[$i]}" backup "$SRC" "$W/repo.$i" >/dev/null 2>&1 ||
			die "${bins[$i]}: no-change backup failed"
		read -r c w f < <(awk -F, '/task-clock/ { c = $1; u = $6 } /page-faults/ { f = $1 }
			END { printf "%.1f %.1f %d\n", c, c / u, f }' "$W/stat.$i")
		echo "round $r ${bins[$i]}: cpu ${c} ms, wall ${w} ms, page faults $f"
		cpu[$i]=$(echo "${cpu[$i]:-0} + $c" | bc)
		wall[$i]=$(echo "${wall[$i]:-0} + $w" | bc)
		faults[$i]=$((${faults[$i]:-0} + f))
	done
	sleep 1.1
done
for i in "${!bins[@]}"; do
	printf '%s: mean of %d runs: cpu %.1f ms, wall %.1f ms, page faults %d\n' "${bins[$i]}" "$N" \
		"$(echo "${cpu[$i]} / $N" | bc -l)" "$(echo "${wall[$i]} / $N" | bc -l)" $((faults[$i] / N))
done
