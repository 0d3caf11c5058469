//go:build !amd64 || purego

package md4

func block(s *[4]uint32, p []byte) { blockGeneric(s, p) }
