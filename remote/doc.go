// Package remote is the seam between the two sides of a backup: the source
// side, which reads the tree being backed up, and the repository side, which
// holds the mirror and its history. They meet only through the interfaces
// defined here, so that the same engine runs with both sides in one process
// (the Local implementations) or with an SSH connection between them (the
// protocol implementations, later).
//
// This package must never let one side reach into the other's file system:
// no shared file handles, no paths joined across the split. Everything the
// repository needs from the source travels as records and byte streams.
package remote
