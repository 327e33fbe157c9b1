/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TX offloads: ofnic_tx_offload(). Every output frame is re-parsed by txo_util.h's
 * own parser and checksum code and compared with the original packet.
 */
#include "txo_util.h"

static struct sink sk;
static struct pkt *p;

static enum ofnic_txo_err run_caps(const struct ofnic_tx_ctx_desc *c, uint64_t caps,
                                   struct ofnic_txo_result *res)
{
    struct ofnic_txo_cfg cfg = { .caps = caps, .frag6_id = 0x1234 };

    sink_reset(&sk);
    return ofnic_tx_offload(&cfg, c, p->buf, p->len, sink_emit, &sk, res);
}

static enum ofnic_txo_err run(const struct ofnic_tx_ctx_desc *c, struct ofnic_txo_result *res)
{
    return run_caps(c, ALL_CAPS, res);
}

static struct pspec tcp4(uint32_t payload)
{
    struct pspec s = { .proto = 6, .payload = payload, .tcp_flags = TCPF_ACK,
                       .ip_id = 0xfff0, .seq = 0xfffff000u, .df = true, .seed = 1 };

    return s;
}

static struct pspec tcp6(uint32_t payload)
{
    struct pspec s = tcp4(payload);

    s.v6 = true;
    return s;
}

static struct pspec udp(bool v6, uint32_t payload)
{
    struct pspec s = { .v6 = v6, .proto = 17, .payload = payload, .ip_id = 77, .seed = 2 };

    return s;
}

/* Full check of one segmentation request that must succeed. */
static void seg_ok(const char *name, unsigned int seg, unsigned int extra, unsigned int mss,
                   unsigned int nframes)
{
    struct ofnic_tx_ctx_desc c = mkctx(seg | extra, mss, p);
    struct ofnic_txo_result res;
    struct vexp ex = { .vlan = extra & OFNIC_TXC_VLAN, .tci = 0xa123,
                       .fixedid = extra & OFNIC_TXC_FIXEDID };
    size_t bytes = 0;
    unsigned int i;

    c.vlan_tci = ofnic_cpu_to_le16(0xa123);
    is(run(&c, &res), OFNIC_TXOE_NONE, "%s: accepted", name);
    is(sk.n, nframes, "%s: %u frames", name, nframes);
    ok(verify_seg(name, p, seg, mss, &sk, &ex), "%s: every frame valid, payload intact", name);
    for (i = 0; i < sk.n; i++) {
        bytes += sk.f[i].len;
    }
    ok(res.frames == sk.n && res.bytes == bytes, "%s: result counts frames and bytes", name);
    is(res.vlan_tags, ex.vlan ? sk.n : 0, "%s: VLAN tags counted", name);
}

/* ---------------------------------------------------------------------------------------
 * Checksum insertion without segmentation.
 */
static void test_csum(void)
{
    struct pspec s = tcp4(1000);
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;
    struct pf r;
    const char *why = "";
    unsigned int l4off;

    build(p, &s);
    seed_l4(p, 6);
    l4off = p->l2 + p->l3;
    c = mkctx(OFNIC_TXC_L4_CSUM | OFNIC_TXC_IP4_CSUM, 0, p);
    c.csum_start = ofnic_cpu_to_le16((uint16_t)l4off);
    c.csum_offset = 16;
    is(run(&c, &res), OFNIC_TXOE_NONE, "csum tcp4: accepted");
    is(sk.n, 1, "csum tcp4: one frame");
    ok(sk.n == 1 && sk.f[0].len == p->len, "csum tcp4: same length");
    ok(sk.n == 1 && pf_parse(sk.f[0].d, sk.f[0].len, &r, &why), "csum tcp4: TCP and IP checksums valid (%s)", why);
    ok(res.l4_csums == 1 && res.ip4_csums == 1 && res.sctp_crcs == 0, "csum tcp4: counted");
    ok(sk.n == 1 && !memcmp(sk.f[0].d + l4off + 20, p->orig + l4off + 20, 1000),
       "csum tcp4: payload untouched");
    ok(sk.n == 1 && sk.f[0].iovcnt == 1 && sk.f[0].d != p->buf, "csum tcp4: one piece");

    /* UDP over IPv6, odd length, seeded */
    s = udp(true, 333);
    build(p, &s);
    seed_l4(p, 17);
    c = mkctx(OFNIC_TXC_L4_CSUM, 0, p);
    c.csum_start = ofnic_cpu_to_le16((uint16_t)(p->l2 + p->l3));
    c.csum_offset = 6;
    is(run(&c, &res), OFNIC_TXOE_NONE, "csum udp6 odd length: accepted");
    ok(sk.n == 1 && pf_parse(sk.f[0].d, sk.f[0].len, &r, &why), "csum udp6 odd length: valid (%s)", why);

    /* A UDP checksum that computes to 0 is sent as 0xffff. */
    {
        uint8_t *uh = p->buf + p->l2 + p->l3;
        uint8_t *last = p->buf + p->len - 2;
        uint32_t sum;
        uint16_t need;

        s = udp(false, 100);
        build(p, &s);
        seed_l4(p, 17);
        uh = p->buf + p->l2 + p->l3;
        last = p->buf + p->len - 2;
        /* choose the last word so that the folded sum is 0xffff, i.e. checksum 0 */
        p16(last, 0);
        sum = t_sum(0, uh, p->len - p->l2 - p->l3);
        need = (uint16_t)~t_fold(sum);          /* folded sum so far */
        p16(last, (uint16_t)(0xffff - need));
        ok(t_fold(t_sum(0, uh, p->len - p->l2 - p->l3)) == 0, "csum zero: set up");
        c = mkctx(OFNIC_TXC_L4_CSUM | OFNIC_TXC_IP4_CSUM, 0, p);
        c.csum_start = ofnic_cpu_to_le16((uint16_t)(p->l2 + p->l3));
        c.csum_offset = 6;
        is(run(&c, &res), OFNIC_TXOE_NONE, "csum zero: accepted");
        ok(sk.n == 1 && g16(sk.f[0].d + p->l2 + p->l3 + 6) == 0xffff, "csum zero: sent as 0xffff");
        ok(sk.n == 1 && pf_parse(sk.f[0].d, sk.f[0].len, &r, &why), "csum zero: valid (%s)", why);
    }

    /* Odd csum_start: generic sum over an arbitrary range. */
    s = tcp4(200);
    build(p, &s);
    c = mkctx(OFNIC_TXC_L4_CSUM, 0, p);
    c.csum_start = ofnic_cpu_to_le16(61);
    c.csum_offset = 3;
    p16(p->buf + 64, 0x1234);
    is(run(&c, &res), OFNIC_TXOE_NONE, "csum odd start: accepted");
    if (sk.n == 1) {
        uint16_t got = g16(sk.f[0].d + 64);

        p16(sk.f[0].d + 64, 0x1234);    /* the sum covers the seed in the field */
        is(got, t_fold(t_sum(0, sk.f[0].d + 61, p->len - 61)),
           "csum odd start: sum of the range with the seed");
    } else {
        ok(0, "csum odd start: one frame");
    }

    /* IPv4 header checksum alone */
    s = tcp4(10);
    s.ip4_opt_len = 8;
    build(p, &s);
    p16(p->buf + p->l2 + 10, 0xbeef);
    c = mkctx(OFNIC_TXC_IP4_CSUM, 0, p);
    c.l4_len = 0;
    is(run(&c, &res), OFNIC_TXOE_NONE, "ip4 csum with options: accepted");
    ok(sk.n == 1 && t_fold(t_sum(0, sk.f[0].d + p->l2, p->l3)) == 0, "ip4 csum with options: valid");
    ok(sk.n == 1 && !memcmp(sk.f[0].d + p->l2 + p->l3, p->orig + p->l2 + p->l3, p->len - p->l2 - p->l3),
       "ip4 csum: rest untouched");
}

