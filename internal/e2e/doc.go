// Package e2e holds the end-to-end tests of the httpmon commands: testscript
// scripts that run whole pipelines on fixed logs and compare their output
// with golden files, and tests of signals and broken pipes against the
// built binaries.
package e2e
