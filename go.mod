module github.com/gordiff/gordiff

go 1.26.0

require (
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/pkg/xattr v0.4.12 // indirect
	github.com/spf13/pflag v1.1.0 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
