package alert

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigError points at a rule in a configuration file.
type ConfigError struct {
	File string
	Line int
	Err  error
}

// Error implements error.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error { return e.Err }

// ParseConfig reads rules from a YAML document of this shape, name being
// the file name for messages:
//
//	rules:
//	  - server_errors                  # a preset, or a whole rule in flag syntax
//	  - "slow_api: hits/s{section=/api} < 1 over 5m for 10m"
//	  - name: api_errors
//	    expr: 5xx_ratio{section=/api} > 2% over 5m min_requests 50
//	    for: 1m
//	    keep_firing_for: 5m
//	    labels: {severity: page}
//	    annotations: {runbook: "https://wiki.example.com/api-errors"}
//
// Each rule's Origin is "file:line". Unknown keys are errors, because a
// misspelt "for" silently ignored would page people too early.
func ParseConfig(name string, data []byte) ([]Rule, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	at := func(n *yaml.Node, format string, args ...any) error {
		return &ConfigError{name, n.Line, fmt.Errorf(format, args...)}
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: no rules: want a \"rules:\" list", name)
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, at(top, "want a mapping with a \"rules:\" list")
	}
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Value != "rules" {
			return nil, at(k, "unknown key %q; the file has one key, \"rules\"", k.Value)
		}
		list = v
	}
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		n := top
		if list != nil {
			n = list
		}
		return nil, at(n, "\"rules\" must be a list of at least one rule")
	}
	var rules []Rule
	for _, item := range list.Content {
		r, err := configRule(item)
		if err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) {
				ce.File = name
				return nil, ce
			}
			return nil, &ConfigError{name, item.Line, err}
		}
		r.Origin = fmt.Sprintf("%s:%d", name, item.Line)
		rules = append(rules, r)
	}
	return rules, nil
}

// configRule reads one item of the rules list.
func configRule(item *yaml.Node) (Rule, error) {
	if item.Kind == yaml.ScalarNode {
		return ParseRule(item.Value)
	}
	if item.Kind != yaml.MappingNode {
		return Rule{}, errors.New("want a rule: a mapping with name and expr, or a string")
	}
	fields, err := ruleFields(item)
	if err != nil {
		return Rule{}, err
	}
	name, expr := fields["name"], fields["expr"]
	if name == nil || expr == nil {
		return Rule{}, errors.New("a rule needs name and expr")
	}
	r, err := exprRule(item, name, expr)
	if err != nil {
		return Rule{}, err
	}
	if err := durationFields(&r, fields); err != nil {
		return Rule{}, err
	}
	if r.Labels, err = pairs(fields["labels"]); err != nil {
		return Rule{}, err
	}
	if r.Annotations, err = pairs(fields["annotations"]); err != nil {
		return Rule{}, err
	}
	if err := r.Validate(); err != nil {
		return Rule{}, &ConfigError{Line: item.Line, Err: fmt.Errorf("rule %s: %v", r.Name, err)}
	}
	return r, nil
}

// ruleFields returns the values of a rule's mapping by key, each key known,
// given once and of its kind.
func ruleFields(item *yaml.Node) (map[string]*yaml.Node, error) {
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		switch k.Value {
		case "name", "expr", "for", "keep_firing_for":
			if v.Kind != yaml.ScalarNode {
				return nil, &ConfigError{Line: v.Line, Err: fmt.Errorf("%s must be a string", k.Value)}
			}
		case "labels", "annotations":
			if v.Kind != yaml.MappingNode {
				return nil, &ConfigError{Line: v.Line, Err: fmt.Errorf("%s must be a mapping of names to strings", k.Value)}
			}
		default:
			return nil, &ConfigError{Line: k.Line, Err: fmt.Errorf("unknown key %q; a rule has name, expr, for, keep_firing_for, labels, annotations", k.Value)}
		}
		if fields[k.Value] != nil {
			return nil, &ConfigError{Line: k.Line, Err: fmt.Errorf("%q given twice", k.Value)}
		}
		fields[k.Value] = v
	}
	return fields, nil
}

// exprRule parses the rule of name and expr. The name goes in front of
// the expression, so that both are checked by the one parser the --rule
// flag uses; a mistake is pointed at in the line of the name or the expr,
// not in the text built here, which nobody wrote.
func exprRule(item, name, expr *yaml.Node) (Rule, error) {
	r, err := ParseRule(name.Value + ": " + expr.Value)
	if err == nil {
		return r, nil
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		col := se.Col - len(name.Value) - 2
		if col >= 1 && col <= len(expr.Value)+1 {
			return Rule{}, &ConfigError{Line: expr.Line, Err: fmt.Errorf("rule %s: expr column %d: %s", name.Value, col, se.Reason)}
		}
		if col < 1 {
			return Rule{}, &ConfigError{Line: name.Line, Err: fmt.Errorf("rule %s: %s", name.Value, se.Reason)}
		}
	}
	return Rule{}, &ConfigError{Line: item.Line, Err: fmt.Errorf("rule %s: %v", name.Value, err)}
}

// durationFields sets the for and keep_firing_for of r from their keys,
// which may not repeat a clause of the expr.
func durationFields(r *Rule, fields map[string]*yaml.Node) error {
	for _, clause := range []struct {
		key string
		dst *int64
	}{{"for", &r.For}, {"keep_firing_for", &r.KeepFiringFor}} {
		n := fields[clause.key]
		if n == nil {
			continue
		}
		if *clause.dst != 0 {
			return &ConfigError{Line: n.Line, Err: fmt.Errorf("rule %s: %s is in expr already", r.Name, clause.key)}
		}
		v, err := duration(token{tokWord, n.Value, 1}, clause.key, 0)
		if err != nil {
			// The column is that of the value in the line, which the
			// line number already points at.
			reason := err.Error()
			if se := (*SyntaxError)(nil); errors.As(err, &se) {
				reason = se.Reason
			}
			return &ConfigError{Line: n.Line, Err: fmt.Errorf("rule %s: %s", r.Name, reason)}
		}
		*clause.dst = v
	}
	return nil
}

// pairs reads a mapping of strings, sorted by name.
func pairs(m *yaml.Node) ([]Label, error) {
	if m == nil {
		return nil, nil
	}
	var out []Label
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
			return nil, &ConfigError{Line: v.Line, Err: fmt.Errorf("%q must be a non-empty string", k.Value)}
		}
		out = append(out, Label{k.Value, v.Value})
	}
	slices.SortFunc(out, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(out); i++ {
		if out[i].Name == out[i-1].Name {
			return nil, &ConfigError{Line: m.Line, Err: fmt.Errorf("%q given twice", out[i].Name)}
		}
	}
	return out, nil
}