static void test_sctp(void)
{
    static const uint8_t v[9] = "123456789";
    struct pspec s = { .proto = 132, .payload = 300, .seed = 3 };
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;
    unsigned int off;
    uint32_t crc;
    uint8_t *f;

    is(~ofnic_crc32c(~0u, v, 9), 0xe3069283, "crc32c check value");
    build(p, &s);
    off = p->l2 + p->l3;
    p32(p->buf + off + 8, 0x55555555);    /* garbage in the field: the device zeroes it */
    c = mkctx(OFNIC_TXC_SCTP_CRC | OFNIC_TXC_IP4_CSUM, 0, p);
    c.csum_start = ofnic_cpu_to_le16((uint16_t)off);
    c.csum_offset = 8;
    is(run(&c, &res), OFNIC_TXOE_NONE, "sctp: accepted");
    is(res.sctp_crcs, 1, "sctp: counted");
    if (sk.n != 1) {
        ok(0, "sctp: one frame");
        return;
    }
    f = sk.f[0].d;
    crc = (uint32_t)f[off + 8] | (uint32_t)f[off + 9] << 8 | (uint32_t)f[off + 10] << 16 |
          (uint32_t)f[off + 11] << 24;
    memset(f + off + 8, 0, 4);
    is(crc, t_crc32c(f + off, sk.f[0].len - off), "sctp: CRC32c little-endian over the packet");
}

static void test_vlan_plain(void)
{
    struct pspec s = tcp4(100);
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;

    build(p, &s);
    c = mkctx(OFNIC_TXC_VLAN, 0, p);
    c.vlan_tci = ofnic_cpu_to_le16(0x2005);
    is(run(&c, &res), OFNIC_TXOE_NONE, "vlan: accepted");
    ok(sk.n == 1 && sk.f[0].len == p->len + 4, "vlan: 4 bytes longer");
    ok(sk.n == 1 && !memcmp(sk.f[0].d, p->orig, 12) && g16(sk.f[0].d + 12) == 0x8100 &&
       g16(sk.f[0].d + 14) == 0x2005 && !memcmp(sk.f[0].d + 16, p->orig + 12, p->len - 12),
       "vlan: tag after the MAC addresses");
    ok(sk.n == 1 && sk.f[0].iovcnt == 2, "vlan: tag + packet, no copy of the packet");
    is(res.vlan_tags, 1, "vlan: counted");

    /* a frame that already carries a tag gets a second (outer) one */
    s.ntags = 1;
    build(p, &s);
    c = mkctx(OFNIC_TXC_VLAN, 0, p);
    c.vlan_tci = ofnic_cpu_to_le16(7);
    is(run(&c, &res), OFNIC_TXOE_NONE, "vlan on tagged: accepted");
    ok(sk.n == 1 && g16(sk.f[0].d + 14) == 7 && g16(sk.f[0].d + 16) == 0x8100 &&
       g16(sk.f[0].d + 18) == 100, "vlan on tagged: new tag outermost");
}

/* ---------------------------------------------------------------------------------------
 * TSO.
 */
static void test_tso4(void)
{
    struct pspec s = tcp4(10000);
    struct pf r;
    const char *why;
    unsigned int i;

    s.ip4_opt_len = 12;
    s.tcp_opt_len = 12;
    s.tos = 0x02;       /* ECT(0) */
    s.tcp_flags = TCPF_ACK | TCPF_CWR | TCPF_ECE | TCPF_PSH | TCPF_FIN;
    build(p, &s);
    seg_ok("tso4 options+flags", OFNIC_TXC_SEG_TCP4, 0, 1448, 7);
    for (i = 0; i < sk.n; i++) {
        pf_parse(sk.f[i].d, sk.f[i].len, &r, &why);
    }
    ok(sk.n == 7 && (sk.f[0].d[p->l2 + p->l3 + 13] & TCPF_CWR) &&
       !(sk.f[1].d[p->l2 + p->l3 + 13] & TCPF_CWR), "tso4: CWR on the first segment only");
    ok(sk.n == 7 && (sk.f[6].d[p->l2 + p->l3 + 13] & (TCPF_FIN | TCPF_PSH)) == (TCPF_FIN | TCPF_PSH) &&
       !(sk.f[5].d[p->l2 + p->l3 + 13] & (TCPF_FIN | TCPF_PSH)), "tso4: FIN and PSH on the last only");
    ok(sk.n == 7 && (sk.f[3].d[p->l2 + p->l3 + 13] & TCPF_ECE) && sk.f[3].d[p->l2 + 1] == 0x02,
       "tso4: ECE and IP ECN bits kept");
    ok(sk.n == 7 && g16(sk.f[0].d + p->l2 + 4) == 0xfff0 && g16(sk.f[6].d + p->l2 + 4) == 0xfff6 &&
       g16(sk.f[6].d + p->l2 + 6) == 0x4000, "tso4: IDs increment, DF kept");
    ok(sk.n == 7 && sk.f[6].len == p->l2 + p->l3 + p->l4 + 10000 - 6 * 1448,
       "tso4: last segment shorter");
    ok(sk.n == 7 && sk.f[0].iovcnt == 2, "tso4: header + payload slice");

    seg_ok("tso4 fixedid", OFNIC_TXC_SEG_TCP4, OFNIC_TXC_FIXEDID, 1448, 7);
    ok(sk.n == 7 && g16(sk.f[6].d + p->l2 + 4) == 0xfff0, "tso4 fixedid: ID of the first segment");

    seg_ok("tso4 vlan", OFNIC_TXC_SEG_TCP4, OFNIC_TXC_VLAN, 1448, 7);
    /* the L4_CSUM and IP4_CSUM bits are accepted and implied */
    seg_ok("tso4 with csum bits", OFNIC_TXC_SEG_TCP4, OFNIC_TXC_L4_CSUM | OFNIC_TXC_IP4_CSUM,
           1000, 10);

    s = tcp4(4000);
    build(p, &s);
    seg_ok("tso4 exact multiple", OFNIC_TXC_SEG_TCP4, 0, 1000, 4);
    ok(sk.n == 4 && sk.f[3].len == p->l2 + p->l3 + p->l4 + 1000, "tso4 exact multiple: last full");
    seg_ok("tso4 one segment", OFNIC_TXC_SEG_TCP4, 0, 8000, 1);
    s = tcp4(0);
    s.tcp_flags = TCPF_ACK | TCPF_FIN;
    build(p, &s);
    seg_ok("tso4 no payload", OFNIC_TXC_SEG_TCP4, 0, 1000, 1);
    s = tcp4(OFNIC_TSO_MAX_PAYLOAD);
    s.ntags = 2;
    build(p, &s);
    seg_ok("tso4 64 KiB at min mss, QinQ in frame", OFNIC_TXC_SEG_TCP4, 0, OFNIC_TSO_MIN_MSS,
           OFNIC_TSO_MAX_PAYLOAD / OFNIC_TSO_MIN_MSS);
    s = tcp4(30000);
    s.ip4_opt_len = 40;
    s.tcp_opt_len = 40;
    build(p, &s);
    seg_ok("tso4 max options, jumbo mss", OFNIC_TXC_SEG_TCP4, OFNIC_TXC_VLAN,
           OFNIC_MAX_FRAME - 4 - 14 - 60 - 60, 4);
}

static void test_tso6(void)
{
    struct pspec s = tcp6(20000);

    build(p, &s);
    seg_ok("tso6", OFNIC_TXC_SEG_TCP6, 0, 1440, 14);
    seg_ok("tso6 vlan", OFNIC_TXC_SEG_TCP6, OFNIC_TXC_VLAN, 1440, 14);
    /* FIXEDID is meaningless for IPv6 and ignored */
    seg_ok("tso6 fixedid ignored", OFNIC_TXC_SEG_TCP6, OFNIC_TXC_FIXEDID, 1440, 14);

    s.next = 3;
    s.ext[0] = (struct ext_spec){ .type = 0, .len = 8 };
    s.ext[1] = (struct ext_spec){ .type = 60, .len = 16 };
    s.ext[2] = (struct ext_spec){ .type = 43, .len = 24, .segs_left = 0 };
    s.tcp_opt_len = 12;
    s.tos = 0x03;
    s.tcp_flags = TCPF_ACK | TCPF_CWR | TCPF_PSH;
    build(p, &s);
    is(p->l3, 88, "tso6 ext: 48 bytes of extension headers");
    seg_ok("tso6 ext headers", OFNIC_TXC_SEG_TCP6, OFNIC_TXC_VLAN, 1000, 20);
    s.payload = 20001;
    build(p, &s);
    seg_ok("tso6 ext headers, odd tail", OFNIC_TXC_SEG_TCP6, 0, 1000, 21);
}

