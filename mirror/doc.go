// Package mirror is the repository side of a backup: it merges the stream
// of source entries with the last session's metadata, updates the mirror,
// writes reverse increments, metadata, statistics and logs in the layout of
// rdiff-backup 2.2 (API 200), and brings an interrupted session back to the
// last good one (regress).
//
// Writes are ordered so that a crash at any instant leaves a repository
// that rdiff-backup's or gordiff's regress restores exactly: the new
// current_mirror marker first, each increment durable before the mirror
// entry it protects is replaced, mirror files replaced by rename, the
// previous metadata snapshot kept until the new one is complete, the old
// marker removed last.
//
// The package sees the source only through remote.Source: it must never
// open a source path itself, so that the source can be on another machine.
// It must never change anything in a repository whose checks failed.
package mirror
