#include "NumbersSplitMix.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static const uint64_t gamma_ = 0x9E3779B97F4A7C15ull;
static const uint64_t mix1 = 0xBF58476D1CE4E5B9ull;
static const uint64_t mix2 = 0x94D049BB133111EBull;

static inline uint32_t number_of(uint64_t x) {
    uint64_t z = x;
    z = (z ^ (z >> 30)) * mix1;
    z = (z ^ (z >> 27)) * mix2;
    z ^= z >> 31;
    return (uint32_t)(z >> 32);
}

static inline void store_big_endian(unsigned char *p, uint32_t v) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    memcpy(p, &v, 4);
}

void numbers_splitmix_write_big_endian_portable(uint64_t seed, uint32_t index, size_t count, void *out) {
    unsigned char *p = out;
    uint64_t x = seed + ((uint64_t)index + 1) * gamma_;
    for (size_t i = 0; i < count; i++, x += gamma_, p += 4) store_big_endian(p, number_of(x));
}

#if defined(__x86_64__)
static int avx2;

__attribute__((constructor)) static void numbers_splitmix_setup(void) {
    __builtin_cpu_init();
    avx2 = __builtin_cpu_supports("avx2");
}

/// The low 64 bits of a * b in each lane, b split into its 32-bit halves: AVX2 multiplies only
/// 32 × 32 → 64 bits.
__attribute__((target("avx2")))
static inline __m256i multiply_low(__m256i a, __m256i b_low, __m256i b_high) {
    __m256i low_low = _mm256_mul_epu32(a, b_low);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b_low), _mm256_mul_epu32(a, b_high));
    return _mm256_add_epi64(low_low, _mm256_slli_epi64(cross, 32));
}

/// Four numbers from four lanes of x, as 16 big-endian bytes.
__attribute__((target("avx2")))
static inline __m128i four_big_endian(__m256i x, __m256i m1_low, __m256i m1_high, __m256i m2_low, __m256i m2_high,
                                      __m256i high_words_reversed) {
    __m256i z = multiply_low(_mm256_xor_si256(x, _mm256_srli_epi64(x, 30)), m1_low, m1_high);
    z = multiply_low(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), m2_low, m2_high);
    z = _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
    // Each 128-bit half: the high 32 bits of its two lanes, bytes reversed, in its low 8 bytes.
    __m256i packed = _mm256_shuffle_epi8(z, high_words_reversed);
    // Then the low 8 bytes of each half side by side.
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(packed, 0x08));
}

__attribute__((target("avx2")))
static void write_avx2(uint64_t seed, uint32_t index, size_t count, unsigned char *p) {
    uint64_t x = seed + ((uint64_t)index + 1) * gamma_;
    const __m256i m1_low = _mm256_set1_epi64x((long long)(mix1 & 0xFFFFFFFFu));
    const __m256i m1_high = _mm256_set1_epi64x((long long)(mix1 >> 32));
    const __m256i m2_low = _mm256_set1_epi64x((long long)(mix2 & 0xFFFFFFFFu));
    const __m256i m2_high = _mm256_set1_epi64x((long long)(mix2 >> 32));
    const __m256i high_words_reversed = _mm256_setr_epi8(
        7, 6, 5, 4, 15, 14, 13, 12, -1, -1, -1, -1, -1, -1, -1, -1,
        7, 6, 5, 4, 15, 14, 13, 12, -1, -1, -1, -1, -1, -1, -1, -1);
    __m256i lanes = _mm256_setr_epi64x((long long)x, (long long)(x + gamma_), (long long)(x + 2 * gamma_), (long long)(x + 3 * gamma_));
    const __m256i step = _mm256_set1_epi64x((long long)(4 * gamma_));
    size_t i = 0;
    for (; i + 8 <= count; i += 8, p += 32) {
        __m256i next = _mm256_add_epi64(lanes, step);
        _mm_storeu_si128((__m128i *)p, four_big_endian(lanes, m1_low, m1_high, m2_low, m2_high, high_words_reversed));
        _mm_storeu_si128((__m128i *)(p + 16), four_big_endian(next, m1_low, m1_high, m2_low, m2_high, high_words_reversed));
        lanes = _mm256_add_epi64(next, step);
    }
    x += (uint64_t)i * gamma_;
    for (; i < count; i++, x += gamma_, p += 4) store_big_endian(p, number_of(x));
}

void numbers_splitmix_write_big_endian(uint64_t seed, uint32_t index, size_t count, void *out) {
    if (avx2) write_avx2(seed, index, count, out);
    else numbers_splitmix_write_big_endian_portable(seed, index, count, out);
}

int numbers_splitmix_uses_avx2(void) { return avx2; }
#else
void numbers_splitmix_write_big_endian(uint64_t seed, uint32_t index, size_t count, void *out) {
    numbers_splitmix_write_big_endian_portable(seed, index, count, out);
}

int numbers_splitmix_uses_avx2(void) { return 0; }
#endif
