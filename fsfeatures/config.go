package fsfeatures

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File names inside rdiff-backup-data.
const (
	CharsToQuoteFile   = "chars_to_quote"
	SpecialEscapesFile = "special_escapes"
)

// Words of the special_escapes file.
const (
	EscapeDOSDevicesWord     = "escape_dos_devices"
	EscapeTrailingSpacesWord = "escape_trailing_spaces"
)

// SpecialEscapes are the two extra escapes of a quoted repository, recorded
// in rdiff-backup-data/special_escapes. They only take effect together with a
// non-empty chars_to_quote.
type SpecialEscapes struct {
	// DOSDevices escapes the first character of names like "aux" or
	// "com1.txt" that Windows reserves for devices.
	DOSDevices bool
	// TrailingSpaces escapes a final ' ' or '.', which FAT and Windows drop.
	TrailingSpaces bool
}

// MarshalFile returns the special_escapes contents rdiff-backup 2.2 writes
// with its default API 200: each enabled word followed by a newline,
// escape_dos_devices first; empty when none is enabled.
func (s SpecialEscapes) MarshalFile() []byte {
	var b []byte
	if s.DOSDevices {
		b = append(b, EscapeDOSDevicesWord+"\n"...)
	}
	if s.TrailingSpaces {
		b = append(b, EscapeTrailingSpacesWord+"\n"...)
	}
	return b
}

// ParseSpecialEscapes reads special_escapes contents. Like rdiff-backup it
// splits on newlines and tests for the two words; unknown lines are ignored.
// Surrounding white space of the whole file is tolerated (API 201 strips it),
// white space inside a line is not. It never fails.
func ParseSpecialEscapes(b []byte) SpecialEscapes {
	var s SpecialEscapes
	for _, text := range [][]byte{b, bytes.TrimSpace(b)} {
		for _, line := range bytes.Split(text, []byte{'\n'}) {
			switch string(line) {
			case EscapeDOSDevicesWord:
				s.DOSDevices = true
			case EscapeTrailingSpacesWord:
				s.TrailingSpaces = true
			}
		}
	}
	return s
}

// ParseCharsToQuoteFile validates chars_to_quote contents and returns them
// unchanged (the file holds raw bytes, no trailing newline is stripped).
func ParseCharsToQuoteFile(b []byte) ([]byte, error) {
	if _, err := ParseCharsToQuote(b); err != nil {
		return nil, err
	}
	return bytes.Clone(b), nil
}

// ReadCharsToQuote reads dataDir/chars_to_quote. found is false (and err nil)
// when the file does not exist.
func ReadCharsToQuote(dataDir string) (ctq []byte, found bool, err error) {
	p := filepath.Join(dataDir, CharsToQuoteFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read chars_to_quote: %w", err)
	}
	ctq, err = ParseCharsToQuoteFile(b)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", p, err)
	}
	return ctq, true, nil
}

// WriteCharsToQuote writes dataDir/chars_to_quote (mode 0600, raw bytes).
func WriteCharsToQuote(dataDir string, ctq []byte) error {
	if _, err := ParseCharsToQuote(ctq); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dataDir, CharsToQuoteFile), err)
	}
	return writeDataFile(filepath.Join(dataDir, CharsToQuoteFile), ctq)
}

