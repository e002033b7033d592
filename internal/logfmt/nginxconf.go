package logfmt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// nginxCombined is the format nginx predefines as "combined"; it is in no
// configuration file.
const nginxCombined = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`

// maxIncludeDepth bounds nested includes, so that a file including itself
// is an error and not a hang.
const maxIncludeDepth = 16

// logFormatDirective is one log_format of an nginx configuration.
type logFormatDirective struct {
	name   string
	escape string // "default", "json" or "none"
	format string // its strings, joined as nginx joins them
	where  string // file:line
}

// nginxToken is a word or quoted string of an nginx configuration, or one
// of ";", "{" and "}".
type nginxToken struct {
	text   string
	quoted bool
	line   int
}

// tokenizeNginx splits an nginx configuration into tokens as nginx's own
// parser does: blanks separate words, # starts a comment outside quotes,
// and a quoted string (single or double quotes) may span lines and has
// the escapes \", \', \\, \t, \r and \n; any other backslash is kept.
func tokenizeNginx(src string) ([]nginxToken, error) {
	var toks []nginxToken
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == ';' || c == '{' || c == '}':
			toks = append(toks, nginxToken{text: src[i : i+1], line: line})
			i++
		case c == '"' || c == '\'':
			start := line
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\n' {
					line++
				}
				if src[j] == '\\' && j+1 < len(src) {
					switch e := src[j+1]; e {
					case '"', '\'', '\\':
						b.WriteByte(e)
						j++
						continue
					case 't':
						b.WriteByte('\t')
						j++
						continue
					case 'r':
						b.WriteByte('\r')
						j++
						continue
					case 'n':
						b.WriteByte('\n')
						j++
						continue
					}
				}
				b.WriteByte(src[j])
			}
			if j == len(src) {
				return nil, fmt.Errorf("line %d: unterminated quoted string", start)
			}
			toks = append(toks, nginxToken{text: b.String(), quoted: true, line: start})
			i = j + 1
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\r\n;{}\"'", rune(src[j])) {
				j++
			}
			toks = append(toks, nginxToken{text: src[i:j], line: line})
			i = j
		}
	}
	return toks, nil
}

// logFormatArgs reads the arguments of a log_format directive: its name,
// an optional escape= parameter and one or more strings.
func logFormatArgs(args []nginxToken) (logFormatDirective, error) {
	var d logFormatDirective
	if len(args) < 2 {
		return d, errors.New("log_format needs a name and a format")
	}
	d.name, args = args[0].text, args[1:]
	d.escape = "default"
	if a := args[0]; !a.quoted && strings.HasPrefix(a.text, "escape=") {
		d.escape = strings.TrimPrefix(a.text, "escape=")
		switch d.escape {
		case "default", "json", "none":
		default:
			return d, fmt.Errorf("log_format %s: unknown escape %s (nginx has default, json and none)", d.name, strconv.Quote(d.escape))
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return d, fmt.Errorf("log_format %s has no format string", d.name)
	}
	var b strings.Builder
	for _, a := range args {
		b.WriteString(a.text)
	}
	d.format = b.String()
	return d, nil
}

// parseLogFormatDirective reads a log_format directive pasted on its own,
// with or without its ";".
func parseLogFormatDirective(s string) (logFormatDirective, error) {
	toks, err := tokenizeNginx(s)
	if err != nil {
		return logFormatDirective{}, &FormatError{Reason: "log_format: " + err.Error()}
	}
	if n := len(toks); n > 0 && toks[n-1].text == ";" && !toks[n-1].quoted {
		toks = toks[:n-1]
	}
	d, err := logFormatArgs(toks[1:])
	if err != nil {
		return d, &FormatError{Reason: err.Error()}
	}
	return d, nil
}

// nginxConf collects the log_format directives of a configuration and the
// files it includes.
type nginxConf struct {
	root    string // the main file's directory, which includes are relative to
	formats []logFormatDirective
}

func (c *nginxConf) read(path string, depth int) error {
	if depth > maxIncludeDepth {
		return fmt.Errorf("%s: includes nested more than %d deep", textsafe.String(path), maxIncludeDepth)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	toks, err := tokenizeNginx(string(b))
	if err != nil {
		return fmt.Errorf("%s: %v", textsafe.String(path), err)
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.quoted || (t.text != "log_format" && t.text != "include") {
			continue
		}
		// A directive runs to its ";". A word that is a block's name
		// ("server {") never reaches here as log_format or include.
		j := i + 1
		for j < len(toks) && (toks[j].quoted || toks[j].text != ";" && toks[j].text != "{" && toks[j].text != "}") {
			j++
		}
		if j == len(toks) || toks[j].text != ";" {
			return fmt.Errorf("%s:%d: %s without its ;", textsafe.String(path), t.line, t.text)
		}
		args := toks[i+1 : j]
		i = j
		if t.text == "include" {
			if len(args) != 1 {
				return fmt.Errorf("%s:%d: include takes one file", textsafe.String(path), t.line)
			}
			if err := c.include(args[0].text, depth); err != nil {
				return err
			}
			continue
		}
		d, err := logFormatArgs(args)
		if err != nil {
			return fmt.Errorf("%s:%d: %v", textsafe.String(path), t.line, err)
		}
		d.where = path + ":" + strconv.Itoa(t.line)
		c.formats = append(c.formats, d)
	}
	return nil
}

// include reads the files an include names: a path or glob relative to the
// main file's directory, as nginx resolves one relative to its
// configuration prefix.
func (c *nginxConf) include(pattern string, depth int) error {
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(c.root, pattern)
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return fmt.Errorf("include %s: %v", textsafe.String(pattern), err)
	}
	if len(matches) == 0 && !strings.ContainsAny(pattern, "*?[") {
		// nginx fails on a missing file, but not on a glob that matches
		// nothing.
		return fmt.Errorf("include %s: no such file", textsafe.String(pattern))
	}
	slices.Sort(matches)
	for _, m := range matches {
		if err := c.read(m, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// ReadNginxConf compiles the log_format named name from the nginx
// configuration at path and the files it includes. "combined", unless the
// configuration defines it, is nginx's predefined format.
func ReadNginxConf(path, name string) (*CompiledFormat, error) {
	c := nginxConf{root: filepath.Dir(path)}
	if err := c.read(path, 0); err != nil {
		return nil, err
	}
	for _, d := range c.formats {
		if d.name != name {
			continue
		}
		f, err := compileNginx(d.format, d.format)
		if err != nil {
			return nil, fmt.Errorf("%s: log_format %s: %v", textsafe.String(d.where), textsafe.String(name), err)
		}
		return f, nil
	}
	if name == "combined" {
		return compileNginx(nginxCombined, nginxCombined)
	}
	names := make([]string, 0, len(c.formats))
	for _, d := range c.formats {
		names = append(names, d.name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no log_format %s, and no log_format at all", textsafe.String(path), textsafe.String(name))
	}
	return nil, fmt.Errorf("%s: no log_format %s (it has %s)", textsafe.String(path), textsafe.String(name), textsafe.String(strings.Join(names, ", ")))
}
