# integrationsd — see README.md. `make` builds build/integrationsd; `make run`; `make check`.
CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 uuid libcurl libssl libcrypto
# libcurl and OpenSSL are loaded when first needed (src/util/curl_lib.c, openssl_lib.c): their
# headers are used, they are not linked
LINKED  := libmicrohttpd jansson sqlite3 uuid
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

# Layers (README, Architecture). A file is compiled with the public headers (include/<layer>/)
# of its own layer and of the layers it may call, and the private headers of its own folder:
# a header of any other layer is not found. scripts/check-layers.sh says so in words.
INC_util     := -Iinclude/util
INC_model    := $(INC_util) -Iinclude/model
INC_store    := $(INC_model) -Iinclude/store -Isrc/store
INC_http     := $(INC_model) -Iinclude/http
INC_delivery := $(INC_model) -Iinclude/store -Iinclude/delivery -Isrc/delivery
INC_api      := $(INC_model) -Iinclude/store -Iinclude/http -Iinclude/api -Isrc/api
INC_main     := $(INC_model) -Iinclude/store -Iinclude/http -Iinclude/delivery -Iinclude/api -Isrc
INC_tests    := $(INC_main) -Isrc/store -Isrc/delivery -Isrc/api
# src/<layer>/x.c -> INC_<layer>; src/x.c -> INC_main
includes_of = $(or $(INC_$(word 2,$(subst /, ,$(1)))),$(INC_main))
LDLIBS  = $(shell pkg-config --libs $(LINKED) 2>/dev/null) -ldl -lpthread

# BUILD is the output folder: build (release) or build/asan (sanitizers).
BUILD   ?= build
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC      := $(wildcard src/*.c src/*/*.c)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
MIGRATIONS := $(sort $(wildcard sql/*.sql))
GEN      := $(BUILD)/gen/migrations.c
# Files served as they are (src/api/files.c): the inspector page and the OpenAPI document.
EMBEDDED := $(sort $(wildcard ui/*)) openapi.json
OBJ      = $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/gen/migrations.o $(BUILD)/obj/gen/files.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all asan run check layers deps test-deps unit api delivery sdk suite browser docker-test clean bench
all: $(BUILD)/integrationsd

$(GEN): $(MIGRATIONS) scripts/embed-sql.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-sql.sh $(MIGRATIONS) > $@

# Stops at once, in one line, when a development package is missing (rather than at the first
# header a compiler cannot find).
$(BUILD)/packages.ok:
	@for p in $(PKGS); do pkg-config --exists $$p || { \
	    echo "make: the development package of $$p is missing (pkg-config $$p): run make deps" >&2; exit 1; }; done
	@mkdir -p $(dir $@) && touch $@

$(BUILD)/obj/gen/migrations.o: $(GEN) | $(BUILD)/packages.ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/store -MMD -MP -c $< -o $@

$(BUILD)/gen/files.c: $(EMBEDDED) scripts/embed-files.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-files.sh . $(EMBEDDED) > $@

$(BUILD)/obj/gen/files.o: $(BUILD)/gen/files.c | $(BUILD)/packages.ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/api -MMD -MP -c $< -o $@

# -MMD -MP: each object depends on the headers it includes, as the compiler found them.
$(BUILD)/obj/%.o: %.c | $(BUILD)/packages.ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(call includes_of,$<) -MMD -MP -c $< -o $@

-include $(OBJ:.o=.d) $(BUILD)/obj/src/main.d

$(BUILD)/libintegrationsd.a: $(OBJ)
	ar rcs $@ $^

$(BUILD)/integrationsd: $(BUILD)/obj/src/main.o $(BUILD)/libintegrationsd.a
	$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

# Unit tests are white-box: they see every header.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libintegrationsd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC_tests) -MMD -MP $< $(BUILD)/libintegrationsd.a $(LDLIBS) -lcmocka -o $@

-include $(UNIT_BIN:=.d)

# The sanitizer build lives in build/asan and runs the whole suite too.
asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g $(SAN)" build/asan/integrationsd

deps:
	sh scripts/deps.sh build

test-deps:
	sh scripts/deps.sh test

run: deps
	$(MAKE) all
	./build/integrationsd --db ./integrationsd.db

# --- tests ------------------------------------------------------------------------------
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $$t; done

api: $(BUILD)/integrationsd
	INTEGRATIONSD_BIN=$(abspath $(BUILD)/integrationsd) /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api

delivery: $(BUILD)/integrationsd
	INTEGRATIONSD_BIN=$(abspath $(BUILD)/integrationsd) /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/delivery

sdk: $(BUILD)/integrationsd
	INTEGRATIONSD_BIN=$(abspath $(BUILD)/integrationsd) sh tests/sdk/run.sh

# The inspector page (/emulator/ui) in headless Chromium, with axe-core (tests/browser/run.sh)
browser: $(BUILD)/integrationsd
	INTEGRATIONSD_BIN=$(abspath $(BUILD)/integrationsd) sh tests/browser/run.sh

# unit + black-box + delivery + SDK against one build
suite: unit api delivery sdk

# The image built from this repository, run under a dockerd of its own (tests/docker/run.sh).
docker-test:
	bash tests/docker/run.sh

# Every include within its layer's reach (scripts/check-layers.sh).
layers:
	sh scripts/check-layers.sh

check: test-deps
	$(MAKE) layers
	$(MAKE) deps
	$(MAKE) suite
	$(MAKE) browser
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g $(SAN)" suite
	$(MAKE) docker-test
	$(MAKE) fuzz FUZZ_SECONDS=10

# The speed-of-light server the benchmark measures against (bench/baseline.c).
$(BUILD)/bench/baseline: bench/baseline.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $< $(shell pkg-config --cflags --libs libmicrohttpd jansson sqlite3 uuid 2>/dev/null) -lpthread -o $@

bench: all $(BUILD)/bench/baseline
	INTEGRATIONSD_BIN=$(abspath $(BUILD)/integrationsd) BASELINE_BIN=$(abspath $(BUILD)/bench/baseline) sh bench/run.sh

# --- fuzzing ----------------------------------------------------------------------------
# libFuzzer harnesses of every parser of outside bytes (tests/fuzz/fuzz_<name>.c), built with
# clang against the model and util layers compiled with the same sanitizers into build/fuzz/.
# `make fuzz` runs each for FUZZ_SECONDS on a copy of its corpus, one process at a time
# (tests/fuzz/run.sh), and fails on any finding.
FUZZ_SECONDS ?= 60
FUZZ_SAN   := -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJ    = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/model/*.c src/util/*.c))
FUZZ_BIN    = $(patsubst %,$(BUILD)/bin/fuzz_%,$(FUZZ_NAMES))

.PHONY: fuzz fuzz-build fuzz-deps
$(BUILD)/libmodel.a: $(FUZZ_OBJ)
	ar rcs $@ $^

$(BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libmodel.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(INC_model) -Itests/fuzz -MMD -MP $< $(BUILD)/libmodel.a $(LDLIBS) -o $@

-include $(FUZZ_BIN:=.d)

fuzz-deps:
	sh scripts/deps.sh fuzz

fuzz-build: fuzz-deps
	$(MAKE) BUILD=build/fuzz CC=clang CFLAGS="-O1 -g $(FUZZ_SAN)" $(patsubst %,build/fuzz/bin/fuzz_%,$(FUZZ_NAMES))

fuzz: fuzz-build
	sh tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)

clean:
	rm -rf build
