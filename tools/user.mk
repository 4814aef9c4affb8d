# tools/user.mk: the user programs and the initrd that carries them. Each user/NAME.c becomes
# $(USERDIR)/NAME and /NAME in the initrd, each user test user/tests/NAME.c
# $(USERDIR)/tests/NAME and /tests/NAME; all are static musl binaries, so they run on Linux too.
#   make all EXTRA=dir      the initrd also carries every file under dir (dir/x as /x)

# ---- Variables you may set (make VAR=value) ---------------------------------------------
# EXTRA: a directory of more files for the initrd; one named like a built-in replaces it.
EXTRA ?=

USERDIR := $(BUILD)/user
INITRD  := $(BUILD)/initrd.cpio

USER_PROGRAMS := $(patsubst user/%.c,%,$(wildcard user/*.c))
USER_TESTS    := $(patsubst user/tests/%.c,%,$(wildcard user/tests/*.c))
USER_DATA     := tests/data/notelf tests/data/low-segment
# The busybox suite's scripts and driver (tests/busybox/, run by tests/test_busybox.py).
BUSYBOX_SUITE := $(patsubst %,tests/busybox/%,$(notdir $(wildcard tests/busybox/*)))
# What the initrd holds, as paths under $(USERDIR) and in the initrd alike.
USER_FILES    := $(USER_PROGRAMS) $(USER_TESTS:%=tests/%) $(USER_DATA) $(BUSYBOX_SUITE)

# Unmodified musl, linked statically (the kernel loads static ELF executables only).
USER_CC      := musl-gcc
# The include path has the kernel's table of calls too, for Twofold's own numbers.
USER_CFLAGS  := -std=gnu11 -D_GNU_SOURCE -static -O2 -Wall -Wextra -Werror -Iuser/include -Ikernel/syscall
USER_HEADERS := $(wildcard user/include/*.h) kernel/syscall/calls.def

# Flags of one program, by its path under $(USERDIR). The startup test brings its own _start,
# to see the registers and stack exactly as the kernel left them. testrun knows the tests by
# name; the stamp rebuilds it when a test comes or goes.
user_tests/startup_FLAGS := -nostartfiles
user_testrun_FLAGS       := -DTEST_PROGRAMS='$(foreach t,$(USER_TESTS),"$(t)",)'
STAMP_usertests = $(USER_TESTS)
$(USERDIR)/testrun: $(OBJDIR)/usertests.stamp

$(USERDIR)/%: user/%.c $(USER_HEADERS) | deps
	@mkdir -p $(@D)
	@echo "  MUSLCC  $<"
	$(Q)$(USER_CC) $(USER_CFLAGS) $(user_$*_FLAGS) -o $@ $<

# execve() of a file that is not ELF must fail with ENOEXEC; Linux wants it executable.
$(USERDIR)/tests/data/%: user/tests/data/%
	@mkdir -p $(@D)
	$(Q)install -m 755 $< $@

$(USERDIR)/tests/busybox/%: tests/busybox/%
	@mkdir -p $(@D)
	$(Q)install -m 644 $< $@

# A program whose segments start at 0x2000, below the lowest address a mapping may have.
$(USERDIR)/tests/data/low-segment: user/tests/data/low_segment.c | deps
	@mkdir -p $(@D)
	@echo "  MUSLCC  $<"
	$(Q)$(USER_CC) $(USER_CFLAGS) -Wl,-Ttext-segment=0x2000 -o $@ $<

# The initrd; it follows EXTRA's value and the files under it.
STAMP_extra = $(EXTRA)
EXTRA_FILES := $(if $(EXTRA),$(shell find $(EXTRA) -type f 2>/dev/null))
# Debian's busybox comes first (tools/busybox.mk); EXTRA may replace any of it.
$(INITRD): $(USER_FILES:%=$(USERDIR)/%) $(EXTRA_FILES) $(OBJDIR)/extra.stamp tools/mkinitrd.py $(BUSYBOX)/root.stamp
	@echo "  INITRD  $@"
	$(Q)$(PYTHON) tools/mkinitrd.py $@ $(USERDIR) $(USER_FILES) --extra $(BUSYBOX)/root $(if $(EXTRA),--extra $(EXTRA))

.PHONY: user help-user
user: $(INITRD)
all: $(INITRD)

help: help-user
help-user:
	@echo "From tools/user.mk:"
	@echo "  user        user programs $(USERDIR)/*, tests $(USERDIR)/tests/*, initrd $(INITRD)"
	@echo "  EXTRA='$(EXTRA)'  a directory whose files the initrd carries too"
