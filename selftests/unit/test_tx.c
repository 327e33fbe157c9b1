/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TX ring walk: ofnic_tx_fetch().
 */
#include <stdlib.h>
#include "tap.h"
#include "fakedma.h"

#define RING        (FAKE_BASE + 0x1000)
#define DATA        (FAKE_BASE + 0x10000)
#define RSIZE       64
#define BUFSZ       OFNIC_TX_MAX_PKT_LEN

static struct fake_mem *m;
static struct ofnic_dma dma;
static uint8_t *buf;

static void set_data(unsigned int i, uint64_t addr, uint32_t len, uint16_t cmd)
{
    struct ofnic_tx_desc *d = fake_ptr(m, RING + 16 * (i % RSIZE));

    d->addr = ofnic_cpu_to_le64(addr);
    d->len = ofnic_cpu_to_le32(len);
    d->rsvd = 0;
    d->cmd = ofnic_cpu_to_le16(cmd);
}

static void set_ctx(unsigned int i, uint16_t mss, uint16_t offload)
{
    struct ofnic_tx_ctx_desc *c = fake_ptr(m, RING + 16 * (i % RSIZE));

    memset(c, 0, sizeof(*c));
    c->mss = ofnic_cpu_to_le16(mss);
    c->l2_len = 14;
    c->offload = ofnic_cpu_to_le16(offload);
    c->cmd = ofnic_cpu_to_le16(OFNIC_TXD_TYPE_CTX);
}

static struct ofnic_ring ring(uint32_t head, uint32_t tail)
{
    struct ofnic_ring r = { .base = RING, .size = RSIZE, .head = head, .tail = tail };

    return r;
}

static enum ofnic_tx_status fetch(uint32_t head, uint32_t tail, struct ofnic_tx_pkt *p)
{
    struct ofnic_ring r = ring(head, tail);

    return ofnic_tx_fetch(&dma, &r, buf, BUFSZ, p);
}

static void fill_pattern(void)
{
    unsigned int i;

    for (i = 0; i < 0x40000; i++) {
        ((uint8_t *)fake_ptr(m, DATA))[i] = (uint8_t)(i * 7 + 3);
    }
}

static void test_single(void)
{
    struct ofnic_tx_pkt p;

    set_data(0, DATA, 60, OFNIC_TXD_EOP);
    is(fetch(0, 1, &p), OFNIC_TX_READY, "single: ready");
    is(p.len, 60, "single: len");
    is(p.ndesc, 1, "single: one descriptor");
    ok(!p.has_ctx, "single: no context");
    ok(!memcmp(buf, fake_ptr(m, DATA), 60), "single: payload");
}

static void test_multi(void)
{
    struct ofnic_tx_pkt p;
    uint8_t exp[60];

    set_data(0, DATA + 100, 10, 0);
    set_data(1, DATA + 5000, 20, 0);
    set_data(2, DATA + 7, 30, OFNIC_TXD_EOP);
    memcpy(exp, fake_ptr(m, DATA + 100), 10);
    memcpy(exp + 10, fake_ptr(m, DATA + 5000), 20);
    memcpy(exp + 30, fake_ptr(m, DATA + 7), 30);
    is(fetch(0, 3, &p), OFNIC_TX_READY, "multi: ready");
    is(p.len, 60, "multi: len");
    is(p.ndesc, 3, "multi: three descriptors");
    ok(!memcmp(buf, exp, 60), "multi: gathered in order");

    /* A second packet right behind the first one is not part of it. */
    set_data(3, DATA, 100, OFNIC_TXD_EOP);
    is(fetch(0, 4, &p), OFNIC_TX_READY, "multi: ready with more queued");
    is(p.ndesc, 3, "multi: stops at EOP");
    is(fetch(3, 4, &p), OFNIC_TX_READY, "multi: next packet");
    is(p.len, 100, "multi: next packet len");
}

