#!/usr/bin/env bash
# bench/rdiff.sh: time `gordiff rdiff` against librsync's `rdiff` on the same
# inputs, with the same arguments, in one run, and print a Markdown report
# (header + tables) on stdout that can be pasted into BENCHMARKS.md as is.
# Progress goes to stderr.
#
#   SIZE_MB=1024 bench/rdiff.sh > result.md
#
# Environment (all optional):
#   SIZE_MB      size of each input file in MiB                  (1024)
#   REPEAT       measured runs per tool and case; best CPU is kept (3)
#   REPEAT_SLOW  measured runs for the no-match delta case        (2)
#   BENCH_DIR    work directory (default: mktemp -d under /var/tmp)
#   KEEP=1       keep the work directory (and reuse its generated inputs
#                on the next run with the same BENCH_DIR and SIZE_MB)
#   GORDIFF      gordiff binary (default: CGO_ENABLED=0 go build ./cmd/gordiff into BENCH_DIR)
#   RDIFF        reference rdiff binary                           (/usr/bin/rdiff)
#   WARMUP       1 = one unmeasured run per tool before measuring  (1)
#                (for the no-match delta case, whose rdiff run is slow, the
#                inputs are only read with cat unless WARMUP_SLOW=1)
set -euo pipefail

SIZE_MB=${SIZE_MB:-1024}
REPEAT=${REPEAT:-3}
REPEAT_SLOW=${REPEAT_SLOW:-2}
KEEP=${KEEP:-0}
WARMUP=${WARMUP:-1}
WARMUP_SLOW=${WARMUP_SLOW:-0}
RDIFF=${RDIFF:-/usr/bin/rdiff}
TIME=/usr/bin/time
GEN_VERSION=1 # bump when the input generator changes

BENCH_NAME=rdiff.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $SIZE_MB =~ ^[1-9][0-9]*$ ]] || die "SIZE_MB must be a positive integer"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive integer"
[[ $REPEAT_SLOW =~ ^[1-9][0-9]*$ ]] || die "REPEAT_SLOW must be a positive integer"
[[ -x $TIME ]] || die "$TIME (GNU time) is required"
[[ -x $RDIFF ]] || die "reference rdiff not found at $RDIFF"

# ---------------------------------------------------------------- work dir
bench_workdir gordiff-bench
# What this script creates (bench_cleanup removes it, and nothing else).
OUR_FILES=(basis new1 other junk plan stamp time.txt err.txt gordiff
	'sig.*' 'sig2.*' 'delta1.*' 'delta2.*' 'out1.*' 'out2.*' 'x.*' new1.tmp)
trap bench_cleanup EXIT

# ---------------------------------------------------------------- gordiff
bench_gordiff

# ---------------------------------------------------------------- inputs
SIZE=$((SIZE_MB * 1048576))
BLK=4096

# rand_file FILE NBYTES SEED: NBYTES of deterministic incompressible data.
rand_file() {
	local f=$1 n=$2 seed=$3
	if command -v openssl >/dev/null; then
		# AES-128-CTR keystream over zeros; the seed picks the key.
		openssl enc -aes-128-ctr -nosalt \
			-K "$(printf '%032x' "$seed")" -iv 00000000000000000000000000000000 \
			-in <(head -c "$n" /dev/zero) -out "$f"
	else
		# Note: a different (still seeded) byte stream than the openssl path.
		python3 - "$f" "$n" "$seed" <<-'EOF'
			import random, sys
			f, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
			r = random.Random(seed)
			with open(f, "wb") as out:
			    while n > 0:
			        k = min(n, 1 << 20)
			        out.write(r.randbytes(k))
			        n -= k
		EOF
	fi
	[[ $(stat -c %s "$f") == "$n" ]] || die "generator wrote a short $f"
}

# copy_range FILE OFFSET LEN: bytes [OFFSET, OFFSET+LEN) of FILE to stdout.
copy_range() {
	(($3 > 0)) || return 0
	dd if="$1" bs=1M iflag=skip_bytes,count_bytes,fullblock skip="$2" count="$3" status=none
}

