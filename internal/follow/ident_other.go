//go:build !unix

package follow

import "os"

// ident is a file's device and inode. Systems without them are not a
// target: there a path always names the file first opened under it, so a
// rotation by rename is not seen, and only truncation and deletion are.
type ident struct{ dev, ino uint64 }

func identOf(os.FileInfo) ident { return ident{} }

func sameFile(fi os.FileInfo, id ident) bool { return true }