static void test_ctx(void)
{
    struct ofnic_tx_pkt p;

    set_ctx(0, 1448, OFNIC_TXC_L4_CSUM);
    set_data(1, DATA, 54, 0);
    set_data(2, DATA + 54, 1000, OFNIC_TXD_EOP);
    is(fetch(0, 3, &p), OFNIC_TX_READY, "ctx: ready");
    ok(p.has_ctx, "ctx: has context");
    is(p.ndesc, 3, "ctx: context counted in ndesc");
    is(p.len, 1054, "ctx: len excludes the context");
    is(ofnic_le16(p.ctx.mss), 1448, "ctx: mss");
    is(ofnic_le16(p.ctx.offload), OFNIC_TXC_L4_CSUM, "ctx: offload");
    is(p.ctx.l2_len, 14, "ctx: l2_len");
    ok(!memcmp(buf, fake_ptr(m, DATA), 1054), "ctx: payload");

    is(fetch(0, 1, &p), OFNIC_TX_NOT_READY, "ctx: context alone is not ready");
}

static void test_not_ready(void)
{
    struct ofnic_tx_pkt p;

    set_data(0, DATA, 60, 0);
    set_data(1, DATA, 60, 0);
    set_data(2, DATA, 60, OFNIC_TXD_EOP);
    is(fetch(0, 2, &p), OFNIC_TX_NOT_READY, "not ready: no EOP before tail");
    is(fetch(0, 0, &p), OFNIC_TX_NOT_READY, "not ready: empty ring");
    is(fetch(0, 3, &p), OFNIC_TX_READY, "not ready: ready once EOP is posted");
    /* An error before tail without EOP still waits for the packet's end. */
    set_data(1, DATA, 0, 0);
    is(fetch(0, 2, &p), OFNIC_TX_NOT_READY, "not ready: zero length waits for EOP");
}

static void test_malformed(void)
{
    struct ofnic_tx_pkt p;
    unsigned int i;

    set_data(0, DATA, 60, 0);
    set_data(1, DATA, 0, 0);
    set_data(2, DATA, 60, OFNIC_TXD_EOP);
    is(fetch(0, 3, &p), OFNIC_TX_MALFORMED, "zero len: malformed");
    is(p.error, OFNIC_TXE_ZERO_LEN, "zero len: reason");
    is(p.ndesc, 3, "zero len: consumes through EOP");

    set_data(0, DATA, 70000, OFNIC_TXD_EOP);
    is(fetch(0, 1, &p), OFNIC_TX_MALFORMED, "buf len: malformed");
    is(p.error, OFNIC_TXE_BUF_LEN, "buf len: reason");
    is(p.ndesc, 1, "buf len: ndesc");

    for (i = 0; i < 40; i++) {
        set_data(i, DATA, 64, 0);
    }
    is(fetch(0, 40, &p), OFNIC_TX_MALFORMED, "too many: malformed");
    is(p.error, OFNIC_TXE_TOO_MANY, "too many: reason");
    is(p.ndesc, OFNIC_TX_MAX_DESCS_PER_PKT, "too many: consumes the bound");
    set_ctx(0, 0, 0);
    is(fetch(0, 40, &p), OFNIC_TX_MALFORMED, "too many with ctx: malformed");
    is(p.ndesc, OFNIC_TX_MAX_DESCS_PER_PKT + 1, "too many with ctx: ndesc");
    is(fetch(1, 32, &p), OFNIC_TX_NOT_READY, "31 descriptors without EOP wait");
    set_data(32, DATA, 64, OFNIC_TXD_EOP);
    is(fetch(1, 40, &p), OFNIC_TX_READY, "exactly 32 data descriptors: ready");
    is(p.len, 32 * 64, "exactly 32: len");
    is(fetch(0, 40, &p), OFNIC_TX_READY, "ctx + 32 data descriptors: ready");
    is(p.ndesc, 33, "ctx + 32: ndesc");

    for (i = 0; i < 5; i++) {
        set_data(i, DATA, 60000, i == 4 ? OFNIC_TXD_EOP : 0);
    }
    is(fetch(0, 5, &p), OFNIC_TX_MALFORMED, "too long: malformed");
    is(p.error, OFNIC_TXE_TOO_LONG, "too long: reason");
    is(p.ndesc, 5, "too long: ndesc");
    {
        struct ofnic_ring r = ring(0, 5);

        set_data(0, DATA, 100, OFNIC_TXD_EOP);
        is(ofnic_tx_fetch(&dma, &r, buf, 99, &p), OFNIC_TX_MALFORMED,
           "longer than the caller's buffer: malformed");
        is(p.error, OFNIC_TXE_TOO_LONG, "caller's buffer: reason");
    }

    set_data(0, DATA, 13, OFNIC_TXD_EOP);
    is(fetch(0, 1, &p), OFNIC_TX_MALFORMED, "too short: malformed");
    is(p.error, OFNIC_TXE_TOO_SHORT, "too short: reason");

    set_data(0, DATA, 60, 2);
    is(fetch(0, 1, &p), OFNIC_TX_MALFORMED, "type 2: malformed");
    is(p.error, OFNIC_TXE_BAD_TYPE, "type 2: reason");
    is(p.ndesc, 1, "type 2: ndesc");
    set_data(0, DATA, 60, 0);
    set_data(1, DATA, 60, 3 | OFNIC_TXD_EOP);
    is(fetch(0, 2, &p), OFNIC_TX_MALFORMED, "type 3 mid-packet: malformed");
    is(p.error, OFNIC_TXE_BAD_TYPE, "type 3: reason");
    is(p.ndesc, 2, "type 3: ndesc");

    set_data(0, DATA, 60, 0);
    set_ctx(1, 0, 0);
    is(fetch(0, 2, &p), OFNIC_TX_MALFORMED, "ctx after data: malformed");
    is(p.error, OFNIC_TXE_CTX_PLACE, "ctx after data: reason");
    is(p.ndesc, 2, "ctx after data: ndesc");
    set_ctx(0, 0, 0);
    set_ctx(1, 0, 0);
    is(fetch(0, 2, &p), OFNIC_TX_MALFORMED, "two contexts: malformed");
    is(p.error, OFNIC_TXE_CTX_PLACE, "two contexts: reason");
    ok(strcmp(ofnic_tx_error_str(OFNIC_TXE_ZERO_LEN), "?") != 0, "error names");
    is(strcmp(ofnic_tx_error_str((enum ofnic_tx_error)99), "?"), 0, "bad error name");
}

