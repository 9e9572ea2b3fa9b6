# nestor — plain GNU make + pkg-config.  `make V=1` shows the commands.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
# Modules live in lib/nestor beside the executable's bin/: it finds them
# there from wherever it is installed (src/base/module.h).
MODDIR  := $(dir $(patsubst %/,%,$(BINDIR)))lib/nestor
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR ?=
BUILD   ?= build
VERSION := 0.1.0

CC      ?= gcc
PKGS    := ncursesw libcurl libcjson sqlite3 libical libsecret-1 readline libmicrohttpd hiredis
# Opened with dlopen() when a server profile needs it (sync/pg.c): its
# headers at build time, never a link (nothing is mapped when unused).
DL_PKGS := libpq
# What the executable links: what every command uses.  Each module links
# its own (MODULES below); libical and cJSON are loaded on first use
# through stubs (src/README: "What loads when").
CORE_PKGS := glib-2.0
# SQLite is linked statically: Debian's shared build binds its 1,600 symbols
# at every start (BIND_NOW), a third of a plain command's work.
# SQLITE_STATIC=0 links the shared library instead.
SQLITE_STATIC ?= 1
# So are GLib and its PCRE2 (libglib2.0-dev ships both archives): the shared
# GLib is BIND_NOW too, and its relocations and constructor ran for every
# command (bench/PROFILE.md, seventh round).  The copy is private to the
# executable: exports.dyn leaves out g_*, so net.so's libsecret and the
# module itself use the shared GLib, which only they load.  GLIB_STATIC=0
# links the shared library.
GLIB_STATIC ?= 1
TPKGS   := check
OPT     ?= -O2 -g
CFLAGS  += $(OPT) -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_GNU_SOURCE \
           -DNESTOR_VERSION='"$(VERSION)"' -MD -MP
pkg_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHK_CFLAGS = $(shell pkg-config --cflags $(TPKGS) 2>/dev/null)
CHK_LIBS   = $(shell pkg-config --libs $(TPKGS) 2>/dev/null)
LDLIBS  += $(PKG_LIBS) -lm -lpthread
ifeq ($(SQLITE_STATIC),1)
SQLITE_LIBS = -Wl,-Bstatic $(shell pkg-config --libs-only-l sqlite3) -Wl,-Bdynamic
else
SQLITE_LIBS = $(shell pkg-config --libs sqlite3)
endif
ifeq ($(GLIB_STATIC),1)
GLIB_LIBS = -Wl,-Bstatic $(filter-out -lm,$(shell pkg-config --static --libs-only-l glib-2.0)) -Wl,-Bdynamic
else
GLIB_LIBS = $(shell pkg-config --libs glib-2.0)
endif
CORE_LIBS  = $(SQLITE_LIBS) $(GLIB_LIBS) -lm -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The layers, lowest first; the arrows point one way (src/README):
#
#   tui/ -> src/cli/ -> src/ (engine) -> storage/, sync/ -> src/time/ -> src/base/
#
# Each folder is compiled with the include paths and package flags of itself
# and the layers below it only, so an #include that points the wrong way does
# not compile.  contrib/layers.sh then reads the object's dependency list
# (-MD: system headers too) and refuses what include paths cannot stop: a
# library header the layer must not see (<ncurses.h> in the engine,
# <sqlite3.h> above storage/, <curl/curl.h> outside sync/).
base_INC    := -Isrc/base
time_INC    := -Isrc/time $(base_INC)
storage_INC := -Istorage $(time_INC)
sync_INC    := -Isync $(time_INC)
engine_INC  := -Isrc -Istorage -Isync $(time_INC)
cli_INC     := -Isrc/cli $(engine_INC)
tui_INC     := -Itui -Isrc/cli $(engine_INC)
tests_INC   := -Itests/unit -I$(BUILD)/tests $(tui_INC)

base_PKGS    := libcjson
time_PKGS    := $(base_PKGS) glib-2.0 libical
storage_PKGS := $(time_PKGS) sqlite3
sync_PKGS    := $(time_PKGS) libcurl libmicrohttpd hiredis $(DL_PKGS)
engine_PKGS  := $(time_PKGS) libsecret-1
cli_PKGS     := $(engine_PKGS) readline
tui_PKGS     := $(engine_PKGS) ncursesw
tests_PKGS   := $(PKGS) $(TPKGS)

