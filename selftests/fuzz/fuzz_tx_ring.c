/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: the TX ring walk (ofnic_tx_fetch) over descriptors the
 * fuzzer writes into fake guest memory, then the offloads of each gathered
 * packet, as the device's TX bottom half does.
 *
 * Input: ring size (1 byte: 2..128 entries), head, tail (1 each), a guest
 * memory range that fails DMA (2 bytes, in 4 KiB pages of the data area), the
 * descriptors (16 bytes each; an address is taken modulo a span that reaches
 * past the end of guest memory), then the data area's bytes.
 * Checked: the walk ends, every status consumes at least one and at most the
 * posted descriptors, a gathered packet fits the buffer.
 */
#include "fuzz_util.h"
#include "fakedma.h"

#define RING_OFF 0x0
#define DATA_OFF 0x10000u
#define DATA_MAX 0x10000u
#define ADDR_SPAN (FAKE_SIZE - DATA_OFF + 0x1000u) /* the tail is unmapped */

static struct fake_mem *mem;
static uint8_t *gather;

static int emit(void *opaque, const struct ofnic_txo_iov *iov,
                unsigned int iovcnt, size_t len)
{
    unsigned int i;

    (void)opaque;
    (void)len;
    for (i = 0; i < iovcnt; i++) {
        fuzz_touch(iov[i].base, iov[i].len);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    struct ofnic_ring ring;
    struct ofnic_dma dma;
    unsigned int i, steps;
    uint8_t fail_pg, fail_n;

    if (!mem) {
        mem = fake_new();
        gather = malloc(OFNIC_TX_MAX_PKT_LEN);
        FUZZ_CHECK(gather);
    }
    memset(mem->mem + RING_OFF, 0, 128 * sizeof(struct ofnic_tx_desc));
    memset(mem->mem + DATA_OFF, 0, DATA_MAX);
    dma = fake_dma(mem);

    ring.size = 2u << (fin_u8(&in) % 7);
    ring.head = fin_u8(&in) & (ring.size - 1);
    ring.tail = fin_u8(&in) & (ring.size - 1);
    ring.base = FAKE_BASE + RING_OFF;
    fail_pg = fin_u8(&in);
    fail_n = fin_u8(&in) % 4;
    mem->fail_lo = FAKE_BASE + DATA_OFF + (uint64_t)fail_pg * 0x1000;
    mem->fail_hi = mem->fail_lo + (uint64_t)fail_n * 0x1000;
    for (i = 0; i < ring.size; i++) {
        struct ofnic_tx_desc d;

        fin_bytes(&in, &d, sizeof(d));
        d.addr = ofnic_cpu_to_le64(FAKE_BASE + DATA_OFF +
                                   ofnic_le64(d.addr) % ADDR_SPAN);
        memcpy(mem->mem + RING_OFF + i * sizeof(d), &d, sizeof(d));
    }
    fin_bytes(&in, mem->mem + DATA_OFF, in.n < DATA_MAX ? in.n : DATA_MAX);

    /* one step per descriptor at most: the walk must end within the ring */
    for (steps = 0; ring.head != ring.tail; steps++) {
        uint32_t avail = ofnic_ring_avail(&ring);
        struct ofnic_txo_result res;
        struct ofnic_txo_cfg cfg = { .caps = ~0ull };
        struct ofnic_tx_pkt pkt;
        enum ofnic_tx_status st;
        uint8_t *copy;

        FUZZ_CHECK(steps < ring.size);
        st = ofnic_tx_fetch(&dma, &ring, gather, OFNIC_TX_MAX_PKT_LEN, &pkt);
        if (st == OFNIC_TX_NOT_READY ||
            (st == OFNIC_TX_DMA_ERROR && pkt.desc_dma_error)) {
            break;
        }
        FUZZ_CHECK(pkt.ndesc >= 1 && pkt.ndesc <= avail);
        if (st == OFNIC_TX_MALFORMED) {
            FUZZ_CHECK(pkt.error > OFNIC_TXE_NONE && pkt.error < OFNIC_TXE_NUM);
            FUZZ_CHECK(ofnic_tx_error_str(pkt.error) != NULL);
        } else if (st == OFNIC_TX_READY) {
            FUZZ_CHECK(pkt.len >= OFNIC_MIN_FRAME &&
                       pkt.len <= OFNIC_TX_MAX_PKT_LEN);
            if (pkt.has_ctx) {
                copy = malloc(pkt.len);
                FUZZ_CHECK(copy);
                memcpy(copy, gather, pkt.len);
                ofnic_tx_offload(&cfg, &pkt.ctx, copy, pkt.len, emit, NULL,
                                 &res);
                free(copy);
            }
        }
        ring.head = (ring.head + pkt.ndesc) & (ring.size - 1);
    }
    return 0;
}
