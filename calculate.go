package gordiff

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/gordiff/gordiff/metadata"
)

// CalculateAverage averages session_statistics files as `rdiff-backup
// calculate` does and returns the block it prints: averages as Python
// prints floats, sizes summarised after rounding half to even, Errors as an
// integer.
func CalculateAverage(files []string) (string, error) {
	if len(files) == 0 {
		return "", fmt.Errorf("calculate needs at least one statistics file")
	}
	var sums [16]float64
	var elapsed float64
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		s, err := metadata.ParseSessionStats(f, name)
		f.Close()
		if err != nil {
			return "", err
		}
		el := s.ElapsedTime
		if el == 0 {
			el = s.EndTime - s.StartTime
		}
		elapsed += el
		for i, v := range statValues(s) {
			sums[i] += float64(v)
		}
	}
	n := float64(len(files))
	title := fmt.Sprintf("--------------[ Average of %d stat files ]--------------", len(files))
	var b strings.Builder
	b.WriteString(title + "\n")
	avgElapsed := elapsed / n
	fmt.Fprintf(&b, "ElapsedTime %.2f (%s)\n", avgElapsed, metadata.DurationWords(avgElapsed))
	for i, name := range statNames {
		avg := sums[i] / n
		switch {
		case name == "Errors":
			fmt.Fprintf(&b, "Errors %d\n", int64(avg))
		case strings.HasSuffix(name, "Size") || name == "TotalDestinationSizeChange":
			fmt.Fprintf(&b, "%s %s (%s)\n", name, pyFloat(avg), metadata.ByteSummary(int64(math.RoundToEven(avg))))
		default:
			fmt.Fprintf(&b, "%s %s\n", name, pyFloat(avg))
		}
	}
	b.WriteString(strings.Repeat("-", len(title)) + "\n\n")
	return b.String(), nil
}

var statNames = [...]string{"SourceFiles", "SourceFileSize", "MirrorFiles", "MirrorFileSize", "NewFiles", "NewFileSize",
	"DeletedFiles", "DeletedFileSize", "ChangedFiles", "ChangedSourceSize", "ChangedMirrorSize",
	"IncrementFiles", "IncrementFileSize", "TotalDestinationSizeChange", "Errors"}

func statValues(s *metadata.SessionStats) [16]int64 {
	return [16]int64{s.SourceFiles, s.SourceFileSize, s.MirrorFiles, s.MirrorFileSize, s.NewFiles, s.NewFileSize,
		s.DeletedFiles, s.DeletedFileSize, s.ChangedFiles, s.ChangedSourceSize, s.ChangedMirrorSize,
		s.IncrementFiles, s.IncrementFileSize, s.TotalDestinationSizeChange(), s.Errors}
}

// pyFloat formats a float as Python's repr does for ordinary magnitudes:
// the shortest form that reads back, with ".0" on whole numbers.
func pyFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}
