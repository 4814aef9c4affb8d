# tools/busybox.mk: Twofold's userland, Debian's busybox-static, unmodified. The package is
# fetched into $(BUSYBOX)/ (tools/debian.py: nothing installed, nothing committed), and
# $(BUSYBOX)/root is what the initrd gets of it: /bin/busybox and a link for each applet in
# /bin or /sbin (as `busybox --list-full` places it, /usr/bin and /usr/sbin folded into them).
# The links are relative, so the same tree serves the tests on this host (tests/test_busybox.py).
#   make busybox        fetch (the first time) and lay out $(BUSYBOX)/root

BUSYBOX_PACKAGE := busybox-static
BUSYBOX         := $(BUILD)/busybox

$(BUSYBOX)/package: tools/debian.py tools/busybox.mk | deps
	$(Q)$(PYTHON) tools/debian.py $(BUSYBOX_PACKAGE) $(BUSYBOX) ./bin/busybox >/dev/null

$(BUSYBOX)/root.stamp: $(BUSYBOX)/package
	@echo "  BUSYBOX $(BUSYBOX)/root"
	$(Q)rm -rf $(BUSYBOX)/root && mkdir -p $(BUSYBOX)/root/bin $(BUSYBOX)/root/sbin
	$(Q)cp $(BUSYBOX)/bin/busybox $(BUSYBOX)/root/bin/busybox
	$(Q)for applet in $$($(BUSYBOX)/bin/busybox --list-full | sed -n 's|^\(usr/\)\{0,1\}\(s\{0,1\}bin/[^/]*\)$$|\2|p'); do \
	    case $$applet in bin/busybox) ;; bin/*) ln -s busybox $(BUSYBOX)/root/$$applet ;; \
	    *) ln -s ../bin/busybox $(BUSYBOX)/root/$$applet ;; esac; done
	@touch $@

.PHONY: busybox help-busybox
busybox: $(BUSYBOX)/root.stamp

help: help-busybox
help-busybox:
	@echo "From tools/busybox.mk:"
	@echo "  busybox     fetch Debian's $(BUSYBOX_PACKAGE) and lay out its applets, $(BUSYBOX)/root"