gen_inputs() {
	local want="gen=$GEN_VERSION size=$SIZE $(command -v openssl >/dev/null && echo openssl || echo python)"
	if [[ -f $W/stamp && $(cat "$W/stamp") == "$want" && -f $W/basis && -f $W/new1 && -f $W/other && -f $W/plan ]]; then
		log "reusing inputs in $W"
		return
	fi
	rm -f "$W/stamp"
	log "generating ${SIZE_MB} MiB inputs in $W"
	rand_file "$W/basis" "$SIZE" 1
	rand_file "$W/other" "$SIZE" 2

	# Edit plan from a seeded Park-Miller generator (exact in awk's doubles,
	# so the same on every awk): ~1 % of the 4 KiB blocks overwritten
	# ("B block"), then 5 insertions of 100-5000 bytes ("I offset length",
	# offsets in the overwritten file).
	awk -v size="$SIZE" -v blk="$BLK" '
		function rnd(n) { x = (x * 48271) % 2147483647; return x % n }
		BEGIN {
			x = 20240601
			nblk = int(size / blk); nchg = int(nblk / 100); if (nchg < 1) nchg = 1
			while (got < nchg) { b = rnd(nblk); if (!(b in seen)) { seen[b] = 1; got++; printf "B %.0f\n", b } }
			for (i = 0; i < 5; i++) { off[i] = rnd(size + 1); len[i] = 100 + rnd(4901) }
			for (i = 0; i < 5; i++) printf "I %.0f %.0f\n", off[i], len[i]
		}' | sort -k1,1 -k2,2n >"$W/plan" # B lines by block, then I lines by offset

	local nchg ins
	nchg=$(grep -c '^B' "$W/plan")
	ins=$(awk '$1 == "I" { s += $3 } END { printf "%.0f", s }' "$W/plan")
	rand_file "$W/junk" $((nchg * BLK + ins)) 3

	cp "$W/basis" "$W/new1.tmp"
	local i=0 kind a b
	while read -r kind a b; do
		[[ $kind == B ]] || continue
		dd if="$W/junk" of="$W/new1.tmp" bs=$BLK skip=$i seek="$a" count=1 conv=notrunc status=none
		i=$((i + 1))
	done <"$W/plan"
	local pos=0 joff=$((nchg * BLK))
	{
		while read -r kind a b; do
			[[ $kind == I ]] || continue
			copy_range "$W/new1.tmp" "$pos" $((a - pos))
			copy_range "$W/junk" "$joff" "$b"
			pos=$a
			joff=$((joff + b))
		done <"$W/plan"
		copy_range "$W/new1.tmp" "$pos" $((SIZE - pos))
	} >"$W/new1"
	rm -f "$W/new1.tmp" "$W/junk"
	[[ $(stat -c %s "$W/new1") == $((SIZE + ins)) ]] || die "new1 has the wrong size"
	echo "$want" >"$W/stamp"
}
gen_inputs

NCHG=$(grep -c '^B' "$W/plan")
NBLK=$((SIZE / BLK))
INS_LIST=$(awk '$1 == "I" { printf "%s%.0f", (n++ ? ", " : ""), $3 }' "$W/plan")
INS_TOTAL=$(awk '$1 == "I" { s += $3 } END { printf "%.0f", s }' "$W/plan")
NEW1_SIZE=$(stat -c %s "$W/new1")

# ---------------------------------------------------------------- timing
# run TOOL ARGS...: run rdiff or gordiff rdiff with ARGS, timed into time.txt.
tool_cmd() {
	case $1 in
	rdiff) CMD=("$RDIFF") ;;
	gordiff) CMD=("$GORDIFF" rdiff) ;;
	esac
}
run() {
	local tool=$1
	shift
	tool_cmd "$tool"
	if ! (cd "$W" && "$TIME" -f '%e %U %S %M' -o "$W/time.txt" "${CMD[@]}" "$@" 2>"$W/err.txt"); then
		cat "$W/err.txt" >&2 || true
		die "$tool $* failed"
	fi
}

