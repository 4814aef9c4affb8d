"""tools/gdb/pagetables.py: x86-64 four-level paging decoded: CR3, the walk for one address,
and the whole address space as ranges in the kernel's ptdump format.

Pure Python with no GDB in it: the tables come from a read_table(phys) function that returns a
table's 512 entries, so the GDB commands (twofold.py) read them from the machine and tests can
feed made-up memory. The bit names and meanings follow the Intel SDM, volume 3, chapter 4.5.
"""
import dataclasses

MASK64 = (1 << 64) - 1
ENTRIES = 512
ADDR_MASK = 0x000ffffffffff000      # bits 12..51: the next table, or a 4 KiB frame

P, RW, US, PWT, PCD, A, D, PS, G = (1 << bit for bit in range(9))
NX = 1 << 63
PAT_LARGE = 1 << 12                 # PAT bit of a 2 MiB or 1 GiB leaf (bit 7 is PS there)

CR4_PCIDE = 1 << 17
UPPER_HALF = 0xffff800000000000     # where top-level slot 256 starts, sign-extended


@dataclasses.dataclass(frozen=True)
class Level:
    name: str
    shift: int                      # log2 of the bytes one entry of this level covers
    leaf_bit: int | None            # the bit that makes a present entry a leaf


# From the top: PS is reserved in a PML4 entry (four-level paging has no 512 GiB pages), so
# none is a leaf; a PDPT or PD entry with PS set is a 1 GiB or 2 MiB page; every present PT
# entry is a 4 KiB page, so P itself is a PT entry's leaf bit.
LEVELS = (Level("PML4", 39, None), Level("PDPT", 30, PS), Level("PD", 21, PS), Level("PT", 12, P))
PAGE_SIZE_NAMES = {1 << 12: "4K", 1 << 21: "2M", 1 << 30: "1G"}


def is_canonical(va):
    """Whether va's bits 63..47 are all equal, as a 48-bit address must have them."""
    return va >> 47 in (0, 0x1ffff)


def describe_cr3(cr3, cr4):
    """CR3 in words, one line each: the value, the top-level table, and PCID (CR4.PCIDE set) or
    the table's cache attributes PWT and PCD (CR4.PCIDE clear)."""
    lines = [f"cr3 0x{cr3:016x}", f"  PML4 at physical 0x{cr3 & ADDR_MASK:016x}"]
    if cr4 & CR4_PCIDE:
        lines.append(f"  PCID 0x{cr3 & 0xfff:03x} (CR4.PCIDE=1)")
    else:
        lines.append(f"  PWT={cr3 >> 3 & 1} PCD={cr3 >> 4 & 1} (CR4.PCIDE=0: no PCID)")
    return lines


def flag_names(raw, level):
    """The names of the flags set in an entry of level: P RW US PWT PCD A D PS G NX, with bit 7
    of a PT entry and bit 12 of a large leaf named PAT, which is what they are there."""
    names = []
    for name, bit in (("P", P), ("RW", RW), ("US", US), ("PWT", PWT), ("PCD", PCD), ("A", A),
                      ("D", D), ("PS", PS), ("G", G)):
        if raw & bit:
            names.append("PAT" if bit == PS and level.leaf_bit == P else name)
    if raw & PAT_LARGE and level.leaf_bit == PS and raw & PS:
        names.append("PAT")
    if raw & NX:
        names.append("NX")
    return names


@dataclasses.dataclass(frozen=True)
class Mapping:
    """Where a leaf leads and what it allows: user and writable only if every level on the way
    grants them, NX if any level sets it, global from the leaf."""
    phys: int                       # the page's physical address (in a Walk, the address's)
    page_size: int
    user: bool
    writable: bool
    nx: bool
    global_: bool

    def permissions(self):
        """The effective permissions as ptdump writes them: "user|kernel RW|ro x|NX"."""
        return " ".join(("user" if self.user else "kernel", "RW" if self.writable else "ro",
                         "NX" if self.nx else "x"))


@dataclasses.dataclass(frozen=True)
class Step:
    """One entry a walk read."""
    level: Level
    index: int
    raw: int

    def address(self):
        """The physical address the entry holds: the next table's, or the page's for a leaf
        (whose low address bits are flags, such as PAT in a large page)."""
        size = _leaf_size(self.level, self.raw)
        return self.raw & ADDR_MASK & ~(size - 1) if size else self.raw & ADDR_MASK


