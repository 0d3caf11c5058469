package mirror

import "github.com/gordiff/gordiff/metadata"

// SessionStats are the totals of session_statistics.
type SessionStats = metadata.SessionStats
