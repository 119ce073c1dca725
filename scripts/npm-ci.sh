#!/bin/sh
# `sh scripts/npm-ci.sh DIR`: installs DIR's pinned npm packages with `npm ci` (from its
# package-lock.json) when node_modules is missing or was installed from another lock file.
set -eu
cd "$1"
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    npm ci --no-audit --no-fund
    echo "$want" > "$stamp"
fi
