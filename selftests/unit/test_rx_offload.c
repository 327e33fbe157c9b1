/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the RX engine: classification (VLAN filter and strip, checksum
 * validation, ntuple rules, RSS contexts) and coalescing. The HW-GRO cases are
 * those of the kernel's tools/testing/selftests/net/gro.c, with the packet
 * counts and payload sizes that test expects from Linux GRO.
 */
#include "txo_util.h"

#define PAYLOAD 100
#define OUT_MAX 1100

/* ---------------------------------------------------------------------------------------
 * Packets with correct checksums (computed by the test's own code).
 */
static void finish(struct pkt *p, uint8_t proto)
{
    uint8_t *ip = p->buf + p->l2, *l4 = ip + p->l3;
    uint32_t l4len = (uint32_t)(p->len - p->l2 - p->l3);

    if ((ip[0] >> 4) == 4) {
        p16(ip + 10, 0);
        p16(ip + 10, t_fold(t_sum(0, ip, p->l3)));
    }
    if (proto == 6 || proto == 17) {
        unsigned int co = proto == 6 ? 16 : 6;
        uint16_t c;

        p16(l4 + co, 0);
        c = t_fold(t_sum(t_pseudo(ip, proto, l4len), l4, l4len));
        p16(l4 + co, c ? c : 0xffff);
    } else if (proto == 132) {
        uint32_t crc;

        memset(l4 + 8, 0, 4);
        crc = t_crc32c(l4, l4len);
        l4[8] = crc & 0xff;
        l4[9] = (crc >> 8) & 0xff;
        l4[10] = (crc >> 16) & 0xff;
        l4[11] = crc >> 24;
    }
    memcpy(p->orig, p->buf, p->len);
}

static struct pspec tcp(bool v6, uint32_t seq, uint32_t payload)
{
    struct pspec s = { .v6 = v6, .proto = 6, .tcp_flags = TCPF_ACK, .seq = seq,
                       .payload = payload, .df = true, .seed = seq };

    return s;
}

/* ---------------------------------------------------------------------------------------
 * A receive queue: classification, coalescing and the frames delivered.
 */
struct out {
    uint8_t *buf;
    size_t len;
    struct ofnic_rx_meta meta;
    uint16_t segs;
};

struct rxq {
    uint32_t offload;
    uint32_t vlan_filter[OFNIC_VLAN_FILTER_REGS];
    struct ofnic_rss_ctx rss[OFNIC_RSS_MAX_CONTEXTS];
    uint32_t ntuple[OFNIC_NTUPLE_MAX_RULES][OFNIC_NTUPLE_REGS];
    uint8_t scratch[OFNIC_MAX_FRAME];
    struct ofnic_rsc_queue rq;
    uint64_t gstats[OFNIC_GSTAT_NUM];
    struct out out[OUT_MAX];
    unsigned int nout;
    bool full;          /* the ring has no room: out() fails */
    uint64_t now;
    struct ofnic_rx_result res;
};

static bool q_out(void *opaque, const uint8_t *frame, size_t len,
                  const struct ofnic_rx_meta *meta, uint16_t segs, uint64_t wire)
{
    struct rxq *q = opaque;
    struct out *o;

    (void)wire;
    if (q->full || q->nout >= OUT_MAX) {
        return false;
    }
    o = &q->out[q->nout++];
    o->buf = malloc(len);
    memcpy(o->buf, frame, len);
    o->len = len;
    o->meta = *meta;
    o->segs = segs;
    return true;
}

static struct ofnic_rx_cfg q_cfg(struct rxq *q)
{
    struct ofnic_rx_cfg c = {
        .offload = q->offload, .queues = 8,
        .need_csum = !!(q->offload & (OFNIC_OFFLOAD_LRO | OFNIC_OFFLOAD_HW_GRO)),
        .vlan_filter = q->vlan_filter, .rss = q->rss,
        .ntuple = (const uint32_t (*)[OFNIC_NTUPLE_REGS])q->ntuple,
    };

    return c;
}

static struct ofnic_rsc_cfg q_rsc(struct rxq *q)
{
    struct ofnic_rsc_cfg c = {
        /* as the glue: with both bits the HW-GRO rules */
        .lro = (q->offload & OFNIC_OFFLOAD_LRO) && !(q->offload & OFNIC_OFFLOAD_HW_GRO),
        .fixedid_no_df = !!(q->offload & OFNIC_OFFLOAD_RSC_FIXEDID_NO_DF),
        .gstats = q->gstats, .out = q_out, .opaque = q,
    };

    return c;
}

static void q_clear(struct rxq *q)
{
    unsigned int i;

    for (i = 0; i < q->nout; i++) {
        free(q->out[i].buf);
    }
    q->nout = 0;
}

static struct rxq *q_new(uint32_t offload)
{
    struct rxq *q = calloc(1, sizeof(*q));
    unsigned int i, c;

    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        q->rq.flow[i].buf = malloc(OFNIC_RSC_BUF_SIZE);
    }
    for (c = 0; c < OFNIC_RSS_MAX_CONTEXTS; c++) {
        for (i = 0; i < OFNIC_RSS_KEY_SIZE; i++) {
            q->rss[c].key[i] = (uint8_t)(i * 7 + c * 13 + 1);
        }
        for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++) {
            q->rss[c].indir[i] = (uint8_t)(i % 4);
        }
        q->rss[c].fields = OFNIC_RSS_FIELDS_DEFAULT;
    }
    q->rss[0].enabled = true;
    q->offload = offload;
    return q;
}

static void q_free(struct rxq *q)
{
    unsigned int i;

    q_clear(q);
    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        free(q->rq.flow[i].buf);
    }
    free(q);
}

/* Receive p: what the device glue does, minus DMA. */
static enum ofnic_rsc_result q_rx(struct rxq *q, const struct pkt *p)
{
    struct ofnic_rx_cfg cfg = q_cfg(q);
    struct ofnic_rsc_cfg rc = q_rsc(q);
    enum ofnic_rsc_result r = OFNIC_RSC_PASS;

