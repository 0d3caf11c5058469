# bench/lib.sh: what the bench scripts share. Sourced, after setting
# BENCH_NAME (the script's name in messages) and KEEP:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It sets REPO and gives die, log and posint; bench_workdir, bench_cleanup
# and bench_gordiff do the work directory, its cleanup and the binary;
# bench_env sets what a report's header says of the machine and the build.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "$BENCH_NAME: FAIL: $*" >&2; exit 1; }
log() { echo "$BENCH_NAME: $*" >&2; }
posint() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer"; }

# bench_workdir PREFIX: W is BENCH_DIR (made if missing), or a new
# directory /var/tmp/PREFIX.XXXXXX that bench_cleanup removes (OWN_DIR=1).
bench_workdir() {
	OWN_DIR=0
	if [[ -n ${BENCH_DIR:-} ]]; then
		mkdir -p "$BENCH_DIR"
		W=$(cd "$BENCH_DIR" && pwd)
	else
		W=$(mktemp -d "/var/tmp/$1.XXXXXX")
		OWN_DIR=1
	fi
}

# bench_cleanup removes from W what matches the patterns of OUR_FILES
# (everything the script creates matches one, so that nothing else in a
# user-supplied BENCH_DIR is touched), then W if this run made it; with
# KEEP=1 it only says where W is.
bench_cleanup() {
	if [[ $KEEP == 1 ]]; then
		log "kept work directory $W"
		return
	fi
	local p
	for p in "${OUR_FILES[@]}"; do
		# shellcheck disable=SC2086 # the patterns are meant to glob
		rm -rf -- "$W"/$p
	done
	if [[ $OWN_DIR == 1 ]]; then rmdir -- "$W" 2>/dev/null || true; fi
}

# bench_gordiff makes GORDIFF an absolute path to an executable, building
# ./cmd/gordiff into W when it is not set (BUILT=1 then).
bench_gordiff() {
	BUILT=0
	if [[ -n ${GORDIFF:-} ]]; then
		[[ -x $GORDIFF ]] || die "GORDIFF=$GORDIFF is not executable"
		GORDIFF=$(cd "$(dirname "$GORDIFF")" && pwd)/$(basename "$GORDIFF")
		return
	fi
	command -v go >/dev/null || die "go not found; set GORDIFF to a built gordiff binary"
	log "building gordiff (CGO_ENABLED=0 go build -o $W/gordiff ./cmd/gordiff: static, as released)"
	(cd "$REPO" && CGO_ENABLED=0 go build -o "$W/gordiff" ./cmd/gordiff) || die "go build failed"
	GORDIFF=$W/gordiff
	BUILT=1
}

# bench_env sets cpu_model, commit (of the work tree), gover (of GORDIFF)
# and fstype (of W) for a report's header.
bench_env() {
	cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
	[[ -n $cpu_model ]] || cpu_model=$(awk -F': *' '/^(Hardware|cpu model|uarch)/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
	commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [[ $commit != unknown ]] && ! git -C "$REPO" diff-index --quiet HEAD -- 2>/dev/null; then
		commit="$commit (work tree has uncommitted changes)"
	fi
	gover=$(go version "$GORDIFF" 2>/dev/null | awk '{ print $NF }' || true)
	fstype=$(df -PT "$W" 2>/dev/null | awk 'NR == 2 { print $2 }')
}
