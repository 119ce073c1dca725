#!/usr/bin/env bash
# Docker smoke test of the shipped Dockerfile, with no registry and without touching the
# machine's network:
#   - the base image is a debootstrap --variant=minbase bookworm rootfs (made slim like
#     debian:bookworm-slim), cached outside the repo in $INTEGRATIONSD_DOCKER_CACHE
#     (default /var/cache/integrationsd-docker/bookworm-minbase.tar) and `docker import`ed;
#   - a private dockerd with no bridge, no iptables, no ip_forward change, its socket, data and
#     state in a temporary work dir; builds and containers use the host network; the server
#     in the container is bound to 127.0.0.1 only;
#   - checks the image, the API through it, HEALTHCHECK, non-root, persistence across
#     restarts, and exit status 2 for a bad env var; then removes everything it made.
# Needs root (dockerd, debootstrap). Prints "N passed, M failed"; exits non-zero on a failure.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${INTEGRATIONSD_DOCKER_CACHE:-/var/cache/integrationsd-docker}
BASE_TAR=$CACHE/bookworm-minbase.tar
BASE_IMAGE=local/bookworm-minbase:ci
IMAGE=integrationsd:ci
TAG=$$                                   # names of this run's containers and volume
VOLUME=integrationsd-ci-data-$TAG
C_MAIN=integrationsd-ci-main-$TAG
C_AGAIN=integrationsd-ci-again-$TAG
C_ISOLATED=integrationsd-ci-isolated-$TAG
C_BAD=integrationsd-ci-bad-$TAG

# 6 random hex digits, the length mktemp would use: dockerd's socket paths below must stay short
W=/tmp/integrationsd-docker.$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
mkdir -m 700 "$W"
export DOCKER_HOST=unix://$W/docker.sock DOCKER_BUILDKIT=1 DEBIAN_FRONTEND=noninteractive
DOCKER=""
DOCKERD_PID=""
CGROUPS_BEFORE=""
# Folders dockerd/containerd make outside the work dir whatever their flags: removed again
# (when empty) unless they were there before.
HOST_DIRS=(/run/docker/plugins /run/docker /run/containerd/s /run/containerd)
HOST_DIRS_BEFORE=""
T_START=$(date +%s)

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
note() { echo "#    $*"; }
elapsed() { echo $(( $(date +%s) - $1 )); }

# run_bg SECONDS CMD...: CMD bounded by a timeout, waited for with `wait` so that a signal
# to this script is acted on at once (cleanup then stops CMD through $BG).
BG=""
run_bg() { timeout "$1" "${@:2}" 8>&- 9>&- & BG=$!; wait "$BG"; }
# Every docker call is bounded.
d() { run_bg "${DT:-120}" "$DOCKER" "$@"; }

finish() {
    local rc=$?
    trap - EXIT INT TERM
    exec 1>&8 2>&9    # a signal may have come while a command's output was redirected
    cleanup
    note "total time: $(elapsed "$T_START") s"
    echo "$passed passed, $failed failed"
    if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
    exit "$rc"
}