LAYERS := base time storage sync engine cli tui tests
# Pattern-specific: the most specific folder wins (src/base/ over src/).
$(BUILD)/src/%.o:        LAYER := engine
$(BUILD)/src/base/%.o:   LAYER := base
$(BUILD)/src/time/%.o:   LAYER := time
$(BUILD)/src/cli/%.o:    LAYER := cli
$(BUILD)/storage/%.o:    LAYER := storage
$(BUILD)/sync/%.o:       LAYER := sync
$(BUILD)/tui/%.o:        LAYER := tui
$(BUILD)/tests/%.o:      LAYER := tests
# Flags per layer, computed once (pkg-config is not free).
$(foreach l,$(LAYERS),$(eval $(l)_CFLAGS := $$($(l)_INC) $$(call pkg_cflags,$$($(l)_PKGS))))

# The library: engine, storage, sync and the layers below them.  Fronts
# (src/cli, tui) link it; so do the tests.
FRONT_SRC := $(wildcard src/cli/*.c) $(wildcard tui/*.c)
LIB_SRC   := $(wildcard src/base/*.c src/time/*.c src/*.c storage/*.c sync/*.c)
TEST_SRC  := $(wildcard tests/unit/*.c)
# Front modules the suites test directly (the chat pane draws on a curses
# screen writing to /dev/null).  The dispatcher and the TUI's commands run
# against a command table of the suite's own (check_dispatch.c).
FRONT_PURE := src/cli/slash.c src/cli/cmd-util.c tui/wrap.c tui/input.c tui/chat.c \
              tui/theme.c tui/side.c tui/status.c tui/worker.c tui/tuicmd.c

# Modules: shared objects in lib/nestor/, loaded on the first call into them
# (src/base/module.h; src/README says what crosses and how to add to one).
# For each NAME: NAME_SRC go into NAME.so, which links NAME_PKGS; the
# executable links NAME_STUB instead, whose MODULE_CALL("NAME", f, ...)
# stubs are the module's whole interface.  A library joins a module by
# adding its files to NAME_SRC and its pkg-config name to NAME_PKGS.
MODULES   := net term
# net: everything that talks to another program over the network or D-Bus.
net_SRC   := sync/http-curl.c sync/httpd.c sync/redis.c src/keyring.c
net_PKGS  := libcurl libsecret-1 libmicrohttpd hiredis
net_STUB  := src/net.c
# term: the full-screen TUI and the readline chat.
term_SRC  := $(wildcard tui/*.c) src/cli/repl.c
term_PKGS := ncursesw readline
term_STUB := src/cli/term.c

MOD_SRC   := $(foreach m,$(MODULES),$($(m)_SRC))
MOD_STUB  := $(foreach m,$(MODULES),$($(m)_STUB))
MOD_OBJ   := $(MOD_SRC:%.c=$(BUILD)/%.o)
MOD_SO    := $(MODULES:%=$(BUILD)/lib/nestor/%.so)

LIB_OBJ   := $(filter-out $(MOD_STUB:%.c=$(BUILD)/%.o),$(LIB_SRC:%.c=$(BUILD)/%.o))
# The OpenAPI document of `nestor serve` is a JSON file, built in as a string.
LIB_OBJ   += $(BUILD)/api-openapi.o
STUB_OBJ  := $(MOD_STUB:%.c=$(BUILD)/%.o) $(BUILD)/ical-stubs.o $(BUILD)/cjson-stubs.o
FRONT_OBJ := $(filter-out $(STUB_OBJ),$(FRONT_SRC:%.c=$(BUILD)/%.o))
# The executable: everything but the modules, plus the stubs.
EXE_OBJ   := $(filter-out $(MOD_OBJ),$(LIB_OBJ) $(FRONT_OBJ)) $(STUB_OBJ)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o) $(FRONT_PURE:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libnestor.a
BIN       := $(BUILD)/bin/nestor
TESTBIN   := $(BUILD)/check_nestor

.PHONY: all run check test deps asan fuzz fuzz-run lint install uninstall clean bench bench-readme format
all: $(BIN) $(MOD_SO)

deps:
	$(Q)sh contrib/deps.sh

$(BUILD)/%.o: %.c contrib/layers.sh
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $($(LAYER)_CFLAGS) $(PIC) $(EXTRA_CFLAGS) -c -o $@ $<
	$(Q)MODULE_SRC='$(MOD_SRC)' sh contrib/layers.sh $(LAYER) $(@:.o=.d) || { rm -f $@; exit 1; }

$(LIB): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

# A module's objects go into its shared object, and into libnestor.a or the
# test runner, which link them directly.  NAME.map exports exactly the
# functions NAME_STUB calls: `nm -D --defined-only build/lib/nestor/NAME.so`
# is the interface.
define module
$$($(1)_SRC:%.c=$$(BUILD)/%.o): PIC := -fPIC
$$(BUILD)/$(1).map: $$($(1)_STUB)
	@mkdir -p $$(dir $$@)
	$$(Q){ echo '{ global:'; \
	  sed -n 's/^.*MODULE_CALL("$(1)", *\([a-z_0-9]*\),.*$$$$/  \1;/p' $$^; \
	  echo 'local: *; };'; } >$$@
$$(BUILD)/lib/nestor/$(1).so: $$($(1)_SRC:%.c=$$(BUILD)/%.o) $$(BUILD)/$(1).map
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) -shared $$(LDFLAGS) $$(EXTRA_LDFLAGS) -Wl,--version-script=$$(BUILD)/$(1).map \
	  -o $$@ $$($(1)_SRC:%.c=$$(BUILD)/%.o) $$(shell pkg-config --libs $$($(1)_PKGS))
endef
$(foreach m,$(MODULES),$(eval $(call module,$(m))))

# Stubs of a system library loaded on its first call: one for each of its
# functions any object calls (the executable exports those a module needs,
# below).  $(call lazy_stubs,LIB,PATTERN,HEADER,LAYER) for libLIB.so, whose
# functions match PATTERN and are declared in HEADER, read with LAYER's
# flags.  libical, and cJSON: a command that writes no JSON (`task list`,
# the agenda as text) never maps it (bench/PROFILE.md, eighth round).
define lazy_stubs
$$(BUILD)/$(1)-stubs.c: $$(LIB_OBJ) $$(FRONT_OBJ) contrib/lazy-stubs.sh
	@$$(if $$(Q),echo "  GEN     $$@")
	$$(Q)sh contrib/lazy-stubs.sh $(1) '$(2)' $(3) "$$($(4)_CFLAGS)" \
	  $$(LIB_OBJ) $$(FRONT_OBJ) >$$@.tmp && mv $$@.tmp $$@
$$(BUILD)/$(1)-stubs.o: $$(BUILD)/$(1)-stubs.c
	@$$(if $$(Q),echo "  CC      $$<")
	$$(Q)$$(CC) $$(CFLAGS) $$($(4)_CFLAGS) $$(EXTRA_CFLAGS) -c -o $$@ $$<
endef
$(eval $(call lazy_stubs,ical,^ical,libical/ical.h,time))
$(eval $(call lazy_stubs,cjson,^cJSON_,cjson/cJSON.h,base))

$(BUILD)/api-openapi.c: src/api-openapi.json
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q){ echo '/* Made from src/api-openapi.json by the Makefile. */'; \
	  echo 'const char api_openapi_json[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $<; echo ';'; } >$@.tmp && mv $@.tmp $@
$(BUILD)/api-openapi.o: $(BUILD)/api-openapi.c
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

# The executable exports to the modules exactly the symbols they use, but
# GLib's: a module's GLib is the shared one its libraries bring.
$(BUILD)/exports.dyn: $(MOD_OBJ) Makefile
	$(Q){ echo '{'; nm -u $(MOD_OBJ) | awk '$$1 == "U" && $$2 !~ /^g_/ { print "  " $$2 ";" }' | \
	  sort -u; echo '};'; } >$@

$(BIN): $(EXE_OBJ) $(BUILD)/exports.dyn
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -Wl,--dynamic-list=$(BUILD)/exports.dyn -o $@ \
	  $(EXE_OBJ) $(CORE_LIBS)
	$(Q)ln -sf bin/nestor $(BUILD)/nestor

# The runner finds every `Suite *NAME_suite(void)` in tests/unit by itself.
$(BUILD)/tests/suites.h: $(TEST_SRC)
	@mkdir -p $(dir $@)
	$(Q)grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(TEST_SRC) | \
	  sed 's/^Suite \*\([a-z0-9_]*\)_suite(void)/SUITE(\1)/' | sort > $@.tmp && mv $@.tmp $@
$(BUILD)/tests/unit/runner.o: $(BUILD)/tests/suites.h

$(TESTBIN): $(TEST_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $(EXTRA_LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(CHK_LIBS) $(LDLIBS)

# Real MCP peers for the tests (tests/cli/mcp*.sh): the official TypeScript
# SDK client and the reference server, from the npm registry, into the build
# directory, at the versions tests/mcp/package-lock.json pins.
MCP_PEERS := $(BUILD)/mcp/node_modules/.package-lock.json $(BUILD)/mcp/client.mjs
$(BUILD)/mcp/node_modules/.package-lock.json: tests/mcp/package.json tests/mcp/package-lock.json
	@mkdir -p $(BUILD)/mcp
	@$(if $(Q),echo "  NPM     $(BUILD)/mcp")
	$(Q)cp tests/mcp/package.json tests/mcp/package-lock.json $(BUILD)/mcp/
	$(Q)cd $(BUILD)/mcp && npm ci --silent --no-audit --no-fund >/dev/null
	$(Q)touch $@
$(BUILD)/mcp/client.mjs: tests/mcp/client.mjs
	@mkdir -p $(BUILD)/mcp
	$(Q)cp $< $@

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./$(BIN)

# Every test: Check suites (unit and integration; the integration cases run
# the real binary and the shell scripts under tests/cli), then lint, then
# the same suite under ASan and UBSan, then each fuzz target for
# CHECK_FUZZ_TIME seconds.
CHECK_FUZZ_TIME ?= 20
check: deps
	$(Q)$(MAKE) --no-print-directory all $(TESTBIN) $(MCP_PEERS)
	$(Q)NESTOR_BIN=$(abspath $(BIN)) NESTOR_SRC=$(CURDIR) ./$(TESTBIN)
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)$(MAKE) --no-print-directory asan
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(CHECK_FUZZ_TIME)

test: all $(TESTBIN) $(MCP_PEERS)
	$(Q)NESTOR_BIN=$(abspath $(BIN)) NESTOR_SRC=$(CURDIR) ./$(TESTBIN)

# gcc's `undefined` leaves out float-cast-overflow (a double too large for
# the int it is cast to): name it.
SANITIZE := address,undefined,float-cast-overflow
asan: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
	  EXTRA_CFLAGS='-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow' \
	  EXTRA_LDFLAGS='-fsanitize=$(SANITIZE)' OPT='-O1 -g' test

# libFuzzer targets (tests/fuzz/fuzz-NAME.c, seeds in tests/fuzz/corpus/NAME),
# built with clang into build-fuzz/ and run FUZZ_TIME seconds each, one after
# the other: `make fuzz FUZZ_TIME=600` for a long run.  What a run finds is
# left in build-fuzz/fuzz/NAME-crash-*; new inputs it keeps go to
# build-fuzz/fuzz/corpus/NAME, never into the tree.
FUZZ_TARGETS := when intent cron llm config ical rrule telegram google mcp rstream \
                api weather mcpc replica gauth url httphdr httpd slash iso listen mcpin \
                errline
FUZZ_TIME    ?= 20
FUZZ_SAN     := address,undefined
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
	  EXTRA_CFLAGS='-fsanitize=fuzzer-no-link,$(FUZZ_SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer' \
	  OPT='-O1 -g' fuzz-run

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/fuzz-%.o $(BUILD)/tests/fuzz/fuzz-util.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $(filter-out $(LIB),$^) $(LIB) $(LDLIBS)

# Targets of the fronts' code (src/cli, not in the library) link what of it
# they use; each defines an empty command table of its own.
FUZZ_FRONT := $(BUILD)/src/cli/cmd-util.o
$(BUILD)/fuzz/slash: $(BUILD)/src/cli/slash.o $(FUZZ_FRONT)
$(BUILD)/fuzz/listen $(BUILD)/fuzz/mcpin: $(FUZZ_FRONT)

# the objects stay, so a second run links nothing anew
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz-%.o) $(BUILD)/tests/fuzz/fuzz-util.o
fuzz-run: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD)/fuzz/corpus/$$t; \
	  $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=1024 \
	    -artifact_prefix=$(BUILD)/fuzz/$$t- $(BUILD)/fuzz/corpus/$$t tests/fuzz/corpus/$$t \
	    >$(BUILD)/fuzz/$$t.log 2>&1 || { tail -60 $(BUILD)/fuzz/$$t.log; \
	    echo "fuzz $$t: a finding, in $(BUILD)/fuzz/$$t-*"; exit 1; }; \
	  sed -n "s/^Done \([0-9]*\) runs in \([0-9]*\) second.*/  FUZZ    $$t: \1 runs in \2 s, nothing found/p" \
	    $(BUILD)/fuzz/$$t.log; \
	done