// ReadSpecialEscapes reads dataDir/special_escapes. found is false (and err
// nil) when the file does not exist.
func ReadSpecialEscapes(dataDir string) (se SpecialEscapes, found bool, err error) {
	b, err := os.ReadFile(filepath.Join(dataDir, SpecialEscapesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return se, false, nil
	}
	if err != nil {
		return se, false, fmt.Errorf("read special_escapes: %w", err)
	}
	return ParseSpecialEscapes(b), true, nil
}

// WriteSpecialEscapes writes dataDir/special_escapes (mode 0600).
func WriteSpecialEscapes(dataDir string, se SpecialEscapes) error {
	return writeDataFile(filepath.Join(dataDir, SpecialEscapesFile), se.MarshalFile())
}

func writeDataFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Pieces of a suggested chars_to_quote, in the order rdiff-backup appends them.
var (
	ctqUpperCase   = []byte("A-Z")
	ctqControl     = []byte{0x00, '-', 0x1f}
	ctqHighBytes   = []byte{0x80, '-', 0xff}
	ctqWinReserved = []byte("\"*/:<>?\\\\|\x7f")
)

// SuggestCharsToQuote computes the chars_to_quote that rdiff-backup 2.2
// derives for a backup from src (the source, probed read-only) to dst (the
// repository, probed by writing): "A-Z" when only the source is case
// sensitive, the control and non-ASCII bytes when dst refuses the UTF-8 test
// name, the Windows-reserved characters when dst refuses them, then ';' if
// anything was added. The result is empty on two ordinary Linux file systems.
func SuggestCharsToQuote(src, dst Features) []byte {
	var ctq []byte
	if src.CaseSensitive && !dst.CaseSensitive {
		ctq = append(ctq, ctqUpperCase...)
	}
	if dst.Writable && !dst.ExtendedFilenames {
		ctq = append(ctq, ctqControl...)
		ctq = append(ctq, ctqHighBytes...)
	}
	if dst.WinReservedFilenames {
		if dst.ExtendedFilenames {
			ctq = append(ctq, ctqControl...)
		}
		ctq = append(ctq, ctqWinReserved...)
	}
	if len(ctq) > 0 {
		ctq = append(ctq, QuotingChar)
	}
	return ctq
}

// CharsToQuoteInput gathers what decides a backup's chars_to_quote.
type CharsToQuoteInput struct {
	// Suggested is SuggestCharsToQuote of the probed file systems.
	Suggested []byte
	// Previous holds the repository's chars_to_quote contents when
	// HavePrevious is set (the file exists, possibly empty).
	Previous     []byte
	HavePrevious bool
	// Override holds --chars-to-quote / --override-chars-to-quote when
	// HaveOverride is set (possibly the empty string).
	Override     []byte
	HaveOverride bool
}

// CharsToQuoteDecision is the outcome of DecideCharsToQuote.
type CharsToQuoteDecision struct {
	// CharsToQuote is the value to use for the session.
	CharsToQuote []byte
	// WriteFile is set when the repository has no chars_to_quote yet: the
	// caller writes CharsToQuote to it.
	WriteFile bool
	// OverrideNote is set when an override differs from the suggestion;
	// rdiff-backup then prints OverrideNote(...) at NOTE level.
	OverrideNote bool
	// RetainedNote is set when the file system no longer needs the
	// repository's quoting, which is kept; see RetainedNote(...).
	RetainedNote bool
}

// MigrationError is returned by DecideCharsToQuote when the repository's
// chars_to_quote would have to change: rdiff-backup stops the backup.
type MigrationError struct {
	Path     string // the chars_to_quote file, for the message
	Old, New []byte
}

func (e *MigrationError) Error() string {
	return fmt.Sprintf("The repository quoting '%s' would need to be migrated from old quoting chars '%s' to new quoting chars '%s'. This may mean that the repository has been moved between different file systems.",
		e.Path, PyBytesRepr(e.Old), PyBytesRepr(e.New))
}

// DecideCharsToQuote applies rdiff-backup's rules for a backup session:
// without a previous file the override (if any) or the suggestion is used and
// written; with one, the previous value stays unless the override or a
// non-empty suggestion differs from it, which is a *MigrationError. path
// names the chars_to_quote file in that error.
func DecideCharsToQuote(path string, in CharsToQuoteInput) (CharsToQuoteDecision, error) {
	var d CharsToQuoteDecision
	if in.HaveOverride {
		d.CharsToQuote = bytes.Clone(in.Override)
		d.OverrideNote = !bytes.Equal(in.Override, in.Suggested)
	}
	if !in.HavePrevious {
		if !in.HaveOverride {
			d.CharsToQuote = bytes.Clone(in.Suggested)
		}
		d.WriteFile = true
		return d, nil
	}
	if !in.HaveOverride {
		if len(in.Suggested) > 0 && !bytes.Equal(in.Suggested, in.Previous) {
			d.CharsToQuote = bytes.Clone(in.Suggested)
		} else {
			d.CharsToQuote = bytes.Clone(in.Previous)
			d.RetainedNote = len(in.Previous) > 0 && len(in.Suggested) == 0
		}
	}
	if !bytes.Equal(d.CharsToQuote, in.Previous) {
		return CharsToQuoteDecision{}, &MigrationError{Path: path, Old: bytes.Clone(in.Previous), New: d.CharsToQuote}
	}
	return d, nil
}

// DecideRestoreCharsToQuote gives the chars_to_quote used to read a
// repository: the override if given, else the file's contents, else none
// (missing is then true: rdiff-backup warns that it assumes no quoting).
func DecideRestoreCharsToQuote(previous []byte, havePrevious bool, override []byte, haveOverride bool) (ctq []byte, missing bool) {
	switch {
	case haveOverride:
		return bytes.Clone(override), false
	case havePrevious:
		return bytes.Clone(previous), false
	}
	return nil, true
}

// OverrideNote is rdiff-backup's message when --chars-to-quote differs from
// what the file system suggested; path names the chars_to_quote file.
func OverrideNote(path string, suggested, override []byte) string {
	return fmt.Sprintf("File system at '%s' suggested quoting '%s' but override quoting '%s' will be used. Assuming you know what you are doing",
		path, PyBytesRepr(suggested), PyBytesRepr(override))
}

// RetainedNote is rdiff-backup's message when the file system no longer
// needs the repository's quoting.
func RetainedNote(path string) string {
	return fmt.Sprintf("File system at '%s' no longer needs quoting but we will retain for backwards compatibility", path)
}

// SuggestSpecialEscapes gives the escapes a backup from src to dst needs:
// each one the destination needs and the source does not.
func SuggestSpecialEscapes(src, dst Features) SpecialEscapes {
	return SpecialEscapes{
		DOSDevices:     dst.EscapeDOSDevices && !src.EscapeDOSDevices,
		TrailingSpaces: dst.EscapeTrailingSpaces && !src.EscapeTrailingSpaces,
	}
}

// SpecialEscapesDecision is the outcome of DecideSpecialEscapes.
type SpecialEscapesDecision struct {
	Escapes   SpecialEscapes // the escapes in effect for the session
	WriteFile bool           // no special_escapes file yet: write Escapes
	// RetainedDOSDevices and RetainedTrailingSpaces are set when the
	// repository keeps an escape the file systems no longer need
	// (rdiff-backup warns).
	RetainedDOSDevices, RetainedTrailingSpaces bool
}

// DecideSpecialEscapes applies rdiff-backup's backup rule: without a
// previous file the suggestion is used and written, otherwise the file wins.
func DecideSpecialEscapes(suggested SpecialEscapes, previous SpecialEscapes, havePrevious bool) SpecialEscapesDecision {
	if !havePrevious {
		return SpecialEscapesDecision{Escapes: suggested, WriteFile: true}
	}
	return SpecialEscapesDecision{
		Escapes:                previous,
		RetainedDOSDevices:     previous.DOSDevices && !suggested.DOSDevices,
		RetainedTrailingSpaces: previous.TrailingSpaces && !suggested.TrailingSpaces,
	}
}

// UsesCompatibleTimestamps reports whether names written with this
// chars_to_quote use the compatible time form ("2023-11-14T22-13-20Z"): as in
// rdiff-backup, when the text of chars_to_quote contains the byte ':' (a
// range such as "9-;" that covers ':' without spelling it does not count).
func UsesCompatibleTimestamps(ctq []byte) bool {
	return bytes.IndexByte(ctq, ':') >= 0
}

// PyBytesRepr renders b as Python's repr() of a bytes object (b'...'), the
// form rdiff-backup's messages show chars_to_quote values in.
func PyBytesRepr(b []byte) string {
	quote := byte('\'')
	if bytes.IndexByte(b, '\'') >= 0 && bytes.IndexByte(b, '"') < 0 {
		quote = '"'
	}
	var sb strings.Builder
	sb.WriteString("b")
	sb.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(quote)
	return sb.String()
}
