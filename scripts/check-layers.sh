#!/bin/sh
# The layer check of `make check`: every #include "…" in src/ names a header of the file's own
# layer or of a layer it may use, and a private header (src/<layer>/x.h) only from its own folder.
# The build enforces the same through each layer's include path (Makefile, INC_*); this says
# which line breaks the rule, in words. Exit 1 when one does.
#
# A layer may use (README, Architecture):
#   util      nothing else               strings, ids, time, libraries loaded on demand
#   model     util                       the service's rules: pure, no I/O
#   store     util model                 SQLite: every SQL statement
#   http      util model                 libmicrohttpd: requests, answers, routes
#   delivery  util model store           the runner and the transports
#   api       util model store http      the handlers
#   main      every layer                src/*.c: flags, start-up, wiring
set -eu
cd "$(dirname "$0")/.."

may_use() { # may_use LAYER: the layers LAYER may include from
    case $1 in
    util) echo "util" ;;
    model) echo "util model" ;;
    store) echo "util model store" ;;
    http) echo "util model http" ;;
    delivery) echo "util model store delivery" ;;
    api) echo "util model store http api" ;;
    main) echo "util model store http delivery api main" ;;
    *) echo "" ;;
    esac
}

layer_of_source() { # src/store/db.c -> store; src/main.c -> main
    case $1 in
    src/*/*) f=${1#src/}; echo "${f%%/*}" ;;
    *) echo main ;;
    esac
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for file in $(find src -name '*.[ch]' | sort); do
    layer=$(layer_of_source "$file")
    allowed=$(may_use "$layer")
    if [ -z "$allowed" ]; then
        echo "$file: src/$layer/ is not a layer (util model store http delivery api)"
        echo x >>"$tmp"
        continue
    fi
    folder=$(dirname "$file")
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" | while IFS= read -r line; do
        number=${line%%:*}
        header=$(echo "$line" | sed 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/')
        if [ -f "$folder/$header" ]; then
            continue # a header of the file's own folder
        fi
        owner=""
        for dir in include/*/; do
            [ -f "$dir$header" ] && owner=$(basename "$dir")
        done
        if [ -z "$owner" ]; then
            private=$(find src -mindepth 2 -name "$header" | head -1)
            if [ -n "$private" ]; then
                echo "$file:$number: includes $private, private to $(dirname "$private")/"
            else
                echo "$file:$number: includes $header, which is in no layer's include/<layer>/"
            fi
            echo x >>"$tmp"
            continue
        fi
        case " $allowed " in
        *" $owner "*) ;;
        *)
            echo "$file:$number: includes $header of layer $owner; $layer may use only: $allowed"
            echo x >>"$tmp"
            ;;
        esac
    done
done
if [ -s "$tmp" ]; then
    echo "layers: $(wc -l <"$tmp") include(s) across layers (scripts/check-layers.sh)"
    exit 1
fi
echo "layers: every include of src/ stays within its layer's reach"
