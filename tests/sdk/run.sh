#!/bin/sh
# Run the official-SDK contract test of integrationsd (POSIX sh; `sh tests/sdk/run.sh` works).
#   tests/sdk/run.sh            # server binary: $INTEGRATIONSD_BIN or <repo>/build/integrationsd
# Installs the pinned dependencies with `npm ci` (from package-lock.json) when
# node_modules is missing or was installed from a different lock file.
set -eu
cd "$(dirname "$0")"

sh ../../scripts/npm-ci.sh .

exec node --test --test-reporter=tap "$@"
