package alertcmd

import (
	"fmt"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/testsvc"
)

// TestResumeKeepsAlertmanagerFiring restarts httpmon-alert from a resume
// checkpoint whose rule is firing: Alertmanager is told again, as
// Prometheus does after a restart, and kept up by resends, so that the
// alert does not expire there while it goes on firing; the other sinks
// are not (they were sent the firing before the restart).
func TestResumeKeepsAlertmanagerFiring(t *testing.T) {
	am := testsvc.Alertmanager(t, quietAlertmanager)
	l := startAlert(t, "--rule", "busy: hits > 0 over 1s", "--notify-alertmanager", am, "--notify-resend", "1s")
	fired := time.Now().Add(-time.Minute).Unix()
	fmt.Fprintf(l.in, `{"kind":"checkpoint","files":[],"through":%d,"resume":true,"alerted":%d,"rules":[{"name":"busy","expr":"hits > 0 over 1s","state":"firing","active_at":%d,"fired_at":%d,"from":%d,"last":%d,"base":[3],"hits":[3]}]}`+"\n",
		fired+9, fired+9, fired, fired, fired-10, fired+9)
	l.until(`"resume":true`)
	var got testsvc.AlertmanagerAlert
	testsvc.Eventually(t, "the resumed firing alert in Alertmanager", func() bool {
		as := testsvc.AlertmanagerAlerts(t, am)
		if len(as) == 1 {
			got = as[0]
		}
		return len(as) == 1
	})
	if got.Labels["alertname"] != "busy" || got.StartsAt.Unix() != fired || got.Status.State != "active" {
		t.Errorf("in Alertmanager: %+v, want busy active since %d", got, fired)
	}
	l.tick(int(fired)+10, 0)
	l.until(`"state":"resolved"`)
	testsvc.Eventually(t, "the resolution in Alertmanager", func() bool {
		for _, a := range testsvc.AlertmanagerAlerts(t, am) {
			if a.Status.State == "active" {
				return false
			}
		}
		return true
	})
	l.in.Close()
	if err := <-l.done; err != nil {
		t.Fatal(err)
	}
}