    if (ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, &q->res) !=
        OFNIC_RXV_PASS) {
        return OFNIC_RSC_PASS;
    }
    if (q->offload & (OFNIC_OFFLOAD_LRO | OFNIC_OFFLOAD_HW_GRO)) {
        r = ofnic_rsc_rx(&q->rq, &rc, &q->res, q->now);
    }
    if (r == OFNIC_RSC_PASS && !q_out(q, q->res.frame, q->res.len, &q->res.meta,
                                      1, q->res.len)) {
        return OFNIC_RSC_BUSY;
    }
    return r;
}

static void q_flush(struct rxq *q)
{
    struct ofnic_rsc_cfg rc = q_rsc(q);

    ofnic_rsc_flush_all(&q->rq, &rc, OFNIC_GSTAT_RX_FLUSH_EVICT);
}

/* TCP payload bytes of a delivered frame, as gro.c computes them. */
static long out_payload(const struct out *o)
{
    struct ofnic_pkt_info pi;

    ofnic_parse(o->buf, o->len, &pi);
    if (!pi.l4_off && pi.l3 == OFNIC_RXC_L3_IPV4) {
        /* a fragment: gro.c counts what follows a 20-byte TCP header */
        return (long)o->len - pi.l3_off - pi.l3_len - 20;
    }
    if (!pi.l4_off) {
        return -1;
    }
    return (long)o->len - pi.l4_off - pi.l4_len;
}

/* Compare the delivered frames' payload sizes with exp[] (n of them). */
static void expect(struct rxq *q, const char *name, const long *exp, unsigned int n)
{
    char got[256] = "", want[256] = "";
    unsigned int i;
    bool same = q->nout == n;

    for (i = 0; i < q->nout; i++) {
        long v = out_payload(&q->out[i]);

        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%ld ", v);
        if (i < n && v != exp[i]) {
            same = false;
        }
    }
    for (i = 0; i < n; i++) {
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%ld ", exp[i]);
    }
    ok(same, "%s: payloads { %s} (want { %s})", name, got, want);
}

#define EXPECT(q, name, ...)                                              \
    do {                                                                  \
        const long e_[] = { __VA_ARGS__ };                                \
        expect(q, name, e_, sizeof(e_) / sizeof(e_[0]));                  \
    } while (0)

/* Send n packets made from specs, then flush (gro.c sends a FIN: see test_fin). */
static void send_specs(struct rxq *q, const struct pspec *s, unsigned int n)
{
    struct pkt *p = pkt_new();
    unsigned int i;

    q_clear(q);
    for (i = 0; i < n; i++) {
        build(p, &s[i]);
        finish(p, s[i].proto);
        q_rx(q, p);
    }
    q_flush(q);
    pkt_free(p);
}

/* Every coalesced frame must be a valid packet: checksums, lengths, bytes. */
static void check_merged(struct rxq *q, const char *name)
{
    unsigned int i;

    for (i = 0; i < q->nout; i++) {
        struct out *o = &q->out[i];
        struct ofnic_pkt_info pi;
        uint32_t sum, c;

        if (!(o->meta.status & OFNIC_RXC_COALESCED)) {
            continue;
        }
        ofnic_parse(o->buf, o->len, &pi);
        c = ofnic_rx_csum(o->buf, o->len, &pi, &sum);
        ok((c & OFNIC_RXC_L4_CSUM_OK) && !(c & OFNIC_RXC_CSUM_ERR) &&
           o->meta.seg_count == o->segs && o->segs >= 2 &&
           (o->meta.status & OFNIC_RXC_L4_CSUM_OK),
           "%s: coalesced frame %u (%u segments) has valid checksums and metadata",
           name, i, o->segs);
    }
}

/* ---------------------------------------------------------------------------------------
 * gro.c's cases, for IPv4 and IPv6.
 */
static void test_gro_data(bool v6)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO);
    const char *v = v6 ? "v6" : "v4";
    struct pspec s[4];
    char name[64];

    s[0] = tcp(v6, 1000, PAYLOAD);
    s[1] = tcp(v6, 1000 + PAYLOAD, PAYLOAD);
    s[1].ip_id = 1;
    snprintf(name, sizeof(name), "gro %s data same size", v);
    send_specs(q, s, 2);
    EXPECT(q, name, 2 * PAYLOAD);
    check_merged(q, name);
    ok(q->nout == 1 && q->out[0].meta.mss == PAYLOAD && q->out[0].meta.seg_count == 2,
       "gro %s: mss %u, seg_count 2", v, PAYLOAD);
    if (q->nout == 1) {
        /* the payload is the two payloads in order */
        struct pkt *a = pkt_new(), *b = pkt_new();
        size_t h = q->out[0].len - 2 * PAYLOAD;

        build(a, &s[0]);
        build(b, &s[1]);
        ok(!memcmp(q->out[0].buf + h, a->buf + a->len - PAYLOAD, PAYLOAD) &&
           !memcmp(q->out[0].buf + h + PAYLOAD, b->buf + b->len - PAYLOAD, PAYLOAD),
           "gro %s: merged payload is both payloads in order", v);
        pkt_free(a);
        pkt_free(b);
    }

    s[1].payload = PAYLOAD / 2;
    snprintf(name, sizeof(name), "gro %s large then small", v);
    send_specs(q, s, 2);
    EXPECT(q, name, PAYLOAD * 3 / 2);
    check_merged(q, name);

    s[0].payload = PAYLOAD / 2;
    s[1] = tcp(v6, 1000 + PAYLOAD / 2, PAYLOAD);
    s[1].ip_id = 1;
    snprintf(name, sizeof(name), "gro %s small then large", v);
    send_specs(q, s, 2);
    EXPECT(q, name, PAYLOAD / 2, PAYLOAD);

    /* odd payloads: the merged checksum must handle the byte shift */
    s[0] = tcp(v6, 1000, 101);
    s[1] = tcp(v6, 1101, 101);
    s[1].ip_id = 1;
    s[2] = tcp(v6, 1202, 101);
    s[2].ip_id = 2;
    snprintf(name, sizeof(name), "gro %s odd payload sizes", v);
    send_specs(q, s, 3);
    EXPECT(q, name, 303);
    check_merged(q, name);

    /* pure ACKs are never held, and flush their flow first */
    s[0] = tcp(v6, 1000, PAYLOAD);
    s[1] = tcp(v6, 1000 + PAYLOAD, 0);
    s[2] = tcp(v6, 1000 + PAYLOAD, 0);
    snprintf(name, sizeof(name), "gro %s data then pure acks", v);
    send_specs(q, s, 3);
    EXPECT(q, name, PAYLOAD, 0, 0);
    q_free(q);
}

