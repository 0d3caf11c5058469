// Package fsfeatures finds out what a directory's file system can store and
// derives from it the file name quoting of an rdiff-backup 2.2 repository.
//
// It has three parts:
//
//   - Features, filled once by Probe (the repository side, probed by writing
//     test entries in a scratch subdirectory that is removed afterwards) or by
//     ProbeReadOnly (the source side, which is only read). Other packages
//     consult the flags instead of trying operations themselves.
//   - Quoting: SuggestCharsToQuote and DecideCharsToQuote choose the contents
//     of rdiff-backup-data/chars_to_quote, DecideSpecialEscapes those of
//     special_escapes, and a Quoter turns each path component into the name
//     stored in the repository (";NNN" escapes) and back.
//   - Long names: the rule that sends an entry to long_filename_data/ and the
//     codec of long_filename_data/next_free.
//
// The package must never write anything outside the scratch directory that
// Probe creates and removes (the Write* helpers write exactly the file they
// are asked to write), never panic on bad input (malformed chars_to_quote
// contents or ";NNN" escapes are errors), and never import the higher layers
// (mirror, increments, remote, the root package, cmd).
package fsfeatures
