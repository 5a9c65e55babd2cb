# Makefile - builds the counter kiosk, its tests and benchmarks.
#
#   make            build build/kiosk (-Wall -Wextra -Werror)
#   make san        build build/san/kiosk with AddressSanitizer + UBSan
#   make run        set up the machine, provision the embedded hall, start the kiosk
#   make check      set up, build both variants, run every test (last line: N passed, M failed)
#   make bench      run the benchmarks in bench/ and print their figures
#   make fuzz       build the libFuzzer targets (clang) and run each for FUZZ_SECONDS (600)
#   make install    install under PREFIX (/usr/local), honouring DESTDIR; make uninstall
#   make deb        build the Debian package (dpkg-buildpackage) into build/deb/
#
# Every .c file under kiosk/ screens/ token/ printing/ data/ is part of the
# program; kiosk/main.c alone holds main(). Unit tests are tests/unit/test_*.c
# (one cmocka binary each); C helpers for integration tests are
# tests/integration/*.c (one binary each); scripts are run by tests/run.sh.

CC      ?= cc
PKGS    := ncursesw libp11 p11-kit-1 libcrypto sqlite3 libpq libqrencode cairo pangocairo inih
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CUPS_CFLAGS := $(shell cups-config --cflags 2>/dev/null)
CUPS_LIBS   := $(shell cups-config --libs 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
# On a fresh machine the libraries come with `make setup` (run first by make
# run, check and bench): a plain build says so in one line, not a screen of
# pkg-config errors.
ifeq ($(filter setup run check bench deb install uninstall fuzz clean,$(MAKECMDGOALS)),)
ifeq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo ok),)
$(error the libraries to build with are missing: run "make setup" first (make run and make check do it for you))
endif
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)
# snprintf truncation is always deliberate here (fixed-size fields), hence -Wno-format-truncation.
WARN    := -Wall -Wextra -Werror -Wno-format-truncation -Wno-error=deprecated-declarations
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARN) $(CPPFLAGS) $(CFLAGS) -D_GNU_SOURCE -DNCURSES_WIDECHAR=1 \
             -DKIOSK_VERSION='"$(VERSION)"' -I. $(PKG_CFLAGS) $(CUPS_CFLAGS)
LIBS    = $(PKG_LIBS) $(CUPS_LIBS) -lm -pthread

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC_DIRS := kiosk screens token printing data data/sqlite data/pg
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
	$$(CC) $(2) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)
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

.PHONY: all san tests run hall check bench clean setup fuzz fuzz-bins install uninstall deb
.SECONDARY:

san: build/san/kiosk

# A PKCS#11 module for tests only: SoftHSM with the PIN flags no available token reports.
# Its pass-through wrappers are generated from p11-kit's pkcs11.h (tests/fakep11/gen.py).
P11_H := $(shell pkg-config --variable=includedir p11-kit-1 2>/dev/null)/p11-kit-1/p11-kit/pkcs11.h
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

# a hall of many counters: windows 66 and 68 and a self-service terminal on one PostgreSQL
hall: setup
	$(MAKE) all
	KIOSK_HALL=1 bash scripts/run.sh $(ARGS)

check: setup
	$(MAKE) tests $(BENCH_BINS)
	bash tests/run.sh

bench: setup
	$(MAKE) all $(BENCH_BINS) build/fakep11.so build/itests/issue_helper
	bash bench/run.sh

# ---- installing -------------------------------------------------------------
# An installed kiosk keeps its configuration in $(SYSCONFDIR)/kiosk and its
# state in $(LOCALSTATEDIR)/kiosk (kiosk/config.c): build/inst/kiosk is the
# program with those two paths compiled in (only main.o and config.o differ).
PREFIX        ?= /usr/local
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var/lib
BINDIR        ?= $(PREFIX)/bin
MANDIR        ?= $(PREFIX)/share/man
DOCDIR        ?= $(PREFIX)/share/doc/kiosk
UNITDIR       ?= $(PREFIX)/lib/systemd/system
INST_DEFS := -DKIOSK_SYSCONFDIR='"$(SYSCONFDIR)/kiosk"' -DKIOSK_STATEDIR='"$(LOCALSTATEDIR)/kiosk"'
UNITS     := kiosk-self@.service kiosk-window@.service kiosk-crl.service kiosk-crl.timer
DOCS      := README.md $(wildcard docs/*.md)
# rebuilt whenever the paths change
INST_STAMP := $(shell mkdir -p build/inst && echo '$(INST_DEFS)' | cmp -s - build/inst/paths || echo '$(INST_DEFS)' > build/inst/paths; echo build/inst/paths)

build/inst/%.o: kiosk/%.c $(HDRS) $(INST_STAMP)
	$(CC) $(ALL_CFLAGS) $(INST_DEFS) -c $< -o $@
build/inst/kiosk: build/inst/main.o build/inst/config.o build/libkiosk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
build/kiosk.conf.5: build/kiosk
	build/kiosk config man > $@.tmp && mv $@.tmp $@
build/kiosk.conf.example: build/kiosk
	env -u KIOSK_HOME build/kiosk config example > $@.tmp && mv $@.tmp $@

install: build/inst/kiosk build/kiosk.conf.5 build/kiosk.conf.example
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) \
	        $(DESTDIR)$(UNITDIR)
	install -d -m 750 $(DESTDIR)$(SYSCONFDIR)/kiosk
	install -d -m 700 $(DESTDIR)$(LOCALSTATEDIR)/kiosk
	install -m 755 build/inst/kiosk $(DESTDIR)$(BINDIR)/kiosk
	install -m 644 docs/kiosk.1 $(DESTDIR)$(MANDIR)/man1/kiosk.1
	install -m 644 build/kiosk.conf.5 $(DESTDIR)$(MANDIR)/man5/kiosk.conf.5
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 640 build/kiosk.conf.example $(DESTDIR)$(SYSCONFDIR)/kiosk/kiosk.conf.example
	install -m 644 scripts/systemd/foot.ini $(DESTDIR)$(SYSCONFDIR)/kiosk/foot.ini
	for u in $(UNITS); do \
	  sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@LOCALSTATEDIR@|$(LOCALSTATEDIR)|g' \
	      scripts/systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u && chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done

# Removes what install put there; the state directory and a kiosk.conf of
# the hall's own stay unless empty (as dpkg keeps them until a purge).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kiosk $(DESTDIR)$(MANDIR)/man1/kiosk.1 $(DESTDIR)$(MANDIR)/man5/kiosk.conf.5
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS))) $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))
	rm -f $(DESTDIR)$(SYSCONFDIR)/kiosk/kiosk.conf.example $(DESTDIR)$(SYSCONFDIR)/kiosk/foot.ini
	for d in $(DOCDIR) $(SYSCONFDIR)/kiosk $(LOCALSTATEDIR)/kiosk; do \
	  [ ! -d $(DESTDIR)$$d ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$$d; done

# The Debian package, built from a copy of the tree (dpkg-buildpackage
# writes beside the source directory): build/deb/kiosk_VERSION_ARCH.deb.
deb:
	rm -rf build/deb && mkdir -p build/deb/src
	git ls-files -z 2>/dev/null | xargs -0 -I{} cp --parents {} build/deb/src/ 2>/dev/null || \
	  tar --exclude=./build --exclude=./var --exclude=./.git -cf - . | tar -xf - -C build/deb/src
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	ls build/deb/*.deb

clean:
	rm -rf build
