#!/bin/sh
# Installs the Debian packages a step needs, only those missing: `deps.sh build`, `deps.sh test` or
# `deps.sh fuzz` (clang and its libFuzzer runtime, libclang_rt.fuzzer, for tests/fuzz/).
set -eu
build="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev uuid-dev libcurl4-openssl-dev libssl-dev"
test="$build libcmocka-dev python3-pytest python3-requests python3-jsonschema python3-botocore nodejs npm curl openssl activemq chromium-headless-shell"
fuzz="$build clang libclang-rt-14-dev"
case "${1:-build}" in
    build) wanted=$build ;;
    test) wanted=$test ;;
    fuzz) wanted=$fuzz ;;
    *) echo "usage: $0 build|test|fuzz" >&2; exit 2 ;;
esac

missing=""
for p in $wanted; do
    # node/npm may come from elsewhere than Debian (e.g. a preinstalled Node.js): accept the commands
    case $p in nodejs) command -v node >/dev/null 2>&1 && continue ;; npm) command -v npm >/dev/null 2>&1 && continue ;; esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing
