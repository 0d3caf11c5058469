// Package metadata holds gordiff's file record and the codecs of the text
// files rdiff-backup 2.2 keeps in rdiff-backup-data/: mirror_metadata
// snapshots and diffs, extended_attributes and access_control_lists
// snapshots, session_statistics and file_statistics.
//
// A Record describes one entry of a tree (type, size, owner, mode, times,
// links, digest) the way rdiff-backup records it. Writers produce text that
// is byte-identical to what rdiff-backup writes for the same records;
// readers accept what rdiff-backup accepts. Every codec streams: memory never
// grows with the number of records in a file.
//
// One departure, in the gzip framing only: a DataFile with Blocks set (the
// mirror_metadata snapshot of a backup) is written as a series of gzip
// members that carry, in their header's extra field, what lets the next
// backup skip inflating the ones whose records it finds again (see
// BlockTextSize). Every gzip reader, rdiff-backup's included, reads the
// members as one stream; a reader of sealed members trusts none of it
// without its CRC.
//
// FromLstat reads a Record from the live file system; ReadEA and ReadACL read
// the extended attributes and POSIX ACLs of a path.
//
// This package must never import anything above it in gordiff's stack (mirror,
// increments, remote, the root package or cmd), never decide what a backup
// does, never walk a tree, and never panic on bad input: malformed data is
// reported as an error naming the file, line and path that caused it.
package metadata