# clang-tidy: the analyzer's memory and API checks.  NullDereference is off:
# it cannot see that cJSON_Is*(NULL) is false and flags every such guard.
TIDY_CHECKS := -*,clang-analyzer-core.*,-clang-analyzer-core.NullDereference,clang-analyzer-unix.*,bugprone-sizeof-*,bugprone-signed-char-misuse
# The C files clang-format keeps in the house style (.clang-format).  `make
# lint` checks that the style file is valid and fails on any file `make
# format` would change (FORMAT_CHECK=0 skips the second part).
FORMAT_SRC   := $(wildcard src/*.[ch] src/*/*.[ch] storage/*.[ch] sync/*.[ch] tui/*.[ch] \
                  tests/unit/*.[ch] tests/fuzz/*.[ch])
FORMAT_CHECK ?= 1
lint: all $(TESTBIN)
	@echo "  LINT    layers"
	$(Q)MODULE_SRC='$(MOD_SRC)' sh contrib/layers.sh --tree $(BUILD)
	@echo "  LINT    cppcheck"
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --inline-suppr --std=c11 -D_GNU_SOURCE $(tui_INC) \
	  src storage sync tui
	@echo "  LINT    clang-tidy"
	@mkdir -p $(BUILD)
	$(Q)clang-tidy --quiet -checks='$(TIDY_CHECKS)' $(LIB_SRC) $(FRONT_SRC) -- \
	  -std=c11 -D_GNU_SOURCE -D_DEFAULT_SOURCE -DNESTOR_VERSION='"lint"' \
	  $(tui_INC) $(call pkg_cflags,$(PKGS) $(DL_PKGS)) >$(BUILD)/clang-tidy.log 2>&1 || true
	$(Q)if grep -q 'warning:\|error:' $(BUILD)/clang-tidy.log; then \
	  grep -A4 'warning:\|error:' $(BUILD)/clang-tidy.log; exit 1; fi
	@echo "  LINT    shell"
	$(Q)sh -n contrib/deps.sh contrib/layers.sh contrib/lazy-stubs.sh $(wildcard tests/cli/*.sh) \
	  $(wildcard bench/*.sh)
	@echo "  LINT    clang-format"
	$(Q)clang-format --dump-config >/dev/null
ifeq ($(FORMAT_CHECK),1)
	$(Q)clang-format --dry-run -Werror $(FORMAT_SRC)
endif

format:
	clang-format -i $(FORMAT_SRC)

# The start-up and calendar table lands in build/bench.md as well;
# `make bench-readme` puts the last one into README.md.
bench: all $(LIB)
	$(Q)sh contrib/deps.sh bench
	$(Q)NESTOR_BIN=$(abspath $(BIN)) BENCH_MD=$(abspath $(BUILD))/bench.md sh bench/run.sh

bench-readme:
	$(Q)python3 bench/readme.py $(BUILD)/bench.md README.md

# The completion scripts, made by the binary from its command table.
COMPLETIONS := $(BUILD)/completion/nestor.bash $(BUILD)/completion/nestor.zsh \
               $(BUILD)/completion/nestor.fish
$(BUILD)/completion/nestor.%: $(BIN) $(MOD_SO)
	@mkdir -p $(dir $@)
	$(Q)NESTOR_HOME=$(abspath $(BUILD))/completion NESTOR_LOG=off $(BIN) completion $* > $@.tmp
	$(Q)mv $@.tmp $@

install: all $(COMPLETIONS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MODDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	  $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/nestor
	install -m 644 $(MOD_SO) $(DESTDIR)$(MODDIR)/
	install -m 644 man/nestor.1 $(DESTDIR)$(MANDIR)/man1/nestor.1
	install -m 644 man/nestor.conf.5 $(DESTDIR)$(MANDIR)/man5/nestor.conf.5
	install -m 644 $(BUILD)/completion/nestor.bash $(DESTDIR)$(BASHCOMPDIR)/nestor
	install -m 644 $(BUILD)/completion/nestor.zsh $(DESTDIR)$(ZSHCOMPDIR)/_nestor
	install -m 644 $(BUILD)/completion/nestor.fish $(DESTDIR)$(FISHCOMPDIR)/nestor.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nestor $(MODULES:%=$(DESTDIR)$(MODDIR)/%.so) \
	  $(DESTDIR)$(MANDIR)/man1/nestor.1 $(DESTDIR)$(MANDIR)/man5/nestor.conf.5 \
	  $(DESTDIR)$(BASHCOMPDIR)/nestor $(DESTDIR)$(ZSHCOMPDIR)/_nestor \
	  $(DESTDIR)$(FISHCOMPDIR)/nestor.fish
	-rmdir $(DESTDIR)$(MODDIR) 2>/dev/null

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(STUB_OBJ:.o=.d) $(FRONT_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
# a fuzz target is rebuilt when a file it includes changes (fuzz-httpd.c,
# fuzz-httphdr.c: the whole of sync/httpd.c, sync/http-curl.c; fuzz-iso.c,
# fuzz-errline.c, fuzz-listen.c, fuzz-mcpin.c: src/base/wallclock.c,
# src/notify.c, src/cli/cmd-serve.c, src/cli/cmd-mcp.c)
-include $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz-%.d)
