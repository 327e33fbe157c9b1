/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RX placement: ofnic_rx_place().
 */
#include <stdlib.h>
#include "tap.h"
#include "fakedma.h"

#define RING        (FAKE_BASE + 0x1000)
#define BUFS        (FAKE_BASE + 0x10000)
#define RSIZE       64
#define STATUS_OFF  8   /* offsetof(struct ofnic_rx_cmpl, status) */

static struct fake_mem *m;
static struct ofnic_dma dma;
static uint8_t frame[OFNIC_MAX_FRAME];

static uint64_t buf_addr(unsigned int i)
{
    return BUFS + 4096ull * i;
}

/* Post descriptors for slots [0, RSIZE) and clear the write log. */
static void post_all(void)
{
    unsigned int i;

    for (i = 0; i < RSIZE; i++) {
        struct ofnic_rx_desc *d = fake_ptr(m, RING + 16 * i);

        d->addr = ofnic_cpu_to_le64(buf_addr(i));
        d->rsvd = 0;
    }
    m->nwrites = 0;
    m->fail_lo = m->fail_hi = 0;
}

static const struct ofnic_rx_cmpl *cmpl(unsigned int i)
{
    return fake_ptr(m, RING + 16 * i);
}

static struct ofnic_ring mkring(uint32_t head, uint32_t tail)
{
    struct ofnic_ring r = { .base = RING, .size = RSIZE, .head = head, .tail = tail };

    return r;
}

static const struct ofnic_rx_meta meta = {
    .status = (OFNIC_RXC_HASH_L4 << 8) | (OFNIC_RXC_L3_IPV4 << 12) |
              (OFNIC_RXC_L4_TCP << 16),
    .rss_hash = 0x12345678,
    .vlan_tci = 0,
};

/* The status dword of slot i is written last and after its data: return 1 if so. */
static int dd_last(unsigned int slot, uint64_t data, size_t len)
{
    uint64_t c = RING + 16 * slot;
    int last_status = -1, last_other = -1, last_data = -1;
    unsigned int i;

    for (i = 0; i < m->nwrites && i < FAKE_LOG_MAX; i++) {
        const struct fake_write *w = &m->log[i];

        if (w->addr <= c + STATUS_OFF && w->addr + w->len >= c + STATUS_OFF + 4) {
            /* covers the status dword: must be 0 unless it is the final 4-byte write */
            if (w->len == 4) {
                last_status = i;
            } else {
                uint32_t st;

                memcpy(&st, w->data + (c + STATUS_OFF - w->addr), 4);
                if (st) {
                    return 0;
                }
                last_other = i;
            }
        } else if (w->addr < c + 16 && w->addr + w->len > c) {
            last_other = i;
        }
        if (w->addr < data + len && w->addr + w->len > data) {
            last_data = i;
        }
    }
    return last_status >= 0 && last_status > last_other && last_status > last_data;
}

static void test_single(void)
{
    struct ofnic_ring r = mkring(0, 4);
    uint32_t used = 99;

    post_all();
    is(ofnic_rx_place(&dma, &r, 2048, frame, 100, &meta, &used), OFNIC_RX_DONE,
       "single: placed");
    is(used, 1, "single: one buffer");
    is(r.head, 1, "single: head advanced");
    ok(!memcmp(fake_ptr(m, buf_addr(0)), frame, 100), "single: data");
    is(ofnic_le16(cmpl(0)->len), 100, "single: len");
    is(ofnic_le32(cmpl(0)->rss_hash), 0x12345678, "single: hash");
    is(ofnic_le32(cmpl(0)->status), meta.status | OFNIC_RXC_DD | OFNIC_RXC_EOP,
       "single: status");
    ok(dd_last(0, buf_addr(0), 100), "single: DD written last");
    is(ofnic_le32(cmpl(1)->status), 0, "single: next slot untouched");
}

static void test_multi(void)
{
    struct ofnic_ring r = mkring(0, 10);
    struct ofnic_rx_meta mt = meta;
    uint32_t used = 0;
    unsigned int i;

    mt.vlan_tci = 0x0123;
    mt.status |= OFNIC_RXC_VLAN;
    post_all();
    is(ofnic_rx_place(&dma, &r, 256, frame, 600, &mt, &used), OFNIC_RX_DONE,
       "multi: placed");
    is(used, 3, "multi: three buffers");
    is(r.head, 3, "multi: head");
    ok(!memcmp(fake_ptr(m, buf_addr(0)), frame, 256), "multi: data 0");
    ok(!memcmp(fake_ptr(m, buf_addr(1)), frame + 256, 256), "multi: data 1");
    ok(!memcmp(fake_ptr(m, buf_addr(2)), frame + 512, 88), "multi: data 2");
    is(ofnic_le16(cmpl(0)->len), 256, "multi: len 0");
    is(ofnic_le16(cmpl(1)->len), 256, "multi: len 1");
    is(ofnic_le16(cmpl(2)->len), 88, "multi: len 2");
    is(ofnic_le32(cmpl(0)->status), mt.status | OFNIC_RXC_DD, "multi: first has metadata");
    is(ofnic_le16(cmpl(0)->vlan_tci), 0x0123, "multi: first has vlan");
    is(ofnic_le32(cmpl(0)->rss_hash), 0x12345678, "multi: first has hash");
    is(ofnic_le32(cmpl(1)->status), OFNIC_RXC_DD, "multi: middle DD only");
    is(ofnic_le32(cmpl(2)->status), OFNIC_RXC_DD | OFNIC_RXC_EOP, "multi: last DD|EOP");
    is(ofnic_le32(cmpl(1)->rss_hash), 0, "multi: no hash on middle");
    is(ofnic_le16(cmpl(2)->vlan_tci), 0, "multi: no vlan on last");
    for (i = 0; i < 3; i++) {
        ok(dd_last(i, buf_addr(i), 256), "multi: DD of slot %u written last", i);
    }

    /* exact multiple of the buffer size */
    post_all();
    r = mkring(0, 10);
    is(ofnic_rx_place(&dma, &r, 256, frame, 512, &meta, &used), OFNIC_RX_DONE,
       "exact: placed");
    is(used, 2, "exact: two buffers");
    is(ofnic_le16(cmpl(1)->len), 256, "exact: last len");
}

