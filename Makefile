# stipend - build, demo, tests and benchmarks.
#
#   make demo    install what is missing, build, create the demo database, serve
#   make check   every test: unit, rules, HTTP, browser
#   make bench   benchmarks beside their peers
#
# Everything is built into build/; the binary is ./stipend. Templates,
# catalogues, migrations, parameter sets and static assets are compiled in, so
# the binary runs from anywhere. ./stipend-sim is the simulated outside world
# (sim/: the registers, the test SMS gateway) that the demo and the tests run
# beside it; it is built from sim/ and src/core/ only, and stipend never links
# sim/.

PKGS      := libmicrohttpd sqlite3 jansson libsodium yaml-0.1 libcurl pangocairo libical \
             libxml-2.0 # the loan account (#11): camt.054 from the bank
CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wvla -Wformat=2 -Wno-missing-field-initializers
# Recursively expanded, so that pkg-config runs when a recipe needs it: on a
# fresh machine `make demo` installs the libraries (deps) before compiling.
CPPFLAGS   = -D_GNU_SOURCE -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
SIM_PKGS  := libmicrohttpd jansson libsodium
SIM_LDLIBS = $(shell pkg-config --libs $(SIM_PKGS) 2>/dev/null) -lpthread -lm

SRC       := $(shell find src -name '*.c' ! -name main.c | sort)
OBJ       := $(patsubst src/%.c,build/obj/%.o,$(SRC)) build/obj/embedded.o
EMBEDDED  := $(sort $(wildcard templates/*.html i18n/*.txt src/store/migrations/*.sql \
             params/no/*/*.yaml static/*.css static/*.js static/*.svg)) build/static/ds.css
SIM_SRC   := $(shell find sim -name '*.c' ! -name main.c | sort)
SIM_OBJ   := $(patsubst sim/%.c,build/sim/%.o,$(SIM_SRC))
CORE_OBJ  := $(patsubst src/%.c,build/obj/%.o,$(sort $(wildcard src/core/*.c)))
UNIT      := $(patsubst tests/unit/%.c,build/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps demo check test-unit test-rules test-e2e test-crash test-browser bench lint format clean
.PHONY: test-asan test-fuzz

all: stipend stipend-sim

deps:
	@tools/install-deps.sh

node_modules/.installed: package.json
	@tools/install-deps.sh --npm-only
	@touch $@

build/static/ds.css: node_modules/.installed
	@mkdir -p $(@D)
	cat node_modules/@digdir/designsystemet-css/dist/theme/designsystemet.css \
	    node_modules/@digdir/designsystemet-css/dist/src/index.css > $@

build/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

build/embedded.c: build/embed $(EMBEDDED)
	build/embed $(EMBEDDED) > $@

build/obj/embedded.o: build/embedded.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -w -c -o $@ $<

build/obj/%.o: src/%.c $(wildcard src/*/*.h src/*/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

build/libstipend.a: $(OBJ)
	rm -f $@ && ar rcs $@ $^

stipend: build/obj/main.o build/libstipend.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The simulated world includes src/core/ headers (-Isrc) and its own as
# "sim/..." (-I.); tools/lint.sh checks that it includes nothing else of src/.
build/sim/%.o: sim/%.c $(wildcard sim/*.h src/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I. $(WARN) $(CFLAGS) -c -o $@ $<

build/libcore.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

# sim/ but its main: the unit tests that run the simulator in-process link it.
build/libsim.a: $(SIM_OBJ)
	rm -f $@ && ar rcs $@ $^

stipend-sim: build/sim/main.o build/libsim.a build/libcore.a
	$(CC) $(CFLAGS) -o $@ $^ $(SIM_LDLIBS)

build/tests/%: tests/unit/%.c tests/unit/testdb.h build/libstipend.a build/libsim.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I. $(WARN) -Wno-missing-prototypes $(CFLAGS) -o $@ $< build/libsim.a \
	    build/libstipend.a $(LDLIBS) -lcmocka

# ---- the sanitizers and the fuzz targets ----
#
# A second build of the library with clang under AddressSanitizer and UBSan
# (a report is fatal: -fno-sanitize-recover), into build/asan/: the unit
# tests run on it (test-asan), and so do the libFuzzer targets of
# tests/fuzz/, which is why its objects also carry the fuzzer's coverage
# instrumentation (-fsanitize=fuzzer-no-link; without libFuzzer linked in,
# the sanitizer runtime's no-op hooks take it). The compiled-in files
# (embedded.o) are data: the ordinary object serves.
SAN_CC    := clang
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_OBJ  := $(patsubst build/obj/%,build/asan/obj/%,$(filter-out build/obj/embedded.o,$(OBJ))) build/obj/embedded.o
ASAN_SIM  := $(patsubst build/sim/%,build/asan/sim/%,$(SIM_OBJ))
ASAN_UNIT := $(patsubst tests/unit/%.c,build/asan/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ      := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

build/asan/obj/%.o: src/%.c $(wildcard src/*/*.h src/*/*/*.h)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(WARN) $(SAN_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/asan/sim/%.o: sim/%.c $(wildcard sim/*.h src/core/*.h)
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) -I. $(WARN) $(SAN_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/asan/libstipend.a: $(ASAN_OBJ)
	rm -f $@ && ar rcs $@ $^

build/asan/libsim.a: $(ASAN_SIM)
	rm -f $@ && ar rcs $@ $^

build/asan/tests/%: tests/unit/%.c tests/unit/testdb.h build/asan/libstipend.a build/asan/libsim.a
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) -I. $(WARN) -Wno-missing-prototypes $(SAN_FLAGS) -o $@ $< build/asan/libsim.a \
	    build/asan/libstipend.a $(LDLIBS) -lcmocka

build/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) build/asan/libstipend.a
	@mkdir -p $(@D)
	$(SAN_CC) $(CPPFLAGS) $(WARN) $(SAN_FLAGS) -fsanitize=fuzzer -o $@ $< build/asan/libstipend.a $(LDLIBS)

test-asan: $(ASAN_UNIT)
	@tests/run-all.sh asan

test-fuzz: $(FUZZ)
	@tests/run-all.sh fuzz

demo: deps stipend stipend-sim
	@tools/demo.sh

check: deps stipend stipend-sim $(UNIT) $(ASAN_UNIT) $(FUZZ)
	@tools/lint.sh
	@tests/run-all.sh

test-unit: stipend stipend-sim $(UNIT)
	@tests/run-all.sh unit

test-rules: stipend build/tests/test_rules
	@tests/run-all.sh rules

test-e2e: stipend stipend-sim
	@tests/run-all.sh e2e

test-crash: stipend stipend-sim
	@tests/run-all.sh crash

test-browser: stipend stipend-sim
	@tests/run-all.sh browser

bench: deps stipend stipend-sim build/libsim.a
	@bench/run.sh

lint:
	@tools/lint.sh

format:
	clang-format -i $$(find src sim tests tools -name '*.[ch]')

clean:
	rm -rf build stipend stipend-sim