cleanup() {
    # a command cut short by a signal (timeout passes the TERM on to it)
    if [ -n "$BG" ] && kill -0 "$BG" 2>/dev/null; then
        kill -TERM "$BG" 2>/dev/null
        for _ in $(seq 1 150); do kill -0 "$BG" 2>/dev/null || break; sleep 0.2; done
    fi
    rm -f "$BASE_TAR.tmp.$$"
    if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        for c in "$C_MAIN" "$C_AGAIN" "$C_ISOLATED" "$C_BAD"; do
            DT=30 d rm -f -v "$c" >/dev/null 2>&1
        done
        DT=30 d volume rm -f "$VOLUME" >/dev/null 2>&1
        DT=60 d image rm -f "$IMAGE" "$BASE_IMAGE" >/dev/null 2>&1
        DT=60 d builder prune -af >/dev/null 2>&1
        kill -TERM "$DOCKERD_PID" 2>/dev/null
        for _ in $(seq 1 150); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$DOCKERD_PID" 2>/dev/null; then
            echo "dockerd $DOCKERD_PID did not stop in 30 s: KILL" >&2
            kill -KILL "$DOCKERD_PID" 2>/dev/null
        fi
        wait "$DOCKERD_PID" 2>/dev/null
    fi
    # dockerd's containerd (and any shim) name the work dir on their command line: stop those
    # that outlived it, by PID.
    local left=""
    for _ in $(seq 1 50); do
        left=$(procs_naming "$W")
        [ -z "$left" ] && break
        kill -TERM $left 2>/dev/null
        sleep 0.2
    done
    [ -n "$left" ] && { echo "still running after TERM:$left: KILL" >&2; kill -KILL $left 2>/dev/null; }
    # The cgroups dockerd made (cgroupfs driver: <hierarchy>/docker/...), if they were not
    # there before it started; rmdir only removes empty, unused ones.
    local g
    [ -n "$DOCKERD_PID" ] && for g in /sys/fs/cgroup/*/docker; do
        [ -d "$g" ] || continue
        grep -qxF "$g" <<<"$CGROUPS_BEFORE" && continue
        find "$g" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    [ -n "$DOCKERD_PID" ] && for g in "${HOST_DIRS[@]}"; do
        [ -d "$g" ] && ! grep -qxF "$g" <<<"$HOST_DIRS_BEFORE" && rmdir "$g" 2>/dev/null
    done
    unmount_and_remove "$W"
}

# procs_naming DIR: the PIDs of live processes with DIR/ on their command line, but this shell
procs_naming() {
    local pid out=""
    for pid in $(grep -lsF "$1/" /proc/[0-9]*/cmdline | cut -d/ -f3); do
        # (the grep itself named DIR too, but has exited by now)
        [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] || ! kill -0 "$pid" 2>/dev/null || out="$out $pid"
    done
    echo "$out"
}

# Unmount what dockerd left under a work dir (the nsfs at <exec-root>/netns/default, the
# data-root bind, overlays of crashed containers, debootstrap's /proc), deepest first; then
# remove the dir, unless something is still mounted there.
unmount_and_remove() {
    local dir=$1 m mounts
    for _ in 1 2 3; do
        mapfile -t mounts < <(awk -v w="$dir" 'index($5, w "/") == 1 || $5 == w { print $5 }' /proc/self/mountinfo | sort -r)
        [ "${#mounts[@]}" -eq 0 ] && break
        for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    done
    if awk -v w="$dir" 'index($5, w "/") == 1 || $5 == w { f = 1 } END { exit !f }' /proc/self/mountinfo; then
        echo "mounts remain under $dir: not removing it" >&2
    else
        rm -rf --one-file-system "$dir"
    fi
}

