package parsecmd

import (
	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/follow"
	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/natsio"
	"github.com/httpmon/httpmon/internal/stage"
)

// follow runs --follow: it parses the lines of the files as they are
// written until interrupted, which is a normal end. Problems that do not
// stop it are told on stderr and as notices.
func (cmd *command) follow(cfg config) error {
	// A history of httpmon-report --db given as the state is read, never
	// written: the report commits the positions, with the records before
	// them, and the checkpoint records carry them there.
	// So is the NATS subject the host's window publishes to: its last
	// record is the newest checkpoint published.
	fromNATS := natsio.IsAddr(cfg.state)
	fromHistory := fromNATS || cfg.state != "" && history.IsHistoryPath(cfg.state)
	var resume *checkpoint.State
	var resumeRecord []byte
	var err error
	switch {
	case fromNATS:
		resume, resumeRecord, err = natsResume(cmd.st.Ctx, cfg.state)
	case fromHistory:
		resume, resumeRecord, err = historyResume(cfg.state, cfg.files)
	default:
		resume, err = loadState(cfg.state)
	}
	if err != nil {
		return err
	}
	fl, err := follow.New(follow.Options{
		Patterns:  cfg.files,
		FromStart: cfg.fromStart,
		Resume:    resume,
		Poll:      cfg.poll,
		Warn:      func(err error) { cmd.st.Rejects.Tell(err.Error()) },
	}, func(l follow.Line) error { return cmd.followedLine(l, cfg.label) })
	if err != nil {
		return stage.UsageError("%v", err)
	}
	defer fl.Close()
	var ck *checkpointer
	if cfg.state != "" {
		ck = &checkpointer{path: cfg.state, interval: cfg.stateInterval, st: cmd.st, fl: fl,
			records: cfg.checkpoints || fromHistory, history: fromHistory}
		if err := ck.start(); err != nil {
			return cli.Exit(err.Error(), stage.ExitError)
		}
	}
	if resumeRecord != nil {
		// First, so that the stages restore what the store holds before
		// any record of the lines after its position.
		if err := cmd.st.Emit(resumeRecord, nil); err != nil {
			return err
		}
	}
	if fromHistory {
		if err := ck.begin(); err != nil {
			return err
		}
	}
	err = fl.Run(cmd.st.Ctx, func(waiting bool) error {
		if ck != nil && ck.due() {
			return ck.step()
		}
		if waiting {
			return cmd.st.Out.Flush()
		}
		return nil
	})
	if err == nil {
		err = cmd.st.Out.Flush()
	}
	if err == nil && ck != nil {
		err = ck.save()
	}
	return err
}

// followedLine parses a line of a followed file, whose records are
// labelled label, or by default the file's name.
func (cmd *command) followedLine(l follow.Line, label string) error {
	in := cmd.followed[l.Path]
	if in == nil {
		in = cmd.newInput(l.Path, label)
		if cmd.followed == nil {
			cmd.followed = map[string]*input{}
		}
		cmd.followed[l.Path] = in
	}
	if l.Err != nil {
		cmd.st.Rejects.Report(in.where, l.No(), nil, l.Err)
		return nil
	}
	bad, err := cmd.line(l.Text, &in.format, in.source)
	if bad != nil {
		cmd.st.Rejects.Report(in.where, l.No(), l.Text, bad)
	}
	return err
}
