#!/usr/bin/env bash
# Installs the pinned Alertmanager and mailpit binaries that the
# notification tests run against, into ${HTTPMON_TEST_BIN:-$(go env GOPATH)/bin}.
# Neither is a dependency of httpmon: they are built from the Go module
# proxy at fixed versions, like any other tool.
set -euo pipefail
ALERTMANAGER_VERSION=v0.35.0
MAILPIT_VERSION=v1.33.1
bin=${HTTPMON_TEST_BIN:-$(go env GOPATH)/bin}
mkdir -p "$bin"

# Stamps say which version a binary was built from: mailpit installed by
# "go install" reports its version as "dev".
if [ ! -x "$bin/mailpit" ] || [ ! -e "$bin/.mailpit-$MAILPIT_VERSION" ]; then
	GOBIN=$bin go install "github.com/axllent/mailpit@$MAILPIT_VERSION"
	touch "$bin/.mailpit-$MAILPIT_VERSION"
fi

# Alertmanager's module embeds its web UI from ui/app/dist, which is built
# by npm and not part of the module, so "go install" fails. The tests use
# the API only: build the module's own source with a placeholder UI.
if [ ! -x "$bin/alertmanager" ] || [ ! -e "$bin/.alertmanager-$ALERTMANAGER_VERSION" ]; then
	mod=github.com/prometheus/alertmanager
	work=$(mktemp -d)
	trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
	( cd "$work" && go mod init alertmanager-build >/dev/null 2>&1 && go mod download -json "$mod@$ALERTMANAGER_VERSION" > dl.json )
	dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/dl.json")
	cp -r "$dir" "$work/src"
	chmod -R u+w "$work/src"
	for ui in elm mantine; do
		mkdir -p "$work/src/ui/app/dist/$ui"
		echo '<!doctype html><title>Alertmanager</title>' > "$work/src/ui/app/dist/$ui/index.html"
	done
	( cd "$work/src" && go build -o "$bin/alertmanager" \
		-ldflags "-X github.com/prometheus/common/version.Version=${ALERTMANAGER_VERSION#v}" ./cmd/alertmanager )
	touch "$bin/.alertmanager-$ALERTMANAGER_VERSION"
fi
echo "alertmanager $ALERTMANAGER_VERSION and mailpit $MAILPIT_VERSION in $bin"