# The work dirs of earlier runs that were killed outright (SIGKILL: no cleanup): older than
# 3 hours, no dockerd of theirs alive and no process naming them. Unmount and remove them.
reap_stale() {
    local s p reaped=""
    while IFS= read -r s; do
        [ "$s" = "$W" ] && continue
        p=$(cat "$s/dockerd.pid" 2>/dev/null)
        [ -n "$p" ] && [ -d "/proc/$p" ] && continue
        [ -n "$(procs_naming "$s")" ] && continue
        note "removing the work dir of a killed earlier run: $s"
        unmount_and_remove "$s"
        reaped=1
    done < <(find /tmp -maxdepth 1 -type d -name 'integrationsd-docker.*' -mmin +180 2>/dev/null)
    # ... and, when no dockerd runs on the machine at all, what that run left outside its work
    # dir: the empty cgroups and folders (rmdir removes only empty, unused ones).
    if [ -n "$reaped" ] && ! pgrep -x dockerd >/dev/null && ! pgrep -x containerd >/dev/null \
            && ! pgrep -f '^[^ ]*containerd-shim' >/dev/null; then
        find /run/containerd/s -maxdepth 1 -type s -delete 2>/dev/null   # sockets of killed shims
        for s in /sys/fs/cgroup/*/docker; do
            [ -d "$s" ] && find "$s" -depth -type d -exec rmdir {} + 2>/dev/null
        done
        for s in "${HOST_DIRS[@]}"; do [ -d "$s" ] && rmdir "$s" 2>/dev/null; done
    fi
}
exec 8>&1 9>&2      # the script's own stdout/stderr, for finish
trap finish EXIT
trap 'fail "interrupted by a signal"; exit 130' INT TERM

# Is TCP port $1 on 127.0.0.1 free?
port_free() { ! (exec 7<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A port below the kernel's range of ephemeral ports: one inside it can be taken meanwhile as the
# local end of an outgoing connection (docker and apt make many), and the server's bind then fails.
free_port() {
    local p low
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    [ "$low" -gt 12000 ] || low=32768
    for _ in $(seq 1 200); do
        p=$(( 10000 + RANDOM % (low - 10000) ))
        port_free "$p" && { echo "$p"; return 0; }
    done
    return 1
}

reap_stale

# ---------------------------------------------------------------------------------------------
# 1. Packages: docker.io (dockerd 20.10 + a matching client), debootstrap, curl.
# ---------------------------------------------------------------------------------------------
t=$(date +%s)
missing=""
for p in docker.io debootstrap curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    # Never let the package start the system dockerd (it would create docker0 and NAT rules).
    made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
    fi
    timeout 900 apt-get -o DPkg::Lock::Timeout=600 update -q >"$W/apt.log" 2>&1
    # Without recommends (needrestart, criu, ...); AppArmor's parser only where the kernel uses it.
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && missing="$missing apparmor"
    # shellcheck disable=SC2086
    timeout 900 apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >>"$W/apt.log" 2>&1
    rc=$?
    [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
    if [ $rc -ne 0 ]; then tail -20 "$W/apt.log"; fail "install$missing"; exit 1; fi
    note "install$missing: $(elapsed "$t") s"
fi
# The machine may have a newer client first in PATH that lacks buildx: use Debian's own.
DOCKER=$(dpkg -L docker.io | grep -E '/bin/docker$' | head -1)
DOCKERD=$(dpkg -L docker.io | grep -E '/s?bin/dockerd$' | head -1)
[ -x "$DOCKER" ] && [ -x "$DOCKERD" ] || { fail "docker.io provides docker and dockerd"; exit 1; }

# ---------------------------------------------------------------------------------------------
# 2. Base rootfs: debootstrap minbase bookworm from the mirror apt uses, trimmed like
#    debian:bookworm-slim, cached as a tarball outside the repo.
# ---------------------------------------------------------------------------------------------
apt_uri() {  # apt_uri SUITE -> the configured URI of that suite (ends with /), or nothing
    apt-get indextargets --format '$(REPO_URI)' "Release: $1" 2>/dev/null | head -1
}
if [ -s "$BASE_TAR" ]; then
    note "base rootfs: cached $BASE_TAR ($(stat -c %s "$BASE_TAR") bytes)"
else
    t=$(date +%s)
    MIRROR=$(apt_uri bookworm)
    [ -n "$MIRROR" ] || { fail "apt has a bookworm mirror configured"; exit 1; }
    mkdir -p "$CACHE" "$W/rootfs"
    if ! run_bg 1200 debootstrap --variant=minbase bookworm "$W/rootfs" "$MIRROR" >"$W/debootstrap.log" 2>&1; then
        tail -20 "$W/debootstrap.log"; fail "debootstrap bookworm"; exit 1
    fi
    R=$W/rootfs
    # The same suites a debian:bookworm-slim image has, from the same mirrors as the host.
    SECURITY=$(apt_uri bookworm-security)
    {
        echo "deb $MIRROR bookworm main"
        echo "deb $MIRROR bookworm-updates main"
        [ -n "$SECURITY" ] && echo "deb $SECURITY bookworm-security main"
    } > "$R/etc/apt/sources.list"
    # debian:bookworm-slim's dpkg excludes (docs but copyright, man, info, locales) ...
    cat > "$R/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
    # ... applied to what debootstrap already installed, and no apt caches or lists.
    find "$R/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null
    find "$R/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null
    rm -rf "$R"/usr/share/{groff,info,linda,locale,man}/* "$R"/usr/share/lintian/overrides/* \
           "$R"/var/cache/apt/archives/*.deb "$R"/var/cache/apt/*.bin "$R"/var/lib/apt/lists/* \
           "$R"/var/log/* "$R"/var/cache/debconf/*-old
    if ! tar --numeric-owner -C "$R" -cf "$BASE_TAR.tmp.$$" . ; then
        rm -f "$BASE_TAR.tmp.$$"; fail "tar of the base rootfs"; exit 1
    fi
    mv -f "$BASE_TAR.tmp.$$" "$BASE_TAR"
    rm -rf --one-file-system "$R"
    note "base rootfs: debootstrap + trim + tar $(elapsed "$t") s, $(stat -c %s "$BASE_TAR") bytes -> $BASE_TAR"
fi

# ---------------------------------------------------------------------------------------------
# 3. A private dockerd: no docker0 bridge, no iptables/NAT, no ip_forward change.
# ---------------------------------------------------------------------------------------------
t=$(date +%s)
CGROUPS_BEFORE=$(ls -d /sys/fs/cgroup/*/docker 2>/dev/null)
HOST_DIRS_BEFORE=$(ls -d "${HOST_DIRS[@]}" 2>/dev/null)
# Its own config file (a /etc/docker/daemon.json on the machine must not apply), which also
# keeps its identity key in the work dir rather than /etc/docker/key.json.
printf '{"deprecated-key-path": "%s/key.json"}\n' "$W" > "$W/daemon.json"
"$DOCKERD" --config-file "$W/daemon.json" \
    --host "$DOCKER_HOST" --pidfile "$W/dockerd.pid" --data-root "$W/data" --exec-root "$W/exec" \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    >"$W/dockerd.log" 2>&1 8>&- 9>&- &
