/* arch/x86_64/pcid.h: process-context identifiers. With PCIDs, a CR3 write need not flush
 * the TLB: entries are tagged with the PCID in CR3's low 12 bits, and bit 63 of the value
 * written says "keep them". Each address space gets a pair, 2k for its kernel CR3 and 2k + 1
 * for its user CR3; PCID 0 is the kernel root's.
 *
 * Whether a CPU may keep a pair's entries over a load is told by generations (the role of
 * Linux's tlb_gen and per-CPU ASID slots in arch/x86/mm/tlb.c): each pair has a generation
 * that every change to its user half moves on (and so does handing the pair to a new address
 * space), and each CPU remembers the generation its TLB is current with for each pair. A CPU
 * that runs the address space while it changes is brought current at once (tlb.c's
 * shootdown); one that does not is behind, and its next load of the pair flushes. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define CR3_NOFLUSH (1ull << 63)

extern bool pcid_on, invpcid_on;

/* Turn PCIDs on (CR4.PCIDE) if want and the CPU has them. CR3 must hold PCID 0. */
void pcid_init(bool want, bool cpu_has_pcid, bool cpu_has_invpcid);

/* A pair index k (1..2047) no live address space uses, or 0 with PCIDs off. A pair used
 * before may still have entries in some TLB: its generation moves on, so that every CPU's
 * first load of it flushes. */
uint16_t pcid_alloc(void);
void pcid_free(uint16_t pair);

/* About to load pair on this CPU: whether its entries here are current (the load may keep
 * them); if not, the load must flush, and they are current after it. */
bool pcid_load_keeps(uint16_t pair);

/* pair's user half changed: its generation moves on, and this CPU, which flushed what
 * changed, is current with it. Returns the new generation (for the other CPUs that run it
 * and flush too: pcid_caught_up). */
uint32_t pcid_changed(uint16_t pair);
void pcid_caught_up(uint16_t pair, uint32_t generation);

/* This CPU's entries of pair cannot be trusted (a flush of them is owed): its next load of
 * pair flushes. */
void pcid_forget_here(uint16_t pair);

static inline uint64_t pcid_kernel(uint16_t pair) { return pair ? 2u * pair : 0; }
static inline uint64_t pcid_user(uint16_t pair) { return pair ? 2u * pair + 1 : 0; }

/* Drop the TLB entries of every PCID, global ones too (for changes to the kernel half). */
void pcid_flush_all(void);

/* Drop the entries for [va, va + size) tagged with pcid (INVPCID; invpcid_on only). */
void pcid_flush_range(uint64_t pcid, uint64_t va, uint64_t size);
