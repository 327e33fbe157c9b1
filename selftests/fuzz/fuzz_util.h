/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer harnesses of the engine: input reading and checks that
 * abort (libFuzzer reports an abort as a crash, with the input that caused it).
 */
#ifndef OFNIC_FUZZ_UTIL_H
#define OFNIC_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include "ofnic_engine.h"

#define FUZZ_CHECK(cond)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

/* The fuzzer's bytes, consumed front to back; reads past the end give zeros. */
struct fin {
    const uint8_t *p;
    size_t n;
};

static inline uint8_t fin_u8(struct fin *in)
{
    uint8_t v = 0;

    if (in->n) {
        v = *in->p++;
        in->n--;
    }
    return v;
}

static inline uint16_t fin_u16(struct fin *in)
{
    uint16_t lo = fin_u8(in);

    return (uint16_t)(lo | (fin_u8(in) << 8));
}

static inline uint32_t fin_u32(struct fin *in)
{
    uint32_t lo = fin_u16(in);

    return lo | ((uint32_t)fin_u16(in) << 16);
}

static inline uint64_t fin_u64(struct fin *in)
{
    uint64_t lo = fin_u32(in);

    return lo | ((uint64_t)fin_u32(in) << 32);
}

static inline void fin_bytes(struct fin *in, void *dst, size_t len)
{
    size_t k = len < in->n ? len : in->n;

    memcpy(dst, in->p, k);
    memset((uint8_t *)dst + k, 0, len - k);
    in->p += k;
    in->n -= k;
}

/* Reads every byte of an emitted frame, so ASan sees any bad pointer or length. */
static inline uint32_t fuzz_touch(const void *p, size_t len)
{
    return ofnic_csum_add(0, p, len);
}

#endif /* OFNIC_FUZZ_UTIL_H */
