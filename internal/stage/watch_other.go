//go:build !unix

package stage

import "io"

// watchReader does nothing where there is no poll: a reader that went
// away is noticed at the next write.
func watchReader(io.Writer, func()) func() { return func() {} }
