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
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS	+= -lm -pthread

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
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(LIB_OBJS) -lcmocka $(LDLIBS)

$(BUILD):
	mkdir -p $(BUILD)

# Unit tests, then end-to-end tests against the real binary.
check: all $(UNIT_BINS)
	SB_BUILD=$(abspath $(BUILD)) tests/run $(UNIT_BINS)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	$(MAKE) BUILD=build-san \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" check

install: $(BUILD)/sockbridge
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/sockbridge $(DESTDIR)$(PREFIX)/bin/sockbridge
	install -m 0644 man/sockbridge.1 $(DESTDIR)$(PREFIX)/share/man/man1/sockbridge.1

clean:
	rm -rf build build-san build-*

.PHONY: all check sanitize install clean
