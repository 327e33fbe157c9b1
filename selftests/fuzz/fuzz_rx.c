/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: the receive pipeline as the device runs it on a burst of
 * frames: classification (VLAN filter and strip, checksums, ntuple, Toeplitz
 * RSS, tunnels), coalescing (LRO or HW-GRO) with its timer, and placement in an
 * RX ring in fake guest memory.
 *
 * Input: offload bits (4 bytes), queues (1), flags (1: LRO rules, GENEVE,
 * 9000-byte coalescing limit, RSS context 1, placement buffer size), RSS
 * fields (4), RSS key (40), indirection table (16 bytes, repeated), two ntuple
 * rules (2 x 80), tunnel ports (8 x 4), then frames: each a 2-byte length, a
 * 1-byte clock step and the bytes.
 * Checked: queues and flushed frames stay in range, a coalesced frame has at
 * least two segments and fits its buffer, placement never writes outside the
 * ring and its buffers (fakedma fails anything else), every flow is flushed at
 * the end.
 */
#include "fuzz_util.h"
#include "fakedma.h"

#define MAX_QUEUES 16
#define RING_SIZE 256u
#define BUF_OFF 0x10000u

static struct fake_mem *mem;
static struct ofnic_rsc_queue rsc[MAX_QUEUES];
static struct ofnic_rss_ctx rss[OFNIC_RSS_MAX_CONTEXTS];
static uint8_t scratch[OFNIC_MAX_FRAME];
static uint64_t gstats[OFNIC_GSTAT_NUM];

struct place {
    struct ofnic_ring ring;
    struct ofnic_dma dma;
    uint32_t buf_size;
    unsigned int frames;
};

static void post_all(struct place *pl)
{
    unsigned int i;

    for (i = 0; i < RING_SIZE; i++) {
        struct ofnic_rx_desc d = {
            .addr = ofnic_cpu_to_le64(FAKE_BASE + BUF_OFF +
                                      (uint64_t)i * pl->buf_size),
        };

        memcpy(mem->mem + i * sizeof(d), &d, sizeof(d));
    }
    pl->ring.head = 0;
    pl->ring.tail = RING_SIZE - 1;
}

static bool place(struct place *pl, const uint8_t *frame, size_t len,
                  const struct ofnic_rx_meta *meta)
{
    uint32_t used = 0;
    int tries;

    for (tries = 0; tries < 2; tries++) {
        switch (ofnic_rx_place(&pl->dma, &pl->ring, pl->buf_size, frame, len,
                               meta, &used)) {
        case OFNIC_RX_DONE:
            FUZZ_CHECK(used >= 1 && used < RING_SIZE);
            pl->frames++;
            return true;
        case OFNIC_RX_NO_SPACE:
            post_all(pl); /* the driver refills, the device retries */
            continue;
        default:
            return true;
        }
    }
    /* a ring of 255 buffers of >= 256 bytes holds any frame */
    FUZZ_CHECK(0);
    return true;
}

