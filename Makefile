# Makefile - builds the counter kiosk, its tests and benchmarks.
#
#   make            build build/kiosk (-Wall -Wextra -Werror)
#   make san        build build/san/kiosk with AddressSanitizer + UBSan
#   make run        set up the machine, provision the embedded hall, start the kiosk
#   make check      set up, build both variants, run every test (last line: N passed, M failed)
#   make bench      run the benchmarks in bench/ and print their figures
#   make fuzz       build the libFuzzer targets (clang) and run each for FUZZ_SECONDS (600)
#
# Every .c file under kiosk/ screens/ token/ printing/ data/ is part of the
# program; kiosk/main.c alone holds main(). Unit tests are tests/unit/test_*.c
# (one cmocka binary each); C helpers for integration tests are
# tests/integration/*.c (one binary each); scripts are run by tests/run.sh.

CC      ?= cc
PKGS    := ncursesw libp11 libcrypto sqlite3 libqrencode cairo pangocairo inih
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
CUPS_CFLAGS := $(shell cups-config --cflags)
CUPS_LIBS   := $(shell cups-config --libs)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
# snprintf truncation is always deliberate here (fixed-size fields), hence -Wno-format-truncation.
WARN    := -Wall -Wextra -Werror -Wno-format-truncation -Wno-error=deprecated-declarations
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -DNCURSES_WIDECHAR=1 \
             -DKIOSK_VERSION='"$(VERSION)"' -I. $(PKG_CFLAGS) $(CUPS_CFLAGS)
LIBS    = $(PKG_LIBS) $(CUPS_LIBS) -lm -pthread

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC_DIRS := kiosk screens token printing data data/sqlite
LIB_SRCS := $(filter-out kiosk/main.c,$(wildcard $(addsuffix /*.c,$(SRC_DIRS))))
HDRS     := $(wildcard $(addsuffix /*.h,$(SRC_DIRS)) $(addsuffix /*.def,$(SRC_DIRS)) tests/unit/*.h bench/*.h)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
ITEST_SRCS := $(wildcard tests/integration/*.c)
BENCH_SRCS := $(wildcard bench/*.c)

all: build/kiosk

# $(call variant,DIR,EXTRA_CFLAGS)
define variant
$(1)/obj/%.o: %.c $(HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
$(1)/libkiosk.a: $(patsubst %.c,$(1)/obj/%.o,$(LIB_SRCS))
	@rm -f $$@
	ar rcs $$@ $$^
$(1)/kiosk: $(1)/obj/kiosk/main.o $(1)/libkiosk.a
	$$(CC) $(2) -o $$@ $$^ $$(LIBS)
$(1)/tests/%: $(1)/obj/tests/unit/%.o $(1)/libkiosk.a
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -o $$@ $$^ $$(LIBS) $$(CMOCKA_LIBS)
$(1)/itests/%: $(1)/obj/tests/integration/%.o $(1)/libkiosk.a
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -o $$@ $$^ $$(LIBS) $$(CMOCKA_LIBS)
$(1)/bench/%: $(1)/obj/bench/%.o $(1)/libkiosk.a
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) -o $$@ $$^ $$(LIBS)
endef

$(eval $(call variant,build,))
$(eval $(call variant,build/san,$(SAN_FLAGS) -O1))

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang: the library
# again with the fuzzer's coverage, ASan and UBSan (no -Werror: clang warns
# otherwise than gcc, which builds everything else with -Werror).
FUZZ_CC    := clang
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -O1 -g
FUZZ_CFLAGS = -std=c11 -Wall -Wextra -Wno-format-truncation -Wno-unknown-warning-option $(FUZZ_FLAGS) \
              -D_GNU_SOURCE -DNCURSES_WIDECHAR=1 -DKIOSK_VERSION='"$(VERSION)"' -I. $(PKG_CFLAGS) $(CUPS_CFLAGS)
build/fuzz/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/libkiosk.a: $(patsubst %.c,build/fuzz/obj/%.o,$(LIB_SRCS))
	@rm -f $@
	ar rcs $@ $^
build/fuzz/fuzz_%: build/fuzz/obj/tests/fuzz/fuzz_%.o build/fuzz/libkiosk.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

UNIT_BINS  = $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))
ITEST_BINS = $(patsubst tests/integration/%.c,%,$(ITEST_SRCS))
BENCH_BINS = $(patsubst bench/%.c,build/bench/%,$(BENCH_SRCS))

.PHONY: all san tests run check bench clean setup fuzz fuzz-bins
.SECONDARY:

san: build/san/kiosk

# A PKCS#11 module for tests only: SoftHSM with the PIN flags no available token reports.
# Its pass-through wrappers are generated from p11-kit's pkcs11.h (tests/fakep11/gen.py).
P11_H := $(shell pkg-config --variable=includedir p11-kit-1)/p11-kit-1/p11-kit/pkcs11.h
build/fakep11_wrap.h: tests/fakep11/gen.py
	@mkdir -p build
	python3 tests/fakep11/gen.py $(P11_H) > $@
build/fakep11.so: tests/fakep11/fakep11.c build/fakep11_wrap.h
	@mkdir -p build
	$(CC) -std=c11 $(WARN) -O2 -g -D_GNU_SOURCE -I. -shared -fPIC -o $@ $< -ldl

fuzz-bins: $(FUZZ_BINS)

fuzz: setup
	$(MAKE) fuzz-bins
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} bash tests/fuzz/run.sh long

tests: build/kiosk build/san/kiosk build/fakep11.so $(FUZZ_BINS) \
       $(addprefix build/tests/,$(UNIT_BINS)) $(addprefix build/san/tests/,$(UNIT_BINS)) \
       $(addprefix build/itests/,$(ITEST_BINS)) $(addprefix build/san/itests/,$(ITEST_BINS))

setup:
	bash scripts/setup.sh

run: setup
	$(MAKE) all
	bash scripts/run.sh $(ARGS)

check: setup
	$(MAKE) tests $(BENCH_BINS)
	bash tests/run.sh

bench: setup
	$(MAKE) all $(BENCH_BINS) build/fakep11.so build/itests/issue_helper
	bash bench/run.sh

clean:
	rm -rf build