DOCKERD_PID=$!
for _ in $(seq 1 120); do
    DT=5 d version >/dev/null 2>&1 && break
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
done
if ! DT=10 d version >/dev/null 2>&1; then
    tail -20 "$W/dockerd.log"; fail "dockerd answers"; exit 1
fi
pass "dockerd answers in $(elapsed "$t") s ($(DT=10 d version --format 'server {{.Server.Version}}, client {{.Client.Version}}'))"

t=$(date +%s)
if DT=300 d import --change 'CMD ["/bin/bash"]' "$BASE_TAR" "$BASE_IMAGE" >/dev/null 2>"$W/import.log"; then
    pass "import base image $BASE_IMAGE ($(elapsed "$t") s, $(d image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes)"
else
    cat "$W/import.log"; fail "import base image"; exit 1
fi

# ---------------------------------------------------------------------------------------------
# 4. Build the shipped Dockerfile.
# ---------------------------------------------------------------------------------------------
t=$(date +%s)
if DT=1800 d build --progress plain --network host --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE" "$REPO" \
        >"$W/build.log" 2>&1; then
    pass "docker build ($(elapsed "$t") s)"
else
    tail -40 "$W/build.log"; fail "docker build"; exit 1
fi
SIZE=$(d image inspect --format '{{.Size}}' "$IMAGE")
note "image $IMAGE: $SIZE bytes ($(( SIZE / 1000000 )) MB); base $(d image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes"

inspect() { d image inspect --format "$1" "$IMAGE"; }
check "image runs as uid 10001 (USER $(inspect '{{.Config.User}}'))" [ "$(inspect '{{.Config.User}}')" = "10001:10001" ]
check "image exposes 8080/tcp" grep -q '8080/tcp' <<<"$(inspect '{{json .Config.ExposedPorts}}')"
check "image has the /data volume" grep -q '"/data"' <<<"$(inspect '{{json .Config.Volumes}}')"
ENVS=$(inspect '{{json .Config.Env}}')
check "image sets INTEGRATIONSD_BIND=0.0.0.0" grep -q '"INTEGRATIONSD_BIND=0.0.0.0"' <<<"$ENVS"
check "image sets INTEGRATIONSD_DB=/data/integrationsd.db" grep -q '"INTEGRATIONSD_DB=/data/integrationsd.db"' <<<"$ENVS"
check "image HEALTHCHECK is integrationsd --healthcheck" \
    grep -q -- '--healthcheck' <<<"$(inspect '{{json .Config.Healthcheck}}')"
check "image ENTRYPOINT is the binary" \
    [ "$(inspect '{{json .Config.Entrypoint}}')" = '["/usr/local/bin/integrationsd"]' ]
VERSION=$(DT=60 d run --rm --network none "$IMAGE" --version 2>&1)
check "integrationsd --version in the container ($VERSION)" grep -qi integrationsd <<<"$VERSION"
LDD=$(DT=60 d run --rm --network none --entrypoint ldd "$IMAGE" /usr/local/bin/integrationsd 2>&1)
check "every shared library of the binary is in the runtime image" \
    bash -c '! grep -q "not found" <<<"$1" && grep -q libmicrohttpd <<<"$1"' _ "$LDD"
check "no compiler in the runtime image" \
    d run --rm --network none --entrypoint sh "$IMAGE" -c '! command -v cc && ! command -v gcc && ! test -d /src'
