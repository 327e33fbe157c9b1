/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ofnic engine: Internet checksum, CRC32c, CRC32 (IEEE) and the Toeplitz hash.
 */
#include "ofnic_engine.h"

/*
 * Internet checksum (RFC 1071). Native-order 64-bit accumulation, byte swapped
 * at the end on little-endian hosts (the one's complement sum is byte-order
 * independent).
 */
static inline uint64_t add_carry64(uint64_t a, uint64_t b)
{
    a += b;
    return a + (a < b);
}

/*
 * Two 64-bit lanes, each adding the 32-bit halves of its words: no carries to
 * propagate, so the adds are independent and the compiler keeps them in vector
 * registers (SSE2, NEON). This doubles the speed of the add-with-carry chain,
 * which bounded TSO at ~0.2x memcpy. Each lane gains < 2^33 per 16 bytes: no
 * overflow below 2^35 bytes, far beyond any frame.
 */
typedef uint64_t ofnic_u64x2 __attribute__((vector_size(16)));

static uint64_t csum_add_wide(const uint8_t **pp, size_t *lenp)
{
    const ofnic_u64x2 lo = { 0xffffffffu, 0xffffffffu };
    ofnic_u64x2 a = { 0, 0 }, b = a, c = a, d = a;
    const uint8_t *p = *pp;
    size_t len = *lenp;

    while (len >= 64) {
        ofnic_u64x2 x[4];

        memcpy(x, p, sizeof(x));
        a += x[0] & lo;
        b += x[0] >> 32;
        c += x[1] & lo;
        d += x[1] >> 32;
        a += x[2] & lo;
        b += x[2] >> 32;
        c += x[3] & lo;
        d += x[3] >> 32;
        p += 64;
        len -= 64;
    }
    *pp = p;
    *lenp = len;
    a += b + c + d;
    return a[0] + a[1];
}

#ifdef OFNIC_CSUM_AVX2
/*
 * The same with 256-bit vectors where the host has AVX2: four lanes, twice the
 * bytes per add (TSO4 with checksums: 0.33x -> 0.38x memcpy in bench_engine).
 * Chosen once, at load time, so the build still runs on any x86-64. The build
 * defines OFNIC_CSUM_AVX2 on x86-64 hosts (hw-model/meson.build, the tests'
 * Makefiles).
 */
typedef uint64_t ofnic_u64x4 __attribute__((vector_size(32)));
typedef uint64_t ofnic_u64x4u __attribute__((vector_size(32), aligned(1)));

static __attribute__((target("avx2")))
uint64_t csum_add_wide_avx2(const uint8_t **pp, size_t *lenp)
{
    const ofnic_u64x4 lo = { 0xffffffffu, 0xffffffffu, 0xffffffffu,
                             0xffffffffu };
    ofnic_u64x4 a = { 0, 0, 0, 0 }, b = a, c = a, d = a;
    const uint8_t *p = *pp;
    size_t len = *lenp;

    while (len >= 128) {
        const ofnic_u64x4u *x = (const ofnic_u64x4u *)p;

        a += x[0] & lo;
        b += x[0] >> 32;
        c += x[1] & lo;
        d += x[1] >> 32;
        a += x[2] & lo;
        b += x[2] >> 32;
        c += x[3] & lo;
        d += x[3] >> 32;
        p += 128;
        len -= 128;
    }
    *pp = p;
    *lenp = len;
    a += b + c + d;
    return a[0] + a[1] + a[2] + a[3];
}

static bool csum_use_avx2;

static void __attribute__((constructor)) ofnic_csum_init(void)
{
    __builtin_cpu_init();
    csum_use_avx2 = __builtin_cpu_supports("avx2");
}
#endif

uint32_t ofnic_csum_add(uint32_t sum, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint64_t acc = 0;
    uint32_t r;

#ifdef OFNIC_CSUM_AVX2
    if (csum_use_avx2 && len >= 128) {
        acc = csum_add_wide_avx2(&p, &len); /* < 2^36 per 2^32 bytes */
    }
#endif
    if (len >= 64) {
        acc = add_carry64(acc, csum_add_wide(&p, &len)); /* each < 2^63 */
    }
    while (len >= 32) {
        uint64_t w[4];

        memcpy(w, p, sizeof(w));
        acc = add_carry64(acc, w[0]);
        acc = add_carry64(acc, w[1]);
        acc = add_carry64(acc, w[2]);
        acc = add_carry64(acc, w[3]);
        p += 32;
        len -= 32;
    }
    while (len >= 8) {
        uint64_t w;

        memcpy(&w, p, 8);
        acc = add_carry64(acc, w);
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;

        memcpy(&w, p, len); /* zero padded, keeps byte positions */
        acc = add_carry64(acc, w);
    }
    /* Fold 64 -> 16 bits, still in native byte order. */
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    r = (uint32_t)acc;
    if (!ofnic_host_is_be()) {
        r = __builtin_bswap16((uint16_t)r);
    }
    r += sum;
    return r + (r < sum);
}

