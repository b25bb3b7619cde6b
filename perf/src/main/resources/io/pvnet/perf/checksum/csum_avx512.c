/*
 * The RFC 1071 sum with AVX-512, the C baseline the Java Vector API checksum is compared with (./pvnet bench
 * --scenario checksum, figures c-avx512.*). Built at bench time: gcc -O3 -mavx512f -mavx512bw -shared -fPIC.
 *
 * Same algorithm as io.pvnet.checksum.VectorChecksum, given every advantage C has: unaligned 512-bit loads of
 * little-endian 64-bit lanes, each split into its 32-bit halves (and + shift) added into 64-bit lanes, four
 * independent accumulator pairs (256 bytes per iteration), one horizontal reduction after the loop, a scalar tail,
 * and one byte swap at the end.
 *
 * Returns the folded 16-bit one's complement sum of big-endian words (not complemented), as InternetChecksum.sum.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

uint32_t pvnet_csum_avx512(const uintptr_t address, const int32_t length)
{
    const uint8_t *p = (const uint8_t *)address;
    const size_t n = (size_t)length;
    const __m512i mask = _mm512_set1_epi64(0xFFFFFFFFLL);
    __m512i lo0 = _mm512_setzero_si512(), hi0 = _mm512_setzero_si512();
    __m512i lo1 = _mm512_setzero_si512(), hi1 = _mm512_setzero_si512();
    __m512i lo2 = _mm512_setzero_si512(), hi2 = _mm512_setzero_si512();
    __m512i lo3 = _mm512_setzero_si512(), hi3 = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 256 <= n; i += 256)
    {
        const __m512i a = _mm512_loadu_si512((const void *)(p + i));
        const __m512i b = _mm512_loadu_si512((const void *)(p + i + 64));
        const __m512i c = _mm512_loadu_si512((const void *)(p + i + 128));
        const __m512i d = _mm512_loadu_si512((const void *)(p + i + 192));
        lo0 = _mm512_add_epi64(lo0, _mm512_and_si512(a, mask));
        hi0 = _mm512_add_epi64(hi0, _mm512_srli_epi64(a, 32));
        lo1 = _mm512_add_epi64(lo1, _mm512_and_si512(b, mask));
        hi1 = _mm512_add_epi64(hi1, _mm512_srli_epi64(b, 32));
        lo2 = _mm512_add_epi64(lo2, _mm512_and_si512(c, mask));
        hi2 = _mm512_add_epi64(hi2, _mm512_srli_epi64(c, 32));
        lo3 = _mm512_add_epi64(lo3, _mm512_and_si512(d, mask));
        hi3 = _mm512_add_epi64(hi3, _mm512_srli_epi64(d, 32));
    }
    for (; i + 64 <= n; i += 64)
    {
        const __m512i a = _mm512_loadu_si512((const void *)(p + i));
        lo0 = _mm512_add_epi64(lo0, _mm512_and_si512(a, mask));
        hi0 = _mm512_add_epi64(hi0, _mm512_srli_epi64(a, 32));
    }
    const __m512i all = _mm512_add_epi64(
        _mm512_add_epi64(_mm512_add_epi64(lo0, hi0), _mm512_add_epi64(lo1, hi1)),
        _mm512_add_epi64(_mm512_add_epi64(lo2, hi2), _mm512_add_epi64(lo3, hi3)));
    uint64_t sum = (uint64_t)_mm512_reduce_add_epi64(all);
    for (; i + 8 <= n; i += 8)
    {
        uint64_t v;
        memcpy(&v, p + i, 8);
        sum += (v & 0xFFFFFFFFu) + (v >> 32);
    }
    if (i + 4 <= n)
    {
        uint32_t v;
        memcpy(&v, p + i, 4);
        sum += v;
        i += 4;
    }
    if (i + 2 <= n)
    {
        uint16_t v;
        memcpy(&v, p + i, 2);
        sum += v;
        i += 2;
    }
    if (i < n)
    {
        sum += p[i];
    }
    sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
    sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint32_t)(((sum << 8) | (sum >> 8)) & 0xFFFF);
}
