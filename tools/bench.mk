# tools/bench.mk: `make bench`: user/bench, the same static binary, as the first process on
# Twofold (kpti=on, kpti=off) and on Debian's Linux (pti=on, pti=off) in identical QEMU
# machines; prints one table and writes $(BUILD)/bench.json (tools/bench.py, README
# "Benchmarks"). Linux's kernel is fetched into $(BUILD)/bench/linux, not installed.
#   make bench BENCH_QUICK=1    loops a tenth as long: a smoke test, not a measurement

# ---- Variables you may set (make VAR=value) ---------------------------------------------
# BENCH_QUICK: non-empty for short loops.
BENCH_QUICK   ?=
# BENCH_TIMEOUT: seconds each QEMU run may take before it is killed (the longest takes 90).
BENCH_TIMEOUT ?= 300

# bench_entry, in user/bench.c, reads the TSC at the program's first instruction, then runs
# musl's _start. (tools/user.mk's per-program flags; $(BUILD)/user is its USERDIR.)
user_bench_FLAGS := -Wl,--entry=bench_entry
$(BUILD)/user/bench: tools/bench.mk

# INITRD comes from tools/user.mk, read after this file: hence $$ (USERDIR, in the recipe, is
# read when it runs).
.PHONY: bench help-bench
bench: deps $(KERNEL) $$(INITRD)
	$(Q)$(PYTHON) tools/bench.py --build $(BUILD) --kernel $(KERNEL) --initrd $(INITRD) \
	    --program $(USERDIR)/bench --busybox $(BUSYBOX)/bin/busybox --cpu $(QEMU_CPU) --mem $(QEMU_MEM) \
	    --timeout $(BENCH_TIMEOUT) $(if $(BENCH_QUICK),--quick)

help: help-bench
help-bench:
	@echo "From tools/bench.mk:"
	@echo "  bench       Twofold and Linux side by side in QEMU: $(BUILD)/bench.json"
	@echo "  BENCH_QUICK='$(BENCH_QUICK)'  short loops (a smoke test)"
	@echo "  BENCH_TIMEOUT=$(BENCH_TIMEOUT)  seconds each QEMU run may take"
