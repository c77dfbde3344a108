# tickpipe — build every program into bin/, run tests and benchmarks.
#
#   make            release build into bin/
#   make test       ASan+UBSan build, unit tests, integration tests (starts the stack)
#   make demo       the whole pipeline on the local stack with the feed simulator
#   make bench      benchmarks into bench/results/
#   make fuzz       run the parser fuzz targets for FUZZ_SECONDS (default 60) each

VERSION  := 0.1.0
PKGS     := rdkafka libwebsockets libmongoc-1.0 libcurl libcjson libpq libcrypto
CC       ?= cc
BUILD    ?= build/release
BINDIR   ?= bin
DATADIR  ?= $(CURDIR)/deploy/calendars

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT      ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -pthread -Ilib \
            -DTP_VERSION='"$(VERSION)"' -DTP_DATADIR='"$(DATADIR)"' \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
# Each program keeps only the libraries it really uses (smaller RSS and images).
LDFLAGS  += -Wl,--as-needed
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

PROGRAMS := collector vwap-stream es-sink anomaly-router watchdog feed-sim
# feed-sim lives beside the collector it imitates.
SRC_collector      := $(wildcard collector/*.c)
SRC_vwap-stream    := $(wildcard vwap-stream/*.c)
SRC_es-sink        := $(wildcard es-sink/*.c)
SRC_anomaly-router := $(wildcard anomaly-router/*.c)
SRC_watchdog       := $(wildcard watchdog/*.c)
SRC_feed-sim       := $(wildcard collector/feed-sim/*.c)

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_A    := $(BUILD)/libtickpipe.a
BINS     := $(PROGRAMS:%=$(BINDIR)/%)

# Unit tests link lib/ and, by name, one program's objects (everything but its
# main.c), so program logic is tested directly: test_lib_* lib/ only,
# test_collector_*/test_sim_* the collector and feed-sim, test_vwap_*,
# test_es_*, test_anomaly_*, test_watchdog_* their program.
nomain   = $(filter-out %/main.c,$(1))
OBJS_collector := $(call nomain,$(SRC_collector) $(SRC_feed-sim))
OBJS_vwap      := $(call nomain,$(SRC_vwap-stream))
OBJS_es        := $(call nomain,$(SRC_es-sink))
OBJS_anomaly   := $(call nomain,$(SRC_anomaly-router))
OBJS_watchdog  := $(call nomain,$(SRC_watchdog))
PROG_SRC := $(OBJS_collector) $(OBJS_vwap) $(OBJS_es) $(OBJS_anomaly) $(OBJS_watchdog)
test_objs = $(addprefix $(BUILD)/,$(patsubst %.c,%.o,$(OBJS_$(1))))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
IT_SRC   := $(wildcard tests/integration/*.c)
IT_BIN   := $(IT_SRC:tests/integration/%.c=$(BUILD)/tests/it_%)

# Fuzz targets (libFuzzer): tests/fuzz/fuzz_*.c, each compiled with clang together
# with lib/ and the programs' non-main sources.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Ilib -DTP_VERSION='"$(VERSION)"' \
            -DTP_DATADIR='"$(DATADIR)"' -fsanitize=fuzzer,address,undefined \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

.SECONDARY:
.SECONDEXPANSION:
.PHONY: all fuzz-build check-deps test unit integration demo bench fuzz clean stack-up stack-down compose-test
all: check-deps $(BINS)

check-deps:
	@pkg-config --exists $(PKGS) || { echo "missing -dev packages: run scripts/setup" >&2; \
	    pkg-config --print-errors --exists $(PKGS); exit 2; }

$(BUILD)/%.o: %.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -MMD -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

objs_of = $(addprefix $(BUILD)/,$(patsubst %.c,%.o,$(SRC_$(1))))
$(BINDIR)/%: $$(call objs_of,$$*) $(LIB_A)
	@mkdir -p $(@D)
	@echo "  LD  $@"
	@$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB_A) $(LDLIBS)

$(BUILD)/tests/test_lib_%: $(BUILD)/tests/unit/test_lib_%.o $(LIB_A)
	@mkdir -p $(@D)
	@echo "  LD  $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# test_<prog>_x links the objects of <prog> (sim tests use the collector's set).
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $$(call test_objs,$$(firstword $$(subst _, ,$$(subst sim_,collector_,$$*)))) $(LIB_A)
	@mkdir -p $(@D)
	@echo "  LD  $@"
	@$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB_A) $(LDLIBS) -lcmocka

$(BUILD)/tests/it_%: $(BUILD)/tests/integration/%.o $(LIB_A)
	@mkdir -p $(@D)
	@echo "  LD  $@"
	@$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS) -lcmocka

# The test build: sanitizers on, separate objects and binaries so bin/ stays a release build.
SANBUILD := build/san
test: 
	@scripts/setup
	@$(MAKE) --no-print-directory SAN=1 OPT='-O1 -g' BUILD=$(SANBUILD) BINDIR=$(SANBUILD)/bin \
	    $(SANBUILD)/bin/collector $(SANBUILD)/bin/vwap-stream $(SANBUILD)/bin/es-sink \
	    $(SANBUILD)/bin/anomaly-router $(SANBUILD)/bin/watchdog $(SANBUILD)/bin/feed-sim \
	    $(patsubst $(BUILD)/%,$(SANBUILD)/%,$(UNIT_BIN) $(IT_BIN)) $(FUZZ_BIN)
	@tests/run --build $(SANBUILD) $(TESTS)

unit:
	@$(MAKE) --no-print-directory SAN=1 OPT='-O1 -g' BUILD=$(SANBUILD) BINDIR=$(SANBUILD)/bin \
	    $(patsubst $(BUILD)/%,$(SANBUILD)/%,$(UNIT_BIN)) $(FUZZ_BIN)
	@tests/run --build $(SANBUILD) --unit-only

demo: all
	@scripts/demo $(if $(DURATION),--duration $(DURATION))

bench: all $(BUILD)/bench/tickpace
	@scripts/setup
	@bench/run $(BENCH)

# The latency benches' paced tick producer (bench/tickpace.c).
$(BUILD)/bench/tickpace: bench/tickpace.c
	@mkdir -p $(@D)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

stack-up:
	@scripts/stack up
stack-down:
	@scripts/stack down

compose-test: all
	@tests/compose/run

# fuzz_<area>_x.c is compiled with lib/ and the program that owns <area>.
FUZZ_OWNER_kis := collector
FUZZ_OWNER_finnhub := collector
FUZZ_OWNER_tick := vwap
FUZZ_OWNER_es := es
FUZZ_OWNER_rules := anomaly
fuzz_srcs = $(LIB_SRC) $(OBJS_$(FUZZ_OWNER_$(firstword $(subst _, ,$(1)))))
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(call fuzz_srcs,$$*) $(wildcard lib/*.h)
	@mkdir -p $(@D)
	@echo "  FUZZ $@"
	@clang $(FUZZ_CFLAGS) -o $@ $< $(call fuzz_srcs,$*) $(LDLIBS)

fuzz-build: $(FUZZ_BIN)
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p tests/fuzz/corpus/$$n; \
	    echo "fuzzing $$n for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 tests/fuzz/corpus/$$n \
	        tests/fuzz/seeds/$$n 2>&1 | tail -3 || exit 1; done

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
