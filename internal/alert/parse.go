package alert

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Syntax is the rule syntax, for help texts and messages.
const Syntax = `NAME: METRIC[{section=S,source=S}] OP THRESHOLD [over DURATION] [for DURATION] [keep_firing_for DURATION] [min_requests N]`

// SyntaxError reports a rule that cannot be read, with the column it
// stopped at.
type SyntaxError struct {
	Col    int // 1-based byte column in the rule's text
	Reason string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("column %d: %s", e.Col, e.Reason)
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokPunct // one of { } , = :
	tokOp
)

type token struct {
	kind tokKind
	text string
	col  int
}

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "the end of the rule"
	case tokString:
		return strconv.Quote(t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// lex splits a rule into tokens: words (names, metrics, numbers,
// durations, bare label values), quoted strings, punctuation and
// comparison operators.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("{},=:", c) >= 0:
			toks = append(toks, token{tokPunct, s[i : i+1], i + 1})
			i++
		case c == '<' || c == '>':
			n := 1
			if i+1 < len(s) && s[i+1] == '=' {
				n = 2
			}
			toks = append(toks, token{tokOp, s[i : i+n], i + 1})
			i += n
		case c == '"':
			q, err := strconv.QuotedPrefix(s[i:])
			if err != nil {
				return nil, &SyntaxError{i + 1, "unterminated or malformed quoted string"}
			}
			v, _ := strconv.Unquote(q)
			toks = append(toks, token{tokString, v, i + 1})
			i += len(q)
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\n\r{},=:<>\"", s[j]) < 0 {
				j++
			}
			toks = append(toks, token{tokWord, s[i:j], i + 1})
			i = j
		}
	}
	return append(toks, token{tokEOF, "", len(s) + 1}), nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) punct(c string) bool {
	if t := p.peek(); t.kind == tokPunct && t.text == c {
		p.pos++
		return true
	}
	return false
}

func fail(t token, format string, args ...any) error {
	return &SyntaxError{t.col, fmt.Sprintf(format, args...)}
}

