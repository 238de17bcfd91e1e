#ifndef NUMBERS_SPLITMIX_H
#define NUMBERS_SPLITMIX_H

#include <stddef.h>
#include <stdint.h>

// The station's sequence: number i of seed s is the high 32 bits of SplitMix64's mix of
// s + (i + 1) * 0x9E3779B97F4A7C15 (PROTOCOL.md §4).
//
// The public entry point uses AVX2 (four 64-bit lanes) when the running CPU has it, found once
// at load time, and plain 64-bit arithmetic otherwise; the baseline x86-64 build vectorizes only
// two lanes at a time with SSE2. The *_portable variant always takes the plain path, so tests
// can compare the two. Pure and thread-safe.

/// Writes numbers `index ..< index + count` of `seed` to `out` as big-endian uint32s (any
/// alignment). The caller keeps index + count ≤ 2^32.
void numbers_splitmix_write_big_endian(uint64_t seed, uint32_t index, size_t count, void *out);
void numbers_splitmix_write_big_endian_portable(uint64_t seed, uint32_t index, size_t count, void *out);

/// 1 when the AVX2 path is in use on this CPU, 0 when the plain one is.
int numbers_splitmix_uses_avx2(void);

#endif
