#!/usr/bin/env python3
"""Prints one line per entry of a restored tree, sorted by path, in the
format restore_testdata_test.go computes too:
path TAB type TAB mode TAB size TAB mtime TAB sha1 TAB link target TAB links.
Directories have no size; symlinks no mode, size or mtime ("-")."""
import hashlib, os, stat, sys

root = sys.argv[1]
lines = []
for dirpath, dirnames, filenames in os.walk(root):
    for name in dirnames + filenames:
        p = os.path.join(dirpath, name)
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        mode, size, mtime, sha, target, links = "%o" % stat.S_IMODE(st.st_mode), "-", str(int(st.st_mtime)), "-", "-", "1"
        if stat.S_ISDIR(st.st_mode):
            kind = "dir"
        elif stat.S_ISLNK(st.st_mode):
            kind, mode, mtime, target = "sym", "-", "-", os.readlink(p)
        elif stat.S_ISREG(st.st_mode):
            kind, size, links = "reg", str(st.st_size), str(st.st_nlink)
            with open(p, "rb") as f:
                sha = hashlib.sha1(f.read()).hexdigest()
        else:
            kind = "other"
        lines.append("\t".join([rel, kind, mode, size, mtime, sha, target, links]))
for l in sorted(lines):
    print(l)
