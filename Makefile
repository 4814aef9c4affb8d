# Makefile: build Twofold, boot it in QEMU, test it. `make help` lists targets and variables.

# ---- Variables you may set (make VAR=value) ---------------------------------------------
# CC: the kernel compiler, gcc or clang.
CC       ?= gcc
# CMDLINE: the kernel command line for `make run` (README: "Command line").
CMDLINE  ?=
# QEMU_CPU: QEMU's -cpu model for `make run` (qemu64 lacks SMEP, SMAP, 1 GiB pages...).
QEMU_CPU ?= max
# QEMU_MEM: guest memory.
QEMU_MEM ?= 256M
# SMP: QEMU's number of CPUs for `make run` (processes run on every one: kernel/proc/sched.h).
SMP ?= 1
# BUILD: all output goes under here.
BUILD    ?= build
# PYTHON: Debian's python3, the one python3-pytest installs into.
PYTHON   ?= /usr/bin/python3
# TESTS: what `make test` hands pytest (a file, or file::test).
TESTS    ?= tests

ifeq ($(origin CC),default)
CC := gcc
endif
CC := $(strip $(CC))
COMPILER := $(notdir $(firstword $(CC)))
OBJDIR   := $(BUILD)/$(COMPILER)
KERNEL   := $(OBJDIR)/twofold.elf
ISO      := $(OBJDIR)/twofold.iso
HOSTDIR  := $(BUILD)/host

LD   := ld
NASM := nasm
# V=1 shows every command in full.
Q := $(if $(V),,@)

# ---- Kernel flags ------------------------------------------------------------------------
# Freestanding: no hosted library, our own <string.h> (kernel/lib/include), the compiler's own
# headers only for <stdint.h>, <stddef.h>, <stdarg.h>, <stdbool.h>.
KERNEL_CPPFLAGS := -nostdinc -isystem $(shell $(CC) -print-file-name=include) -isystem kernel/lib/include -I.
# Interrupts push onto the stack below RSP at any moment: no red zone. No SSE/MMX/x87: an
# interrupt would have to save their state. -mcmodel=kernel: the image lives in the top 2 GiB.
KERNEL_ARCHFLAGS := -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-pic -fno-pie
# Frame pointers keep backtraces exact; no stack protector (there is no guard to check).
# Every type in the debug information, used or not: GDB can then name SYS_write and the rest.
KERNEL_CFLAGS := -std=gnu11 -O2 -g -fno-eliminate-unused-debug-types -Wall -Wextra -Werror \
                 -ffreestanding -fno-builtin -fno-stack-protector -fno-omit-frame-pointer \
                 -fno-asynchronous-unwind-tables $(KERNEL_ARCHFLAGS)
NASMFLAGS := -f elf64 -g -F dwarf -I. -I$(OBJDIR)/
# -n: no page alignment in the file, so the Multiboot2 header stays in its first 32 KiB.
LDFLAGS := -n -T linker.ld -z max-page-size=4096 -z noexecstack

# Every source under these folders is the kernel's: a new file needs no list edited.
# asm_constants.c is compiled to assembly only: its constants become asm_constants.inc.
KERNEL_DIRS := boot arch kernel mm tests/kernel
KERNEL_C    := $(filter-out arch/x86_64/asm_constants.c,$(sort $(shell find $(KERNEL_DIRS) -name '*.c')))
KERNEL_ASM  := $(sort $(shell find $(KERNEL_DIRS) -name '*.asm'))
KERNEL_OBJS := $(KERNEL_C:%.c=$(OBJDIR)/%.o) $(KERNEL_ASM:%.asm=$(OBJDIR)/%.asm.o)

# ---- Host unit tests: pure kernel modules built for Linux with ASan and UBSan -------------
HOST_CC     := gcc
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I. -DTWOFOLD_HOST \
               -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_TESTS  := $(patsubst tests/host/test_%.c,%,$(wildcard tests/host/test_*.c))
# The kernel sources each host test (and fuzzer, tools/fuzz.mk) links against, all here:
# kernel/lib/ is the pure code; mm/ tests run on simulated memory.
SIM_MEMORY := tests/host/sim_memory.c mm/frame.c mm/phys_ranges.c
host_format_SRCS     := kernel/lib/format.c
host_multiboot2_SRCS := kernel/lib/multiboot2.c
host_cmdline_SRCS    := kernel/lib/cmdline.c
host_cpio_SRCS       := kernel/lib/cpio.c
host_elf_SRCS        := kernel/lib/elf.c
host_frame_SRCS      := $(SIM_MEMORY)
host_pagetable_SRCS  := $(SIM_MEMORY) mm/pagetable.c mm/ptdump.c kernel/lib/format.c
host_kmalloc_SRCS    := $(SIM_MEMORY) mm/kmalloc.c
host_chacha20_SRCS   := kernel/lib/chacha20.c
host_string_SRCS     :=
host_fs_SRCS         := $(SIM_MEMORY) mm/kmalloc.c kernel/fs/ramfs.c kernel/fs/path.c kernel/fs/mount.c kernel/fs/initrd.c \
                        kernel/lib/cpio.c kernel/lib/format.c
fuzz_cpio_SRCS       := $(host_fs_SRCS)
fuzz_elf_SRCS        := kernel/lib/elf.c

.PHONY: all iso run test host-tests deps clean help help-main
.SECONDEXPANSION:

# `make help` prints this Makefile's list first, then each fragment's (they add help-NAME).
help: help-main

