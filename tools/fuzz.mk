# tools/fuzz.mk: fuzzing. The initrd readers, kernel/lib/cpio.c and kernel/lib/elf.c, tested beyond
# the kernel: their host unit tests' sources and inputs, libFuzzer fuzzers (built with the
# host tests, so by `make test`, which also runs each briefly) and `make fuzz`. And the
# system calls: user/syscall_fuzz.c as the first process, for as long as you like, through
# `make fuzz-syscalls` (`make test` runs a bounded pass: tests/test_syscall_fuzz.py).

# ---- Variables you may set (make VAR=value) ---------------------------------------------
# FUZZ_SECONDS: how long `make fuzz` runs each fuzzer (`make test` runs each for 10).
FUZZ_SECONDS ?= 60
# SEED, SECONDS: `make fuzz-syscalls` draws its calls from SEED for SECONDS seconds.
SEED    ?= 1
SECONDS ?= 60

# ---- Host unit tests (their sources: the Makefile's host_*_SRCS) ---------------------------
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
# tests/fuzz/fuzz_NAME.c feeds arbitrary bytes to the kernel sources fuzz_NAME_SRCS (the
# Makefile's); clang links in libFuzzer's main (Debian's libclang-rt-14-dev). The host tests'
# warnings and sanitizers, plus libFuzzer.
FUZZDIR     := $(BUILD)/fuzz
FUZZ_CC     := clang
FUZZ_CFLAGS := $(HOST_CFLAGS) -fsanitize=fuzzer
FUZZERS     := $(patsubst tests/fuzz/fuzz_%.c,$(FUZZDIR)/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZDIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_$$*_SRCS) $(HOST_HEADERS) | deps
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(fuzz_$*_SRCS)

# Seed corpora, generated (no binary is kept in the tree); the musl program is an ELF seed.
$(FUZZDIR)/seeds.done: tests/fuzz/seeds.py $(MUSLDIR)/static
	@mkdir -p $(@D)
	@echo "  SEEDS   $(FUZZDIR)/seeds"
	$(Q)$(PYTHON) tests/fuzz/seeds.py $(FUZZDIR)/seeds $(MUSLDIR)/static
	$(Q)touch $@

# The system-call fuzzer as the first process, on an ISO of its own; QEMU exits with its
# status (the number of failed checks). Its output says how many calls it made.
FUZZ_SYSCALLS_ISO := $(OBJDIR)/fuzz-syscalls.iso
fuzz-syscalls: deps $(KERNEL) $(INITRD)
	$(Q)$(PYTHON) tools/mkiso.py $(KERNEL) $(FUZZ_SYSCALLS_ISO) \
	    "quiet init=/syscall_fuzz seconds=$(SECONDS) seed=$(SEED)" $(INITRD)
	$(PYTHON) tools/twofold_qemu.py --iso $(FUZZ_SYSCALLS_ISO) --cpu $(QEMU_CPU) --mem $(QEMU_MEM)

.PHONY: fuzzers fuzz fuzz-syscalls help-fuzz
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
	@echo "  fuzz-syscalls  random system calls in QEMU for SECONDS=$(SECONDS) s from SEED=$(SEED)"
