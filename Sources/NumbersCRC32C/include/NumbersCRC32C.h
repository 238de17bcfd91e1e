#ifndef NUMBERS_CRC32C_H
#define NUMBERS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) on raw registers: no initial value and no
// final XOR are applied here, so the caller owns both. Every function is pure and thread-safe.
//
// The public entry points use the CPU's crc32 instruction (SSE4.2) and carry-less multiply
// (PCLMULQDQ) when the running CPU has them, found once at load time, and slicing-by-8 tables
// otherwise. The *_portable variants always take the table path, so tests can compare the two.

/// The register after feeding `count` bytes at `bytes` (any alignment).
uint32_t numbers_crc32c_update(uint32_t reg, const void *bytes, size_t count);
uint32_t numbers_crc32c_update_portable(uint32_t reg, const void *bytes, size_t count);

/// One pass over `count` bytes of big-endian uint32s (`count` a multiple of 4): feeds them to
/// both registers `*first` and `*second` (a datagram's CRC and a running sequence CRC) and adds
/// the numbers to `*sum`.
void numbers_crc32c_fold_numbers(uint32_t *first, uint32_t *second, uint64_t *sum,
                                 const void *bytes, size_t count);
void numbers_crc32c_fold_numbers_portable(uint32_t *first, uint32_t *second, uint64_t *sum,
                                          const void *bytes, size_t count);

/// The register after feeding `count` zero bytes to `reg`. Because the CRC register is linear,
/// update(r, d) == update(0, d) ^ shift(r, len(d)): a block's CRC taken from a zero register can
/// be joined to any running register later without touching the bytes again.
uint32_t numbers_crc32c_shift(uint32_t reg, size_t count);
uint32_t numbers_crc32c_shift_portable(uint32_t reg, size_t count);

/// 1 when the hardware paths are in use on this CPU, 0 when the tables are.
int numbers_crc32c_uses_hardware(void);

#endif
