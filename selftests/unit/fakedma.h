/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fake guest memory for the engine tests: a flat buffer at FAKE_BASE with a log of
 * every write and an optional range that fails.
 */
#ifndef OFNIC_FAKEDMA_H
#define OFNIC_FAKEDMA_H

#include <string.h>
#include "ofnic_engine.h"

#define FAKE_BASE       0x100000ull
#define FAKE_SIZE       (1u << 20)
#define FAKE_LOG_MAX    4096

struct fake_write {
    uint64_t addr;
    size_t len;
    uint8_t data[16];       /* first bytes written */
};

struct fake_mem {
    uint8_t mem[FAKE_SIZE];
    uint64_t fail_lo, fail_hi;      /* [lo, hi) fails */
    unsigned int nreads, nwrites;
    struct fake_write log[FAKE_LOG_MAX];
};

static inline int fake_ok(struct fake_mem *m, uint64_t addr, size_t len)
{
    if (addr < FAKE_BASE || addr - FAKE_BASE > FAKE_SIZE ||
        len > FAKE_SIZE - (addr - FAKE_BASE)) {
        return 0;
    }
    if (m->fail_hi > m->fail_lo && addr < m->fail_hi && addr + len > m->fail_lo) {
        return 0;
    }
    return 1;
}

static inline int fake_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
    struct fake_mem *m = opaque;

    m->nreads++;
    if (!fake_ok(m, addr, len)) {
        return -1;
    }
    memcpy(buf, m->mem + (addr - FAKE_BASE), len);
    return 0;
}

static inline int fake_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
    struct fake_mem *m = opaque;

    if (!fake_ok(m, addr, len)) {
        return -1;
    }
    if (m->nwrites < FAKE_LOG_MAX) {
        struct fake_write *w = &m->log[m->nwrites];

        w->addr = addr;
        w->len = len;
        memcpy(w->data, buf, len < 16 ? len : 16);
    }
    m->nwrites++;
    memcpy(m->mem + (addr - FAKE_BASE), buf, len);
    return 0;
}

static inline void *fake_ptr(struct fake_mem *m, uint64_t addr)
{
    return m->mem + (addr - FAKE_BASE);
}

static inline struct ofnic_dma fake_dma(struct fake_mem *m)
{
    struct ofnic_dma d = { .opaque = m, .read = fake_read, .write = fake_write };

    return d;
}

static inline struct fake_mem *fake_new(void)
{
    struct fake_mem *m = calloc(1, sizeof(*m));

    if (!m) {
        abort();
    }
    return m;
}

#endif /* OFNIC_FAKEDMA_H */