/* ---------------------------------------------------------------------------------------
 * USO and UFO.
 */
static void test_uso(void)
{
    struct pspec s = udp(false, 9000);

    s.ip4_opt_len = 4;
    build(p, &s);
    seg_ok("uso4", OFNIC_TXC_SEG_UDP4, 0, 1400, 7);
    ok(sk.n == 7 && g16(sk.f[6].d + p->l2 + 4) == 77 + 6, "uso4: IDs increment");
    seg_ok("uso4 fixedid", OFNIC_TXC_SEG_UDP4, OFNIC_TXC_FIXEDID, 1400, 7);
    seg_ok("uso4 exact", OFNIC_TXC_SEG_UDP4, OFNIC_TXC_VLAN, 1000, 9);
    s = udp(true, 9001);
    s.next = 1;
    s.ext[0] = (struct ext_spec){ .type = 60, .len = 8 };
    build(p, &s);
    seg_ok("uso6 dstopts", OFNIC_TXC_SEG_UDP6, 0, 1232, 8);
    seg_ok("uso6 vlan", OFNIC_TXC_SEG_UDP6, OFNIC_TXC_VLAN, 1232, 8);
}

static void test_ufo4(void)
{
    /* NOP, record route (not copied, 11 bytes), NOP, security-like copied option (4 bytes) */
    static const uint8_t opts[16] = { 1, 7, 7, 4, 0, 0, 0, 0, 1, 1, 1, 1, 0x82, 4, 0xab, 0xcd };
    struct pspec s = udp(false, 5000);
    unsigned int i;
    bool nopped = true, first_kept;

    s.ip4_opt_len = 16;
    s.ip4_opts = opts;
    build(p, &s);
    /* 5008 bytes of UDP in 1480-byte fragments */
    seg_ok("ufo4 options", OFNIC_TXC_SEG_UFO4, 0, 1480, 4);
    first_kept = sk.n == 4 && !memcmp(sk.f[0].d + p->l2 + 20, opts, 16);
    for (i = 1; i < sk.n; i++) {
        const uint8_t *o = sk.f[i].d + p->l2 + 20;

        nopped &= !memcmp(o, "\1\1\1\1\1\1\1\1\1\1\1\1", 12) && !memcmp(o + 12, opts + 12, 4);
    }
    ok(first_kept, "ufo4: first fragment keeps every option");
    ok(sk.n == 4 && nopped, "ufo4: later fragments keep copied options, NOP the rest");
    ok(sk.n == 4 && g16(sk.f[1].d + p->l2 + 6) == (0x2000 | 185) &&
       g16(sk.f[3].d + p->l2 + 6) == 3 * 185, "ufo4: MF and offsets");

    seg_ok("ufo4 vlan", OFNIC_TXC_SEG_UFO4, OFNIC_TXC_VLAN, 1480, 4);
    s = udp(false, 1000);
    s.df = true;
    build(p, &s);
    seg_ok("ufo4 fits: one datagram, DF allowed", OFNIC_TXC_SEG_UFO4, 0, 1480, 1);
    s = udp(false, 2952);       /* 2960 = 2 * 1480: exact */
    build(p, &s);
    seg_ok("ufo4 exact multiple", OFNIC_TXC_SEG_UFO4, 0, 1480, 2);
    s = udp(false, 0xffff - 20 - 8);
    build(p, &s);
    seg_ok("ufo4 largest datagram", OFNIC_TXC_SEG_UFO4, 0, 8000, 9);
}

static void test_ufo6(void)
{
    struct pspec s = udp(true, 4000);
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;
    struct ofnic_txo_cfg cfg = { .caps = ALL_CAPS, .frag6_id = 0xfffffffe };
    struct pf r;
    const char *why = "";

    build(p, &s);
    seg_ok("ufo6", OFNIC_TXC_SEG_UFO6, 0, 1448, 3);
    ok(sk.n == 3 && pf_parse(sk.f[0].d, sk.f[0].len, &r, &why) && r.frag_id == 0x1234 &&
       r.iphl == 40 && r.frag_nh == 17, "ufo6: fragment header right after the IPv6 header");

    /* hop-by-hop, routing (unfragmentable), destination options after routing (fragmentable) */
    s.next = 3;
    s.ext[0] = (struct ext_spec){ .type = 0, .len = 8 };
    s.ext[1] = (struct ext_spec){ .type = 43, .len = 24 };
    s.ext[2] = (struct ext_spec){ .type = 60, .len = 16 };
    build(p, &s);
    seg_ok("ufo6 ext headers", OFNIC_TXC_SEG_UFO6, OFNIC_TXC_VLAN, 1448, 3);
    ok(sk.n == 3 && pf_parse(sk.f[1].d + 0, sk.f[1].len, &r, &why) && r.iphl == 72 &&
       r.frag_nh == 60 && r.frag_off == 1448, "ufo6: after hop-by-hop + routing, names dstopts");

    /* destination options without a routing header stay unfragmentable */
    s.next = 1;
    s.ext[0] = (struct ext_spec){ .type = 60, .len = 8 };
    build(p, &s);
    seg_ok("ufo6 dstopts", OFNIC_TXC_SEG_UFO6, 0, 1448, 3);
    ok(sk.n == 3 && pf_parse(sk.f[0].d, sk.f[0].len, &r, &why) && r.iphl == 48,
       "ufo6: lone dstopts unfragmentable");

    /* the ID counter advances once per fragmented packet, wrapping */
    c = mkctx(OFNIC_TXC_SEG_UFO6, 1448, p);
    sink_reset(&sk);
    ofnic_tx_offload(&cfg, &c, p->buf, p->len, sink_emit, &sk, &res);
    sink_reset(&sk);
    ofnic_tx_offload(&cfg, &c, p->buf, p->len, sink_emit, &sk, &res);
    ok(pf_parse(sk.f[0].d, sk.f[0].len, &r, &why) && r.frag_id == 0xffffffff && cfg.frag6_id == 0,
       "ufo6: ID from the per-device counter, +1 per packet");

    s = udp(true, 100);
    build(p, &s);
    cfg.frag6_id = 5;
    c = mkctx(OFNIC_TXC_SEG_UFO6, 1448, p);
    sink_reset(&sk);
    ofnic_tx_offload(&cfg, &c, p->buf, p->len, sink_emit, &sk, &res);
    ok(sk.n == 1 && cfg.frag6_id == 5, "ufo6 fits: unfragmented, no ID used");
    seg_ok("ufo6 fits", OFNIC_TXC_SEG_UFO6, 0, 1448, 1);
}

/* ---------------------------------------------------------------------------------------
 * Validation: every drop reason, and nothing emitted.
 */
static void drop(const char *name, struct ofnic_tx_ctx_desc c, uint64_t caps,
                 enum ofnic_txo_err want, unsigned int gstat)
{
    struct ofnic_txo_result res;

    is(run_caps(&c, caps, &res), want, "drop %s: %s", name, ofnic_txo_err_str(want));
    ok(sk.n == 0 && res.frames == 0 && res.err == want, "drop %s: nothing emitted", name);
    is(ofnic_txo_err_gstat(want), gstat, "drop %s: counter", name);
}

#define CTX(off, mss) mkctx((off), (mss), p)

