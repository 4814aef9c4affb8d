# tools/fuzz.mk: the initrd readers, kernel/cpio.c and kernel/elf.c, tested beyond the
# kernel: their host unit tests' sources and inputs, libFuzzer fuzzers (built with the host
# tests, so by `make test`, which also runs each briefly) and `make fuzz`.

# ---- Variables you may set (make VAR=value) ---------------------------------------------
# FUZZ_SECONDS: how long `make fuzz` runs each fuzzer (`make test` runs each for 10).
FUZZ_SECONDS ?= 60

# ---- Host unit tests ---------------------------------------------------------------------
host_cpio_SRCS := kernel/cpio.c
host_elf_SRCS  := kernel/elf.c

# test_elf also reads real programs: one built as Twofold's user programs are (musl-gcc
# -static), which must pass, and a PIE and a dynamically linked one, which must not. The
# host tests run with no arguments, so it finds them through MUSL_SAMPLES.
MUSLDIR := $(HOSTDIR)/musl
musl_static_FLAGS  := -static
musl_pie_FLAGS     := -pie
musl_dynamic_FLAGS := -no-pie
$(MUSLDIR)/%: tests/fuzz/sample_program.c | deps
	@mkdir -p $(@D)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc $(musl_$*_FLAGS) -O2 -o $@ $<

$(HOSTDIR)/test_elf: $(MUSLDIR)/static $(MUSLDIR)/pie $(MUSLDIR)/dynamic
$(HOSTDIR)/test_elf: HOST_CFLAGS += -DMUSL_SAMPLES='"$(abspath $(MUSLDIR))"'

# ---- Fuzzers -----------------------------------------------------------------------------
# tests/fuzz/fuzz_NAME.c feeds arbitrary bytes to kernel/NAME.c; clang links in libFuzzer's
# main (Debian's libclang-rt-14-dev). The host tests' warnings and sanitizers, plus libFuzzer.
FUZZDIR     := $(BUILD)/fuzz
FUZZ_CC     := clang
FUZZ_CFLAGS := $(HOST_CFLAGS) -fsanitize=fuzzer
FUZZERS     := $(patsubst tests/fuzz/fuzz_%.c,$(FUZZDIR)/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZDIR)/fuzz_%: tests/fuzz/fuzz_%.c kernel/%.c | deps
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< kernel/$*.c

# The rules above know the sources, not the headers they include.
$(HOSTDIR)/test_cpio $(FUZZDIR)/fuzz_cpio: kernel/cpio.h kernel/errno.h
$(HOSTDIR)/test_elf $(FUZZDIR)/fuzz_elf: kernel/elf.h kernel/errno.h mm/layout.h

# Seed corpora, generated (no binary is kept in the tree); the musl program is an ELF seed.
$(FUZZDIR)/seeds.done: tests/fuzz/seeds.py $(MUSLDIR)/static
	@mkdir -p $(@D)
	@echo "  SEEDS   $(FUZZDIR)/seeds"
	$(Q)$(PYTHON) tests/fuzz/seeds.py $(FUZZDIR)/seeds $(MUSLDIR)/static
	$(Q)touch $@

.PHONY: fuzzers fuzz help-fuzz
fuzzers: $(FUZZERS) $(FUZZDIR)/seeds.done
host-tests: fuzzers

# Each fuzzer runs for FUZZ_SECONDS through tests/test_fuzz.py, the one place that says how
# a fuzzer is run; a crash fails it and leaves the input in $(FUZZDIR).
fuzz: fuzzers
	TWOFOLD_BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) \
	    $(PYTHON) -m pytest -p no:cacheprovider -q -rfE tests/test_fuzz.py

help: help-fuzz
help-fuzz:
	@echo "From tools/fuzz.mk:"
	@echo "  fuzzers     build the libFuzzer fuzzers $(FUZZDIR)/fuzz_* (host-tests does)"
	@echo "  fuzz        run each fuzzer for FUZZ_SECONDS=$(FUZZ_SECONDS) s; fails on a crash"