check "no apt lists or package caches in the runtime image" \
    d run --rm --network none --entrypoint sh "$IMAGE" \
        -c '[ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e ^lock$ -e ^partial$ -e ^auxfiles$)" ] && ! ls /var/cache/apt/archives/*.deb >/dev/null 2>&1'

# ---------------------------------------------------------------------------------------------
# 5. Run it: the API through the container, health, non-root, persistence, bad env.
# ---------------------------------------------------------------------------------------------
PORT=$(free_port) || { fail "a free port"; exit 1; }
B=http://127.0.0.1:$PORT
note "server port $PORT"
# Host network, but bound to loopback only; a short health interval for the test.
run_main() {  # run_main NAME
    DT=60 d run -d --name "$1" --network host \
        -e INTEGRATIONSD_BIND=127.0.0.1 -e "INTEGRATIONSD_PORT=$PORT" \
        -v "$VOLUME:/data" \
        --health-interval 1s --health-timeout 5s --health-start-period 30s --health-retries 3 \
        "$IMAGE" >/dev/null
}
wait_health_endpoint() {  # up to 30 s for GET /health to answer 200
    for _ in $(seq 1 150); do
        curl -fsS -m 2 "$B/health" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}
wait_healthy() {  # wait_healthy NAME: up to 40 s for docker's health status "healthy"
    local s
    for _ in $(seq 1 80); do
        s=$(DT=10 d inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null)
        [ "$s" = healthy ] && return 0
        sleep 0.5
    done
    echo "health status: $s; last probes: $(DT=10 d inspect --format '{{json .State.Health.Log}}' "$1" 2>/dev/null | tail -c 600)"
    return 1
}
# http METHOD PATH [curl args...] -> "<status> <body>"
http() {
    local m=$1 p=$2; shift 2
    curl -sS -m 10 -X "$m" -o "$W/body" -w '%{http_code}' "$B$p" "$@" 2>/dev/null
    printf ' '; cat "$W/body" 2>/dev/null
}

DT=30 d volume create "$VOLUME" >/dev/null
if run_main "$C_MAIN" && wait_health_endpoint; then
    pass "container serves GET /health on 127.0.0.1:$PORT"
else
    DT=30 d logs "$C_MAIN" 2>&1 | tail -20; fail "container serves GET /health"; exit 1
fi
logs_say() {  # logs_say NAME TEXT: up to 10 s for TEXT in the container's output
    for _ in $(seq 1 50); do
        DT=30 d logs "$1" 2>&1 | grep -qF "$2" && return 0
        sleep 0.2
    done
    return 1
}
check "server says it listens on 127.0.0.1:$PORT" logs_say "$C_MAIN" "listening on http://127.0.0.1:$PORT"

R=$(http POST /oauth/access_token -d grant_type=client_credentials -d client_id=docker-ci -d client_secret=docker-secret)
TOKEN=$(grep -o '"access_token":"[0-9a-f]*"' <<<"$R" | cut -d'"' -f4)
check "token: 200 with an access_token" bash -c '[[ $1 == "200 "* ]] && [ ${#2} -eq 64 ]' _ "$R" "$TOKEN"

R=$(http POST /v2/integrations -H "Authorization: Bearer: $TOKEN" -H 'Content-Type: application/json' -d '{"data": {"type": "integration", "integration_type": "webhook",
  "name": "Order shipping notification",
  "description": "Send a shipping notification via email with discount code.",
  "enabled": true,
  "configuration": {"url": "https://yourwebsite.com/order-created-notification"},
  "observes": ["order.fulfilled"]}}')
ID=$(grep -o '"id":"[0-9a-f-]\{36\}"' <<<"$R" | head -1 | cut -d'"' -f4)
check "create the README's webhook integration: 201 with an id" bash -c '[[ $1 == "201 "* ]] && [ -n "$2" ]' _ "$R" "$ID"
check "create answers links.self under $B" grep -qF "\"self\":\"$B/v2/integrations/$ID\"" <<<"$R"

