//go:build race

package alert

// raceEnabled is set when the race detector is on, which makes some
// appends allocate that otherwise do not.
const raceEnabled = true