static void test_wrap(void)
{
    struct ofnic_tx_pkt p;
    uint8_t exp[90];

    set_ctx(61, 0, 0);
    set_data(62, DATA, 30, 0);
    set_data(63, DATA + 1000, 30, 0);
    set_data(0, DATA + 2000, 30, OFNIC_TXD_EOP);
    memcpy(exp, fake_ptr(m, DATA), 30);
    memcpy(exp + 30, fake_ptr(m, DATA + 1000), 30);
    memcpy(exp + 60, fake_ptr(m, DATA + 2000), 30);
    is(fetch(61, 1, &p), OFNIC_TX_READY, "wrap: ready");
    is(p.ndesc, 4, "wrap: ndesc");
    is(p.len, 90, "wrap: len");
    ok(!memcmp(buf, exp, 90), "wrap: payload");
    is(fetch(61, 0, &p), OFNIC_TX_NOT_READY, "wrap: tail before EOP");
}

static void test_dma_errors(void)
{
    struct ofnic_tx_pkt p;
    struct ofnic_ring r = ring(0, 1);

    r.base = 0x10;      /* outside guest memory */
    is(ofnic_tx_fetch(&dma, &r, buf, BUFSZ, &p), OFNIC_TX_DMA_ERROR, "bad ring: DMA error");
    ok(p.desc_dma_error, "bad ring: descriptor error");

    set_data(0, DATA, 30, 0);
    set_data(1, 0x20, 30, OFNIC_TXD_EOP);
    is(fetch(0, 2, &p), OFNIC_TX_DMA_ERROR, "bad buffer: DMA error");
    ok(!p.desc_dma_error, "bad buffer: not a ring error");
    is(p.ndesc, 2, "bad buffer: packet consumed");
}

int main(void)
{
    plan(72);
    m = fake_new();
    dma = fake_dma(m);
    buf = malloc(BUFSZ);
    fill_pattern();
    test_single();
    test_multi();
    test_ctx();
    test_not_ready();
    test_malformed();
    test_wrap();
    test_dma_errors();
    free(buf);
    free(m);
    return done_testing();
}