static void test_drops(void)
{
    struct pspec s = tcp4(3000);
    struct ofnic_tx_ctx_desc c;
    uint8_t *ip, *th;
    unsigned int i;

    build(p, &s);
    ip = p->buf + p->l2;
    th = ip + p->l3;

    drop("reserved bit", (c = CTX(0x8000, 0)), ALL_CAPS, OFNIC_TXOE_RESERVED,
         OFNIC_GSTAT_TX_DROP_DESC);
    drop("seg type 7", (c = CTX(7, 1000)), ALL_CAPS, OFNIC_TXOE_RESERVED, OFNIC_GSTAT_TX_DROP_DESC);
    drop("outer bits alone", (c = CTX(OFNIC_TXC_OUTER_UDP_CSUM, 0)), ALL_CAPS,
         OFNIC_TXOE_RESERVED, OFNIC_GSTAT_TX_DROP_DESC);
    drop("csum + crc", (c = CTX(OFNIC_TXC_L4_CSUM | OFNIC_TXC_SCTP_CRC, 0)), ALL_CAPS,
         OFNIC_TXOE_CONFLICT, OFNIC_GSTAT_TX_DROP_DESC);
    drop("crc + tso", (c = CTX(OFNIC_TXC_SCTP_CRC | OFNIC_TXC_SEG_TCP4, 1000)), ALL_CAPS,
         OFNIC_TXOE_CONFLICT, OFNIC_GSTAT_TX_DROP_DESC);
    drop("tunnel without its capability", (c = CTX(OFNIC_TXC_TUNNEL | OFNIC_TXC_SEG_TCP4, 1000)),
         ALL_CAPS, OFNIC_TXOE_NO_CAP, OFNIC_GSTAT_TX_DROP_UNSUPP);

    {
        static const struct {
            unsigned int off;
            uint64_t cap;
            const char *name;
        } caps[] = {
            { OFNIC_TXC_L4_CSUM, OFNIC_CAP_TX_CSUM, "no TX_CSUM" },
            { OFNIC_TXC_SCTP_CRC, OFNIC_CAP_TX_SCTP_CRC, "no TX_SCTP_CRC" },
            { OFNIC_TXC_IP4_CSUM, OFNIC_CAP_TX_IP4_CSUM, "no TX_IP4_CSUM" },
            { OFNIC_TXC_VLAN, OFNIC_CAP_TX_VLAN, "no TX_VLAN" },
            { OFNIC_TXC_SEG_TCP4, OFNIC_CAP_TSO4, "no TSO4" },
            { OFNIC_TXC_SEG_TCP6, OFNIC_CAP_TSO6, "no TSO6" },
            { OFNIC_TXC_SEG_UDP4, OFNIC_CAP_USO, "no USO (4)" },
            { OFNIC_TXC_SEG_UDP6, OFNIC_CAP_USO, "no USO (6)" },
            { OFNIC_TXC_SEG_UFO4, OFNIC_CAP_UFO, "no UFO (4)" },
            { OFNIC_TXC_SEG_UFO6, OFNIC_CAP_UFO, "no UFO (6)" },
            { OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_FIXEDID, OFNIC_CAP_TSO_MANGLEID, "no MANGLEID" },
        };

        for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
            drop(caps[i].name, (c = CTX(caps[i].off, 1000)), ALL_CAPS & ~caps[i].cap,
                 OFNIC_TXOE_NO_CAP, OFNIC_GSTAT_TX_DROP_UNSUPP);
        }
    }
    th[13] |= TCPF_CWR;
    drop("CWR without TSO_ECN", (c = CTX(OFNIC_TXC_SEG_TCP4, 1000)),
         ALL_CAPS & ~OFNIC_CAP_TSO_ECN, OFNIC_TXOE_CWR, OFNIC_GSTAT_TX_DROP_UNSUPP);
    th[13] &= (uint8_t)~TCPF_CWR;
    c = CTX(OFNIC_TXC_SEG_TCP4, 1000);
    c.tun_len = 8;
    drop("tun_len", c, ALL_CAPS, OFNIC_TXOE_TUN_LENS, OFNIC_GSTAT_TX_DROP_HDR);
    c = CTX(OFNIC_TXC_SEG_TCP4, 1000);
    c.l2_len = 13;
    drop("l2_len 13", c, ALL_CAPS, OFNIC_TXOE_L2_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    c = CTX(OFNIC_TXC_SEG_TCP4, 1000);
    c.l2_len = 18;
    c.l3_len = 20;
    drop("l2_len 18 without a tag", c, ALL_CAPS, OFNIC_TXOE_L2_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    c = CTX(OFNIC_TXC_SEG_TCP4, 1000);
    c.l3_len = 200;
    c.l4_len = 60;
    drop("headers > 256", c, ALL_CAPS, OFNIC_TXOE_HDR_TOO_LONG, OFNIC_GSTAT_TX_DROP_HDR);
    c = CTX(OFNIC_TXC_IP4_CSUM, 0);
    c.l3_len = 250;
    c.l4_len = 0;
    drop("ip4 csum header > 256", c, ALL_CAPS, OFNIC_TXOE_HDR_TOO_LONG, OFNIC_GSTAT_TX_DROP_HDR);
    drop("tcp6 on ipv4", (c = CTX(OFNIC_TXC_SEG_TCP6, 1000)), ALL_CAPS, OFNIC_TXOE_IP_VERSION,
         OFNIC_GSTAT_TX_DROP_HDR);
    ip[0] = 0x65;
    drop("version 6 in an IPv4 EtherType", (c = CTX(OFNIC_TXC_SEG_TCP4, 1000)), ALL_CAPS,
         OFNIC_TXOE_IP_VERSION, OFNIC_GSTAT_TX_DROP_HDR);
    ip[0] = 0x46;
    drop("IHL 6 vs l3 20", (c = CTX(OFNIC_TXC_SEG_TCP4, 1000)), ALL_CAPS, OFNIC_TXOE_IP4_IHL,
         OFNIC_GSTAT_TX_DROP_HDR);
    c = CTX(OFNIC_TXC_IP4_CSUM, 0);
    drop("ip4 csum IHL mismatch", c, ALL_CAPS, OFNIC_TXOE_IP4_IHL, OFNIC_GSTAT_TX_DROP_HDR);
    ip[0] = 0x45;
    c = CTX(OFNIC_TXC_SEG_TCP4, 1000);
    c.l3_len = 16;
    drop("l3_len 16", c, ALL_CAPS, OFNIC_TXOE_IP4_IHL, OFNIC_GSTAT_TX_DROP_HDR);
    p16(ip + 6, 0x2000);
    drop("ipv4 MF", (c = CTX(OFNIC_TXC_SEG_TCP4, 1000)), ALL_CAPS, OFNIC_TXOE_IP_FRAG,
         OFNIC_GSTAT_TX_DROP_HDR);
    p16(ip + 6, 0x0010);
    drop("ipv4 offset", (c = CTX(OFNIC_TXC_SEG_TCP4, 1000)), ALL_CAPS, OFNIC_TXOE_IP_FRAG,
         OFNIC_GSTAT_TX_DROP_HDR);
    p16(ip + 6, 0);
    drop("tcp packet as USO", (c = CTX(OFNIC_TXC_SEG_UDP4, 1000)), ALL_CAPS, OFNIC_TXOE_L4_PROTO,
         OFNIC_GSTAT_TX_DROP_HDR);
    th[12] = 0x60;
    drop("doff 6 vs l4 20", (c = CTX(OFNIC_TXC_SEG_TCP4, 1000)), ALL_CAPS, OFNIC_TXOE_TCP_DOFF,
         OFNIC_GSTAT_TX_DROP_HDR);
    th[12] = 0x50;
    c = CTX(OFNIC_TXC_SEG_TCP4, 1000);
    c.l4_len = 16;
    drop("l4_len 16", c, ALL_CAPS, OFNIC_TXOE_TCP_DOFF, OFNIC_GSTAT_TX_DROP_HDR);
    c = CTX(OFNIC_TXC_L4_CSUM, 0);
    c.csum_start = ofnic_cpu_to_le16((uint16_t)p->len);
    drop("csum_start at end", c, ALL_CAPS, OFNIC_TXOE_CSUM_RANGE, OFNIC_GSTAT_TX_DROP_HDR);
    c.csum_start = ofnic_cpu_to_le16((uint16_t)(p->len - 200));
    c.csum_offset = 199;
    drop("csum field past end", c, ALL_CAPS, OFNIC_TXOE_CSUM_RANGE, OFNIC_GSTAT_TX_DROP_HDR);
    c = CTX(OFNIC_TXC_SCTP_CRC, 0);
    c.csum_start = ofnic_cpu_to_le16((uint16_t)(p->len - 4));
    c.csum_offset = 1;
    drop("crc field past end", c, ALL_CAPS, OFNIC_TXOE_CSUM_RANGE, OFNIC_GSTAT_TX_DROP_HDR);

    drop("mss 0", (c = CTX(OFNIC_TXC_SEG_TCP4, 0)), ALL_CAPS, OFNIC_TXOE_MSS_ZERO,
         OFNIC_GSTAT_TX_DROP_MSS);
    drop("mss 63", (c = CTX(OFNIC_TXC_SEG_TCP4, OFNIC_TSO_MIN_MSS - 1)), ALL_CAPS,
         OFNIC_TXOE_MSS_SMALL, OFNIC_GSTAT_TX_DROP_MSS);
    drop("mss over max frame", (c = CTX(OFNIC_TXC_SEG_TCP4, OFNIC_MAX_FRAME - 54 + 1)), ALL_CAPS,
         OFNIC_TXOE_MSS_FRAME, OFNIC_GSTAT_TX_DROP_MSS);
    drop("mss over max frame with tag", (c = CTX(OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_VLAN,
                                                  OFNIC_MAX_FRAME - 54 - 3)), ALL_CAPS,
         OFNIC_TXOE_MSS_FRAME, OFNIC_GSTAT_TX_DROP_MSS);
    c = CTX(OFNIC_TXC_SEG_TCP4, OFNIC_MAX_FRAME - 54);
    {
        struct ofnic_txo_result res;

        is(run(&c, &res), OFNIC_TXOE_NONE, "mss at max frame: accepted");
    }

    /* truncated headers: the packet ends inside the TCP header */
    s = tcp4(0);
    s.tcp_opt_len = 20;
    build(p, &s);
    p->len -= 10;
    drop("truncated", (c = CTX(OFNIC_TXC_SEG_TCP4, 1000)), ALL_CAPS, OFNIC_TXOE_HDR_TRUNC,
         OFNIC_GSTAT_TX_DROP_HDR);

    s = tcp4(OFNIC_TSO_MAX_PAYLOAD + 1);
    build(p, &s);
    drop("payload > 64 KiB", (c = CTX(OFNIC_TXC_SEG_TCP4, 1448)), ALL_CAPS,
         OFNIC_TXOE_PAYLOAD_LEN, OFNIC_GSTAT_TX_DROP_LEN);

    /* IPv6 */
    s = tcp6(3000);
    s.next = 2;
    s.ext[0] = (struct ext_spec){ .type = 0, .len = 8 };
    s.ext[1] = (struct ext_spec){ .type = 60, .len = 16 };
    build(p, &s);
    ip = p->buf + p->l2;
    c = CTX(OFNIC_TXC_SEG_TCP6, 1000);
    c.l3_len = 56;
    drop("l3_len inside the chain", c, ALL_CAPS, OFNIC_TXOE_IP6_EXT, OFNIC_GSTAT_TX_DROP_HDR);
    c.l3_len = 48;
    drop("l3_len cuts an ext header", c, ALL_CAPS, OFNIC_TXOE_IP6_EXT, OFNIC_GSTAT_TX_DROP_HDR);
    c.l3_len = 36;
    drop("l3_len < 40", c, ALL_CAPS, OFNIC_TXOE_IP6_EXT, OFNIC_GSTAT_TX_DROP_HDR);
    c = CTX(OFNIC_TXC_SEG_TCP6, 1000);
    c.l3_len = 64 + 20;
    c.l4_len = 0;
    drop("l3_len past the L4 header", c, ALL_CAPS, OFNIC_TXOE_IP6_EXT, OFNIC_GSTAT_TX_DROP_HDR);
    ip[41] = 3;         /* hop-by-hop claims 32 bytes */
    drop("ext header length disagrees", (c = CTX(OFNIC_TXC_SEG_TCP6, 1000)), ALL_CAPS,
         OFNIC_TXOE_IP6_EXT, OFNIC_GSTAT_TX_DROP_HDR);
    ip[41] = 0;
    drop("tcp4 on ipv6", (c = CTX(OFNIC_TXC_SEG_TCP4, 1000)), ALL_CAPS, OFNIC_TXOE_IP_VERSION,
         OFNIC_GSTAT_TX_DROP_HDR);
    drop("uso6 on tcp", (c = CTX(OFNIC_TXC_SEG_UDP6, 1000)), ALL_CAPS, OFNIC_TXOE_L4_PROTO,
         OFNIC_GSTAT_TX_DROP_HDR);
    ip[40] = 44;        /* hop-by-hop -> fragment header */
    drop("ipv6 fragment", (c = CTX(OFNIC_TXC_SEG_TCP6, 1000)), ALL_CAPS, OFNIC_TXOE_IP_FRAG,
         OFNIC_GSTAT_TX_DROP_HDR);
    ip[40] = 51;        /* AH: not walked */
    drop("ipv6 AH", (c = CTX(OFNIC_TXC_SEG_TCP6, 1000)), ALL_CAPS, OFNIC_TXOE_IP6_EXT,
         OFNIC_GSTAT_TX_DROP_HDR);
    s.ext[1] = (struct ext_spec){ .type = 43, .len = 24, .segs_left = 1 };
    build(p, &s);
    drop("routing header with segments left", (c = CTX(OFNIC_TXC_SEG_TCP6, 1000)), ALL_CAPS,
         OFNIC_TXOE_RTHDR, OFNIC_GSTAT_TX_DROP_UNSUPP);

    /* UDP */
    s = udp(false, 3000);
    build(p, &s);
    ip = p->buf + p->l2;
    c = CTX(OFNIC_TXC_SEG_UDP4, 1000);
    c.l4_len = 20;
    drop("udp l4_len 20", c, ALL_CAPS, OFNIC_TXOE_UDP_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    drop("ufo mss not multiple of 8", (c = CTX(OFNIC_TXC_SEG_UFO4, 1001)), ALL_CAPS,
         OFNIC_TXOE_MSS_ALIGN, OFNIC_GSTAT_TX_DROP_MSS);
    p16(ip + 6, 0x4000);
    drop("ufo4 DF", (c = CTX(OFNIC_TXC_SEG_UFO4, 1000)), ALL_CAPS, OFNIC_TXOE_IP4_DF,
         OFNIC_GSTAT_TX_DROP_HDR);
    s = udp(false, 0xffff - 20 - 8 + 1);
    build(p, &s);
    drop("ufo4 datagram > 65535", (c = CTX(OFNIC_TXC_SEG_UFO4, 1480)), ALL_CAPS,
         OFNIC_TXOE_PAYLOAD_LEN, OFNIC_GSTAT_TX_DROP_LEN);

    /* Without segmentation a frame is at most OFNIC_MAX_FRAME, an inserted tag included. */
    s = tcp4(OFNIC_MAX_FRAME - 14 - 20 - 20);
    build(p, &s);
    c = CTX(OFNIC_TXC_L4_CSUM, 0);
    c.csum_start = ofnic_cpu_to_le16(14 + 20);
    c.csum_offset = 16;
    {
        struct ofnic_txo_result res;

        is(run(&c, &res), OFNIC_TXOE_NONE, "csum frame of OFNIC_MAX_FRAME: sent");
        ok(sk.n == 1 && sk.f[0].len == OFNIC_MAX_FRAME, "csum frame of OFNIC_MAX_FRAME: whole");
    }
    c.offload = ofnic_cpu_to_le16(OFNIC_TXC_L4_CSUM | OFNIC_TXC_VLAN);
    drop("csum frame of OFNIC_MAX_FRAME + tag", c, ALL_CAPS, OFNIC_TXOE_FRAME_LEN,
         OFNIC_GSTAT_TX_DROP_LEN);
    s = tcp4(OFNIC_MAX_FRAME - 14 - 20 - 20 + 1);
    build(p, &s);
    c.offload = ofnic_cpu_to_le16(OFNIC_TXC_L4_CSUM);
    drop("csum frame of OFNIC_MAX_FRAME + 1", c, ALL_CAPS, OFNIC_TXOE_FRAME_LEN,
         OFNIC_GSTAT_TX_DROP_LEN);
    s = tcp4(60000);
    build(p, &s);
    drop("context without offloads, 60 KB", (c = CTX(0, 0)), ALL_CAPS, OFNIC_TXOE_FRAME_LEN,
         OFNIC_GSTAT_TX_DROP_LEN);
    {
        static const uint8_t bad[8] = { 7, 12, 4, 0, 0, 0, 0, 0 };   /* RR longer than options */

        s = udp(false, 3000);
        s.ip4_opt_len = 8;
        s.ip4_opts = bad;
        build(p, &s);
        drop("ufo4 bad options", (c = CTX(OFNIC_TXC_SEG_UFO4, 1000)), ALL_CAPS,
             OFNIC_TXOE_IP4_OPT, OFNIC_GSTAT_TX_DROP_HDR);
    }
    s = udp(true, 3000);
    s.next = 2;
    s.ext[0] = (struct ext_spec){ .type = 43, .len = 8 };
    s.ext[1] = (struct ext_spec){ .type = 60, .len = 64 };      /* fragmentable: 64 + 8 > 64 */
    build(p, &s);
    drop("ufo6 first fragment too small", (c = CTX(OFNIC_TXC_SEG_UFO6, 64)), ALL_CAPS,
         OFNIC_TXOE_MSS_UFO_HDR, OFNIC_GSTAT_TX_DROP_MSS);
    for (i = OFNIC_TXOE_NONE + 1; i < OFNIC_TXOE_NUM; i++) {
        if (!ofnic_txo_err_str(i) || !strcmp(ofnic_txo_err_str(i), "?")) {
            break;
        }
    }
    is(i, OFNIC_TXOE_NUM, "every drop reason has a name");
}

/* ---------------------------------------------------------------------------------------
 * IP tunnels (TUNNEL_IP): IPIP, IPv6 in IPv4 (sit), ip6tnl (destination options), GRE with
 * and without a key, gretap. The outer headers are checked by verify_ipt(), the inner frames
 * by verify_seg() as plain segments.
 */
#define IPT_CAPS (ALL_CAPS | OFNIC_CAP_IP_TUNNEL_TSO)      /* no UDP tunnel capability */

static struct pkt *in;
static struct sink inner;

/* The inner packet in: TCP (options, CWR/PSH/FIN) or UDP, payload bytes after the headers. */
static void ipt_inner(unsigned int seg, uint32_t payload)
{
    bool tcp = seg == OFNIC_TXC_SEG_TCP4 || seg == OFNIC_TXC_SEG_TCP6;
    struct pspec s = { .v6 = seg == OFNIC_TXC_SEG_TCP6 || seg == OFNIC_TXC_SEG_UDP6,
                       .proto = tcp ? 6 : 17, .payload = payload, .tcp_opt_len = 12,
                       .tcp_flags = TCPF_ACK | TCPF_CWR | TCPF_PSH | TCPF_FIN,
                       .ip_id = 0x4321, .seq = 0xfffffc00u, .df = true, .tos = 0x01,
                       .seed = 11 };

    build(in, &s);
}

static void ipt_ok(const char *name, const struct ipt_spec *o, unsigned int seg,
                   unsigned int extra, unsigned int mss, unsigned int nframes)
{
    unsigned int tun = ipt_wrap(p, in, o);
    struct ofnic_tx_ctx_desc c = ipt_ctx(seg | extra, mss, p, in, tun, o);
    struct vexp ex = { .fixedid = extra & OFNIC_TXC_FIXEDID };
    bool vlan = extra & OFNIC_TXC_VLAN;
    unsigned int v4 = !o->v6 + (seg == OFNIC_TXC_SEG_TCP4 || seg == OFNIC_TXC_SEG_UDP4);
    struct ofnic_txo_result res;
    size_t bytes = 0;
    unsigned int i;

    c.vlan_tci = ofnic_cpu_to_le16(0xa123);
    is(run_caps(&c, IPT_CAPS, &res), OFNIC_TXOE_NONE, "%s: accepted", name);
    is(sk.n, nframes, "%s: %u frames", name, nframes);
    ok(verify_ipt(name, p, in, tun, o, &sk, vlan, 0xa123, &inner),
       "%s: outer length, ID and checksum right, tunnel header and the rest copied", name);
    ok(verify_seg(name, in, seg, mss, &inner, &ex), "%s: every inner frame valid, payload intact",
       name);
    for (i = 0; i < sk.n; i++) {
        bytes += sk.f[i].len;
    }
    ok(res.tunnel && res.seg == seg && res.frames == sk.n && res.bytes == bytes &&
       res.l4_csums == sk.n && res.ip4_csums == sk.n * v4 && res.sctp_crcs == 0 &&
       res.vlan_tags == (vlan ? sk.n : 0), "%s: counted", name);
}

static void test_ip_tunnel(void)
{
    struct ipt_spec o;
    unsigned int tun;

    ipt_inner(OFNIC_TXC_SEG_TCP4, 3123);
    o = (struct ipt_spec){ .proto = 4, .ip_id = 0xfffe };
    ipt_ok("ipip 4in4 tso4", &o, OFNIC_TXC_SEG_TCP4, 0, 1000, 4);
    ok(sk.n == 4 && g16(sk.f[3].d + p->l2 + 4) == 1 && g16(sk.f[3].d + p->l2 + 20 + 4) == 0x4324,
       "ipip 4in4 tso4: outer ID wraps, inner ID increments");
    ipt_ok("ipip 4in4 tso4 vlan, fixedid", &o, OFNIC_TXC_SEG_TCP4,
           OFNIC_TXC_VLAN | OFNIC_TXC_FIXEDID, 1000, 4);
    ok(sk.n == 4 && g16(sk.f[3].d + 4 + p->l2 + 4) == 1 &&
       g16(sk.f[3].d + 4 + p->l2 + 20 + 4) == 0x4321,
       "ipip fixedid: inner ID fixed, outer ID still increments");
    o.tagged = true;
    ipt_ok("ipip 4in4 tso4, tagged outer frame", &o, OFNIC_TXC_SEG_TCP4, 0, 1000, 4);
    o = (struct ipt_spec){ .v6 = true, .dstopt = true, .proto = 4 };
    ipt_ok("ip6tnl 4in6 (dstopt) tso4", &o, OFNIC_TXC_SEG_TCP4, 0, 1000, 4);
    o = (struct ipt_spec){ .proto = 47, .gre_proto = 0x0800, .ip_id = 7 };
    ipt_ok("gre4 tso4", &o, OFNIC_TXC_SEG_TCP4, 0, 1000, 4);
    o.gre_flags = 0x2000;
    ipt_ok("gre4 key tso4", &o, OFNIC_TXC_SEG_TCP4, OFNIC_TXC_VLAN, 1000, 4);
    o = (struct ipt_spec){ .v6 = true, .proto = 47, .gre_proto = 0x0800 };
    ipt_ok("gre6 tso4", &o, OFNIC_TXC_SEG_TCP4, 0, 1000, 4);
    o = (struct ipt_spec){ .proto = 47, .gre_proto = 0x6558, .ip_id = 0x100 };
    ipt_ok("gretap4 tso4", &o, OFNIC_TXC_SEG_TCP4, 0, 1000, 4);
    ipt_ok("gretap4 tso4 vlan", &o, OFNIC_TXC_SEG_TCP4, OFNIC_TXC_VLAN, 1000, 4);

    ipt_inner(OFNIC_TXC_SEG_TCP6, 3123);
    o = (struct ipt_spec){ .proto = 41, .ip_id = 3 };
    ipt_ok("sit 6in4 tso6", &o, OFNIC_TXC_SEG_TCP6, 0, 1000, 4);
    o = (struct ipt_spec){ .v6 = true, .dstopt = true, .proto = 41 };
    ipt_ok("ip6tnl 6in6 (dstopt) tso6 vlan", &o, OFNIC_TXC_SEG_TCP6, OFNIC_TXC_VLAN, 1000, 4);
    o = (struct ipt_spec){ .proto = 47, .gre_proto = 0x86dd, .ip_id = 3 };
    ipt_ok("gre4 tso6", &o, OFNIC_TXC_SEG_TCP6, 0, 1000, 4);
    o = (struct ipt_spec){ .v6 = true, .proto = 47, .gre_proto = 0x86dd };
    ipt_ok("gre6 tso6", &o, OFNIC_TXC_SEG_TCP6, 0, 1000, 4);
    o = (struct ipt_spec){ .v6 = true, .dstopt = true, .proto = 47, .gre_flags = 0x2000,
                           .gre_proto = 0x6558 };
    ipt_ok("gretap6 (dstopt) key tso6", &o, OFNIC_TXC_SEG_TCP6, OFNIC_TXC_FIXEDID, 1000, 4);

    ipt_inner(OFNIC_TXC_SEG_UDP4, 3123);
    o = (struct ipt_spec){ .proto = 4, .ip_id = 0x8000 };
    ipt_ok("ipip 4in4 uso4", &o, OFNIC_TXC_SEG_UDP4, OFNIC_TXC_VLAN, 1000, 4);
    o = (struct ipt_spec){ .proto = 47, .gre_flags = 0x2000, .gre_proto = 0x6558, .ip_id = 1 };
    ipt_ok("gretap4 key uso4", &o, OFNIC_TXC_SEG_UDP4, 0, 1000, 4);
    ipt_inner(OFNIC_TXC_SEG_UDP6, 3123);
    o = (struct ipt_spec){ .v6 = true, .dstopt = true, .proto = 47, .gre_proto = 0x86dd };
    ipt_ok("gre6 (dstopt) uso6", &o, OFNIC_TXC_SEG_UDP6, 0, 1000, 4);

    /* no payload: one frame; the largest mss the frame limit allows */
    ipt_inner(OFNIC_TXC_SEG_TCP4, 0);
    o = (struct ipt_spec){ .proto = 47, .gre_proto = 0x6558, .ip_id = 9 };
    ipt_ok("gretap4 tso4 no payload", &o, OFNIC_TXC_SEG_TCP4, 0, 1000, 1);
    ipt_inner(OFNIC_TXC_SEG_TCP4, 20000);
    tun = ipt_wrap(p, in, &o);
    ipt_ok("gretap4 tso4 mss at the frame limit", &o, OFNIC_TXC_SEG_TCP4, OFNIC_TXC_VLAN,
           OFNIC_MAX_FRAME - 4 - (unsigned int)(p->l2 + p->l3 + tun + in->l3 + in->l4), 3);
}

/* IP tunnel requests the device refuses, nothing sent. */
static void test_ip_tunnel_drops(void)
{
    struct ipt_spec o = { .proto = 47, .gre_proto = 0x0800, .ip_id = 5 };
    struct ofnic_tx_ctx_desc c;
    unsigned int tun;

    ipt_inner(OFNIC_TXC_SEG_TCP4, 3000);
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    c.offload &= ~ofnic_cpu_to_le16(OFNIC_TXC_TUNNEL);
    drop("TUNNEL_IP without TUNNEL", c, IPT_CAPS, OFNIC_TXOE_RESERVED, OFNIC_GSTAT_TX_DROP_DESC);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_OUTER_UDP_CSUM, 1000, p, in, tun, &o);
    drop("TUNNEL_IP with OUTER_UDP_CSUM", c, IPT_CAPS | OFNIC_CAP_TUNNEL_OUTER_CSUM,
         OFNIC_TXOE_CONFLICT, OFNIC_GSTAT_TX_DROP_DESC);
    c = ipt_ctx(OFNIC_TXC_IP4_CSUM, 0, p, in, tun, &o);
    drop("TUNNEL_IP without segmentation", c, IPT_CAPS | OFNIC_CAP_TUNNEL_CSUM,
         OFNIC_TXOE_CONFLICT, OFNIC_GSTAT_TX_DROP_DESC);
    c = ipt_ctx(OFNIC_TXC_SEG_UFO4, 1000, p, in, tun, &o);
    drop("TUNNEL_IP with UFO", c, IPT_CAPS, OFNIC_TXOE_CONFLICT, OFNIC_GSTAT_TX_DROP_DESC);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("TUNNEL_IP without IP_TUNNEL_TSO (UDP tunnel caps only)", c,
         ALL_CAPS | OFNIC_CAP_TUNNEL_TSO | OFNIC_CAP_TUNNEL_CSUM, OFNIC_TXOE_NO_CAP,
         OFNIC_GSTAT_TX_DROP_UNSUPP);
    drop("TUNNEL_IP without TSO4", c, IPT_CAPS & ~OFNIC_CAP_TSO4, OFNIC_TXOE_NO_CAP,
         OFNIC_GSTAT_TX_DROP_UNSUPP);
    c.tun_len = 8;
    drop("gre: tun_len 8 for a 4-byte header", c, IPT_CAPS, OFNIC_TXOE_IPT_LEN,
         OFNIC_GSTAT_TX_DROP_HDR);
    c.tun_len = 0;
    drop("gre: tun_len 0", c, IPT_CAPS, OFNIC_TXOE_IPT_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, OFNIC_MAX_FRAME - (unsigned int)(p->len - 3000) + 1, p,
                in, tun, &o);
    drop("gre: mss over the frame limit, tunnel headers counted", c, IPT_CAPS,
         OFNIC_TXOE_MSS_FRAME, OFNIC_GSTAT_TX_DROP_MSS);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP6, 1000, p, in, tun, &o);
    drop("gre protocol IPv4, TSO6", c, IPT_CAPS, OFNIC_TXOE_IPT_VERSION, OFNIC_GSTAT_TX_DROP_HDR);
    p->len = p->l2 + p->l3 + tun + in->l3 + in->l4 - 1;
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gre: headers past the end", c, IPT_CAPS, OFNIC_TXOE_HDR_TRUNC, OFNIC_GSTAT_TX_DROP_HDR);
    tun = ipt_wrap(p, in, &o);
    p16(p->buf + p->l2 + 6, 0x2001);
    drop("gre: outer IPv4 fragment", c, IPT_CAPS, OFNIC_TXOE_IP_FRAG, OFNIC_GSTAT_TX_DROP_HDR);
    tun = ipt_wrap(p, in, &o);
    c = mkctx(OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_TUNNEL, 1000, p);
    c.tun_len = (uint8_t)tun;
    c.in_l3_len = (uint8_t)in->l3;
    c.l4_len = (uint8_t)in->l4;
    drop("gre packet as a UDP tunnel (no TUNNEL_IP)", c, IPT_CAPS | OFNIC_CAP_TUNNEL_TSO,
         OFNIC_TXOE_TUN_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    c.tun_len = 8;
    drop("gre packet as a UDP tunnel, tun_len 8", c, IPT_CAPS | OFNIC_CAP_TUNNEL_TSO,
         OFNIC_TXOE_OUTER_PROTO, OFNIC_GSTAT_TX_DROP_HDR);

    o.gre_flags = 0x2000;
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, 4, &o);
    drop("gre key, tun_len 4", c, IPT_CAPS, OFNIC_TXOE_IPT_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    o.gre_flags = 0x0001;
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gre version 1", c, IPT_CAPS, OFNIC_TXOE_IPT_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    o.gre_flags = 0x4000;
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gre routing bit", c, IPT_CAPS, OFNIC_TXOE_IPT_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    o.gre_flags = 0x8000;
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gre checksum (C)", c, IPT_CAPS, OFNIC_TXOE_GRE_CSUM_SEQ, OFNIC_GSTAT_TX_DROP_UNSUPP);
    o.gre_flags = 0x1000;
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gre sequence number (S)", c, IPT_CAPS, OFNIC_TXOE_GRE_CSUM_SEQ,
         OFNIC_GSTAT_TX_DROP_UNSUPP);
    o.gre_flags = 0xb000;
    o.v6 = true;
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gre6 C, K and S", c, IPT_CAPS, OFNIC_TXOE_GRE_CSUM_SEQ, OFNIC_GSTAT_TX_DROP_UNSUPP);

    o = (struct ipt_spec){ .proto = 47, .gre_proto = 0x86dd };
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gre protocol IPv6, inner IPv4", c, IPT_CAPS, OFNIC_TXOE_IPT_VERSION,
         OFNIC_GSTAT_TX_DROP_HDR);
    o.gre_proto = 0x8847;
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gre protocol MPLS", c, IPT_CAPS, OFNIC_TXOE_IPT_VERSION, OFNIC_GSTAT_TX_DROP_HDR);
    o.gre_proto = 0x6558;
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun - 14, &o);
    drop("gretap, tun_len without the inner Ethernet header", c, IPT_CAPS, OFNIC_TXOE_IPT_LEN,
         OFNIC_GSTAT_TX_DROP_HDR);
    p16(p->buf + p->l2 + p->l3 + tun - 2, 0x86dd);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("gretap inner EtherType IPv6, TSO4", c, IPT_CAPS, OFNIC_TXOE_IPT_VERSION,
         OFNIC_GSTAT_TX_DROP_HDR);
    {
        struct pspec s = { .proto = 6, .payload = 3000, .ntags = 1, .seed = 4 };

        build(in, &s);
        tun = ipt_wrap(p, in, &o);
        c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, 4 + 14, &o);
        drop("gretap with a tag in the inner frame", c, IPT_CAPS, OFNIC_TXOE_IPT_VERSION,
             OFNIC_GSTAT_TX_DROP_HDR);
        c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
        drop("gretap with a tag in the inner frame, tun_len with it", c, IPT_CAPS,
             OFNIC_TXOE_IPT_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    }

    ipt_inner(OFNIC_TXC_SEG_TCP4, 3000);
    o = (struct ipt_spec){ .proto = 17 };
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("outer protocol UDP", c, IPT_CAPS, OFNIC_TXOE_IPT_PROTO, OFNIC_GSTAT_TX_DROP_HDR);
    o = (struct ipt_spec){ .v6 = true, .dstopt = true, .proto = 6 };
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("outer IPv6 protocol TCP after dstopt", c, IPT_CAPS, OFNIC_TXOE_IPT_PROTO,
         OFNIC_GSTAT_TX_DROP_HDR);
    o = (struct ipt_spec){ .proto = 4 };
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, 4, &o);
    drop("ipip with tun_len 4", c, IPT_CAPS, OFNIC_TXOE_IPT_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    o = (struct ipt_spec){ .proto = 41 };
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    drop("protocol 41 carrying IPv4", c, IPT_CAPS, OFNIC_TXOE_IPT_VERSION,
         OFNIC_GSTAT_TX_DROP_HDR);
    o = (struct ipt_spec){ .v6 = true, .dstopt = true, .proto = 4 };
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 1000, p, in, tun, &o);
    c.l3_len = 40;
    drop("4in6: l3_len without the destination options", c, IPT_CAPS, OFNIC_TXOE_IP6_EXT,
         OFNIC_GSTAT_TX_DROP_HDR);
    ipt_inner(OFNIC_TXC_SEG_TCP6, 3000);
    o = (struct ipt_spec){ .proto = 4 };
    tun = ipt_wrap(p, in, &o);
    c = ipt_ctx(OFNIC_TXC_SEG_TCP6, 1000, p, in, tun, &o);
    drop("protocol 4 carrying IPv6", c, IPT_CAPS, OFNIC_TXOE_IPT_VERSION,
         OFNIC_GSTAT_TX_DROP_HDR);
}