// ParseRule reads one rule in the syntax of Syntax, or the name of a
// preset. Rules that do not say otherwise use a window of two minutes and,
// for ratios, DefaultMinRequests. The rule is validated.
func ParseRule(s string) (Rule, error) {
	toks, err := lex(s)
	if err != nil {
		return Rule{}, err
	}
	p := &parser{toks: toks}
	name, preset, err := p.name()
	switch {
	case err != nil:
		return Rule{}, err
	case preset != "":
		return ParseRule(preset)
	}
	r := Rule{Name: name, Window: DefaultWindow}
	for _, step := range []func(*Rule) error{p.metric, p.comparison, p.clauses} {
		if err := step(&r); err != nil {
			return Rule{}, err
		}
	}
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// name reads the rule's name and its colon, or a preset's name alone, for
// which it returns the preset's rule.
func (p *parser) name() (name, preset string, err error) {
	first := p.next()
	if first.kind != tokWord {
		return "", "", fail(first, "want the rule's name first, like \"api_errors: 5xx > 10 over 1m\"")
	}
	if !p.punct(":") {
		if p.peek().kind == tokEOF {
			if def, ok := presets[first.text]; ok {
				return "", def, nil
			}
			return "", "", fail(first, "%q is not a preset (%s); a rule reads %s", first.text, presetNames(), Syntax)
		}
		return "", "", fail(p.peek(), "want ':' after the rule's name %q, like \"api_errors: 5xx > 10 over 1m\"", first.text)
	}
	if !namePattern.MatchString(first.text) {
		return "", "", fail(first, "rule name %q: want letters, digits, '_', '.' or '-', not starting with a digit", first.text)
	}
	return first.text, "", nil
}

// metric reads the metric and its selectors in braces, if any.
func (p *parser) metric(r *Rule) error {
	t := p.next()
	m, ok := ParseMetric(t.text)
	if t.kind != tokWord || !ok {
		return fail(t, "want a metric, not %s; metrics: %s", t, metricNames)
	}
	r.Metric = m
	if m.Form == FormRatio {
		r.MinRequests = DefaultMinRequests
	}
	if p.punct("{") {
		return p.selectors(r)
	}
	return nil
}

// comparison reads the operator and the threshold.
func (p *parser) comparison(r *Rule) error {
	t := p.next()
	if t.kind != tokOp {
		return fail(t, "want a comparison (>, >=, <, <=) after the metric, not %s", t)
	}
	for o, name := range opNames {
		if t.text == name {
			r.Op = Op(o)
		}
	}
	var err error
	r.Threshold, err = threshold(p.next(), r.Metric)
	return err
}

// clauses reads the clauses after the threshold, each at most once, up
// to the end of the rule.
func (p *parser) clauses(r *Rule) error {
	seen := map[string]bool{}
	for p.peek().kind != tokEOF {
		kw := p.next()
		if kw.kind != tokWord {
			return fail(kw, "want a clause (over, for, keep_firing_for, min_requests), not %s", kw)
		}
		switch kw.text {
		case "over", "for", "keep_firing_for", "min_requests":
		default:
			return fail(kw, "unknown clause %s; clauses: over, for, keep_firing_for, min_requests", kw)
		}
		if seen[kw.text] {
			return fail(kw, "%q given twice", kw.text)
		}
		seen[kw.text] = true
		arg := p.next()
		if arg.kind != tokWord {
			return fail(arg, "want a value after %q, not %s", kw.text, arg)
		}
		if err := clause(r, kw, arg); err != nil {
			return err
		}
	}
	return nil
}

// clause sets what the clause kw says with its value arg.
func clause(r *Rule, kw, arg token) error {
	var err error
	switch kw.text {
	case "over":
		r.Window, err = duration(arg, kw.text, 1)
	case "for":
		r.For, err = duration(arg, kw.text, 0)
	case "keep_firing_for":
		r.KeepFiringFor, err = duration(arg, kw.text, 0)
	case "min_requests":
		if err := minRequestsApplies(r.Metric); err != nil {
			return fail(kw, "%v", err)
		}
		n, perr := strconv.ParseInt(arg.text, 10, 64)
		if perr != nil || checkMinRequests(n) != nil {
			return fail(arg, "%s, not %s", minRequestsWant, arg)
		}
		r.MinRequests = n
	}
	return err
}

// selectors reads "section=/api, source=x}" after the opening brace.
func (p *parser) selectors(r *Rule) error {
	for {
		key := p.next()
		if key.kind != tokWord || (key.text != "section" && key.text != "source") {
			return fail(key, "want section= or source= in braces, not %s", key)
		}
		if !p.punct("=") {
			return fail(p.peek(), "want '=' after %q", key.text)
		}
		val := p.next()
		if (val.kind != tokWord && val.kind != tokString) || val.text == "" {
			return fail(val, "want a value for %s, like /api or \"/a b\"", key.text)
		}
		dst := &r.Section
		if key.text == "source" {
			dst = &r.Source
		}
		if *dst != "" {
			return fail(key, "%s given twice", key.text)
		}
		*dst = val.text
		if p.punct("}") {
			return nil
		}
		if !p.punct(",") {
			return fail(p.peek(), "want ',' or '}' after the value of %s", key.text)
		}
	}
}

// multipliers are the suffixes a count threshold may carry: 10k hits,
// 5Mi bytes/s, written with or without a trailing B for bytes.
var multipliers = []struct {
	suffix string
	mul    float64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
	{"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
}

// threshold reads a number: a percentage or fraction for ratios, a count
// or rate with an optional multiplier for the others.
func threshold(t token, m Metric) (float64, error) {
	if t.kind != tokWord {
		return 0, fail(t, "want a threshold after the comparison, not %s", t)
	}
	if m.Form == FormLatency {
		d, err := time.ParseDuration(t.text)
		if err != nil || d < 0 {
			return 0, fail(t, "%s, not %s", thresholdWant(m), t)
		}
		v := d.Seconds()
		if err := checkThreshold(v, m); err != nil {
			return 0, fail(t, "%v, not %s", err, t)
		}
		return v, nil
	}
	s, mul := t.text, 1.0
	if m.Form == FormRatio {
		if n, ok := strings.CutSuffix(s, "%"); ok {
			s, mul = n, 0.01
		}
	} else {
		if m.Base == BaseBytes {
			s = strings.TrimSuffix(s, "B")
		}
		for _, x := range multipliers {
			if n, ok := strings.CutSuffix(s, x.suffix); ok {
				s, mul = n, x.mul
				break
			}
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fail(t, "%s, not %s", thresholdWant(m), t)
	}
	v *= mul
	if err := checkThreshold(v, m); err != nil {
		return 0, fail(t, "%v, not %s", err, t)
	}
	return v, nil
}

// duration reads a Go duration in whole seconds.
func duration(t token, clause string, least int64) (int64, error) {
	d, err := time.ParseDuration(t.text)
	if err != nil {
		return 0, fail(t, "%s wants a duration like 30s, 5m or 1h30m, not %s", clause, t)
	}
	if d%time.Second != 0 {
		return 0, fail(t, "%s wants whole seconds, not %s", clause, t)
	}
	n := int64(d / time.Second)
	if err := checkSeconds(clause, n, least); err != nil {
		return 0, fail(t, "%v, not %s", err, t)
	}
	return n, nil
}
