// Package humane writes what httpmon shows people: sizes, durations,
// metric values, rule names and times, the same way in httpmon-report's
// text, its dashboard and the notifications of httpmon-alert. It holds no
// wording of whole messages, only the pieces they share, so that a number
// reads the same wherever it is shown.
package humane
