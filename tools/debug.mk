# tools/debug.mk: `make debug`: the kernel in QEMU (TCG), stopped before its first instruction,
# under GDB with the kernel's symbols and the Twofold helpers (tools/gdb/). QEMU ends with GDB.
#   make debug                              GDB on this terminal; `continue` runs to kmain
#   make debug GDB_ARGS='-batch -x FILE'     a GDB script, no terminal needed
#   make debug PROG=/init                   the symbols of a user program too ($(USERDIR)/init)

# ---- Variables you may set (make VAR=value) ---------------------------------------------
# GDB_PORT: the TCP port of QEMU's GDB stub on localhost; from the user id, so that two
# users on one machine do not collide.
GDB_PORT ?= $(shell echo $$(( $$(id -u) % 5000 + 25000 )))
# GDB_ARGS: more arguments for GDB, after the generated init file.
GDB_ARGS ?=
# PROG: a user program, by its path in the initrd, whose symbols GDB loads as well.
PROG     ?=

.PHONY: debug help-debug
debug: deps $(ISO)
	$(Q)$(PYTHON) tools/gdb/launch.py --iso $(ISO) --kernel $(KERNEL) --cpu $(QEMU_CPU) \
	    --mem $(QEMU_MEM) --port $(GDB_PORT) --init $(OBJDIR)/debug.gdb \
	    $(if $(PROG),--user-program $(USERDIR)/$(patsubst /%,%,$(PROG))) -- $(GDB_ARGS)

help: help-debug
help-debug:
	@echo "From tools/debug.mk:"
	@echo "  debug       QEMU stopped at reset under GDB with the tf-* helpers (tf lists them); QEMU ends with GDB"
	@echo "  GDB_PORT=$(GDB_PORT)  GDB_ARGS='$(GDB_ARGS)'  PROG='$(PROG)' (symbols of $(USERDIR)/NAME too)"
