/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wire fault injection: which frames from the wire to drop, corrupt,
 * duplicate or reorder, from a seeded generator so a run can be repeated.
 */
#include "ofnic_engine.h"

void ofnic_fault_seed(struct ofnic_fault *f, uint64_t seed)
{
    /* xorshift64 never leaves 0, and never reaches it from elsewhere */
    f->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static uint64_t ofnic_fault_next(struct ofnic_fault *f)
{
    uint64_t x = f->rng;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    f->rng = x;
    return x;
}

bool ofnic_fault_active(const struct ofnic_fault *f)
{
    unsigned int a;

    for (a = OFNIC_FAULT_DROP; a < OFNIC_FAULT_NUM; a++) {
        if (f->rate[a]) {
            return true;
        }
    }
    return false;
}

enum ofnic_fault_act ofnic_fault_pick(struct ofnic_fault *f)
{
    uint32_t r = ofnic_fault_next(f) % OFNIC_FAULT_SCALE, sum = 0;
    unsigned int a;

    for (a = OFNIC_FAULT_DROP; a < OFNIC_FAULT_NUM; a++) {
        sum += f->rate[a];
        if (r < sum) {
            return a;
        }
    }
    return OFNIC_FAULT_NONE;
}

size_t ofnic_fault_corrupt(struct ofnic_fault *f, uint8_t *frame, size_t len)
{
    uint64_t x = ofnic_fault_next(f);
    size_t off;

    if (len <= OFNIC_FAULT_CORRUPT_FROM) {
        return 0;
    }
    off = OFNIC_FAULT_CORRUPT_FROM +
          (x >> 3) % (len - OFNIC_FAULT_CORRUPT_FROM);
    frame[off] ^= 1u << (x & 7);
    return off;
}
