package event

// lateSources writes the per-source late counts of a merged summary, or
// nothing when there are none.
func (e *Encoder) lateSources(l []SourceCount) {
	if len(l) == 0 {
		return
	}
	e.s.WriteRaw(`,"late_sources":[`)
	for i := range l {
		if i > 0 {
			e.s.WriteRaw(",")
		}
		e.s.WriteRaw(`{"source":`)
		e.writeBytes(l[i].Source)
		e.int("late", l[i].Count)
		e.s.WriteRaw("}")
	}
	e.s.WriteRaw("]")
}

// lateSources reads [{"source":…,"late":…}, …] into l.
func (d *Decoder) lateSources(field string, l []SourceCount) ([]SourceCount, error) {
	var c SourceCount
	err := d.objects(field, func(f string) (err error) {
		switch f {
		case "":
			l = append(l, c)
			c = SourceCount{}
		case "source":
			c.Source, err = d.str(field + "[].source")
		case "late":
			c.Count, err = d.count(field + "[].late")
		default:
			d.it.Skip()
		}
		return err
	})
	return l, err
}
