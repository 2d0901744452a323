# sockbridge: one Makefile.  make; make check; make sanitize; make install
CC	?= cc
PREFIX	?= /usr/local
BUILD	?= build
CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wcast-qual -Wformat=2
# gcc warns when snprintf may truncate; here truncation is the intent.
WARN	+= $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null)),,-Wno-format-truncation)
ifeq ($(WERROR),1)
WARN	+= -Werror
endif
# Feature-test macros: glibc hides accept4, pipe2, splice without
# _GNU_SOURCE; macOS wants _DARWIN_C_SOURCE (cross-macos sets it).
DEFS	?= -D_GNU_SOURCE
ALL_CFLAGS = -std=c17 $(DEFS) $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
UNIT_LIBS ?= -lcmocka
LDLIBS	+= -lm -pthread
# make PORTABLE=1 BUILD=build-portable: only the portable fallbacks (the
# poll loop backend, self-pipe signals, accept and pipe plus fcntl, no
# splice: the code macOS and the BSDs run), so they run here too. Give
# it its own BUILD directory: objects do not record the flag.
ifeq ($(PORTABLE),1)
ALL_CFLAGS += -DSB_PORTABLE
endif

SRCS	 = $(wildcard src/*.c)
LIB_SRCS = $(filter-out src/main.c,$(SRCS))
OBJS	 = $(SRCS:src/%.c=$(BUILD)/%.o)
LIB_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/%)

all: $(BUILD)/sockbridge $(BUILD)/peer

$(BUILD)/sockbridge: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/peer: tests/tools/peer.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/test_%: tests/unit/test_%.c $(LIB_OBJS) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -Isrc -Itests/unit $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(UNIT_LIBS) $(LDLIBS)

$(BUILD):
	mkdir -p $(BUILD)

# Unit tests, then end-to-end tests against the real binary.
check: all $(UNIT_BINS)
	SB_BUILD=$(abspath $(BUILD)) tests/run $(UNIT_BINS)

# Unit tests only.
unit: $(UNIT_BINS)
	SB_E2E=none tests/run $(UNIT_BINS)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer,
# but for the e2e files in SAN_SKIP_E2E: bench's own figures (its code is
# in the unit tests), strace's syscall counts, and the container and ssh
# suites, whose host side is the tunnel engine tunnel.bats runs under the
# sanitizers too (the far side is the static binary, never sanitized).
SAN_SKIP_E2E ?= bench|bench_cli|bulk|tunnel_docker|tunnel_ssh|doctor_docker
sanitize:
	SB_E2E='!($(SAN_SKIP_E2E))' $(MAKE) BUILD=build-san \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" check

# libFuzzer targets for the pure parsers (tests/fuzz/fuzz_NAME.c against
# src/NAME.c, compiled in directly with clang). "make fuzz" runs each for
# FUZZ_SECONDS on build-fuzz/corpus-NAME, a copy of tests/fuzz/corpus/NAME
# kept between runs, plus tests/fuzz/regress/NAME, and fails on any crash,
# leak, timeout or abort(); reproducers land in build-fuzz/NAME-crash-*.
# Copy them to tests/fuzz/regress/NAME/ once fixed. "make fuzz-regress"
# only replays the seeds and regression inputs, once each.
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 20
FUZZ_BUILD	 = build-fuzz
FUZZ_NAMES	 = addr proxy pguri num cidr socatopt tcpinfo probe jscan follow tunframe dbyml pgerr
FUZZ_BINS	 = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_CFLAGS	 = -std=c17 -D_GNU_SOURCE $(filter-out -Wno-format-truncation,$(WARN)) \
		   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer -g -O1
FUZZ_OPTS	 = -max_len=4096 -timeout=10 -print_final_stats=1

# What the pure modules share: the error-buffer helper and the number and
# network parsers the address parser calls.
FUZZ_COMMON	 = $(wildcard src/errbuf.c src/num.c src/cidr.c)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c src/%.c $(FUZZ_COMMON) \
	    $(wildcard src/*.h) tests/fuzz/fuzz.h | $(FUZZ_BUILD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isrc -Itests/fuzz -o $@ $(filter %.c,$^)

# The probe target takes every service's parser (and sys.c for errno
# names); the relay command-line parser takes addr.c.
$(FUZZ_BUILD)/fuzz_probe: $(wildcard src/probe-*.c) src/sys.c
$(FUZZ_BUILD)/fuzz_follow: src/addr.c

$(FUZZ_BUILD):
	mkdir -p $(FUZZ_BUILD)

fuzz: $(FUZZ_BINS)
	@fail=0; for n in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$n; \
	    cp tests/fuzz/corpus/$$n/* $(FUZZ_BUILD)/corpus-$$n/; \
	    log=$(FUZZ_BUILD)/fuzz_$$n.log; \
	    echo "fuzz_$$n: $(FUZZ_SECONDS) s, log in $$log"; \
	    if $(FUZZ_BUILD)/fuzz_$$n $(FUZZ_OPTS) \
	        -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(FUZZ_BUILD)/$$n- \
	        $(FUZZ_BUILD)/corpus-$$n tests/fuzz/regress/$$n >$$log 2>&1; \
	    then \
	        grep -E '^#[0-9]+[[:space:]]+DONE' $$log | tail -1; \
	        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' $$log; \
	    else \
	        fail=1; tail -n 40 $$log; \
	        echo "fuzz_$$n: FAILED; reproducer: $$(ls -t $(FUZZ_BUILD)/$$n-* 2>/dev/null | head -1)"; \
	    fi; \
	done; exit $$fail

# Every seed and regression input once, no fuzzing: fast, for each CI run.
fuzz-regress: $(FUZZ_BINS)
	@fail=0; for n in $(FUZZ_NAMES); do \
	    files=$$(find tests/fuzz/corpus/$$n tests/fuzz/regress/$$n \
	        -type f ! -name .keep | sort); \
	    if $(FUZZ_BUILD)/fuzz_$$n $$files >$(FUZZ_BUILD)/regress_$$n.log 2>&1; \
	    then \
	        echo "fuzz_$$n: $$(echo "$$files" | wc -l) inputs ok"; \
	    else \
	        fail=1; tail -n 40 $(FUZZ_BUILD)/regress_$$n.log; \
	        echo "fuzz_$$n: FAILED on $$(sed -n 's/^Running: //p' \
	            $(FUZZ_BUILD)/regress_$$n.log | tail -1)"; \
	    fi; \
	done; exit $$fail

# The relay e2e suites with sockbridge under valgrind memcheck. build-vg/
# holds a normal build in real/, "sockbridge" (a link to
# tests/tools/valgrind-wrap) and "peer"; each sockbridge process writes
# build-vg/vg/vg.PID.log. Fails if a test fails or any log shows an error
# or a definite or indirect leak. Valgrind is 20-50 times slower, so the
# run exports SB_SLOW=1, which tells tests to stretch fixed time budgets
# (a knob for the .bats files; "make memcheck SB_SLOW=" to run without),
# and a per-test limit of VG_TEST_TIMEOUT s (BATS_TEST_TIMEOUT).
VG_BUILD	 = build-vg
VG_E2E		 = relay|files_faults
VG_TEST_TIMEOUT	?= 300
SB_SLOW		?= 1

memcheck:
	$(MAKE) BUILD=$(VG_BUILD)/real all
	rm -rf $(VG_BUILD)/vg
	mkdir -m 1777 $(VG_BUILD)/vg	# tests run some commands as nobody
	ln -sf ../tests/tools/valgrind-wrap $(VG_BUILD)/sockbridge
	ln -sf real/peer $(VG_BUILD)/peer
	@SB_BUILD=$(abspath $(VG_BUILD)) SB_E2E='@($(VG_E2E))' \
	    SB_SLOW=$(SB_SLOW) BATS_TEST_TIMEOUT=$(VG_TEST_TIMEOUT) \
	    bash -O extglob tests/run; rc=$$?; \
	bad=$$(grep -lE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|indirectly lost: [1-9]' \
	    $(VG_BUILD)/vg/vg.*.log 2>/dev/null); \
	for f in $$bad; do echo "== $$f"; cat $$f; done; \
	echo "memcheck: $$(ls $(VG_BUILD)/vg | wc -l) processes," \
	    "$$(grep -L 'ERROR SUMMARY' $(VG_BUILD)/vg/vg.*.log | wc -l) not" \
	    "finished under valgrind (exec, kill -9)," \
	    "$$(echo $$bad | wc -w) with errors or leaks"; \
	[ $$rc = 0 ] && [ -z "$$bad" ]

# make install PREFIX=/opt/x DESTDIR=/tmp/stage: bin/sockbridge and
# share/man/man1/sockbridge.1 under $(DESTDIR)$(PREFIX) (contrib/sockbridge.rb,
# the Homebrew formula, runs it with PREFIX set).
install: $(BUILD)/sockbridge
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/sockbridge $(DESTDIR)$(PREFIX)/bin/sockbridge
	install -m 0644 man/sockbridge.1 $(DESTDIR)$(PREFIX)/share/man/man1/sockbridge.1

# make dist [DIST_REF=v0.1.0]: $(BUILD)/sockbridge-VERSION.tar.gz, the
# committed tree of DIST_REF (default HEAD; uncommitted changes are left
# out, and said so) under the prefix sockbridge-VERSION/. Reproducible:
# git archive stamps every entry with the commit's time, and gzip -n
# leaves out the name and time, so one commit gives one sha256 (with the
# same git and gzip). VERSION is SB_VERSION from src/main.c.
# contrib/update-formula puts its url and sha256 into the formula.
VERSION	?= $(shell sed -n 's/^\#define SB_VERSION "\(.*\)"$$/\1/p' src/main.c)
DIST_REF ?= HEAD

dist: | $(BUILD)
	@git diff --quiet HEAD -- || [ "$(DIST_REF)" != HEAD ] || \
	    echo "make dist: uncommitted changes are not in the tarball" >&2
	git archive --format=tar --prefix=sockbridge-$(VERSION)/ "$(DIST_REF)" | \
	    gzip -n -9 >$(BUILD)/sockbridge-$(VERSION).tar.gz.tmp
	mv $(BUILD)/sockbridge-$(VERSION).tar.gz.tmp $(BUILD)/sockbridge-$(VERSION).tar.gz
	@echo "$(BUILD)/sockbridge-$(VERSION).tar.gz: $$(git rev-parse "$(DIST_REF)^{commit}")"

clean:
	rm -rf build build-san build-*

.PHONY: all check unit sanitize install dist clean fuzz fuzz-regress memcheck bench-tunnel \
	cross-macos static static-unit static-check static-arm64 \
	portable-check portable-sanitize

# Cross-builds with zig cc (0.11.0, scripts/zig finds it; no SDK needed):
# macOS arm64 and x86_64, linked and checked to be Mach-O; static Linux
# binaries for x86_64 and aarch64 on musl, checked to be statically
# linked. -Werror in each, for sockbridge and the test peer
# (tests/tools/peer.c, poll only). static-unit adds the unit tests for aarch64,
# linked against cmocka built from Debian's source for that target
# (scripts/cmocka-cross), to be run under qemu-aarch64-static; musl
# has uintptr_t, which cmocka.h must be told (_UINTPTR_T_DEFINED).
ZIG		?= scripts/zig
MACOS_ARCHS	 = arm64:aarch64 x86_64:x86_64
STATIC_ARCHS	 = x86_64 aarch64

cross-macos:
	@set -e; for a in $(MACOS_ARCHS); do \
	    name=$${a%%:*}; arch=$${a#*:}; \
	    $(MAKE) -s BUILD=build-macos-$$name WERROR=1 \
	        CC="$(abspath $(ZIG)) cc -target $$arch-macos" \
	        DEFS=-D_DARWIN_C_SOURCE build-macos-$$name/sockbridge \
	        build-macos-$$name/peer; \
	    scripts/check-bin macho-$$name build-macos-$$name/sockbridge \
	        build-macos-$$name/peer; \
	done

static:
	@set -e; for a in $(STATIC_ARCHS); do \
	    $(MAKE) -s BUILD=build-static-$$a WERROR=1 LDFLAGS=-static \
	        CC="$(abspath $(ZIG)) cc -target $$a-linux-musl" all; \
	    scripts/check-bin static-$$a build-static-$$a/sockbridge \
	        build-static-$$a/peer; \
	done

static-unit: static
	scripts/cmocka-cross aarch64-linux-musl build-static-aarch64/cmocka
	$(MAKE) -s BUILD=build-static-aarch64 WERROR=1 LDFLAGS=-static \
	    CC="$(abspath $(ZIG)) cc -target aarch64-linux-musl" \
	    EXTRA_CFLAGS="-Ibuild-static-aarch64/cmocka/include -D_UINTPTR_T_DEFINED" \
	    UNIT_LIBS=build-static-aarch64/cmocka/libcmocka.a \
	    $(UNIT_SRCS:tests/unit/%.c=build-static-aarch64/%)

# sockbridge against socat, HAProxy, nginx, socket-proxyd; not part of check.
COMPARE_ARGS ?= --figures all --costs
bench-compare: all
	bench/compare $(COMPARE_ARGS)

# The tunnel against its carrier, exec: per connection, direct and ssh -L
# (root, Docker, PostgreSQL, OpenSSH; images from tests/tools/mkrootfs).
# TUNNEL_BENCH_ARGS=--quick runs it in seconds.
TUNNEL_BENCH_ARGS ?=
bench-tunnel: all
	bench/tunnel $(TUNNEL_BENCH_ARGS)

# The static x86_64 binary (and its static peer) against the relay suite.
static-check: static
	SB_BUILD=$(abspath build-static-x86_64) SB_E2E=relay tests/run

# The static aarch64 binary under qemu-aarch64-static: its unit tests and
# a relay smoke test in front of the native echo (tests/tools/static-arm64).
static-arm64: static-unit all
	tests/tools/static-arm64 build-static-aarch64 $(BUILD)

# The PORTABLE build (poll loop, self-pipe signals, accept and pipe plus
# fcntl, copy instead of splice): unit tests and the relay, files/faults
# and security suites; portable-sanitize runs the unit tests and
# PORTABLE_SAN_E2E under ASan+UBSan.
PORTABLE_E2E ?= relay|files_faults|security
# Under the sanitizers, the suites whose code paths PORTABLE changes most
# (the loop, accepting, the copy pump); security's PostgreSQL restarts
# run in portable-check.
PORTABLE_SAN_E2E ?= relay|files_faults
SAN_CFLAGS   = -fsanitize=address,undefined -fno-omit-frame-pointer \
	       -fno-sanitize-recover=all

portable-check:
	$(MAKE) PORTABLE=1 BUILD=build-portable all $(UNIT_SRCS:tests/unit/%.c=build-portable/%)
	SB_BUILD=$(abspath build-portable) SB_E2E='@($(PORTABLE_E2E))' \
	    bash -O extglob tests/run $(UNIT_SRCS:tests/unit/%.c=build-portable/%)

portable-sanitize:
	$(MAKE) PORTABLE=1 BUILD=build-portable-san EXTRA_CFLAGS="$(SAN_CFLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" \
	    all $(UNIT_SRCS:tests/unit/%.c=build-portable-san/%)
	SB_BUILD=$(abspath build-portable-san) SB_E2E='@($(PORTABLE_SAN_E2E))' \
	    bash -O extglob tests/run $(UNIT_SRCS:tests/unit/%.c=build-portable-san/%)

# Mutation testing, not part of check: each planted bug of tests/mutate/list
# in a scratch copy, one at a time, caught (or not) by its test file.
# MUTANTS=REGEX picks mutants by name.
MUTANTS ?=
mutate:
	tests/mutate/run $(MUTANTS)

.PHONY: mutate