static void test_gro_flags(bool v6)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO);
    static const struct { uint8_t flag; const char *name; } f[] = {
        { TCPF_SYN, "syn" }, { TCPF_RST, "rst" }, { TCPF_URG, "urg" },
    };
    struct pspec s[5];
    char name[64];
    unsigned int i;

    for (i = 0; i < 5; i++) {
        s[i] = tcp(v6, 1000 + i * PAYLOAD, PAYLOAD);
        s[i].ip_id = (uint16_t)i;
    }
    s[2].tcp_flags |= TCPF_PSH;
    snprintf(name, sizeof(name), "gro %s psh flag ends coalescing", v6 ? "v6" : "v4");
    send_specs(q, s, 5);
    EXPECT(q, name, 3 * PAYLOAD, 2 * PAYLOAD);
    check_merged(q, name);
    ok(q->nout == 2 && (q->out[0].buf[q->out[0].len - 3 * PAYLOAD - 20 + 13] & TCPF_PSH),
       "gro %s: the merged frame carries PSH", v6 ? "v6" : "v4");

    for (i = 0; i < 3; i++) {
        unsigned int j;

        for (j = 0; j < 5; j++) {
            s[j] = tcp(v6, 1000 + j * PAYLOAD, PAYLOAD);
            s[j].ip_id = (uint16_t)j;
        }
        s[2].payload = 0;
        s[2].tcp_flags |= f[i].flag;
        s[3].seq = s[4].seq - PAYLOAD; /* the flag packet has no payload */
        s[4].seq = s[3].seq + PAYLOAD;
        s[3].ip_id = 0;
        s[4].ip_id = 1;
        snprintf(name, sizeof(name), "gro %s %s flag ends coalescing",
                 v6 ? "v6" : "v4", f[i].name);
        send_specs(q, s, 5);
        EXPECT(q, name, 2 * PAYLOAD, 0, 2 * PAYLOAD);
    }
    q_free(q);
}

static void test_gro_tcp(bool v6)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO);
    const char *v = v6 ? "v6" : "v4";
    struct pkt *p = pkt_new();
    struct pspec s[4];
    char name[80];
    unsigned int i;

    /* a bad checksum is delivered, not merged, and reported bad */
    q_clear(q);
    s[0] = tcp(v6, 1000, PAYLOAD);
    s[1] = tcp(v6, 1000 + PAYLOAD, PAYLOAD);
    s[1].ip_id = 1;
    build(p, &s[0]);
    finish(p, 6);
    q_rx(q, p);
    build(p, &s[1]);
    finish(p, 6);
    p->buf[p->len - 1] ^= 0x5a;
    q_rx(q, p);
    q_flush(q);
    snprintf(name, sizeof(name), "gro %s changed checksum does not coalesce", v);
    EXPECT(q, name, PAYLOAD, PAYLOAD);
    ok(q->nout == 2 && (q->out[1].meta.status & OFNIC_RXC_CSUM_ERR) &&
       !(q->out[1].meta.status & OFNIC_RXC_L4_CSUM_OK),
       "gro %s: the bad checksum is reported bad", v);

    s[1].seq += 1;
    snprintf(name, sizeof(name), "gro %s wrong seq does not coalesce", v);
    send_specs(q, s, 2);
    EXPECT(q, name, PAYLOAD, PAYLOAD);

    for (i = 0; i < 4; i++) {
        s[i] = tcp(v6, 1000 + i * PAYLOAD, PAYLOAD);
        s[i].ip_id = (uint16_t)i;
        s[i].tcp_opt_len = 12;
    }
    send_specs(q, s, 4);
    snprintf(name, sizeof(name), "gro %s same timestamps coalesce", v);
    EXPECT(q, name, 4 * PAYLOAD);
    check_merged(q, name);

    /* different TS values: build, then edit the TSval */
    q_clear(q);
    for (i = 0; i < 4; i++) {
        build(p, &s[i]);
        if (i >= 2) {
            p32(p->buf + p->l2 + p->l3 + 24, 0xaabbccdd + i);
        }
        finish(p, 6);
        q_rx(q, p);
    }
    q_flush(q);
    snprintf(name, sizeof(name), "gro %s different timestamp does not coalesce", v);
    EXPECT(q, name, 2 * PAYLOAD, PAYLOAD, PAYLOAD);

    s[2].tcp_opt_len = 8;
    snprintf(name, sizeof(name), "gro %s different options do not coalesce", v);
    send_specs(q, s, 3);
    EXPECT(q, name, 2 * PAYLOAD, PAYLOAD);

    /* window and ack number must not change */
    q_clear(q);
    for (i = 0; i < 2; i++) {
        build(p, &s[i]);
        if (i) {
            p16(p->buf + p->l2 + p->l3 + 14, 0x1234);
        }
        finish(p, 6);
        q_rx(q, p);
    }
    q_flush(q);
    snprintf(name, sizeof(name), "gro %s window change does not coalesce", v);
    EXPECT(q, name, PAYLOAD, PAYLOAD);
    pkt_free(p);
    q_free(q);
}