# Further targets and variables: the user programs and initrd, fuzzers, debugging (each
# file says what it adds). INITRD comes from tools/user.mk.
include $(wildcard tools/*.mk)
.DEFAULT_GOAL := all

all: $(KERNEL) $(ISO) $(OBJDIR)/run.iso

iso: $(ISO)

# ---- Build -------------------------------------------------------------------------------
$(OBJDIR)/%.o: %.c $(OBJDIR)/cflags.stamp | deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CPPFLAGS) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(OBJDIR)/%.asm.o: %.asm $(OBJDIR)/asm_constants.inc | deps
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# The constants the assembly shares with C: each "->NAME $VALUE" line the compiler leaves
# in asm_constants.c's assembly becomes "NAME equ VALUE".
$(OBJDIR)/asm_constants.inc: arch/x86_64/asm_constants.c | deps
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)$(CC) $(KERNEL_CPPFLAGS) $(KERNEL_CFLAGS) -MMD -MP -MT $@ -MF $@.d -S -o $@.s $<
	$(Q)sed -n 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)"$$/\1 equ \2/p' $@.s > $@
	$(Q)test -s $@ || { echo "$@ came out empty"; rm -f $@; exit 1; }

# Two links: the first gives the addresses for the symbol table, which the second links in
# last in .rodata, so no code moves; the cmp proves it.
$(OBJDIR)/twofold-nosyms.elf: $(KERNEL_OBJS) $(OBJDIR)/objects.stamp linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(KERNEL_OBJS)

$(OBJDIR)/ksyms.S: $(OBJDIR)/twofold-nosyms.elf tools/ksyms.sh
	$(Q)tools/ksyms.sh $< > $@

$(OBJDIR)/ksyms.o: $(OBJDIR)/ksyms.S
	$(Q)$(CC) -c $< -o $@

$(KERNEL): $(KERNEL_OBJS) $(OBJDIR)/ksyms.o $(OBJDIR)/objects.stamp linker.ld
	@echo "  LD      $@ (with symbols)"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(KERNEL_OBJS) $(OBJDIR)/ksyms.o
	$(Q)tools/ksyms.sh $@ | cmp -s - $(OBJDIR)/ksyms.S || { echo "symbol table moved code"; rm -f $@; exit 1; }

# A target can depend on a variable's value through NAME.stamp, a file rewritten only when
# STAMP_NAME changes: the ISO on the command line, the link on the list of objects (so a
# deleted source file relinks too), every object on the compiler's flags.
STAMP_twofold-cmdline = $(CMDLINE)
STAMP_run-cmdline = $(RUN_CMDLINE)
STAMP_objects = $(KERNEL_OBJS)
STAMP_cflags  = $(KERNEL_CPPFLAGS) $(KERNEL_CFLAGS)
$(OBJDIR)/%.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(STAMP_$*)' | cmp -s - $@ || echo '$(STAMP_$*)' > $@
.PRECIOUS: $(OBJDIR)/%.stamp

# The boot ISO (CMDLINE), and `make run`'s (RUN_CMDLINE), each with its command line.
$(OBJDIR)/%.iso: $(KERNEL) $(INITRD) $(OBJDIR)/%-cmdline.stamp iso/grub.cfg.in tools/mkiso.py
	@echo "  ISO     $@"
	$(Q)$(PYTHON) tools/mkiso.py $(KERNEL) $@ "$$(cat $(OBJDIR)/$*-cmdline.stamp)" $(INITRD)

# A host test links several sources, whose headers make cannot learn one by one from the
# compiler: any header changing rebuilds them all (they are small).
HOST_HEADERS := $(shell find kernel mm arch tests/host -name '*.h')
$(HOSTDIR)/test_%: tests/host/test_%.c $$(host_$$*_SRCS) $(HOST_HEADERS) | deps
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(host_$*_SRCS)

host-tests: $(HOST_TESTS:%=$(HOSTDIR)/test_%)

# ---- Use ---------------------------------------------------------------------------------
deps:
	@tools/ensure-deps.sh

# With no CMDLINE, `make run` boots to the shell: /init runs its demos, then becomes
# busybox's sh, whose exit powers off.
RUN_CMDLINE = $(if $(strip $(CMDLINE)),$(CMDLINE),init=/init sh)
run: deps $(OBJDIR)/run.iso
	$(PYTHON) tools/twofold_qemu.py --iso $(OBJDIR)/run.iso --cpu $(QEMU_CPU) --mem $(QEMU_MEM) --smp $(SMP)

# Every test: both compilers must build the kernel; then pytest runs the host tests and boots
# the kernel in QEMU in each configuration (tests/README.md).
test: deps
	$(MAKE) --no-print-directory CC=gcc all host-tests selftests
	$(MAKE) --no-print-directory CC=clang all
	TWOFOLD_BUILD=$(BUILD) $(PYTHON) -m pytest -p no:cacheprovider -q -rfE $(TESTS)

clean:
	rm -rf $(BUILD)

help-main:
	@echo "Targets:"
	@echo "  all         build the kernel ($(KERNEL)) and its boot ISO (default)"
	@echo "  iso         build only the ISO"
	@echo "  run         boot in QEMU, serial console on this terminal (Ctrl-A X quits)"
	@echo "  test        build with gcc and clang; host tests, fuzzers, every QEMU, Bochs and GDB test"
	@echo "  clean       remove $(BUILD)/"
	@echo "  help        this list"
	@echo "Variables (make VAR=value):"
	@echo "  CC=$(CC)  CMDLINE='$(CMDLINE)'  QEMU_CPU=$(QEMU_CPU)  QEMU_MEM=$(QEMU_MEM)  SMP=$(SMP)"
	@echo "  BUILD=$(BUILD)  PYTHON=$(PYTHON)  TESTS=$(TESTS)"

FORCE:
.DELETE_ON_ERROR:

-include $(KERNEL_OBJS:.o=.d) $(OBJDIR)/asm_constants.inc.d
