#!/bin/sh
# Run the browser test of the inspector page (/emulator/ui) (POSIX sh; `sh tests/browser/run.sh` works).
#   tests/browser/run.sh        # server binary: $INTEGRATIONSD_BIN or <repo>/build/integrationsd
# Needs Debian's chromium-headless-shell (scripts/deps.sh test). Installs the pinned puppeteer-core
# and axe-core with `npm ci` (from package-lock.json) when node_modules is missing or was installed
# from a different lock file. Screenshots of every step go to build/screenshots/.
set -eu
cd "$(dirname "$0")"

sh ../../scripts/npm-ci.sh .

exec node --test --test-reporter=tap "$@" inspector.test.mjs
