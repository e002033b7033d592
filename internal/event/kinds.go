package event

// DescribesStream reports whether records of kind describe the stream, its
// rules in force or the problems its stages met, rather than carry traffic.
// A stage that read only such records read no input of its own: the stage
// that wrote them has already said what was wrong, or had nothing to say.
// Checkpoints describe where the stream is; a quiet followed log sends
// nothing else.
func DescribesStream(kind []byte) bool {
	return string(kind) == KindNotice || string(kind) == KindRule || string(kind) == KindCheckpoint
}