static void test_gro_ip(bool v6)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO |
                          OFNIC_OFFLOAD_RSC_FIXEDID_NO_DF);
    const char *v = v6 ? "v6" : "v4";
    struct pspec s[3];
    char name[96];

    s[0] = tcp(v6, 1000, PAYLOAD);
    s[1] = tcp(v6, 1000 + PAYLOAD, PAYLOAD);
    s[1].ip_id = 1;
    s[1].tos = 1; /* ECN */
    snprintf(name, sizeof(name), "gro %s different ECN does not coalesce", v);
    send_specs(q, s, 2);
    EXPECT(q, name, PAYLOAD, PAYLOAD);

    s[1].tos = 0x10;
    snprintf(name, sizeof(name), "gro %s different tos does not coalesce", v);
    send_specs(q, s, 2);
    EXPECT(q, name, PAYLOAD, PAYLOAD);
    s[1].tos = 0;

    if (!v6) {
        struct pkt *p = pkt_new();
        static const struct { bool df; int id[3]; int n; long exp[2]; int nexp;
                              const char *name; } ids[] = {
            { true, { 0, 1 }, 2, { 2 * PAYLOAD }, 1, "DF=1, incrementing: coalesce" },
            { true, { 5, 5 }, 2, { 2 * PAYLOAD }, 1, "DF=1, fixed: coalesce" },
            { false, { 0, 1 }, 2, { 2 * PAYLOAD }, 1, "DF=0, incrementing: coalesce" },
            /* RSC_FIXEDID_NO_DF (Linux >= 6.18): a fixed ID without DF coalesces */
            { false, { 5, 5 }, 2, { 2 * PAYLOAD }, 1, "DF=0, fixed: coalesce" },
            { true, { 0, 1, 1 }, 3, { 2 * PAYLOAD, PAYLOAD }, 2,
              "DF=1, 2 incrementing then fixed: first 2" },
            { true, { 5, 5, 6 }, 3, { 2 * PAYLOAD, PAYLOAD }, 2,
              "DF=1, 2 fixed then incrementing: first 2" },
        };
        unsigned int i, j;

        q_clear(q);
        build(p, &s[0]);
        finish(p, 6);
        q_rx(q, p);
        build(p, &s[1]);
        p->buf[p->l2 + 8] = 63;
        finish(p, 6);
        q_rx(q, p);
        q_flush(q);
        EXPECT(q, "gro v4 different ttl does not coalesce", PAYLOAD, PAYLOAD);

        s[1].ip4_opt_len = 4;
        s[2] = tcp(false, 1000 + 2 * PAYLOAD, PAYLOAD);
        s[2].ip_id = 2;
        send_specs(q, s, 3);
        EXPECT(q, "gro v4 ip options do not coalesce", PAYLOAD, PAYLOAD, PAYLOAD);
        s[1].ip4_opt_len = 0;

        q_clear(q);
        build(p, &s[0]);
        finish(p, 6);
        q_rx(q, p);
        build(p, &s[1]);
        p16(p->buf + p->l2 + 6, 0x2000); /* MF */
        finish(p, 6);
        q_rx(q, p);
        q_flush(q);
        EXPECT(q, "gro v4 fragment does not coalesce", PAYLOAD, PAYLOAD);

        for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
            struct pspec t[3];

            for (j = 0; j < (unsigned int)ids[i].n; j++) {
                t[j] = tcp(false, 1000 + j * PAYLOAD, PAYLOAD);
                t[j].df = ids[i].df;
                t[j].ip_id = (uint16_t)ids[i].id[j];
            }
            snprintf(name, sizeof(name), "gro v4 %s", ids[i].name);
            send_specs(q, t, ids[i].n);
            expect(q, name, ids[i].exp, ids[i].nexp);
        }
        pkt_free(p);
    } else {
        struct pspec t[2];

        t[0] = tcp(true, 1000, PAYLOAD);
        t[1] = tcp(true, 1000 + PAYLOAD, PAYLOAD);
        t[0].next = t[1].next = 1;
        t[0].ext[0] = t[1].ext[0] = (struct ext_spec){ .type = 60, .len = 8 };
        send_specs(q, t, 2);
        EXPECT(q, "gro v6 with the same extension header coalesces", 2 * PAYLOAD);
        check_merged(q, "gro v6 ext");
        t[1].ext[0].len = 16;
        send_specs(q, t, 2);
        EXPECT(q, "gro v6 with different extension headers does not", PAYLOAD, PAYLOAD);
    }
    q_free(q);
}

/* gro.c "large": an IP packet never grows past 65535 bytes. */
static void test_gro_large(bool v6)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO);
    const unsigned int mss = 4096 - 20 - 40;
    const unsigned int max_payload = 65535 - 20 - 40;
    const unsigned int n = max_payload / mss, rem = max_payload % mss;
    unsigned int off = v6 ? 0 : 20, first = max_payload + off;
    struct pspec s[20];
    char name[64];
    unsigned int i;

    for (i = 0; i <= n; i++) {
        s[i] = tcp(v6, i * mss, i < n ? mss : rem + off + 1);
        s[i].ip_id = (uint16_t)i;
    }
    /* n full segments and one that would pass 65535 */
    s[n].payload = rem + off + 1;
    snprintf(name, sizeof(name), "gro %s large: stops at 65535 IP bytes", v6 ? "v6" : "v4");
    send_specs(q, s, n + 1);
    /* n * mss + the part of the last that fits is not how GRO works: it refuses it */
    EXPECT(q, name, (long)(n * mss), (long)(rem + off + 1));
    check_merged(q, name);
    (void)first;
    ok(q->nout >= 1 && q->out[0].len - (v6 ? 14 : 14) <= 65535,
       "gro %s large: the coalesced IP packet is %zu bytes", v6 ? "v6" : "v4",
       q->nout ? q->out[0].len - 14 : 0);
    q_free(q);
}

/* ---------------------------------------------------------------------------------------
 * LRO, timeouts, eviction, a full ring, VLANs.
 */
