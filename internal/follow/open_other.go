//go:build !unix

package follow

// openFlags adds nothing where there is no O_NONBLOCK.
const openFlags = 0
