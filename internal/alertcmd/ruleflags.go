package alertcmd

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/stage"
)

// classic is the high-traffic rule of the --threshold, --window and --name
// flags, checked with messages that name them.
func classic(c *cli.Context) (alert.Rule, error) {
	w, err := stage.Seconds(c, "window", 1)
	if err != nil {
		return alert.Rule{}, err
	}
	r := alert.Rule{Name: c.String("name"), Window: w, Threshold: c.Float64("threshold"), Origin: "--threshold/--window"}
	switch th := r.Threshold; {
	case r.Name == "":
		return r, stage.UsageError("--name must not be empty")
	case w > alert.MaxSeconds:
		return r, stage.UsageError("--window must be at most 168h")
	case math.IsNaN(th) || math.IsInf(th, 0) || th < 0:
		return r, stage.UsageError("--threshold must be a number of requests per second, 0 or more")
	}
	return r, nil
}

// rules builds the rule list from the flags; every mistake is a usage
// error that points at the flag value or the file line. The source is nil
// without a --rules file, which is then the only thing a reload reads.
func rules(c *cli.Context) ([]alert.Rule, *ruleSource, []byte, error) {
	def, err := classic(c)
	if err != nil {
		return nil, nil, nil, err
	}
	flagRules, file := c.StringSlice("rule"), c.String("rules")
	if len(flagRules) == 0 && file == "" {
		def.V1 = true
		return []alert.Rule{def}, nil, nil, nil
	}
	src := &ruleSource{file: file}
	usesDefault := false
	for _, text := range flagRules {
		if text == alert.DefaultName {
			def.Origin = "--rule " + alert.DefaultName
			src.flags = append(src.flags, def)
			usesDefault = true
			continue
		}
		r, err := alert.ParseRule(text)
		if err != nil {
			return nil, nil, nil, stage.UsageError("--rule %q: %v", text, err)
		}
		r.Origin = fmt.Sprintf("--rule %q", text)
		src.flags = append(src.flags, r)
	}
	out, data, err := src.load()
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return nil, nil, nil, stage.UsageError("--rules: %v", err)
	case err != nil:
		return nil, nil, nil, stage.UsageError("--rules %v", err)
	}
	if !usesDefault {
		for _, f := range []string{"threshold", "window", "name"} {
			if c.IsSet(f) {
				return nil, nil, nil, stage.UsageError("--%s sets the %s rule, which --rule and --rules replace; add --rule %[2]s to keep it", f, alert.DefaultName)
			}
		}
	}
	if file == "" {
		src = nil
	}
	return out, src, data, nil
}

// ruleSource is where the rules come from: the --rule flags, read once,
// and the --rules file, read again on reload.
type ruleSource struct {
	flags []alert.Rule
	file  string
}

// load reads the file and returns the rules in force with it, flags first.
// data is what the file held.
func (s *ruleSource) load() (rules []alert.Rule, data []byte, err error) {
	rules = append(rules, s.flags...)
	if s.file == "" {
		return rules, nil, nil
	}
	data, err = os.ReadFile(s.file)
	if err != nil {
		return nil, nil, err
	}
	rs, err := alert.ParseConfig(s.file, data)
	if err != nil {
		return nil, data, err
	}
	return append(rules, rs...), data, nil
}
