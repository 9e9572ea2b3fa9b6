# nestor — plain GNU make + pkg-config.  `make V=1` shows the commands.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=
BUILD   ?= build
VERSION := 0.1.0

CC      ?= gcc
PKGS    := ncursesw libcurl libcjson sqlite3 libical libsecret-1 readline
TPKGS   := check
OPT     ?= -O2 -g
CFLAGS  += $(OPT) -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_GNU_SOURCE \
           -DNESTOR_VERSION='"$(VERSION)"' -MMD -MP \
           -Isrc -Istorage -Isync -Itui
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHK_CFLAGS = $(shell pkg-config --cflags $(TPKGS) 2>/dev/null)
CHK_LIBS   = $(shell pkg-config --libs $(TPKGS) 2>/dev/null)
LDLIBS  += $(PKG_LIBS) -lm -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The library: engine, storage and sync.  Fronts (main, cmd-*, repl, tui) link it.
FRONT_SRC := src/main.c $(wildcard src/cmd-*.c) $(wildcard src/repl*.c) $(wildcard tui/*.c)
LIB_SRC   := $(filter-out $(FRONT_SRC),$(wildcard src/*.c storage/*.c sync/*.c))
TEST_SRC  := $(wildcard tests/unit/*.c)
# Front modules the suites test directly (the chat pane draws on a curses
# screen writing to /dev/null).
TUI_PURE  := tui/wrap.c tui/input.c tui/chat.c tui/theme.c tui/side.c tui/worker.c

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
FRONT_OBJ := $(FRONT_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o) $(TUI_PURE:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libnestor.a
BIN       := $(BUILD)/nestor
TESTBIN   := $(BUILD)/check_nestor

.PHONY: all run check test deps asan lint install uninstall clean bench format
all: $(BIN)

deps:
	$(Q)sh contrib/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHK_CFLAGS) -I$(BUILD)/tests -Itests/unit $(EXTRA_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(FRONT_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $(FRONT_OBJ) $(LIB) $(LDLIBS)

# The runner finds every `Suite *NAME_suite(void)` in tests/unit by itself.
$(BUILD)/tests/suites.h: $(TEST_SRC)
	@mkdir -p $(dir $@)
	$(Q)grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(TEST_SRC) | \
	  sed 's/^Suite \*\([a-z0-9_]*\)_suite(void)/SUITE(\1)/' | sort > $@.tmp && mv $@.tmp $@
$(BUILD)/tests/unit/runner.o: $(BUILD)/tests/suites.h

$(TESTBIN): $(TEST_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(CHK_LIBS) $(LDLIBS)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./$(BIN)

# Every test: Check suites (unit and integration; the integration cases run
# the real binary and the shell scripts under tests/cli), then lint.
check: deps
	$(Q)$(MAKE) --no-print-directory all $(TESTBIN)
	$(Q)NESTOR_BIN=$(abspath $(BIN)) NESTOR_SRC=$(CURDIR) ./$(TESTBIN)
	$(Q)$(MAKE) --no-print-directory lint

test: all $(TESTBIN)
	$(Q)NESTOR_BIN=$(abspath $(BIN)) NESTOR_SRC=$(CURDIR) ./$(TESTBIN)

asan: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
	  EXTRA_CFLAGS='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	  EXTRA_LDFLAGS='-fsanitize=address,undefined' OPT='-O1 -g' test

# clang-tidy: the analyzer's memory and API checks.  NullDereference is off:
# it cannot see that cJSON_Is*(NULL) is false and flags every such guard.
TIDY_CHECKS := -*,clang-analyzer-core.*,-clang-analyzer-core.NullDereference,clang-analyzer-unix.*,bugprone-sizeof-*,bugprone-signed-char-misuse
# The C files clang-format keeps in the house style (.clang-format).  `make
# lint` always checks that the style file is valid; FORMAT_CHECK=1 also
# fails on any file `make format` would change.
FORMAT_SRC   := $(wildcard src/*.[ch] src/*/*.[ch] storage/*.[ch] sync/*.[ch] tui/*.[ch] \
                  tests/unit/*.[ch])
FORMAT_CHECK ?= 0
lint:
	@echo "  LINT    cppcheck"
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --inline-suppr --std=c11 -D_GNU_SOURCE -Isrc -Istorage -Isync -Itui \
	  src storage sync tui
	@echo "  LINT    clang-tidy"
	@mkdir -p $(BUILD)
	$(Q)clang-tidy --quiet -checks='$(TIDY_CHECKS)' $(LIB_SRC) $(FRONT_SRC) -- \
	  -std=c11 -D_GNU_SOURCE -D_DEFAULT_SOURCE -DNESTOR_VERSION='"lint"' \
	  -Isrc -Istorage -Isync -Itui $(PKG_CFLAGS) >$(BUILD)/clang-tidy.log 2>&1 || true
	$(Q)if grep -q 'warning:\|error:' $(BUILD)/clang-tidy.log; then \
	  grep -A4 'warning:\|error:' $(BUILD)/clang-tidy.log; exit 1; fi
	@echo "  LINT    shell"
	$(Q)sh -n contrib/deps.sh $(wildcard tests/cli/*.sh) $(wildcard bench/*.sh)
	@echo "  LINT    clang-format"
	$(Q)clang-format --dump-config >/dev/null
ifeq ($(FORMAT_CHECK),1)
	$(Q)clang-format --dry-run -Werror $(FORMAT_SRC)
endif

format:
	clang-format -i $(FORMAT_SRC)

bench: all
	$(Q)sh contrib/deps.sh bench
	$(Q)NESTOR_BIN=$(abspath $(BIN)) sh bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/nestor
	install -m 644 man/nestor.1 $(DESTDIR)$(MANDIR)/man1/nestor.1
	install -m 644 man/nestor.conf.5 $(DESTDIR)$(MANDIR)/man5/nestor.conf.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nestor $(DESTDIR)$(MANDIR)/man1/nestor.1 \
	  $(DESTDIR)$(MANDIR)/man5/nestor.conf.5

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(FRONT_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