declare -A WALL CPU RSS BYTES
CASES=()
# bench ID LABEL INPUT_BYTES REPS SLOW OUTPUT ARGS...: ARGS and OUTPUT may
# contain {T}, replaced by the tool name, so each tool writes its own file.
bench() {
	local id=$1 label=$2 bytes=$3 reps=$4 slow=$5 outt=$6
	shift 6
	local tool rep out a e u s m c
	local -a args
	CASES+=("$id")
	LABEL[$id]=$label
	BYTES[$id]=$bytes
	REPS[$id]=$reps
	args=()
	for a in "$@"; do args+=("${a//\{T\}/<tool>}"); done
	ARGS[$id]="${args[*]}"
	# Warm the page cache: read every input file, then (unless slow) one
	# unmeasured run per tool.
	for a in "$@"; do
		if [[ $a != *"{T}"* && -f $W/$a ]]; then cat "$W/$a" >/dev/null; fi
	done
	if [[ $WARMUP == 1 && ($slow == 0 || $WARMUP_SLOW == 1) ]]; then
		for tool in rdiff gordiff; do
			args=()
			for a in "$@"; do args+=("${a//\{T\}/$tool}"); done
			out=${outt//\{T\}/$tool}
			rm -f "$W/$out"
			log "$id: warm-up $tool"
			run "$tool" "${args[@]}"
		done
	fi
	local order
	for ((rep = 1; rep <= reps; rep++)); do
		# Interleaved, so drift hits both, and in alternating order: the
		# second of a pair can pay for memory the first one left dirty.
		order="rdiff gordiff"
		((rep % 2 == 0)) && order="gordiff rdiff"
		for tool in $order; do
			args=()
			for a in "$@"; do args+=("${a//\{T\}/$tool}"); done
			out=${outt//\{T\}/$tool}
			rm -f "$W/$out"
			run "$tool" "${args[@]}"
			read -r e u s m <"$W/time.txt"
			c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
			log "$id: $tool run $rep/$reps: wall ${e}s cpu ${c}s rss ${m}KiB"
			if [[ -z ${CPU[$id,$tool]:-} ]] || awk -v a="$c" -v b="${CPU[$id,$tool]}" 'BEGIN { exit !(a < b) }'; then
				CPU[$id,$tool]=$c
				WALL[$id,$tool]=$e
				RSS[$id,$tool]=$m
			fi
		done
	done
}
declare -A LABEL REPS ARGS

cd "$W"
bench sig "1. signature, rdiff-backup settings" "$SIZE" "$REPEAT" 0 'sig.{T}' \
	-H md4 -R rollsum -S 8 -b 32768 signature basis 'sig.{T}'
bench sig2 "2. signature, rdiff defaults (blake2, rabinkarp)" "$SIZE" "$REPEAT" 0 'sig2.{T}' \
	signature basis 'sig2.{T}'
bench delta1 "3. delta, 1 % changed (vs sig 1)" "$NEW1_SIZE" "$REPEAT" 0 'delta1.{T}' \
	delta sig.rdiff new1 'delta1.{T}'
bench delta2 "4. delta, nothing matches (vs sig 1)" "$SIZE" "$REPEAT_SLOW" 1 'delta2.{T}' \
	delta sig.rdiff other 'delta2.{T}'
bench patch "5. patch, 1 % changed (rdiff's delta 3)" "$NEW1_SIZE" "$REPEAT" 0 'out1.{T}' \
	patch basis delta1.rdiff 'out1.{T}'

# ---------------------------------------------------------------- checks
FAILED=0
check_cmp() { # check_cmp WHAT A B
	if cmp -s "$W/$2" "$W/$3"; then
		CHECKS+=("- $1: OK")
	else
		CHECKS+=("- $1: **FAILED** ($2 and $3 differ)")
		FAILED=1
	fi
}
CHECKS=()
log "checking outputs"
check_cmp "rdiff patch of rdiff's delta 3 reproduces the 1 % file" out1.rdiff new1
check_cmp "gordiff patch of rdiff's delta 3 reproduces the 1 % file" out1.gordiff new1
rm -f out1.rdiff out1.gordiff
for tool in rdiff gordiff; do # patcher
	for src in rdiff gordiff; do # delta producer
		if [[ $src == rdiff ]]; then continue; fi # both patchers timed on it above
		tool_cmd "$tool"
		"${CMD[@]}" patch basis "delta1.$src" "x.$tool.$src" || die "$tool patch of $src's delta1 failed"
		check_cmp "$tool patch of $src's delta 3 reproduces the 1 % file" "x.$tool.$src" new1
		rm -f "x.$tool.$src"
	done
done
for tool in rdiff gordiff; do
	for src in rdiff gordiff; do
		tool_cmd "$tool"
		"${CMD[@]}" patch basis "delta2.$src" "x.$tool.$src" || die "$tool patch of $src's delta2 failed"
		check_cmp "$tool patch of $src's delta 4 reproduces the unrelated file" "x.$tool.$src" other
		rm -f "x.$tool.$src"
	done
done

SIGS_SAME=yes
cmp -s sig.rdiff sig.gordiff || SIGS_SAME=no
cmp -s sig2.rdiff sig2.gordiff || SIGS_SAME=no
[[ $SIGS_SAME == yes ]] || FAILED=1

# ---------------------------------------------------------------- report
bench_env
warm="one unmeasured warm-up run per tool"
[[ $WARMUP_SLOW == 1 ]] || warm="$warm (case 4: inputs only read with cat)"
[[ $WARMUP == 1 ]] || warm="no warm-up run (inputs read once with cat)"

echo "### rdiff vs gordiff rdiff, ${SIZE_MB} MiB inputs"
echo
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- System: $(uname -srm), $(nproc) CPUs, ${cpu_model:-unknown CPU}"
echo "- rdiff: $("$RDIFF" --version 2>&1 | head -n 1) ($RDIFF)"
echo "- gordiff: commit $commit${gover:+, built with $gover}"
echo "- SIZE_MB=$SIZE_MB, REPEAT=$REPEAT (REPEAT_SLOW=$REPEAT_SLOW for case 4); best CPU time of the measured runs, $warm, page cache warm"
echo "- Inputs: \`basis\` $SIZE bytes of AES-CTR keystream; \`new1\` = basis with $NCHG of its $NBLK 4 KiB blocks overwritten ($(awk -v a="$NCHG" -v b="$NBLK" 'BEGIN { printf "%.2f", 100 * a / b }') %) and 5 insertions ($INS_LIST bytes), $NEW1_SIZE bytes; \`other\` an unrelated $SIZE-byte file"
echo
echo "| case | tool | wall s | CPU s | MB per CPU-s | peak RSS MiB | gordiff/rdiff speed |"
echo "|---|---|---:|---:|---:|---:|---:|"
for id in "${CASES[@]}"; do
	for tool in rdiff gordiff; do
		awk -v label="${LABEL[$id]}" -v tool="$tool" -v wall="${WALL[$id,$tool]}" \
			-v cpu="${CPU[$id,$tool]}" -v rss="${RSS[$id,$tool]}" -v bytes="${BYTES[$id]}" \
			-v rcpu="${CPU[$id,rdiff]}" '
			BEGIN {
				# below 0.02 s, GNU time (10 ms ticks) cannot tell speeds apart
				speed = cpu >= 0.02 ? sprintf("%.0f", bytes / 1e6 / cpu) : "n/a"
				ratio = ""
				if (tool == "gordiff") ratio = cpu >= 0.02 && rcpu >= 0.02 ? sprintf("%.2fx", rcpu / cpu) : "n/a"
				printf "| %s | %s | %.2f | %.2f | %s | %.1f | %s |\n", \
					(tool == "rdiff" ? label : ""), tool, wall, cpu, speed, rss / 1024, ratio
			}'
	done
done
echo
echo 'Arguments (identical for both tools except the output file name; `sig.rdiff` is the signature rdiff wrote in case 1):'
echo
for id in "${CASES[@]}"; do echo "- ${LABEL[$id]%%.*}: \`${ARGS[$id]}\`"; done
echo
echo "MB = 10^6 bytes of the file read (signature, delta) or written (patch); CPU s = user + sys;"
echo "speed ratio = rdiff CPU s / gordiff CPU s (above 1 means gordiff is faster);
n/a = under 0.02 CPU s, too short for GNU time's 10 ms resolution."
echo
echo "| output | rdiff bytes | gordiff bytes | byte-identical |"
echo "|---|---:|---:|---|"
for f in sig sig2 delta1 delta2; do
	same=no
	cmp -s "$f.rdiff" "$f.gordiff" && same=yes
	[[ $f == delta* && $same == no ]] && same="no (allowed)"
	printf '| %s | %s | %s | %s |\n' "$f" "$(stat -c %s "$f.rdiff")" "$(stat -c %s "$f.gordiff")" "$same"
done
echo
if [[ $SIGS_SAME == yes ]]; then
	echo "Signatures: gordiff's are byte-identical to rdiff's (cases 1 and 2)."
else
	echo "Signatures: **gordiff's DIFFER from rdiff's** (see table above)."
fi
echo
echo "Round trips (cmp against the expected file):"
echo
printf '%s\n' "${CHECKS[@]}"
if [[ $FAILED == 1 ]]; then
	die "signature mismatch or failed round trip (see report)"
fi
