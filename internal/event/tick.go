package event

// Tick encodes t as a "tick" line.
func (e *Encoder) Tick(t *Tick) ([]byte, error) {
	e.begin(KindTick)
	e.optStr("source", t.Source)
	e.int("ts", t.TS)
	if t.UTCOffset != 0 {
		e.int("utc_offset", int64(t.UTCOffset))
	}
	e.int("hits", t.Hits)
	e.int("bytes", t.Bytes)
	e.status(&t.Status)
	e.latency(&t.Latency, false)
	return e.end()
}

// Tick decodes a "tick" line into t, reusing t.Latency.Bins.
func (d *Decoder) Tick(line []byte, t *Tick) error {
	bins := t.Latency.Bins[:0]
	*t = Tick{}
	t.Latency.Bins = bins
	hasTS := false
	err := d.members(line, func(f string) (err error) {
		switch f {
		case "source":
			t.Source, err = d.str(f)
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
		case "latency":
			err = d.latency(f, &t.Latency)
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