static void test_lro(void)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_LRO);
    struct pkt *p = pkt_new();
    struct pspec s[3];
    unsigned int i;

    q_clear(q);
    for (i = 0; i < 3; i++) {
        s[i] = tcp(false, 1000 + i * PAYLOAD, PAYLOAD);
        s[i].tcp_opt_len = 12;
        s[i].ip_id = (uint16_t)i;
        build(p, &s[i]);
        p32(p->buf + p->l2 + p->l3 + 8, 0x11223344 + i * 1000); /* ack */
        p16(p->buf + p->l2 + p->l3 + 14, (uint16_t)(0x1000 + i));  /* window */
        finish(p, 6);
        q_rx(q, p);
    }
    q_flush(q);
    EXPECT(q, "lro: ack and window changes coalesce", 3 * PAYLOAD);
    check_merged(q, "lro");
    if (q->nout == 1) {
        const uint8_t *th = q->out[0].buf + 14 + 20;

        ok(g32(th + 8) == 0x11223344 + 2000 && g16(th + 14) == 0x1002,
           "lro: the merged header has the last ack and window");
        ok(q->out[0].meta.status & OFNIC_RXC_LRO, "lro: the completion says LRO merged it");
    }
    /* but not a timestamp or IP ID change (gro.c's lro mode) */
    q_clear(q);
    for (i = 0; i < 3; i++) {
        build(p, &s[i]);
        if (i == 2) {
            p32(p->buf + p->l2 + p->l3 + 24,
                g32(p->buf + p->l2 + p->l3 + 24) ^ 0x01010101);
        }
        finish(p, 6);
        q_rx(q, p);
    }
    q_flush(q);
    EXPECT(q, "lro: a timestamp change does not coalesce", 2 * PAYLOAD, PAYLOAD);
    s[2].ip_id = 7;
    send_specs(q, s, 3);
    EXPECT(q, "lro: an IP ID jump does not coalesce", 2 * PAYLOAD, PAYLOAD);
    /* GRO does not merge the same packets */
    q->offload = OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO;
    q_clear(q);
    for (i = 0; i < 2; i++) {
        build(p, &s[i]);
        p32(p->buf + p->l2 + p->l3 + 8, 0x11223344 + i * 1000);
        finish(p, 6);
        q_rx(q, p);
    }
    q_flush(q);
    EXPECT(q, "gro: an ack number change does not coalesce", PAYLOAD, PAYLOAD);
    send_specs(q, s, 2);
    ok(q->nout == 1 && (q->out[0].meta.status & (OFNIC_RXC_COALESCED | OFNIC_RXC_LRO)) ==
       OFNIC_RXC_COALESCED, "gro: the completion does not say LRO");
    /* with both bits the HW-GRO rules apply, and the completion says so */
    q->offload = OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO | OFNIC_OFFLOAD_LRO;
    send_specs(q, s, 2);
    ok(q->nout == 1 && !(q->out[0].meta.status & OFNIC_RXC_LRO),
       "lro + hw-gro: merged by the HW-GRO rules, not LRO");
    pkt_free(p);
    q_free(q);
}

