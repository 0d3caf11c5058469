package fsfeatures

import "errors"

// ErrNotSupported is returned by probes on platforms where this package has
// no implementation.
var ErrNotSupported = errors.New("fsfeatures: not supported on this platform")

// ErrBadCharsToQuote is wrapped by errors about chars_to_quote contents that
// are not the body of a single regular expression character class.
var ErrBadCharsToQuote = errors.New("invalid chars_to_quote")

// ErrMalformedQuoting is wrapped by errors about stored names whose ";"
// escapes are not ";" followed by three decimal digits of a byte value.
var ErrMalformedQuoting = errors.New("malformed ;NNN quoting")

// ErrUnreliableFS is wrapped by Probe errors when the file system does not
// behave consistently enough to hold a repository (for example a deleted
// entry that stays visible under another case).
var ErrUnreliableFS = errors.New("file system not reliable enough for a repository")

// ErrBadNextFree is wrapped by errors about long_filename_data/next_free
// contents that are not a decimal number.
var ErrBadNextFree = errors.New("invalid next_free contents")
