#include "NumbersCRC32C.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NUMBERS_CRC32C_X86 1
#include <immintrin.h>
#endif

// Reflected: bit 31 is the coefficient of x^0, bit 0 that of x^31.
static const uint32_t polynomial = 0x82F63B78u;

// Lengths up to this many bytes (more than any datagram) shift with one table lookup.
#define SHIFT_TABLE_LENGTH 2048

// slicing[k][b]: the register contribution of byte b followed by k zero bytes.
static uint32_t slicing[8][256];
// power_of_two[k] = x^(2^k) mod P.
static uint32_t power_of_two[64];
// shift_portable_table[n] = x^(8n) mod P.
static uint32_t shift_portable_table[SHIFT_TABLE_LENGTH];
static int hardware;
#ifdef NUMBERS_CRC32C_X86
// shift_clmul_table[n] = x^(8n - 33) mod P, for n >= 5: a carry-less product with it, reduced by
// the crc32 instruction (which multiplies by x^32 and by one more x from the product's
// alignment), is the shift by n bytes.
static uint32_t shift_clmul_table[SHIFT_TABLE_LENGTH];
#endif

static uint32_t multiply(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (int k = 0; k < 32; k++) {
        product ^= (0u - ((a >> (31 - k)) & 1u)) & b;
        b = (b >> 1) ^ ((0u - (b & 1u)) & polynomial);
    }
    return product;
}

// x^e mod P for any e.
static uint32_t power(uint64_t e) {
    uint32_t result = 0x80000000u;
    for (int k = 0; e != 0; k++, e >>= 1) {
        if (e & 1) result = multiply(result, power_of_two[k]);
    }
    return result;
}

__attribute__((constructor)) static void numbers_crc32c_setup(void) {
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (int i = 0; i < 8; i++) c = (c >> 1) ^ ((0u - (c & 1u)) & polynomial);
        slicing[0][b] = c;
    }
    for (int k = 1; k < 8; k++) {
        for (int b = 0; b < 256; b++) {
            uint32_t prev = slicing[k - 1][b];
            slicing[k][b] = slicing[0][prev & 0xff] ^ (prev >> 8);
        }
    }
    power_of_two[0] = 0x40000000u;   // x
    for (int k = 1; k < 64; k++) power_of_two[k] = multiply(power_of_two[k - 1], power_of_two[k - 1]);
    // Each entry is the one before times x^8.
    shift_portable_table[0] = 0x80000000u;
    for (int n = 1; n < SHIFT_TABLE_LENGTH; n++) shift_portable_table[n] = multiply(shift_portable_table[n - 1], power_of_two[3]);
#ifdef NUMBERS_CRC32C_X86
    shift_clmul_table[5] = power(8 * 5 - 33);
    for (int n = 6; n < SHIFT_TABLE_LENGTH; n++) shift_clmul_table[n] = multiply(shift_clmul_table[n - 1], power_of_two[3]);
    __builtin_cpu_init();
    hardware = __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul");
#endif
}

int numbers_crc32c_uses_hardware(void) { return hardware; }

static inline uint64_t load64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

// MARK: Portable

static inline uint32_t step64_portable(uint32_t reg, uint64_t v) {
    uint32_t lo = (uint32_t)v ^ reg, hi = (uint32_t)(v >> 32);
    return slicing[7][lo & 0xff] ^ slicing[6][(lo >> 8) & 0xff] ^ slicing[5][(lo >> 16) & 0xff] ^ slicing[4][lo >> 24]
         ^ slicing[3][hi & 0xff] ^ slicing[2][(hi >> 8) & 0xff] ^ slicing[1][(hi >> 16) & 0xff] ^ slicing[0][hi >> 24];
}

static inline uint32_t step8_portable(uint32_t reg, unsigned char b) {
    return slicing[0][(reg ^ b) & 0xff] ^ (reg >> 8);
}

uint32_t numbers_crc32c_update_portable(uint32_t reg, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    for (; count >= 8; p += 8, count -= 8) reg = step64_portable(reg, load64(p));
    for (; count > 0; p++, count--) reg = step8_portable(reg, *p);
    return reg;
}

void numbers_crc32c_fold_numbers_portable(uint32_t *first, uint32_t *second, uint64_t *sum,
                                          const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    uint32_t a = *first, b = *second;
    uint64_t s = *sum;
    for (; count >= 8; p += 8, count -= 8) {
        uint64_t v = load64(p);
        a = step64_portable(a, v);
        b = step64_portable(b, v);
        uint64_t numbers = __builtin_bswap64(v);
        s += (numbers >> 32) + (numbers & 0xffffffffu);
    }
    if (count >= 4) {
        for (int i = 0; i < 4; i++) { a = step8_portable(a, p[i]); b = step8_portable(b, p[i]); }
        uint32_t number; memcpy(&number, p, 4);
        s += __builtin_bswap32(number);
    }
    *first = a; *second = b; *sum = s;
}

