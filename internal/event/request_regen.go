//go:build regen

package event

// The stand-ins for request_gen.go while go generate rewrites it; nothing
// else runs under the tag regen.

func (e *Encoder) appendPlainRequest([]byte, *Request) []byte { panic(regenOnly) }

func recordQuotes(*Request) int { panic(regenOnly) }

func matchKey([]byte) (key, n int) { panic(regenOnly) }

const regenOnly = "event: built with -tags regen, which only go generate uses"
