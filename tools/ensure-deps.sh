#!/bin/sh
# tools/ensure-deps.sh: install the Debian packages the tree needs, if any is missing.
# As root it runs apt-get; otherwise it names the packages and fails.
#
# Each package is proved installed by the very file a tool opens from it (a command on PATH,
# or an absolute path, tested with -e so that a link into a package that is absent counts as
# missing): Bochs's VGA BIOS, for one, is a link from bochsbios into vgabios.
# `ensure-deps.sh --list` prints the "package:probe" pairs (tests/test_tools.py reads them).
set -eu

needs="
qemu-system-x86:qemu-system-x86_64
seabios:/usr/share/seabios/bios-256k.bin
seabios:/usr/share/seabios/vgabios-stdvga.bin
qemu-system-data:/usr/share/qemu/kvmvapic.bin
ipxe-qemu:/usr/lib/ipxe/qemu/efi-e1000.rom
nasm:nasm
grub-common:grub-mkrescue
grub-pc-bin:/usr/lib/grub/i386-pc/multiboot2.mod
xorriso:xorriso
mtools:mformat
gcc:gcc
binutils:ld
clang:clang
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
musl-tools:musl-gcc
linux-libc-dev:/usr/include/x86_64-linux-gnu/asm/ldt.h
xz-utils:xz
python3-pytest:/usr/lib/python3/dist-packages/pytest
gdb:gdb
bochs:bochs
bochs-term:/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so
bochsbios:/usr/share/bochs/BIOS-bochs-latest
vgabios:/usr/share/bochs/VGABIOS-lgpl-latest
bsdutils:script
"

if [ "${1:-}" = "--list" ]; then
    for entry in $needs; do echo "$entry"; done
    exit 0
fi

missing=""
for entry in $needs; do
    package=${entry%%:*}
    probe=${entry#*:}
    case $probe in
        /*) [ -e "$probe" ] ;;
        *) command -v "$probe" >/dev/null 2>&1 ;;
    esac && continue
    case " $missing " in
        *" $package "*) ;;
        *) missing="$missing $package" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "Twofold needs these Debian packages:$missing" >&2
    echo "Install them as root: apt-get install -y$missing" >&2
    exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
