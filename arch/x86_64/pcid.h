/* arch/x86_64/pcid.h: process-context identifiers. With PCIDs, a CR3 write need not flush
 * the TLB: entries are tagged with the PCID in CR3's low 12 bits, and bit 63 of the value
 * written says "keep them". Each address space gets a pair, 2k for its kernel CR3 and 2k + 1
 * for its user CR3; PCID 0 is the kernel root's. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define CR3_NOFLUSH (1ull << 63)

extern bool pcid_on, invpcid_on;

/* Turn PCIDs on (CR4.PCIDE) if want and the CPU has them. CR3 must hold PCID 0. */
void pcid_init(bool want, bool cpu_has_pcid, bool cpu_has_invpcid);

/* A pair index k (1..2047) no live address space uses, or 0 with PCIDs off. A pair used
 * before may still have entries in the TLB: its first loads must flush (vm.h). */
uint16_t pcid_alloc(void);
void pcid_free(uint16_t pair);

static inline uint64_t pcid_kernel(uint16_t pair) { return pair ? 2u * pair : 0; }
static inline uint64_t pcid_user(uint16_t pair) { return pair ? 2u * pair + 1 : 0; }

/* Drop the TLB entries of every PCID, global ones too (for changes to the kernel half). */
void pcid_flush_all(void);

/* Drop the entries for [va, va + size) tagged with pcid (INVPCID; invpcid_on only). */
void pcid_flush_range(uint64_t pcid, uint64_t va, uint64_t size);
