#!/usr/bin/env bash
# Runs gordiff's whole test suite: installs what the tests compare against
# (the real rdiff-backup, rdiff, OpenSSH server, ACL and xattr tools) when
# missing and running as root, then vet, staticcheck and go test.
#
#   ./scripts/test.sh            # everything
#   ./scripts/test.sh ./rsync/   # only these packages (still vetted)
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
for pair in rdiff-backup:rdiff-backup rdiff:rdiff sshd:openssh-server setfacl:acl setfattr:attr mkfs.vfat:dosfstools mkfs.exfat:exfatprogs mount.exfat-fuse:exfat-fuse fusefat:fusefat; do
	cmd=${pair%%:*} pkg=${pair#*:}
	if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ] && [ ! -x "/sbin/$cmd" ]; then
		need_pkgs+=("$pkg")
	fi
done
# An NSS source besides the files, for the static build's owner names.
if ! compgen -G '/usr/lib*/libnss_extrausers.so.2' >/dev/null && ! compgen -G '/usr/lib/*/libnss_extrausers.so.2' >/dev/null; then
	need_pkgs+=(libnss-extrausers)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "test.sh: installing ${need_pkgs[*]}" >&2
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
	else
		echo "test.sh: missing ${need_pkgs[*]}; tests needing them will be skipped" >&2
	fi
fi

export PATH="$PATH:$(go env GOPATH)/bin"
if ! command -v staticcheck >/dev/null 2>&1; then
	echo "test.sh: installing staticcheck" >&2
	go install honnef.co/go/tools/cmd/staticcheck@latest
fi

pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)

unformatted=$(gofmt -l . | grep -v '^testdata/' || true)
if [ -n "$unformatted" ]; then
	echo "test.sh: gofmt needed on:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
staticcheck ./...
go test -count=1 -timeout 20m "${pkgs[@]}"
