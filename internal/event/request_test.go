package event

import (
	"reflect"
	"testing"
)

// TestRequestFields checks requestFields against the Request type: each
// entry's offset is that of a field of the Go type its fieldType says,
// no field of Request is on the wire twice, and no name is taken twice.
func TestRequestFields(t *testing.T) {
	goType := map[fieldType]reflect.Type{
		textField:   reflect.TypeFor[[]byte](),
		tsField:     reflect.TypeFor[int64](),
		offsetField: reflect.TypeFor[int32](),
		statusField: reflect.TypeFor[int](),
		sizeField:   reflect.TypeFor[int64](),
	}
	rt := reflect.TypeFor[Request]()
	byOffset := map[uintptr]reflect.StructField{}
	for i := range rt.NumField() {
		byOffset[rt.Field(i).Offset] = rt.Field(i)
	}
	seen := map[string]int{}
	names := map[string]int{}
	for k := keyOther + 1; k < numKeys; k++ {
		f := &requestFields[k]
		sf, ok := byOffset[f.off]
		if !ok {
			t.Errorf("key %d %s: offset %d is no field's", k, f.key(), f.off)
			continue
		}
		if want := goType[f.typ]; sf.Type != want {
			t.Errorf("key %d %s: field %s is a %v, its fieldType says %v", k, f.key(), sf.Name, sf.Type, want)
		}
		if prev, dup := seen[sf.Name]; dup {
			t.Errorf("keys %d and %d are both field %s", prev, k, sf.Name)
		}
		seen[sf.Name] = k
		if prev, dup := names[f.name]; dup {
			t.Errorf("keys %d and %d are both named %q", prev, k, f.name)
		}
		names[f.name] = k
		if requestKeys[f.name] != k {
			t.Errorf("requestKeys[%q] = %d, want %d", f.name, requestKeys[f.name], k)
		}
	}
}