static void test_no_space(void)
{
    struct ofnic_ring r = mkring(5, 7);
    uint32_t used = 7;

    post_all();
    is(ofnic_rx_place(&dma, &r, 256, frame, 600, &meta, &used), OFNIC_RX_NO_SPACE,
       "no space: 2 posted, 3 needed");
    is(m->nwrites, 0, "no space: nothing written");
    is(r.head, 5, "no space: head unchanged");
    is(used, 0, "no space: none used");
    r = mkring(5, 5);
    is(ofnic_rx_place(&dma, &r, 2048, frame, 60, &meta, &used), OFNIC_RX_NO_SPACE,
       "no space: empty ring");
    r = mkring(5, 8);
    is(ofnic_rx_place(&dma, &r, 256, frame, 600, &meta, &used), OFNIC_RX_DONE,
       "no space: exactly enough");
    is(r.head, 8, "no space: head reaches tail");
}

/* A frame the whole ring could never hold is refused at once instead of waiting forever */
static void test_too_long(void)
{
    struct ofnic_ring r = mkring(0, RSIZE - 1);
    uint32_t used = 7;

    post_all();
    is(ofnic_rx_place(&dma, &r, 64, frame, 64 * RSIZE, &meta, &used), OFNIC_RX_TOO_LONG,
       "too long: %u buffers on a ring of %u", RSIZE, RSIZE);
    is(m->nwrites, 0, "too long: nothing written");
    is(r.head, 0, "too long: head unchanged");
    is(ofnic_rx_place(&dma, &r, 64, frame, 64 * (RSIZE - 1), &meta, &used), OFNIC_RX_DONE,
       "too long: %u buffers, the most a ring of %u posts, fit", RSIZE - 1, RSIZE);
    is(used, RSIZE - 1, "too long: every posted buffer used");
}

static void test_wrap(void)
{
    struct ofnic_ring r = mkring(62, 2);
    uint32_t used;

    post_all();
    is(ofnic_rx_place(&dma, &r, 256, frame, 700, &meta, &used), OFNIC_RX_DONE,
       "wrap: placed");
    is(r.head, 1, "wrap: head wrapped");
    ok(!memcmp(fake_ptr(m, buf_addr(63)), frame + 256, 256), "wrap: slot 63");
    ok(!memcmp(fake_ptr(m, buf_addr(0)), frame + 512, 188), "wrap: slot 0");
    is(ofnic_le32(cmpl(0)->status), OFNIC_RXC_DD | OFNIC_RXC_EOP, "wrap: EOP on slot 0");
    is(ofnic_le32(cmpl(62)->status), meta.status | OFNIC_RXC_DD, "wrap: first on 62");
}

static void test_errors(void)
{
    struct ofnic_ring r = mkring(0, 4);
    uint32_t used;
    unsigned int i, cw = 0;

    post_all();
    m->fail_lo = buf_addr(1);
    m->fail_hi = buf_addr(1) + 1;
    is(ofnic_rx_place(&dma, &r, 256, frame, 600, &meta, &used), OFNIC_RX_BUF_DMA_ERROR,
       "buffer error");
    for (i = 0; i < m->nwrites; i++) {
        cw += m->log[i].addr >= RING && m->log[i].addr < RING + 16 * RSIZE;
    }
    is(cw, 0, "buffer error: no completion written");
    is(r.head, 0, "buffer error: head unchanged");

    post_all();
    r.base = 0x40;
    is(ofnic_rx_place(&dma, &r, 256, frame, 100, &meta, &used), OFNIC_RX_RING_DMA_ERROR,
       "ring error");
    r.base = RING;
    is(ofnic_rx_place(&dma, &r, 0, frame, 100, &meta, &used), OFNIC_RX_BAD_ARGS,
       "zero buffer size");
    is(ofnic_rx_place(&dma, &r, 256, frame, 0, &meta, &used), OFNIC_RX_BAD_ARGS,
       "zero length");
}

int main(void)
{
    unsigned int i;

    plan(55);

    m = fake_new();
    dma = fake_dma(m);
    for (i = 0; i < sizeof(frame); i++) {
        frame[i] = (uint8_t)(i * 13 + 1);
    }
    test_single();
    test_multi();
    test_no_space();
    test_too_long();
    test_wrap();
    test_errors();
    free(m);
    return done_testing();
}