/*
 * Every GRE flags value on a gretap packet whose tun_len counts no optional field: only
 * version 0 without R, C, K or S is accepted, each refusal for its reason. Then every length
 * of a truncated packet and every tun_len, in a buffer of exactly the packet's length (ASan
 * sees any read past it): refused, or sent whole.
 */
static void test_ip_tunnel_robust(void)
{
    struct ipt_spec o = { .proto = 47, .gre_proto = 0x6558, .ip_id = 1 };
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;
    unsigned int tun, fl, bad = 0, accepted = 0, len, t, hdr;
    uint8_t *g;

    ipt_inner(OFNIC_TXC_SEG_TCP4, 300);
    tun = ipt_wrap(p, in, &o);
    g = p->buf + p->l2 + p->l3;
    c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 128, p, in, tun, &o);
    for (fl = 0; fl <= 0xffff; fl++) {
        enum ofnic_txo_err want = OFNIC_TXOE_NONE, e;

        p16(g, (uint16_t)fl);
        if (fl & 0x4007) {
            want = OFNIC_TXOE_IPT_LEN;
        } else if (fl & 0x9000) {
            want = OFNIC_TXOE_GRE_CSUM_SEQ;
        } else if (fl & 0x2000) {
            want = OFNIC_TXOE_IPT_LEN;
        }
        e = run_caps(&c, IPT_CAPS, &res);
        bad += e != want || (e ? sk.n != 0 : sk.n != 3);
        accepted += e == OFNIC_TXOE_NONE;
    }
    ok(bad == 0 && accepted == 0x200, "gre flags: %u accepted (reserved bits 11:3 copied), "
       "%u wrong outcomes", accepted, bad);

    o.gre_flags = 0x2000;   /* a key: tun_len 22 */
    tun = ipt_wrap(p, in, &o);
    hdr = p->l2 + p->l3 + tun + in->l3 + in->l4;
    bad = 0;
    accepted = 0;
    for (len = 0; len <= p->len; len++) {
        for (t = 0; t < 64; t++) {
            struct ofnic_txo_cfg cfg = { .caps = IPT_CAPS };
            uint8_t *b = malloc(len ? len : 1);
            enum ofnic_txo_err e;

            if (!b) {
                abort();
            }
            memcpy(b, p->buf, len);
            c = ipt_ctx(OFNIC_TXC_SEG_TCP4, 128, p, in, t, &o);
            sink_reset(&sk);
            e = ofnic_tx_offload(&cfg, &c, b, len, sink_emit, &sk, &res);
            if (e ? sk.n != 0 : (t != tun || len < hdr || res.frames != sk.n ||
                                 sk.n != (len - hdr + 127) / 128 + (len == hdr))) {
                bad++;
            }
            accepted += e == OFNIC_TXOE_NONE;
            free(b);
        }
    }
    ok(bad == 0 && accepted == p->len - hdr + 1,
       "truncated gretap packets, every tun_len: only the right tun_len with whole headers "
       "sent, in full (%u accepted, %u wrong)", accepted, bad);
}

/* An emitter that refuses a frame stops the packet. */
static void test_stop(void)
{
    struct pspec s = tcp4(10000);
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;
    struct ofnic_txo_cfg cfg = { .caps = ALL_CAPS };

    build(p, &s);
    c = mkctx(OFNIC_TXC_SEG_TCP4, 1000, p);
    sink_reset(&sk);
    sk.stop_at = 4;
    is(ofnic_tx_offload(&cfg, &c, p->buf, p->len, sink_emit, &sk, &res), OFNIC_TXOE_NONE,
       "stop: not an error");
    ok(sk.n == 3 && res.frames == 3, "stop: no frame after the refused one");
}

int main(void)
{
    plan(571);
    p = pkt_new();
    in = pkt_new();
    test_csum();
    test_sctp();
    test_vlan_plain();
    test_tso4();
    test_tso6();
    test_uso();
    test_ufo4();
    test_ufo6();
    test_drops();
    test_ip_tunnel();
    test_ip_tunnel_drops();
    test_ip_tunnel_robust();
    test_stop();
    sink_reset(&sk);
    sink_reset(&inner);
    pkt_free(in);
    pkt_free(p);
    return done_testing();
}