uint16_t ofnic_csum_fold(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/*
 * CRCs: slicing-by-8 tables, built once at load time.
 */
#define CRC32C_POLY 0x82f63b78u
#define CRC32_POLY 0xedb88320u

static uint32_t crc32c_tbl[8][256];
static uint32_t crc32_tbl[8][256];

static void crc_build(uint32_t tbl[8][256], uint32_t poly)
{
    unsigned int i, j;

    for (i = 0; i < 256; i++) {
        uint32_t c = i;

        for (j = 0; j < 8; j++) {
            c = (c >> 1) ^ ((c & 1) ? poly : 0);
        }
        tbl[0][i] = c;
    }
    for (i = 0; i < 256; i++) {
        for (j = 1; j < 8; j++) {
            tbl[j][i] = (tbl[j - 1][i] >> 8) ^ tbl[0][tbl[j - 1][i] & 0xff];
        }
    }
}

static void __attribute__((constructor)) ofnic_crc_init(void)
{
    crc_build(crc32c_tbl, CRC32C_POLY);
    crc_build(crc32_tbl, CRC32_POLY);
}

static uint32_t crc_update(uint32_t tbl[8][256], uint32_t crc, const uint8_t *p,
                           size_t len)
{
    while (len >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                             (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 |
                      (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;

        crc = tbl[7][lo & 0xff] ^ tbl[6][(lo >> 8) & 0xff] ^
              tbl[5][(lo >> 16) & 0xff] ^ tbl[4][lo >> 24] ^ tbl[3][hi & 0xff] ^
              tbl[2][(hi >> 8) & 0xff] ^ tbl[1][(hi >> 16) & 0xff] ^
              tbl[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--) {
        crc = (crc >> 8) ^ tbl[0][(crc ^ *p++) & 0xff];
    }
    return crc;
}

uint32_t ofnic_crc32c(uint32_t crc, const void *buf, size_t len)
{
    return crc_update(crc32c_tbl, crc, buf, len);
}

uint32_t ofnic_crc32_le(uint32_t crc, const void *buf, size_t len)
{
    return crc_update(crc32_tbl, crc, buf, len);
}

/*
 * Toeplitz hash: bit i of the input (MSB first) selects the 32-bit key window
 * at bit i. Inputs up to 36 bytes stay within the key's 320 bits; longer ones
 * (the IPv6 flow label after a 4-tuple) read the key again from its start.
 */
static uint32_t key_window(const uint8_t *key, unsigned int bit)
{
    unsigned int byte = bit / 8, sh = bit % 8;
    uint64_t w = 0;
    unsigned int i;

    for (i = 0; i < 5; i++) {
        w <<= 8;
        w |= key[(byte + i) % OFNIC_RSS_KEY_SIZE];
    }
    return (uint32_t)(w >> (8 - sh));
}

uint32_t ofnic_toeplitz(const uint8_t key[OFNIC_RSS_KEY_SIZE],
                        const uint8_t *in, size_t len)
{
    uint32_t h = 0;
    size_t i;
    unsigned int b;

    if (len > OFNIC_TOEPLITZ_MAX_INPUT) {
        len = OFNIC_TOEPLITZ_MAX_INPUT;
    }
    for (i = 0; i < len; i++) {
        for (b = 0; b < 8; b++) {
            if (in[i] & (0x80 >> b)) {
                h ^= key_window(key, (unsigned int)(i * 8 + b));
            }
        }
    }
    return h;
}

void ofnic_toeplitz_prepare(struct ofnic_toeplitz_tbl *tbl,
                            const uint8_t key[OFNIC_RSS_KEY_SIZE])
{
    unsigned int i, b, v;

    for (i = 0; i < OFNIC_TOEPLITZ_MAX_INPUT; i++) {
        uint32_t win[8];

        for (b = 0; b < 8; b++) {
            win[b] = key_window(key, i * 8 + b);
        }
        tbl->t[i][0] = 0;
        for (v = 1; v < 256; v++) {
            /* lowest set bit of v is input bit 7 - ctz(v) of the byte */
            unsigned int low = (unsigned int)__builtin_ctz(v);

            tbl->t[i][v] = tbl->t[i][v & (v - 1)] ^ win[7 - low];
        }
    }
}

uint32_t ofnic_toeplitz_fast(const struct ofnic_toeplitz_tbl *tbl,
                             const uint8_t *in, size_t len)
{
    uint32_t h = 0;
    size_t i;

    if (len > OFNIC_TOEPLITZ_MAX_INPUT) {
        len = OFNIC_TOEPLITZ_MAX_INPUT;
    }
    for (i = 0; i < len; i++) {
        h ^= tbl->t[i][in[i]];
    }
    return h;
}
