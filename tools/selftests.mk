# tools/selftests.mk: Linux's x86 selftests, Twofold's conformance suite. Their source,
# tools/testing/selftests/x86 of Debian's linux-source-6.1, is fetched into
# $(SELFTESTS)/src (tools/debian.py: nothing is installed, nothing committed); their own
# Makefile builds each 64-bit test, unmodified, with musl-gcc -static, into
# $(SELFTESTS)/root/selftests/NAME_64; $(SELFTESTS)/initrd.cpio holds them with /run
# (user/run.c), and $(SELFTESTS)/tests.txt names them for tests/test_selftests.py, which
# runs them on Twofold and on this host.
#   make selftests      fetch (the first time) and build them

SELFTESTS_PACKAGE := linux-source-6.1
SELFTESTS         := $(BUILD)/selftests
SELFTESTS_X86     := $(SELFTESTS)/src/$(SELFTESTS_PACKAGE)/tools/testing/selftests/x86
SELFTESTS_BIN     := $(abspath $(SELFTESTS)/root/selftests)
# What the tests' Makefile needs of the tree: itself and lib.mk, kselftest.h, and the
# descriptor definitions sigreturn.c includes by path.
SELFTESTS_MEMBERS := tools/testing/selftests/x86 tools/testing/selftests/lib.mk \
                     tools/testing/selftests/kselftest.h arch/x86/include/asm/desc_defs.h
SELFTESTS_CC      := musl-gcc -static
# The 64-bit tests their Makefile lists (TARGETS_C_64BIT_ALL) but these, which do not build
# against musl: amx (its struct _fpx_sw_bytes is glibc's).
SELFTESTS_UNBUILT := amx

$(SELFTESTS)/src/package: tools/debian.py tools/selftests.mk | deps
	$(Q)$(PYTHON) tools/debian.py $(SELFTESTS_PACKAGE) $(SELFTESTS)/src \
	    --tarball usr/src/$(SELFTESTS_PACKAGE).tar.xz $(addprefix $(SELFTESTS_PACKAGE)/,$(SELFTESTS_MEMBERS)) >/dev/null

# The kernel's uapi headers as the tests include them (<asm/...>, <linux/...>), from Debian's
# linux-libc-dev: musl-gcc does not search /usr/include, so a directory of links does.
$(SELFTESTS)/include/.stamp: | deps
	@mkdir -p $(@D)
	$(Q)ln -sfn /usr/include/linux $(@D)/linux
	$(Q)ln -sfn /usr/include/x86_64-linux-gnu/asm $(@D)/asm
	$(Q)ln -sfn /usr/include/asm-generic $(@D)/asm-generic
	@touch $@

# Their Makefile says which tests there are (asked with a rule of our own read after it).
$(SELFTESTS)/tests.txt: $(SELFTESTS)/src/package
	$(Q)echo 'selftests-64: ; @echo $$(TARGETS_C_64BIT_ALL)' \
	    | $(MAKE) -s --no-print-directory -C $(SELFTESTS_X86) -f Makefile -f - CC="$(SELFTESTS_CC)" selftests-64 \
	    | tr ' ' '\n' | grep -vxF $(SELFTESTS_UNBUILT:%=-e %) | sort > $@.tmp
	$(Q)mv $@.tmp $@

# Their Makefile's rules and flags; its output (the compilers' warnings about their code)
# goes to build.log, shown only if the build fails.
$(SELFTESTS)/built.stamp: $(SELFTESTS)/tests.txt $(SELFTESTS)/include/.stamp
	@echo "  SELFTEST $(SELFTESTS_PACKAGE): $$(wc -l < $<) tests"
	@mkdir -p $(SELFTESTS_BIN)
	$(Q)$(MAKE) --no-print-directory -C $(SELFTESTS_X86) OUTPUT=$(SELFTESTS_BIN) CC="$(SELFTESTS_CC)" \
	    KHDR_INCLUDES="-isystem $(abspath $(SELFTESTS)/include)" \
	    $$(sed 's|.*|$(SELFTESTS_BIN)/&_64|' $<) > $(SELFTESTS)/build.log 2>&1 \
	    || { cat $(SELFTESTS)/build.log; exit 1; }
	@touch $@

$(SELFTESTS)/initrd.cpio: $(SELFTESTS)/built.stamp $$(USERDIR)/run tools/mkinitrd.py
	@echo "  INITRD  $@"
	$(Q)$(PYTHON) tools/mkinitrd.py $@ $(USERDIR) run --extra $(SELFTESTS)/root

.PHONY: selftests help-selftests
selftests: $(SELFTESTS)/initrd.cpio

help: help-selftests
help-selftests:
	@echo "From tools/selftests.mk:"
	@echo "  selftests   Linux's x86 selftests ($(SELFTESTS_PACKAGE)) and their initrd, in $(SELFTESTS)/"