@dataclasses.dataclass
class Walk:
    """The walk for va: the entries read from the top, and the mapping (None when the last
    entry read is not present)."""
    va: int
    steps: list
    mapping: Mapping | None


def _leaf_size(level, raw):
    """The page size if raw (a present entry of level) is a leaf, else 0."""
    if level.leaf_bit is not None and raw & level.leaf_bit:
        return 1 << level.shift
    return 0


def _mapping(raw, size, user, writable, nx):
    """The Mapping of leaf entry raw, with the permissions accumulated from the levels above."""
    return Mapping(phys=raw & ADDR_MASK & ~(size - 1), page_size=size, user=user and bool(raw & US),
                   writable=writable and bool(raw & RW), nx=nx or bool(raw & NX), global_=bool(raw & G))


def walk(read_table, root, va):
    """The walk the CPU makes for canonical va from the top-level table at physical root."""
    steps = []
    table, user, writable, nx = root, True, True, False
    for level in LEVELS:
        index = va >> level.shift & (ENTRIES - 1)
        raw = read_table(table)[index]
        steps.append(Step(level, index, raw))
        if not raw & P:
            return Walk(va, steps, None)
        size = _leaf_size(level, raw)
        if size:
            mapping = _mapping(raw, size, user, writable, nx)
            return Walk(va, steps, dataclasses.replace(mapping, phys=mapping.phys + (va & (size - 1))))
        table = raw & ADDR_MASK
        user, writable, nx = user and bool(raw & US), writable and bool(raw & RW), nx or bool(raw & NX)


def leaves(read_table, root):
    """Every leaf mapping reachable from root as (va, Mapping), in address order: the lower half
    (top-level slots 0..255) first, then the upper half (256..511, sign-extended)."""
    def visit(table, depth, base, user, writable, nx):
        level = LEVELS[depth]
        for index, raw in enumerate(read_table(table)):
            if not raw & P:
                continue
            va = base + (index << level.shift)
            if depth == 0 and index >= ENTRIES // 2:
                va |= UPPER_HALF
            size = _leaf_size(level, raw)
            if size:
                yield va, _mapping(raw, size, user, writable, nx)
            else:
                yield from visit(raw & ADDR_MASK, depth + 1, va, user and bool(raw & US),
                                 writable and bool(raw & RW), nx or bool(raw & NX))
    return visit(root, 0, 0, True, True, False)


@dataclasses.dataclass
class Range:
    """Leaves that follow one another in virtual addresses with the same page size and
    effective permissions; end is exclusive."""
    start: int
    end: int
    mapping: Mapping                # the first leaf's; phys is not part of a range

    def key(self):
        m = self.mapping
        return (m.page_size, m.user, m.writable, m.nx, m.global_)


def ranges(pairs):
    """Coalesce (va, Mapping) pairs in address order into Ranges. Physical contiguity plays no
    part: only the virtual addresses and the attributes ptdump prints."""
    current = None
    for va, mapping in pairs:
        candidate = Range(va, va + mapping.page_size, mapping)
        if current and current.end == va and current.key() == candidate.key():
            current.end = candidate.end
            continue
        if current:
            yield current
        current = candidate
    if current:
        yield current


def size_text(size):
    """size (a multiple of 4 KiB) in the largest of the units T, G, M, K that divides it:
    4K, 1020K, 2M, 3G."""
    for unit, shift in (("T", 40), ("G", 30), ("M", 20)):
        if size % (1 << shift) == 0:
            return f"{size >> shift}{unit}"
    return f"{size >> 10}K"


def ptdump_line(r):
    """One range as the kernel's ptdump prints it ("%016lx-%016lx %s %s %s %s %s %s"). An end
    of 2^64 wraps to 0, as the kernel's 64-bit arithmetic makes it."""
    m = r.mapping
    return "%016x-%016x %s %s %s %s" % (r.start, r.end & MASK64, size_text(r.end - r.start),
                                         m.permissions(), "G" if m.global_ else "-",
                                         PAGE_SIZE_NAMES[m.page_size])


def ptdump(read_table, root):
    """The kernel's ptdump output for the address space whose top-level table is at physical
    root, one string per line; like the kernel's, the header shows the root, no CR3 flags."""
    body = [ptdump_line(r) for r in ranges(leaves(read_table, root))]
    return [f"ptdump cr3={root:016x}"] + body + ["ptdump end"]