static bool rsc_out(void *opaque, const uint8_t *frame, size_t len,
                    const struct ofnic_rx_meta *meta, uint16_t segs,
                    uint64_t wire_bytes)
{
    FUZZ_CHECK(len <= OFNIC_RSC_BUF_SIZE);
    FUZZ_CHECK(segs >= 1);
    FUZZ_CHECK(segs < 2 || (meta->status & OFNIC_RXC_COALESCED));
    FUZZ_CHECK(wire_bytes >= len);
    fuzz_touch(frame, len);
    return place(opaque, frame, len, meta);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint32_t ntuple[OFNIC_NTUPLE_MAX_RULES][OFNIC_NTUPLE_REGS];
    static uint32_t vlan_filter[OFNIC_VLAN_FILTER_REGS];
    struct fin in = { data, size };
    uint32_t tunnel_ports[OFNIC_TUNNEL_PORTS];
    struct ofnic_rx_cfg cfg = { 0 };
    struct ofnic_rsc_cfg rc = { 0 };
    uint8_t flags, indir[16], key[OFNIC_RSS_KEY_SIZE];
    struct place pl = { 0 };
    static const uint8_t station[6] = { 0x02, 0, 0, 0, 0, 0x02 };
    uint64_t now = 1000;
    unsigned int i, q;
    uint16_t quanta;

    if (!mem) {
        mem = fake_new();
        for (q = 0; q < MAX_QUEUES; q++) {
            for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
                rsc[q].flow[i].buf = malloc(OFNIC_RSC_BUF_SIZE);
                FUZZ_CHECK(rsc[q].flow[i].buf);
            }
        }
        for (i = 0; i < OFNIC_VLAN_FILTER_REGS; i++) {
            vlan_filter[i] = 0x55555555u; /* even VIDs pass */
        }
    }
    for (q = 0; q < MAX_QUEUES; q++) {
        ofnic_rsc_discard(&rsc[q]);
    }

    cfg.offload = fin_u32(&in);
    cfg.queues = 1 + fin_u8(&in) % MAX_QUEUES;
    flags = fin_u8(&in);
    cfg.need_csum = cfg.offload & (OFNIC_OFFLOAD_LRO | OFNIC_OFFLOAD_HW_GRO);
    cfg.geneve = flags & 2;
    cfg.vlan_filter = vlan_filter;
    /*
     * Contexts 0 and 1 (the same key and table), set field by field; as in the
     * device, the key's lookup table is rebuilt only when the key changes.
     */
    rss[0].enabled = true;
    rss[1].enabled = flags & 8;
    rss[0].fields = fin_u32(&in);
    fin_bytes(&in, key, sizeof(key));
    if (memcmp(key, rss[0].key, sizeof(key))) {
        memcpy(rss[0].key, key, sizeof(key));
        memcpy(rss[1].key, key, sizeof(key));
        rss[0].tbl_valid = false;
        rss[1].tbl_valid = false;
    }
    fin_bytes(&in, indir, sizeof(indir));
    for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++) {
        rss[0].indir[i] = indir[i % sizeof(indir)]; /* may name absent queues */
    }
    rss[1].fields = rss[0].fields;
    memcpy(rss[1].indir, rss[0].indir, sizeof(rss[0].indir));
    cfg.rss = rss;
    memset(ntuple, 0, sizeof(ntuple));
    fin_bytes(&in, ntuple[0], sizeof(ntuple[0]));
    fin_bytes(&in, ntuple[1], sizeof(ntuple[1]));
    cfg.ntuple = (const uint32_t (*)[OFNIC_NTUPLE_REGS])ntuple;
    for (i = 0; i < OFNIC_TUNNEL_PORTS; i++) {
        tunnel_ports[i] = fin_u32(&in);
    }
    cfg.tunnel_ports = tunnel_ports;

    memset(gstats, 0, sizeof(gstats));
    rc.lro = flags & 1;
    rc.max_size = (flags & 4) ? 9000 : 0;
    rc.gstats = gstats;
    rc.out = rsc_out;
    rc.opaque = &pl;
    pl.buf_size = 256u << ((flags >> 4) % 4); /* 256..2048 */
    pl.dma = fake_dma(mem);
    pl.ring.base = FAKE_BASE;
    pl.ring.size = RING_SIZE;
    post_all(&pl);

    while (in.n >= 3) {
        size_t len = fin_u16(&in) % (OFNIC_MAX_FRAME + 1);
        struct ofnic_rx_result res;
        uint8_t *frame;

        now += fin_u8(&in);
        if (len > in.n) {
            len = in.n;
        }
        frame = malloc(len ? len : 1); /* exactly len: ASan sees overreads */
        FUZZ_CHECK(frame);
        fin_bytes(&in, frame, len);
        if (ofnic_mac_ctrl_parse(frame, len, station, &quanta) !=
            OFNIC_MAC_CTRL_NONE) {
            /* the MAC's own: the device never passes it on */
            FUZZ_CHECK(len >= 14 && frame[12] == 0x88 && frame[13] == 0x08);
        } else if (ofnic_rx_classify(&cfg, frame, len, scratch, &res) ==
                   OFNIC_RXV_PASS) {
            enum ofnic_rsc_result rr = OFNIC_RSC_PASS;

            FUZZ_CHECK(res.queue < cfg.queues);
            FUZZ_CHECK(res.len <= OFNIC_MAX_FRAME);
            if (cfg.offload & (OFNIC_OFFLOAD_LRO | OFNIC_OFFLOAD_HW_GRO)) {
                rr = ofnic_rsc_rx(&rsc[res.queue], &rc, &res, now);
            }
            if (rr == OFNIC_RSC_PASS) {
                place(&pl, res.frame, res.len, &res.meta);
            }
            FUZZ_CHECK(rr != OFNIC_RSC_BUSY); /* place() always makes room */
        }
        free(frame);
        if (now & 1) {
            for (q = 0; q < cfg.queues; q++) {
                ofnic_rsc_expire(&rsc[q], &rc, now, 20);
            }
        }
    }
    for (q = 0; q < MAX_QUEUES; q++) {
        FUZZ_CHECK(ofnic_rsc_flush_all(&rsc[q], &rc, 0));
        FUZZ_CHECK(ofnic_rsc_oldest(&rsc[q]) == UINT64_MAX);
    }
    return 0;
}
