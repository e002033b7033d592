package notify

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
)

// The notification bodies are built with encoding/json: they are cold (a
// few per hour), and it writes map keys sorted, so bodies are reproducible.

// Receiver is the receiver name in Alertmanager payloads.
const Receiver = "httpmon"

// amAlert is one alert of an Alertmanager webhook payload.
type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// amPayload is the body of Alertmanager's webhook, version 4.
type amPayload struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []amAlert         `json:"alerts"`
}

// zeroTime is how Alertmanager writes the end of an alert still firing.
const zeroTime = "0001-01-01T00:00:00Z"

func rfc3339(ts int64) string { return time.Unix(ts, 0).UTC().Format(time.RFC3339) }

// labelSet returns an alert's labels with alertname, as Alertmanager
// identifies alerts.
func labelSet(a *Alert) map[string]string {
	m := map[string]string{"alertname": a.Name}
	for _, l := range a.Labels {
		m[l.Name] = l.Value
	}
	return m
}

func annotations(a *Alert) map[string]string {
	m := map[string]string{"summary": a.Summary()}
	for _, l := range a.Annotations {
		m[l.Name] = l.Value
	}
	return m
}

// Fingerprint is Alertmanager's fingerprint of a label set: 64-bit FNV-1a
// over the names in order, each name and value followed by 0xff, in hex.
// Receivers use it to tie a resolution to its firing.
func Fingerprint(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for n := range labels {
		names = append(names, n)
	}
	slices.Sort(names)
	h := fnv.New64a()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0xff})
		h.Write([]byte(labels[n]))
		h.Write([]byte{0xff})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// AlertmanagerBody returns a function that builds an Alertmanager
// webhook (version 4) body for one alert, as a group of one keyed by its
// alertname. externalURL fills externalURL and generatorURL.
func AlertmanagerBody(externalURL string) func(a *Alert) ([]byte, error) {
	return func(a *Alert) ([]byte, error) {
		labels := labelSet(a)
		ann := annotations(a)
		end := zeroTime
		if a.Resolved() {
			end = rfc3339(a.EndsAt)
		}
		p := amPayload{
			Version:           "4",
			GroupKey:          fmt.Sprintf("{}:{alertname=%q}", a.Name),
			Status:            a.State,
			Receiver:          Receiver,
			GroupLabels:       map[string]string{"alertname": a.Name},
			CommonLabels:      labels,
			CommonAnnotations: ann,
			ExternalURL:       externalURL,
			Alerts: []amAlert{{
				Status:       a.State,
				Labels:       labels,
				Annotations:  ann,
				StartsAt:     rfc3339(a.StartsAt),
				EndsAt:       end,
				GeneratorURL: externalURL,
				Fingerprint:  Fingerprint(labels),
			}},
		}
		return json.Marshal(p)
	}
}

// slackEscaper escapes the three characters Slack's message format gives
// a meaning to.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// SlackBody builds a Slack incoming-webhook body, {"text": ...}, for one
// alert.
func SlackBody(a *Alert) ([]byte, error) {
	icon := ":rotating_light:"
	if a.Resolved() {
		icon = ":white_check_mark:"
	}
	text := fmt.Sprintf("%s %s at %s", icon, slackEscaper.Replace(a.Summary()), a.Time())
	for _, l := range a.Annotations {
		text += "\n" + slackEscaper.Replace(l.Name+": "+l.Value)
	}
	return json.Marshal(map[string]string{"text": text})
}
