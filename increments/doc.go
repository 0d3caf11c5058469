// Package increments is gordiff's time and naming layer for the
// rdiff-backup-data repository format: session time strings as
// rdiff-backup 2.2.2 writes and reads them, user time specifications
// (--at, --older-than, ...) and how they select a session, increment file
// names (<base>.<time>.<type>[.gz]), and the Clock through which all later
// code reads "now".
//
// Everything here is pure computation on strings and integers: the package
// never touches the file system, never reads the process clock except
// through a nil Clock, and never imports another gordiff package. Restoring,
// listing and removing increments build on it in other files and packages;
// they do not belong in the time and naming code.
//
// Session times are int64 seconds since the Unix epoch. A *time.Location
// stands for the process's local zone (TZ); nil means time.Local.
package increments
