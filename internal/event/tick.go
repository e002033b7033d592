package event

// Tick encodes t as a "tick" line.
func (e *Encoder) Tick(t *Tick) ([]byte, error) {
	e.begin(KindTick)
	e.int("ts", t.TS)
	if t.UTCOffset != 0 {
		e.int("utc_offset", int64(t.UTCOffset))
	}
	e.int("hits", t.Hits)
	e.int("bytes", t.Bytes)
	e.status(&t.Status)
	return e.end()
}

// Tick decodes a "tick" line into t.
func (d *Decoder) Tick(line []byte, t *Tick) error {
	*t = Tick{}
	hasTS := false
	err := d.members(line, func(f string) (err error) {
		switch f {
		case "ts":
			t.TS, hasTS, err = d.ts(f)
		case "utc_offset":
			t.UTCOffset, err = d.offset(f)
		case "hits":
			t.Hits, err = d.count(f)
		case "bytes":
			t.Bytes, err = d.count(f)
		case "status":
			err = d.status(f, &t.Status)
		default:
			d.it.Skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasTS {
		return missing("ts")
	}
	return nil
}
