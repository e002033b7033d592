// Package web serves the history of httpmon-report to a browser: a page of
// graphs drawn on the server as SVG, the stored records as NDJSON for
// other tools, and the live stream over Server-Sent Events. It reads the
// history through history.Reader only, and writes the same page as one
// self-contained file for --html.
package web