uint32_t numbers_crc32c_shift_portable(uint32_t reg, size_t count) {
    uint32_t factor = count < SHIFT_TABLE_LENGTH ? shift_portable_table[count] : power(8 * (uint64_t)count);
    return multiply(reg, factor);
}

// MARK: Hardware

#ifdef NUMBERS_CRC32C_X86

__attribute__((target("sse4.2,pclmul")))
static inline uint32_t shift_hardware(uint32_t reg, size_t count) {
    if (count < 5 || count >= SHIFT_TABLE_LENGTH) return numbers_crc32c_shift_portable(reg, count);
    __m128i product = _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)reg),
                                           _mm_cvtsi32_si128((int)shift_clmul_table[count]), 0);
    return (uint32_t)_mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(product));
}

__attribute__((target("sse4.2")))
static inline uint32_t update_hardware_serial(uint32_t reg, const unsigned char *p, size_t count) {
    uint64_t r = reg;
    for (; count >= 8; p += 8, count -= 8) r = _mm_crc32_u64(r, load64(p));
    uint32_t r32 = (uint32_t)r;
    if (count >= 4) { uint32_t w; memcpy(&w, p, 4); r32 = _mm_crc32_u32(r32, w); p += 4; count -= 4; }
    for (; count > 0; p++, count--) r32 = _mm_crc32_u8(r32, *p);
    return r32;
}

// The crc32 instruction has a latency of three cycles and a throughput of one: three independent
// streams over three thirds of the buffer keep it busy, and two shifts join them.
__attribute__((target("sse4.2,pclmul")))
static uint32_t update_hardware(uint32_t reg, const unsigned char *p, size_t count) {
    if (count >= 384) {
        size_t third = (count / 3) & ~(size_t)7;
        uint64_t a = reg, b = 0, c = 0;
        const unsigned char *pa = p, *pb = p + third, *pc = p + 2 * third;
        for (size_t i = 0; i < third; i += 8) {
            a = _mm_crc32_u64(a, load64(pa + i));
            b = _mm_crc32_u64(b, load64(pb + i));
            c = _mm_crc32_u64(c, load64(pc + i));
        }
        uint32_t joined = shift_hardware((uint32_t)a, third) ^ (uint32_t)b;
        joined = shift_hardware(joined, third) ^ (uint32_t)c;
        return update_hardware_serial(joined, p + 3 * third, count - 3 * third);
    }
    return update_hardware_serial(reg, p, count);
}

__attribute__((target("sse4.2")))
static void fold_numbers_hardware(uint32_t *first, uint32_t *second, uint64_t *sum,
                                  const unsigned char *p, size_t count) {
    uint64_t a = *first, b = *second, s = *sum;
    for (; count >= 8; p += 8, count -= 8) {
        uint64_t v = load64(p);
        a = _mm_crc32_u64(a, v);
        b = _mm_crc32_u64(b, v);
        uint64_t numbers = __builtin_bswap64(v);
        s += (numbers >> 32) + (numbers & 0xffffffffu);
    }
    if (count >= 4) {
        uint32_t w; memcpy(&w, p, 4);
        a = _mm_crc32_u32((uint32_t)a, w);
        b = _mm_crc32_u32((uint32_t)b, w);
        s += __builtin_bswap32(w);
    }
    *first = (uint32_t)a; *second = (uint32_t)b; *sum = s;
}

#endif

// MARK: Dispatch

uint32_t numbers_crc32c_update(uint32_t reg, const void *bytes, size_t count) {
#ifdef NUMBERS_CRC32C_X86
    if (hardware) return update_hardware(reg, bytes, count);
#endif
    return numbers_crc32c_update_portable(reg, bytes, count);
}

void numbers_crc32c_fold_numbers(uint32_t *first, uint32_t *second, uint64_t *sum,
                                 const void *bytes, size_t count) {
#ifdef NUMBERS_CRC32C_X86
    if (hardware) { fold_numbers_hardware(first, second, sum, bytes, count); return; }
#endif
    numbers_crc32c_fold_numbers_portable(first, second, sum, bytes, count);
}

uint32_t numbers_crc32c_shift(uint32_t reg, size_t count) {
#ifdef NUMBERS_CRC32C_X86
    if (hardware) return shift_hardware(reg, count);
#endif
    return numbers_crc32c_shift_portable(reg, count);
}
