package alertcmd

import (
	"io"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/event"
)

func notifyFlags() []cli.Flag { return nil }

type notifier struct{}

func newNotifier(*cli.Context, *alert.Engine) (*notifier, error) { return &notifier{}, nil }

func (n *notifier) send(*event.Alert) {}

func (n *notifier) close(io.Writer) {}
