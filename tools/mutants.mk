# tools/mutants.mk: `make mutants`, mutation testing (tools/mutants.py): each named mutant
# breaks one property the suite claims (a SYSRET check, a CR3 or GS switch on one path, a
# flag a door clears, a range check, a copy-on-write copy, freeing a frame, an -EFAULT...),
# the kernel is rebuilt with it, and the tests that should notice must fail. It prints the
# mutation score; every mutant must be killed. Not part of `make test` (it takes minutes);
# tests/test_mutants.py checks in `make test` that every mutant still applies.

# ---- Variables you may set (make VAR=value) ---------------------------------------------
# MUTANTS: the names to run (default: all; `tools/mutants.py --help` and the file list them).
MUTANTS ?=

.PHONY: mutants help-mutants
mutants: deps
	$(MAKE) --no-print-directory CC=gcc all
	$(PYTHON) tools/mutants.py --build $(BUILD) $(MUTANTS)

help: help-mutants
help-mutants:
	@echo "From tools/mutants.mk:"
	@echo "  mutants     rebuild with each mutation of tools/mutants.py and run its tests; all must fail"
	@echo "  MUTANTS='$(MUTANTS)'  only these mutants"
