# tools/profile.mk: `make profile`: the instructions of one getpid and of one switch between
# two yielding processes, stage by stage (entry stub, dispatch, handler, switch, exit work,
# return stub), counted by single-stepping them under QEMU's GDB stub (tools/profile.py,
# tools/gdb/stages.py), with page-table isolation on and off. README: "Benchmarks".

.PHONY: profile help-profile
profile: deps $(KERNEL) $$(INITRD)
	$(Q)$(PYTHON) tools/profile.py --kernel $(KERNEL) --initrd $(INITRD) --cpu $(QEMU_CPU)

help: help-profile
help-profile:
	@echo "From tools/profile.mk:"
	@echo "  profile     one system call and one switch, instruction by instruction, stage by stage"
