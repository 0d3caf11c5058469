#!/bin/bash
# Makes the small repositories restore_testdata_test.go restores, with the
# real rdiff-backup (2.2.2), and records what rdiff-backup restores from
# each session (manifest.py's format), so that restore is tested on
# machines without rdiff-backup too. Run it here as root, TZ=UTC:
#   ./make.sh
# It writes basic.tar, basic.manifest, plain.tar, plain.manifest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC LC_ALL=C.UTF-8
t0=1600000000

# put PATH CONTENT MTIME [MODE]
put() {
	mkdir -p "$(dirname "$src/$1")"
	printf '%s' "$2" > "$src/$1"
	chmod "${4:-644}" "$src/$1"
	touch -h -d "@$3" "$src/$1"
}

make_repo() { # NAME [rdiff-backup backup options...]
	local name=$1; shift
	src=$work/$name-src
	local repo=$work/$name
	rm -rf "$src"; mkdir -p "$src"
	local sessions=()

	# session 1
	put a.txt "$(seq 1 2000)" $((t0 - 100))
	put "name with spaces" "spaces" $((t0 - 100))
	put "ünïcode.txt" "unicode" $((t0 - 100))
	put empty "" $((t0 - 100))
	put d/x "x v1" $((t0 - 100)) 600
	put d/sub/deep "deep" $((t0 - 100))
	put gone-later "will be deleted" $((t0 - 100))
	put h1 "hard linked" $((t0 - 100))
	ln "$src/h1" "$src/h2"
	ln -s a.txt "$src/sym"
	touch -h -d "@$((t0 - 100))" "$src/d/sub" "$src/d" "$src"
	rdiff-backup --current-time $t0 backup "$@" "$src" "$repo"
	sessions+=($t0)

	# session 2: edits in the middle of a.txt, a mode change, a deletion,
	# a new directory, the symlink retargeted
	local t=$((t0 + 86400))
	put a.txt "$(seq 1 1000; echo inserted; seq 1001 2000)" $((t - 100))
	chmod 640 "$src/d/x"
	rm "$src/gone-later"
	put newdir/n "new" $((t - 100))
	rm "$src/sym"; ln -s "name with spaces" "$src/sym"
	touch -h -d "@$((t - 100))" "$src/newdir" "$src"
	rdiff-backup --current-time $t backup "$@" "$src" "$repo"
	sessions+=($t)

	# session 3: a.txt cut, d/sub removed, the file comes back, the hard
	# link broken
	t=$((t0 + 2 * 86400))
	put a.txt "$(seq 500 1500)" $((t - 100))
	rm -r "$src/d/sub"
	put gone-later "back again, longer" $((t - 100))
	rm "$src/h2"; put h2 "separate now" $((t - 100))
	touch -h -d "@$((t - 100))" "$src/d" "$src"
	rdiff-backup --current-time $t backup "$@" "$src" "$repo"
	sessions+=($t)

	# session 4: a.txt rewritten completely, x grows
	t=$((t0 + 3 * 86400))
	put a.txt "$(seq 1 3000 | tac)" $((t - 100))
	put d/x "x v2, somewhat longer than before" $((t - 100)) 640
	touch -h -d "@$((t - 100))" "$src/d" "$src"
	rdiff-backup --current-time $t backup "$@" "$src" "$repo"
	sessions+=($t)

	: > "$here/$name.manifest"
	for at in "${sessions[@]}"; do
		rm -rf "$work/out"
		rdiff-backup restore --at "$at" "$repo" "$work/out"
		echo "session $at" >> "$here/$name.manifest"
		python3 "$here/manifest.py" "$work/out" >> "$here/$name.manifest"
	done
	(cd "$work" && tar --sort=name --numeric-owner --owner=0 --group=0 -cf "$here/$name.tar" "$name")
}

make_repo basic
make_repo plain --no-compression