static void test_timeout_evict_busy(void)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO);
    struct ofnic_rsc_cfg rc = q_rsc(q);
    struct pkt *p = pkt_new();
    struct pspec s = tcp(false, 1000, PAYLOAD);
    unsigned int i;

    q_clear(q);
    build(p, &s);
    finish(p, 6);
    q->now = 1000;
    is(q_rx(q, p), OFNIC_RSC_HELD, "a data segment is held");
    is(ofnic_rsc_oldest(&q->rq), 1000, "oldest flow time");
    ok(ofnic_rsc_expire(&q->rq, &rc, 1299, 300) && q->nout == 0, "not flushed before the timeout");
    ok(ofnic_rsc_expire(&q->rq, &rc, 1300, 300) && q->nout == 1, "flushed at the timeout");
    ok(q->nout == 1 && !(q->out[0].meta.status & OFNIC_RXC_COALESCED) &&
       q->out[0].len == p->len && !memcmp(q->out[0].buf, p->buf, p->len),
       "a flow of one segment is delivered as it came");
    is(q->gstats[OFNIC_GSTAT_RX_FLUSH_TIMEOUT], 1, "timeout flush counted");
    is(ofnic_rsc_oldest(&q->rq), UINT64_MAX, "no flow left");

    /* OFNIC_RSC_FLOWS + 1 flows: the table keeps its flows, the new passes */
    q_clear(q);
    for (i = 0; i <= OFNIC_RSC_FLOWS; i++) {
        build(p, &s);
        p16(p->buf + p->l2 + 20, (uint16_t)(30000 + i)); /* source port */
        finish(p, 6);
        q->now = 2000 + i;
        q_rx(q, p);
    }
    ok(q->nout == 1 && g16(q->out[0].buf + 14 + 20) == 30000 + OFNIC_RSC_FLOWS,
       "a full table passes the new flow");
    is(q->gstats[OFNIC_GSTAT_RX_FLUSH_EVICT], 0, "nothing evicted");
    is(ofnic_rsc_oldest(&q->rq), 2000, "the oldest flow is still held");
    ok(ofnic_rsc_expire(&q->rq, &rc, 2000 + OFNIC_RSC_FLOWS + 299, 300) && q->nout == 1,
       "a queue quiet for less than the timeout keeps every flow");
    is(ofnic_rsc_due(&q->rq, 300), 2000 + OFNIC_RSC_FLOWS + 300,
       "due when the last frame is a timeout old");
    ok(ofnic_rsc_expire(&q->rq, &rc, 2000 + OFNIC_RSC_FLOWS + 300, 300) &&
       q->nout == 1 + OFNIC_RSC_FLOWS, "a quiet queue flushes every flow");
    is(ofnic_rsc_oldest(&q->rq), UINT64_MAX, "nothing is left");

    /* a busy queue: a flow goes after OFNIC_RSC_AGE_FRAMES frames of its queue */
    q_clear(q);
    q->gstats[OFNIC_GSTAT_RX_FLUSH_TIMEOUT] = 0;
    s = tcp(false, 5000, PAYLOAD);
    build(p, &s);
    finish(p, 6);
    is(q_rx(q, p), OFNIC_RSC_HELD, "a segment is held");
    s = tcp(false, 1, 0); /* pure ACKs of another flow pass */
    build(p, &s);
    p16(p->buf + p->l2 + 20, 41000);
    finish(p, 6);
    for (i = 0; i < OFNIC_RSC_AGE_FRAMES - 1; i++) {
        q->now++;
        q_rx(q, p);
    }
    ok(q->nout == OFNIC_RSC_AGE_FRAMES - 1 && ofnic_rsc_oldest(&q->rq) != UINT64_MAX,
       "held while fewer frames came");
    q_rx(q, p);
    ok(q->nout == OFNIC_RSC_AGE_FRAMES + 1 && g16(q->out[q->nout - 2].buf + 14 + 20) == 40000 &&
       g16(q->out[q->nout - 1].buf + 14 + 20) == 41000,
       "flushed before the frame that makes it that old");
    is(q->gstats[OFNIC_GSTAT_RX_FLUSH_TIMEOUT], 1, "counted as a timeout");

    /* and after OFNIC_RSC_AGE_TIMEOUTS timeouts, however busy */
    q_clear(q);
    s = tcp(false, 5000, PAYLOAD);
    build(p, &s);
    finish(p, 6);
    q->now = 100000;
    q_rx(q, p);
    s = tcp(false, 1, 0);
    build(p, &s);
    p16(p->buf + p->l2 + 20, 41000);
    finish(p, 6);
    /* a frame every 2/3 timeout until the age limit */
    for (i = 1; i < OFNIC_RSC_AGE_TIMEOUTS * 3 / 2; i++) {
        q->now = 100000 + i * 200;
        q_rx(q, p);
        ofnic_rsc_expire(&q->rq, &rc, q->now + 199, 300);
    }
    ok(q->nout == OFNIC_RSC_AGE_TIMEOUTS * 3 / 2 - 1 && ofnic_rsc_oldest(&q->rq) == 100000,
       "held on a busy queue for less than the age limit");
    is(ofnic_rsc_due(&q->rq, 300), 100000 + OFNIC_RSC_AGE_TIMEOUTS * 300,
       "due at the age limit");
    q->now = 100000 + OFNIC_RSC_AGE_TIMEOUTS * 300;
    q_rx(q, p);
    ok(ofnic_rsc_expire(&q->rq, &rc, q->now, 300) &&
       q->nout == OFNIC_RSC_AGE_TIMEOUTS * 3 / 2 + 1 && ofnic_rsc_oldest(&q->rq) == UINT64_MAX,
       "flushed at the age limit");

    /* a full ring: nothing changes, the segment can come again */
    q_clear(q);
    s = tcp(false, 1000, PAYLOAD);
    build(p, &s);
    finish(p, 6);
    q_rx(q, p);
    s = tcp(false, 1000 + PAYLOAD, PAYLOAD / 2); /* short: flushes with itself */
    s.ip_id = 1;
    build(p, &s);
    finish(p, 6);
    q->full = true;
    is(q_rx(q, p), OFNIC_RSC_BUSY, "full ring: busy");
    q->full = false;
    is(q_rx(q, p), OFNIC_RSC_HELD, "the same segment again: merged and flushed");
    EXPECT(q, "full ring retried", PAYLOAD * 3 / 2);
    check_merged(q, "full ring retried");
    pkt_free(p);
    q_free(q);
}

/* ---------------------------------------------------------------------------------------
 * Classification.
 */
static void test_csum(void)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM);
    struct ofnic_rx_cfg cfg = q_cfg(q);
    struct pkt *p = pkt_new();
    static const struct { bool v6; uint8_t proto; const char *name; } t[] = {
        { false, 6, "tcp4" }, { true, 6, "tcp6" }, { false, 17, "udp4" },
        { true, 17, "udp6" }, { false, 132, "sctp4" }, { true, 132, "sctp6" },
    };
    struct ofnic_rx_result *r = &q->res;
    unsigned int i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct pspec s = { .v6 = t[i].v6, .proto = t[i].proto, .payload = 333,
                           .seed = i };
        uint32_t okbits = OFNIC_RXC_L4_CSUM_OK | (t[i].v6 ? 0 : OFNIC_RXC_IP_CSUM_OK);

        build(p, &s);
        finish(p, t[i].proto);
        ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
        is(r->meta.status & (okbits | OFNIC_RXC_CSUM_ERR), okbits, "rx csum %s good", t[i].name);
        p->buf[p->len - 7] ^= 1;
        ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
        is(r->meta.status & (OFNIC_RXC_L4_CSUM_OK | OFNIC_RXC_CSUM_ERR), OFNIC_RXC_CSUM_ERR,
           "rx csum %s: a flipped payload bit is reported bad", t[i].name);
    }
    {
        struct pspec s = { .proto = 17, .payload = 40 };

        build(p, &s);
        finish(p, 17);
        p16(p->buf + p->l2 + 20 + 6, 0);
        ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
        is(r->meta.status & (OFNIC_RXC_L4_CSUM_OK | OFNIC_RXC_CSUM_ERR | OFNIC_RXC_IP_CSUM_OK),
           OFNIC_RXC_IP_CSUM_OK, "rx csum udp4 without checksum: not checked");

        build(p, &s);
        finish(p, 17);
        p->buf[p->l2 + 10] ^= 0x40;
        ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
        is(r->meta.status & (OFNIC_RXC_L4_CSUM_OK | OFNIC_RXC_CSUM_ERR | OFNIC_RXC_IP_CSUM_OK),
           OFNIC_RXC_CSUM_ERR, "rx csum: bad IPv4 header checksum");

        build(p, &s);
        p16(p->buf + p->l2 + 6, 0x2000);
        finish(p, 17);
        p->buf[p->len - 1] ^= 1;
        ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
        is(r->meta.status & (OFNIC_RXC_L4_CSUM_OK | OFNIC_RXC_CSUM_ERR | OFNIC_RXC_IP_CSUM_OK),
           OFNIC_RXC_IP_CSUM_OK, "rx csum: an IP fragment's L4 is not checked");

        /* Ethernet padding is not summed */
        s.payload = 2;
        build(p, &s);
        finish(p, 17);
        memset(p->buf + p->len, 0xee, 60 - p->len);
        ofnic_rx_classify(&cfg, p->buf, 60, q->scratch, r);
        is(r->meta.status & (OFNIC_RXC_L4_CSUM_OK | OFNIC_RXC_CSUM_ERR), OFNIC_RXC_L4_CSUM_OK,
           "rx csum: padded frame checked over the IP length");

        cfg.offload = 0;
        build(p, &s);
        finish(p, 17);
        ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
        is(r->meta.status & (OFNIC_RXC_L4_CSUM_OK | OFNIC_RXC_CSUM_ERR | OFNIC_RXC_IP_CSUM_OK),
           0, "rx csum off: nothing reported");
    }
    pkt_free(p);
    q_free(q);
}

