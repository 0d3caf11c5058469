// Package rsync reads and writes the file formats of librsync 2.3.2 (the
// library behind `rdiff` and rdiff-backup): signatures, deltas, and patches.
//
// A signature summarises a basis file block by block (a weak rolling checksum
// and a truncated strong hash per block). A delta encodes a new file as
// copies of basis blocks and literal bytes, computed from the new file and
// the signature alone. A patch applies a delta to the basis and yields the
// new file.
//
// Every operation streams: a signature needs memory of one block, a delta
// holds the loaded signature plus a window of the new file (never the whole
// file), and a patch works in fixed-size chunks with random access to the
// basis. Signature bytes are identical to librsync's for the same
// parameters; deltas follow librsync 2.3.2's search so they are normally
// byte-identical too, and any delta librsync writes applies here.
//
// The package knows nothing of file systems, file names or repositories: it
// works on io.Reader, io.ReaderAt and io.Writer only. It must never panic or
// allocate without bound on malformed input; every failure is an error that
// wraps one of the sentinel errors below, so callers can map it to rdiff's
// exit codes.
package rsync
