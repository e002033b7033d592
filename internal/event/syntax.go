package event

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	jsoniter "github.com/json-iterator/go"
)

// syntaxError rewrites jsoniter's messages, which name internal functions
// and quote up to a kilobyte of context, into a short reason and the few
// bytes around the error.
func syntaxError(err error) error {
	if err == io.EOF {
		return errors.New("malformed JSON: the line ends inside the record")
	}
	msg := err.Error()
	near := ""
	if i := strings.Index(msg, ", error found in #"); i >= 0 {
		ctx := msg[i:]
		msg = msg[:i]
		if j := strings.Index(ctx, "...|"); j >= 0 {
			ctx = ctx[j+4:]
			if k := strings.Index(ctx, "|..."); k >= 0 {
				near = ctx[:k]
			}
		}
	}
	if k := strings.Index(msg, ": "); k >= 0 {
		msg = msg[k+2:]
	}
	if rest, ok := strings.CutPrefix(msg, "do not know how to skip: "); ok {
		if c, err := strconv.Atoi(rest); err == nil {
			if c == 0 {
				msg = "the line ends where a value should be"
			} else {
				msg = fmt.Sprintf("unexpected %q where a value should be", rune(c))
			}
		}
	}
	if near != "" {
		return fmt.Errorf("malformed JSON: %s, near %q", msg, near)
	}
	return fmt.Errorf("malformed JSON: %s", msg)
}

func typeName(t jsoniter.ValueType) string {
	switch t {
	case jsoniter.StringValue:
		return "a string"
	case jsoniter.NumberValue:
		return "a number"
	case jsoniter.NilValue:
		return "null"
	case jsoniter.BoolValue:
		return "a boolean"
	case jsoniter.ArrayValue:
		return "an array"
	case jsoniter.ObjectValue:
		return "an object"
	}
	return "invalid JSON"
}

// fieldError reports a value of the wrong type. A syntax error takes
// precedence because it explains the real problem.
type fieldError struct {
	field, want string
	got         jsoniter.ValueType
}

func (e *fieldError) Error() string {
	return fmt.Sprintf("field %q: want %s, got %s", e.field, e.want, typeName(e.got))
}