static void test_vlan(void)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_VLAN_FILTER | OFNIC_OFFLOAD_VLAN_STRIP |
                          OFNIC_OFFLOAD_RX_CSUM);
    struct ofnic_rx_cfg cfg;
    struct pkt *p = pkt_new();
    struct pspec s = { .proto = 6, .ntags = 1, .payload = 64 };
    struct ofnic_rx_result *r = &q->res;

    build(p, &s); /* tag VID 100 */
    finish(p, 6);
    cfg = q_cfg(q);
    is(ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r), OFNIC_RXV_DROP_VLAN,
       "vlan filter: VID 100 not in the table is dropped");
    q->vlan_filter[100 / 32] |= 1u << (100 % 32);
    is(ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r), OFNIC_RXV_PASS,
       "vlan filter: VID 100 in the table passes");
    ok(r->len == p->len - 4 && (r->meta.status & OFNIC_RXC_VLAN) && r->meta.vlan_tci == 100 &&
       g16(r->frame + 12) == 0x0800 && !memcmp(r->frame + 14, p->buf + 18, p->len - 18),
       "vlan strip: tag removed and reported");
    ok(r->meta.status & OFNIC_RXC_L4_CSUM_OK, "vlan strip: checksums found after the tag");
    q->offload &= ~OFNIC_OFFLOAD_VLAN_STRIP;
    cfg = q_cfg(q);
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    ok(r->len == p->len && !(r->meta.status & OFNIC_RXC_VLAN) && r->frame == p->buf,
       "vlan strip off: frame as it came");
    s.ntags = 0;
    build(p, &s);
    finish(p, 6);
    is(ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r), OFNIC_RXV_PASS,
       "vlan filter: untagged frames pass");
    pkt_free(p);
    q_free(q);
}

static void set_rule(struct rxq *q, unsigned int r, unsigned int flow, unsigned int action,
                     unsigned int queue, unsigned int ctx, uint16_t dport)
{
    uint32_t *w = q->ntuple[r];

    memset(w, 0, sizeof(q->ntuple[r]));
    w[0] = OFNIC_NTUPLE_VALID | flow << 4 | action << 8;
    w[1] = queue | ctx << 8;
    w[2] = (uint32_t)dport << 16;
    w[3] = dport ? 0xffff0000u : 0;
    /* destination address 192.168.0.2 (packet order), full mask */
    w[12] = 0x0200a8c0;
    w[16] = 0xffffffff;
}

static void test_steering(void)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RSS | OFNIC_OFFLOAD_NTUPLE);
    struct ofnic_rx_cfg cfg;
    struct pkt *p = pkt_new();
    struct pspec s = { .proto = 6, .payload = 10 };
    struct ofnic_rx_result *r = &q->res;
    uint32_t h0, q0;
    unsigned int i;

    build(p, &s);
    finish(p, 6);
    cfg = q_cfg(q);
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    h0 = r->meta.rss_hash;
    q0 = r->queue;
    ok(((r->meta.status & OFNIC_RXC_HASH_TYPE_MASK) >> 8) == OFNIC_RXC_HASH_L4 && r->rule < 0 &&
       q0 == q->rss[0].indir[h0 % OFNIC_RSS_INDIR_SIZE],
       "rss: L4 hash, queue from context 0's table");

    set_rule(q, 3, OFNIC_FLOW_TCP4, OFNIC_NTUPLE_ACTION_QUEUE, 6, 0, 5001);
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    ok(r->queue == 6 && r->rule == 3 && (r->meta.status & OFNIC_RXC_NTUPLE) &&
       r->meta.rss_hash == h0, "ntuple: tcp4 dport 5001 to queue 6 (hash still reported)");

    set_rule(q, 1, OFNIC_FLOW_IP4, OFNIC_NTUPLE_ACTION_DROP, 0, 0, 0);
    is(ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r), OFNIC_RXV_DROP_NTUPLE,
       "ntuple: the lowest matching rule (ip4 drop) wins");
    q->ntuple[1][0] = 0;

    set_rule(q, 2, OFNIC_FLOW_UDP4, OFNIC_NTUPLE_ACTION_DROP, 0, 0, 5001);
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    is(r->rule, 3, "ntuple: a udp4 rule does not match tcp4");

    /* context 2 with its own key and table, queue offset 4 */
    for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++) {
        q->rss[2].indir[i] = 1;
    }
    q->rss[2].enabled = true;
    set_rule(q, 0, OFNIC_FLOW_TCP4, OFNIC_NTUPLE_ACTION_CONTEXT, 4, 2, 5001);
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    ok(r->queue == 5 && r->rule == 0 && r->meta.rss_hash != h0,
       "ntuple: to RSS context 2 (own key), table entry 1 + offset 4 = queue 5");

    q->rss[2].enabled = false;
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    ok(r->bad_rule && r->queue == q0 && !(r->meta.status & OFNIC_RXC_NTUPLE),
       "ntuple: a rule naming a missing context falls back to context 0");

    set_rule(q, 0, OFNIC_FLOW_TCP4, OFNIC_NTUPLE_ACTION_QUEUE, 200, 0, 5001);
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    ok(r->bad_rule && r->queue == q0, "ntuple: a rule naming queue 200 of 8 falls back to RSS");

    q->offload &= ~OFNIC_OFFLOAD_NTUPLE;
    q->rss[0].indir[h0 % OFNIC_RSS_INDIR_SIZE] = 13;
    cfg = q_cfg(q);
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    ok(r->queue == 13 % 8 && r->bad_queue == 13 && r->rule < 0,
       "rss: an indirection entry past the queue count wraps and is reported");

    q->offload = 0;
    cfg = q_cfg(q);
    ofnic_rx_classify(&cfg, p->buf, p->len, q->scratch, r);
    ok(r->queue == 0 && !(r->meta.status & OFNIC_RXC_HASH_TYPE_MASK), "no RSS: queue 0, no hash");
    pkt_free(p);
    q_free(q);
}

