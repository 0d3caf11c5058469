module github.com/gordiff/gordiff

go 1.26.0

require (
	github.com/klauspost/compress v1.20.4
	github.com/pkg/xattr v0.4.12
	github.com/spf13/pflag v1.1.0
	golang.org/x/crypto v0.59.0
	golang.org/x/sys v0.50.0
)