list_has_one() {
    local r; r=$(http GET /v2/integrations -H "Authorization: Bearer $TOKEN")
    [[ $r == "200 "* ]] && grep -q '"results":{"total":1}' <<<"$r" && grep -qF "\"id\":\"$ID\"" <<<"$r"
}
get_it() {
    local r; r=$(http GET "/v2/integrations/$ID" -H "Authorization: Bearer $TOKEN")
    [[ $r == "200 "* ]] && grep -q '"name":"Order shipping notification"' <<<"$r" \
        && grep -q '"observes":\["order.fulfilled"\]' <<<"$r"
}
check "list: 200, results.total 1, the new id" list_has_one
check "get: 200, the name and observes as created" get_it
check "docker health status becomes healthy" wait_healthy "$C_MAIN"
serves_built_in() {  # $1 path, $2 text the body must hold
    local r; r=$(http GET "$1")
    [[ $r == "200 "* ]] && grep -qF "$2" <<<"$r"
}
check "the inspector page is in the image: GET /emulator/ui" serves_built_in /emulator/ui '<html'
check "its script is in the image: GET /emulator/ui/inspector.js" serves_built_in /emulator/ui/inspector.js 'import'
check "the OpenAPI document is in the image" serves_built_in /emulator/v1/openapi.json '"openapi": "3.1.0"'

PID=$(DT=10 d inspect --format '{{.State.Pid}}' "$C_MAIN")
UID_IN=$(DT=30 d exec "$C_MAIN" id -u 2>/dev/null)
check "the server runs as non-root (host sees uid $(stat -c %u "/proc/$PID" 2>/dev/null), id -u = $UID_IN)" \
    bash -c '[ "$(stat -c %u /proc/$1)" != 0 ] && [ -n "$2" ] && [ "$2" != 0 ]' _ "$PID" "$UID_IN"
check "the database is in the /data volume, owned by the server's user" \
    d exec "$C_MAIN" sh -c 'test -O /data/integrationsd.db'

# stop (SIGTERM: clean exit 0) + start the same container
t=$(date +%s)
DT=60 d stop -t 20 "$C_MAIN" >/dev/null
check "docker stop: the server exits 0 on SIGTERM ($(elapsed "$t") s)" \
    [ "$(DT=10 d inspect --format '{{.State.ExitCode}}' "$C_MAIN")" = 0 ]
if DT=60 d start "$C_MAIN" >/dev/null && wait_health_endpoint; then
    pass "docker start: serving again"
else
    fail "docker start: serving again"
fi
check "after stop + start: the token still works and the integration is listed" list_has_one
check "after stop + start: get still finds it" get_it

# a new container on the same volume
DT=60 d stop -t 20 "$C_MAIN" >/dev/null
DT=30 d rm "$C_MAIN" >/dev/null
if run_main "$C_AGAIN" && wait_health_endpoint; then
    pass "a new container on the same volume serves"
else
    fail "a new container on the same volume serves"
fi
check "new container: the old token works and the integration is listed" list_has_one
check "new container: get still finds it" get_it
check "new container: becomes healthy" wait_healthy "$C_AGAIN"
DT=60 d stop -t 20 "$C_AGAIN" >/dev/null

# The image's own defaults (bind 0.0.0.0:8080), in a container with no network of its own
# (only its private loopback): HEALTHCHECK asks 127.0.0.1 and the container becomes healthy.
DT=60 d run -d --name "$C_ISOLATED" --network none --health-interval 1s --health-start-period 30s \
    "$IMAGE" >/dev/null
check "image defaults (0.0.0.0:8080, /data db), network none: healthy" wait_healthy "$C_ISOLATED"
check "image defaults: listening on http://0.0.0.0:8080" logs_say "$C_ISOLATED" 'listening on http://0.0.0.0:8080'
DT=60 d rm -f -v "$C_ISOLATED" >/dev/null

# A bad env var value: one line on stderr and exit status 2.
DT=60 d run --name "$C_BAD" --network none -e INTEGRATIONSD_PORT=abc "$IMAGE" >"$W/bad.out" 2>"$W/bad.err"
BAD_RC=$(DT=10 d inspect --format '{{.State.ExitCode}}' "$C_BAD" 2>/dev/null)
check "INTEGRATIONSD_PORT=abc: the container exits with status 2 (got $BAD_RC: $(head -1 "$W/bad.err"))" \
    [ "$BAD_RC" = 2 ]
check "INTEGRATIONSD_PORT=abc: the message names the variable" grep -q 'INTEGRATIONSD_PORT' "$W/bad.err"
DT=30 d rm -f -v "$C_BAD" >/dev/null

note "image size: $SIZE bytes"
