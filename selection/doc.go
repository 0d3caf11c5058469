// Package selection decides which entries of a source tree take part in a
// backup (or a restore, or a compare), following rdiff-backup 2.2.2's file
// selection rules: --include/--exclude with literal paths and globs, plain
// and globbing filelists, regular expressions, presence files, file-type,
// size and other-filesystem tests.
//
// A Set is built once from the selection options in command-line order
// (New). Set.Match answers for one entry whether it is included, excluded
// or only scanned (a directory kept only if something below it is kept);
// Walk visits a tree in the repository's order (pre-order, names sorted
// bytewise) and yields exactly the entries rdiff-backup would back up,
// applying the implied-directory rule as it goes.
//
// Patterns are matched against the entry's path written from the base path
// as the user gave it (normalised the way rdiff-backup normalises it), never
// against an absolute or canonical path; paths are handled as bytes, never
// as text.
//
// The package must never follow a symbolic link, never write to the file
// system, never hold a whole tree in memory (one sorted directory listing
// per level of the current path at most), and never panic on bad input:
// every bad pattern, regular expression, size or filelist is an error that
// names the offending input and wraps ErrInvalid (or the I/O error).
// It must never make a system call that bypasses the Go scheduler unless
// the call cannot wait on a device or a server: only getdents and the
// lstat of a non-directory that is no mount point, in a directory checked
// to be on a memory file system. Such a call cannot be preempted, so one
// that blocked would stop the whole process at its next collection.
// It imports nothing above it in gordiff's stack.
package selection
