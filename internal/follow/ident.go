//go:build unix

package follow

import (
	"os"
	"syscall"
)

// ident is a file's device and inode.
type ident struct{ dev, ino uint64 }

func identOf(fi os.FileInfo) ident {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ident{}
	}
	return ident{uint64(st.Dev), uint64(st.Ino)}
}

func sameFile(fi os.FileInfo, id ident) bool {
	return identOf(fi) == id
}
