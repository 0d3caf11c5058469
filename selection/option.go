package selection

import (
	"io"
	"strings"
)

// Kind is one selection option of rdiff-backup's command line.
type Kind uint8

// The selection options. Their String form is the long option name.
const (
	KindInvalid Kind = iota
	KindInclude
	KindExclude
	KindIncludeRegexp
	KindExcludeRegexp
	KindIncludeFilelist
	KindExcludeFilelist
	KindIncludeGlobbingFilelist
	KindExcludeGlobbingFilelist
	KindIncludeIfPresent
	KindExcludeIfPresent
	KindIncludeSpecialFiles
	KindExcludeSpecialFiles
	KindIncludeSymbolicLinks
	KindExcludeSymbolicLinks
	KindIncludeDeviceFiles
	KindExcludeDeviceFiles
	KindIncludeSockets
	KindExcludeSockets
	KindIncludeFifos
	KindExcludeFifos
	KindIncludeOtherFilesystems
	KindExcludeOtherFilesystems
	KindMaxFileSize
	KindMinFileSize
	kindCount
)

var kindNames = [kindCount]string{
	KindInvalid:                 "invalid",
	KindInclude:                 "--include",
	KindExclude:                 "--exclude",
	KindIncludeRegexp:           "--include-regexp",
	KindExcludeRegexp:           "--exclude-regexp",
	KindIncludeFilelist:         "--include-filelist",
	KindExcludeFilelist:         "--exclude-filelist",
	KindIncludeGlobbingFilelist: "--include-globbing-filelist",
	KindExcludeGlobbingFilelist: "--exclude-globbing-filelist",
	KindIncludeIfPresent:        "--include-if-present",
	KindExcludeIfPresent:        "--exclude-if-present",
	KindIncludeSpecialFiles:     "--include-special-files",
	KindExcludeSpecialFiles:     "--exclude-special-files",
	KindIncludeSymbolicLinks:    "--include-symbolic-links",
	KindExcludeSymbolicLinks:    "--exclude-symbolic-links",
	KindIncludeDeviceFiles:      "--include-device-files",
	KindExcludeDeviceFiles:      "--exclude-device-files",
	KindIncludeSockets:          "--include-sockets",
	KindExcludeSockets:          "--exclude-sockets",
	KindIncludeFifos:            "--include-fifos",
	KindExcludeFifos:            "--exclude-fifos",
	KindIncludeOtherFilesystems: "--include-other-filesystems",
	KindExcludeOtherFilesystems: "--exclude-other-filesystems",
	KindMaxFileSize:             "--max-file-size",
	KindMinFileSize:             "--min-file-size",
}

// String returns the long option name, e.g. "--exclude".
func (k Kind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return "invalid"
}

// TakesArg reports whether the option has an argument (a pattern, a file
// name, a size...). The -stdin filelist forms have none: see KindFromFlag.
func (k Kind) TakesArg() bool {
	switch k {
	case KindInclude, KindExclude, KindIncludeRegexp, KindExcludeRegexp,
		KindIncludeFilelist, KindExcludeFilelist, KindIncludeGlobbingFilelist,
		KindExcludeGlobbingFilelist, KindIncludeIfPresent, KindExcludeIfPresent,
		KindMaxFileSize, KindMinFileSize:
		return true
	}
	return false
}

// IsFilelist reports whether the option reads a file (or standard input).
func (k Kind) IsFilelist() bool {
	switch k {
	case KindIncludeFilelist, KindExcludeFilelist, KindIncludeGlobbingFilelist, KindExcludeGlobbingFilelist:
		return true
	}
	return false
}

// KindFromFlag maps a long option name, with or without its leading "--",
// to its Kind. The "-stdin" filelist forms map to the filelist kind with
// stdin set. ok is false for anything that is not a selection option.
func KindFromFlag(name string) (k Kind, stdin bool, ok bool) {
	name = "--" + strings.TrimPrefix(name, "--")
	if base, found := strings.CutSuffix(name, "-stdin"); found {
		name, stdin = base, true
	}
	for i := KindInclude; i < kindCount; i++ {
		if kindNames[i] == name {
			if stdin && !i.IsFilelist() {
				return KindInvalid, false, false
			}
			return i, stdin, true
		}
	}
	return KindInvalid, false, false
}

// Option is one selection option, in command-line order.
type Option struct {
	Kind Kind
	// Arg is the pattern, regular expression, file name, presence file name
	// or size, as written on the command line. For a filelist read from
	// standard input it is ignored.
	Arg string
	// Stdin marks the -stdin filelist forms: the list is read from
	// Config.Stdin and named "standard input" in messages.
	Stdin bool
	// Data, when not nil, is the filelist's content already read (by the
	// side that parsed the command line); New then reads nothing.
	Data []byte
}

// Config holds the settings that apply to all options.
type Config struct {
	// NullSeparator splits filelists on NUL bytes instead of newlines
	// (--null-separator).
	NullSeparator bool
	// Stdin is read by the -stdin filelist forms; nil means os.Stdin.
	Stdin io.Reader
	// Warn receives warnings (filelist entries outside the base), one
	// message per call, without the "WARNING: " prefix. nil drops them.
	Warn func(msg string)
}
