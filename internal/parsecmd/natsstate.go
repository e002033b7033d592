package parsecmd

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/natsio"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// natsResume reads where to resume from the subject that this host's
// window publishes to, read-only: its last record, the checkpoint that
// the publisher published last, since it publishes only up to each one.
// What the window computes again from there the stream has under the
// same ids, or never had.
func natsResume(ctx context.Context, addr string) (*checkpoint.State, []byte, error) {
	shown := natsio.Shown(addr)
	a, err := natsio.ParseAddr(addr)
	if err != nil {
		return nil, nil, stage.UsageError("--state %s: %v", textsafe.String(shown), err)
	}
	raw, err := natsio.LastRecord(ctx, a, name+" --state")
	if err != nil {
		return nil, nil, cli.Exit(fmt.Sprintf("--state: %v", textsafe.String(err.Error())), stage.ExitError)
	}
	if raw == nil {
		return &checkpoint.State{Version: checkpoint.Version}, nil, nil
	}
	kind, err := event.NewDecoder().Kind(raw)
	if err != nil || string(kind) != event.KindCheckpoint {
		return nil, nil, cli.Exit(fmt.Sprintf("--state %s: the subject's last record is not a checkpoint: it was published without httpmon-parse --checkpoints, so no position says where its records end", textsafe.String(shown)), stage.ExitError)
	}
	return resumeFrom(shown, raw, 0, false)
}
