//go:build !linux

package gordiff

import (
	"errors"

	"github.com/gordiff/gordiff/metadata"
)

var errRestoreNotSupported = errors.New("restore is not supported on this platform")

func applyAttrs(path string, rec *metadata.Record) error { return errRestoreNotSupported }
func makeNode(path string, rec *metadata.Record) error   { return errRestoreNotSupported }
func setXattr(path, name string, value []byte) error     { return errRestoreNotSupported }
func setACL(path string, acl *metadata.ACLRecord) error  { return errRestoreNotSupported }
