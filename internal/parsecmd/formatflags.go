package parsecmd

import (
	"errors"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/logfmt"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// formatFlags are the flags that describe a JSON log or paste a format.
func formatFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "json-fields",
			Usage: "for JSON logs, which keys hold which fields: `FIELD=KEY,…`, e.g. ts=start_time,path=request.uri,request_time=duration:ms"},
		&cli.StringFlag{Name: "log-format",
			Usage: "the server's nginx log_format or Apache LogFormat `STRING`, pasted as it is"},
		&cli.StringFlag{Name: "nginx-conf",
			Usage: "read the log format from the nginx configuration `FILE` (and its includes)"},
		&cli.StringFlag{Name: "log-format-name", Value: "combined",
			Usage: "with --nginx-conf, the `NAME` of the log_format to read"},
	}
}

// formatConfig is what the format flags ask for, compiled.
type formatConfig struct {
	json      *logfmt.JSONLayout     // nil for the known layouts
	logFormat *logfmt.CompiledFormat // nil without --log-format or --nginx-conf
}

// newFormatConfig checks and compiles the format flags; format is what
// --format asked for, and becomes LogFormat when a format is pasted.
func newFormatConfig(c *cli.Context, format *logfmt.Format) (formatConfig, error) {
	var fc formatConfig
	if spec := c.String("json-fields"); c.IsSet("json-fields") {
		l, err := logfmt.ParseJSONFields(spec)
		if err != nil {
			return fc, stage.UsageError("--json-fields: %s", textsafe.String(err.Error()))
		}
		fc.json = l
	}
	lf, conf := c.IsSet("log-format"), c.IsSet("nginx-conf")
	switch {
	case lf && conf:
		return fc, stage.UsageError("--log-format and --nginx-conf both give the format; give one")
	case c.IsSet("log-format-name") && !conf:
		return fc, stage.UsageError("--log-format-name needs --nginx-conf")
	case !lf && !conf:
		if *format == logfmt.LogFormat {
			return fc, stage.UsageError("--format log-format needs --log-format or --nginx-conf")
		}
		return fc, nil
	case *format != logfmt.Auto && *format != logfmt.LogFormat:
		return fc, stage.UsageError("--format %s and a pasted format (--log-format, --nginx-conf) conflict; drop --format", *format)
	}
	*format = logfmt.LogFormat
	if lf {
		f, err := logfmt.CompileLogFormat(c.String("log-format"))
		if err != nil {
			return fc, stage.UsageError("--log-format: %s", textsafe.String(err.Error()))
		}
		fc.logFormat = f
		return fc, nil
	}
	f, err := logfmt.ReadNginxConf(c.String("nginx-conf"), c.String("log-format-name"))
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
			return fc, stage.UsageError("--nginx-conf %s: %s", textsafe.String(pe.Path), textsafe.String(err.Error()))
		}
		return fc, stage.UsageError("--nginx-conf: %s", textsafe.String(err.Error()))
	}
	fc.logFormat = f
	return fc, nil
}

// setUp gives the parser what the format flags compiled.
func (fc formatConfig) setUp(p *logfmt.Parser) {
	p.SetJSONLayout(fc.json)
	p.SetLogFormat(fc.logFormat)
}
