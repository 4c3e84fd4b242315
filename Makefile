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

PKGS      := libmicrohttpd sqlite3 jansson libsodium yaml-0.1 libcurl pangocairo libical
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

demo: deps stipend stipend-sim
	@tools/demo.sh

check: deps stipend stipend-sim $(UNIT)
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
