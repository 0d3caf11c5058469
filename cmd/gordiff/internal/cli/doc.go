// Package cli turns rdiff-backup's command lines into a structured,
// validated Invocation, exactly as rdiff-backup 2.2.2 would read them: both
// the 2.x action syntax and the legacy 1.x options, chosen by the same
// raw-word rule, with Python argparse's behaviours (option abbreviations,
// attached values, combined short flags, @FILE argument files, positionals
// and options interleaved the argparse way) and its error messages, exit
// statuses and help/version requests. The legacy switches are mapped to the
// request the action syntax would give, with the deprecation warning
// returned for the caller to print. The reference is the project's
// spec/cli.md, sections 1, 2, 5.1 and 6.9, checked against the real program
// by this package's tests.
//
// It only parses: it never performs an action, never prints, never exits
// and never connects anywhere. The only file system accesses are the ones
// rdiff-backup makes while parsing: reading @FILE argument files, checking
// that --user-mapping-file and --group-mapping-file can be opened, and
// checking that --tempdir is a directory (pre_check). The caller prints
// Invocation.Help, the version, Invocation.Deprecation or Error.Text, and
// exits with Error.Status.
package cli