/* Random frames through classify and coalescing: no crash, every frame accounted. */
static void test_random(void)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO |
                          OFNIC_OFFLOAD_VLAN_STRIP | OFNIC_OFFLOAD_RSS);
    struct pkt *p = pkt_new();
    uint32_t x = 12345;
    unsigned int i, bad = 0;

    for (i = 0; i < 20000; i++) {
        struct pspec s;
        unsigned int j, n;

        x = x * 1103515245u + 12345;
        s = tcp(x & 1, 1000 + ((x >> 3) & 3) * PAYLOAD, (x >> 5) % 3 ? PAYLOAD : 0);
        s.ntags = (x >> 8) & 1;
        s.tcp_flags |= (x >> 9) % 7 ? 0 : TCPF_PSH;
        s.tcp_opt_len = ((x >> 11) & 1) * 12;
        build(p, &s);
        finish(p, 6);
        n = (x >> 13) % 4;
        for (j = 0; j < n; j++) { /* corrupt a few bytes */
            x = x * 1103515245u + 12345;
            p->buf[(x >> 8) % p->len] ^= (uint8_t)(x >> 24);
        }
        if (i % 1000 == 999) {
            q->offload ^= OFNIC_OFFLOAD_LRO | OFNIC_OFFLOAD_HW_GRO;
        }
        q->now = i;
        q_rx(q, p);
        if (q->nout > OUT_MAX / 2) {
            for (j = 0; j < q->nout; j++) {
                struct ofnic_pkt_info pi;
                uint32_t sum;

                if (q->out[j].meta.status & OFNIC_RXC_COALESCED) {
                    ofnic_parse(q->out[j].buf, q->out[j].len, &pi);
                    bad += !(ofnic_rx_csum(q->out[j].buf, q->out[j].len, &pi, &sum) &
                             OFNIC_RXC_L4_CSUM_OK);
                }
            }
            q_clear(q);
        }
    }
    is(bad, 0, "random frames: every coalesced frame has a valid checksum");
    pkt_free(p);
    q_free(q);
}

/*
 * Garbage of every length up to a jumbo frame, and truncations of valid frames, through
 * classification and coalescing with every offload on: ASan/UBSan watch every access.
 */
static void test_garbage(void)
{
    struct rxq *q = q_new(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_HW_GRO | OFNIC_OFFLOAD_RSS |
                          OFNIC_OFFLOAD_NTUPLE | OFNIC_OFFLOAD_VLAN_STRIP |
                          OFNIC_OFFLOAD_VLAN_FILTER);
    struct pkt *p = pkt_new();
    uint32_t x = 777;
    unsigned int i, n = 0;

    memset(q->vlan_filter, 0xff, sizeof(q->vlan_filter));
    set_rule(q, 0, OFNIC_FLOW_IP6, OFNIC_NTUPLE_ACTION_CONTEXT, 250, 3, 0);
    for (i = 0; i < 30000; i++) {
        struct pspec s = tcp((i >> 1) & 1, 1000, (i * 37) % 1500);
        size_t len, j;

        x = x * 1103515245u + 12345;
        s.ntags = (x >> 4) % 3;
        s.next = (i & 1) && s.v6 ? 1 : 0;
        s.ext[0] = (struct ext_spec){ .type = 60, .len = 8 };
        build(p, &s);
        finish(p, 6);
        len = p->len;
        if (i % 3 == 0) {
            len = (x >> 8) % (p->len + 1);          /* truncated */
        } else if (i % 3 == 1) {
            len = (x >> 8) % OFNIC_MAX_FRAME;       /* garbage after a valid start */
            for (j = 14 + (x & 63); j < len; j++) {
                x = x * 1103515245u + 12345;
                p->buf[j] = (uint8_t)(x >> 24);
            }
        }
        q->now = i;
        q_rx(q, &(struct pkt){ .buf = p->buf, .len = len });
        if (q->nout > OUT_MAX / 2) {
            n += q->nout;
            q_clear(q);
        }
    }
    q_flush(q);
    n += q->nout;
    ok(n > 0, "30000 truncated and garbage frames: no bad access (%u delivered)", n);
    pkt_free(p);
    q_free(q);
}

int main(void)
{
    unsigned int v;

    plan(140);

    for (v = 0; v < 2; v++) {
        test_gro_data(v);
        test_gro_flags(v);
        test_gro_tcp(v);
        test_gro_ip(v);
        test_gro_large(v);
    }
    test_lro();
    test_timeout_evict_busy();
    test_csum();
    test_vlan();
    test_steering();
    test_random();
    test_garbage();
    return done_testing();
}
