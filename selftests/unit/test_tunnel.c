/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UDP tunnels: TX segmentation and checksums inside VXLAN/GENEVE
 * (ofnic_tx_offload() with OFNIC_TXC_TUNNEL). An inner packet is built with
 * txo_util.h's builder and wrapped in outer Ethernet/IP/UDP/tunnel headers;
 * every frame out is checked outside (lengths, IDs, checksums, copied bytes)
 * and its inner frame is checked by verify_seg() as a plain segment would be.
 * RX: those frames, classified with the tunnel port table, must report the
 * inner packet's hash and types (the same as the inner frame alone gets) and
 * checksum levels; broken or unknown tunnels must fall back to outer-only.
 */
#include "txo_util.h"

#define TUN_CAPS (ALL_CAPS | OFNIC_CAP_TUNNEL_PORTS | OFNIC_CAP_TUNNEL_TSO | \
                  OFNIC_CAP_TUNNEL_CSUM | OFNIC_CAP_TUNNEL_OUTER_CSUM | \
                  OFNIC_CAP_TUNNEL_RX | OFNIC_CAP_GENEVE)
#define VXLAN_PORT 4789
#define GENEVE_PORT 6081

static struct sink sk, inner;
static struct pkt *in, *p;

struct outer_spec {
    bool v6;
    bool tagged;            /* an 802.1Q tag in the outer frame */
    unsigned int tun_hdr;   /* tunnel header after UDP: 8 (VXLAN) or 8 + options */
    uint16_t ip_id;
    uint8_t proto;          /* 17, or something else to be refused */
};

/* p = outer headers + tunnel header + the inner frame in "in". */
static void wrap(const struct outer_spec *o)
{
    uint8_t *b = p->buf, *ip, *uh;
    unsigned int off = 12;
    uint32_t ulen;

    memset(b, 0, 256);
    memcpy(b, "\x02\x00\x00\x00\x01\x02\x02\x00\x00\x00\x01\x01", 12);
    if (o->tagged) {
        p16(b + 12, 0x8100);
        p16(b + 14, 7);
        off += 4;
    }
    p16(b + off, o->v6 ? 0x86dd : 0x0800);
    p->l2 = off + 2;
    ip = b + p->l2;
    p->l3 = o->v6 ? 40 : 20;
    uh = ip + p->l3;
    ulen = 8 + o->tun_hdr + (uint32_t)in->len;
    if (o->v6) {
        ip[0] = 0x60;
        p16(ip + 4, (uint16_t)ulen);
        ip[6] = o->proto;
        ip[7] = 64;
        p32(ip + 8, 0x20010db8);
        p32(ip + 20, 0x11);
        p32(ip + 24, 0x20010db8);
        p32(ip + 36, 0x22);
    } else {
        ip[0] = 0x45;
        ip[1] = 0x10;
        p16(ip + 2, (uint16_t)(20 + ulen));
        p16(ip + 4, o->ip_id);
        ip[8] = 64;
        ip[9] = o->proto;
        p32(ip + 12, 0x0a000001);
        p32(ip + 16, 0x0a000002);
    }
    p16(uh, 0xc123);
    p16(uh + 2, o->tun_hdr == 8 ? VXLAN_PORT : GENEVE_PORT);
    p16(uh + 4, (uint16_t)ulen);
    p16(uh + 6, 0x5a5a);            /* whatever the driver left: overwritten */
    if (o->tun_hdr == 8) {
        uh[8] = 0x08;               /* VXLAN: I flag, VNI 42 */
        p32(uh + 12, 42 << 8);
    } else {
        uh[8] = (uint8_t)((o->tun_hdr - 8) / 4); /* GENEVE: opt_len */
        p16(uh + 10, 0x6558);
        p32(uh + 12, 42 << 8);
        memset(uh + 16, 0xab, o->tun_hdr - 8);
    }
    memcpy(uh + 8 + o->tun_hdr, in->buf, in->len);
    p->len = p->l2 + p->l3 + 8 + o->tun_hdr + in->len;
    p->l4 = 8;
    memcpy(p->orig, p->buf, p->len);
}

static struct ofnic_tx_ctx_desc tctx(unsigned int offload, unsigned int mss,
                                     const struct outer_spec *o)
{
    struct ofnic_tx_ctx_desc c = mkctx(offload | OFNIC_TXC_TUNNEL |
                                       (o->v6 ? OFNIC_TXC_OUTER_IPV6 : 0), mss, p);

    c.tun_len = (uint8_t)(8 + o->tun_hdr + in->l2);
    c.in_l3_len = (uint8_t)in->l3;
    c.l4_len = (uint8_t)in->l4;
    c.vlan_tci = ofnic_cpu_to_le16(0xb00c);
    return c;
}

static enum ofnic_txo_err run(const struct ofnic_tx_ctx_desc *c, uint64_t caps,
                              struct ofnic_txo_result *res)
{
    struct ofnic_txo_cfg cfg = { .caps = caps };

    sink_reset(&sk);
    return ofnic_tx_offload(&cfg, c, p->buf, p->len, sink_emit, &sk, res);
}

/*
 * The outer headers of every frame in sk; the inner frames go to "inner".
 * vlan: a tag was inserted; ucsum: an outer UDP checksum was asked for.
 */
static bool verify_outer(const char *name, const struct outer_spec *o, bool vlan, bool ucsum)
{
    static uint8_t tmp[OFNIC_MAX_FRAME + 64];
    const uint8_t *oip0 = p->orig + p->l2, *ouh0 = oip0 + p->l3;
    unsigned int i, tun_end = p->l2 + p->l3 + 8 + o->tun_hdr;

    sink_reset(&inner);
    for (i = 0; i < sk.n; i++) {
        const uint8_t *d = sk.f[i].d, *ip, *uh;
        size_t len = sk.f[i].len;
        uint32_t ulen;

        if (len > OFNIC_MAX_FRAME) {
            return vfail(name, i, "longer than OFNIC_MAX_FRAME");
        }
        if (vlan) {
            if (len < 16 + tun_end || g16(d + 12) != 0x8100 || g16(d + 14) != 0xb00c) {
                return vfail(name, i, "no inserted tag");
            }
            memcpy(tmp, d, 12);
            memcpy(tmp + 12, d + 16, len - 16);
            d = tmp;
            len -= 4;
        }
        if (len <= tun_end || memcmp(d, p->orig, p->l2)) {
            return vfail(name, i, "outer Ethernet header changed");
        }
        ip = d + p->l2;
        uh = ip + p->l3;
        ulen = (uint32_t)(len - p->l2 - p->l3);
        if (o->v6) {
            if (g16(ip + 4) != ulen || memcmp(ip, oip0, 4) || memcmp(ip + 6, oip0 + 6, 34)) {
                return vfail(name, i, "outer IPv6 header");
            }
        } else {
            static const unsigned int skip[] = { 2, 6, 10, 12 }; /* length, ID, csum */

            if (g16(ip + 2) != len - p->l2 || g16(ip + 4) != (uint16_t)(o->ip_id + i) ||
                t_fold(t_sum(0, ip, 20)) != 0 || !same_except(ip, oip0, 20, skip, 2)) {
                return vfail(name, i, "outer IPv4 length, ID, checksum or copied bytes");
            }
        }
        if (memcmp(uh, ouh0, 4) || g16(uh + 4) != ulen) {
            return vfail(name, i, "outer UDP ports or length");
        }
        if (ucsum ? g16(uh + 6) == 0 || t_fold(t_sum(t_pseudo(ip, 17, ulen), uh, ulen)) != 0
                  : g16(uh + 6) != 0) {
            return vfail(name, i, ucsum ? "outer UDP checksum wrong" : "outer UDP checksum not 0");
        }
        if (memcmp(uh + 8, ouh0 + 8, o->tun_hdr)) {
            return vfail(name, i, "tunnel header changed");
        }
        inner.f[inner.n].d = malloc(len - tun_end);
        if (!inner.f[inner.n].d) {
            abort();
        }
        memcpy(inner.f[inner.n].d, d + tun_end, len - tun_end);
        inner.f[inner.n].len = len - tun_end;
        inner.f[inner.n].iovcnt = 2;
        inner.n++;
    }
    return true;
}

static void seg_ok(const char *name, const struct outer_spec *o, unsigned int seg,
                   unsigned int extra, unsigned int mss, unsigned int nframes)
{
    struct ofnic_tx_ctx_desc c = tctx(seg | extra, mss, o);
    struct vexp ex = { .fixedid = extra & OFNIC_TXC_FIXEDID };
    bool ucsum = extra & OFNIC_TXC_OUTER_UDP_CSUM;
    bool v4o = !o->v6;
    bool v4i = seg == OFNIC_TXC_SEG_TCP4 || seg == OFNIC_TXC_SEG_UDP4;
    struct ofnic_txo_result res;

    is(run(&c, TUN_CAPS, &res), OFNIC_TXOE_NONE, "%s: accepted", name);
    is(sk.n, nframes, "%s: %u frames", name, nframes);
    ok(verify_outer(name, o, extra & OFNIC_TXC_VLAN, ucsum),
       "%s: outer lengths, IDs and checksums right, the rest copied", name);
    ok(verify_seg(name, in, seg, mss, &inner, &ex), "%s: every inner frame valid, payload intact",
       name);
    ok(res.frames == sk.n && res.l4_csums == sk.n * (1 + ucsum) &&
       res.ip4_csums == sk.n * (v4o + v4i), "%s: checksums counted", name);
}

static struct pspec inner_tcp(bool v6, uint32_t payload)
{
    struct pspec s = { .v6 = v6, .proto = 6, .payload = payload, .tcp_flags = TCPF_ACK | TCPF_PSH,
                       .ip_id = 0x100, .seq = 0x7ffffff0u, .df = true, .seed = 7 };

    return s;
}

static void test_tso(void)
{
    struct outer_spec o = { .tun_hdr = 8, .ip_id = 0xfffe, .proto = 17 };
    struct pspec s = inner_tcp(false, 20000);

    build(in, &s);
    wrap(&o);
    seg_ok("vxlan4 tso4", &o, OFNIC_TXC_SEG_TCP4, 0, 1398, 15);
    seg_ok("vxlan4 tso4 udp csum", &o, OFNIC_TXC_SEG_TCP4, OFNIC_TXC_OUTER_UDP_CSUM, 1398, 15);
    seg_ok("vxlan4 tso4 fixedid, vlan", &o, OFNIC_TXC_SEG_TCP4,
           OFNIC_TXC_FIXEDID | OFNIC_TXC_VLAN, 1000, 20);
    ok(sk.n == 20 && g16(sk.f[19].d + 4 + p->l2 + 4) == (uint16_t)(0xfffe + 19),
       "fixedid: the outer ID still increments (wraps)");

    s = inner_tcp(true, 9000);
    s.tcp_opt_len = 12;
    build(in, &s);
    wrap(&o);
    seg_ok("vxlan4 tso6 udp csum", &o, OFNIC_TXC_SEG_TCP6, OFNIC_TXC_OUTER_UDP_CSUM, 1338, 7);

    o.v6 = true;
    o.tagged = true;
    wrap(&o);
    seg_ok("vxlan6 (tagged) tso6 udp csum", &o, OFNIC_TXC_SEG_TCP6, OFNIC_TXC_OUTER_UDP_CSUM,
           1300, 7);
    s = inner_tcp(false, 3001);
    s.ip4_opt_len = 8;
    s.ntags = 1;
    build(in, &s);
    wrap(&o);
    seg_ok("vxlan6 tso4 (inner tag, options), odd tail", &o, OFNIC_TXC_SEG_TCP4, 0, 1000, 4);
    seg_ok("vxlan6 tso4 odd tail, udp csum", &o, OFNIC_TXC_SEG_TCP4, OFNIC_TXC_OUTER_UDP_CSUM,
           1000, 4);

    o = (struct outer_spec){ .tun_hdr = 8 + 16, .ip_id = 1, .proto = 17 };
    s = inner_tcp(false, 64000);
    build(in, &s);
    wrap(&o);
    seg_ok("geneve4 (16 bytes of options) tso4 64000", &o, OFNIC_TXC_SEG_TCP4,
           OFNIC_TXC_OUTER_UDP_CSUM, 1400, 46);
    s = inner_tcp(false, 0);
    build(in, &s);
    wrap(&o);
    seg_ok("geneve4 tso4 no payload", &o, OFNIC_TXC_SEG_TCP4, OFNIC_TXC_OUTER_UDP_CSUM, 1400, 1);
    s = inner_tcp(false, 7000);
    build(in, &s);
    wrap(&o);
    seg_ok("geneve4 tso4 jumbo mss", &o, OFNIC_TXC_SEG_TCP4, OFNIC_TXC_OUTER_UDP_CSUM,
           OFNIC_MAX_FRAME - (unsigned int)(p->l2 + p->l3 + 8 + o.tun_hdr + in->l2 + 40), 1);
}

static void test_uso(void)
{
    struct outer_spec o = { .tun_hdr = 8, .ip_id = 9, .proto = 17 };
    struct pspec s = { .proto = 17, .payload = 6000, .ip_id = 3, .seed = 9 };

    build(in, &s);
    wrap(&o);
    seg_ok("vxlan4 uso4", &o, OFNIC_TXC_SEG_UDP4, 0, 1400, 5);
    seg_ok("vxlan4 uso4 udp csum", &o, OFNIC_TXC_SEG_UDP4, OFNIC_TXC_OUTER_UDP_CSUM, 1400, 5);
    s.v6 = true;
    build(in, &s);
    o.v6 = true;
    wrap(&o);
    seg_ok("vxlan6 uso6 udp csum", &o, OFNIC_TXC_SEG_UDP6, OFNIC_TXC_OUTER_UDP_CSUM, 1200, 5);
}

/* No segmentation: inner IPv4 header, inner TCP (generic), outer IPv4, outer UDP. */
static void test_csum(void)
{
    struct outer_spec o = { .tun_hdr = 8, .ip_id = 5, .proto = 17 };
    struct pspec s = inner_tcp(false, 999);
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;
    unsigned int il4 = 0, ulen;
    uint8_t *ip, *iip;

    build(in, &s);
    wrap(&o);
    ip = p->buf + p->l2;
    iip = ip + p->l3 + 16 + in->l2;
    il4 = (unsigned int)(iip - p->buf) + in->l3;
    /* as the stack leaves them: garbage header checksums, TCP pseudo-header sum */
    p16(ip + 10, 0xdead);
    p16(iip + 10, 0xbeef);
    p16(p->buf + il4 + 16, (uint16_t)~t_fold(t_pseudo(iip, 6, (uint32_t)(p->len - il4))));
    c = tctx(OFNIC_TXC_IP4_CSUM | OFNIC_TXC_OUTER_IP4_CSUM | OFNIC_TXC_L4_CSUM |
             OFNIC_TXC_OUTER_UDP_CSUM, 0, &o);
    c.csum_start = ofnic_cpu_to_le16((uint16_t)il4);
    c.csum_offset = 16;
    is(run(&c, TUN_CAPS, &res), OFNIC_TXOE_NONE, "tunnel csum: accepted");
    ulen = (uint32_t)(p->len - p->l2 - p->l3);
    ok(sk.n == 1 && sk.f[0].len == p->len, "tunnel csum: one frame");
    ok(sk.n == 1 && t_fold(t_sum(0, sk.f[0].d + p->l2, 20)) == 0 &&
       t_fold(t_sum(0, sk.f[0].d + (iip - p->buf), 20)) == 0,
       "tunnel csum: outer and inner IPv4 header checksums");
    ok(sk.n == 1 && t_fold(t_sum(t_pseudo(sk.f[0].d + (iip - p->buf), 6,
                                          (uint32_t)(p->len - il4)),
                                 sk.f[0].d + il4, p->len - il4)) == 0,
       "tunnel csum: inner TCP checksum");
    ok(sk.n == 1 && g16(sk.f[0].d + p->l2 + 26) != 0 &&
       t_fold(t_sum(t_pseudo(sk.f[0].d + p->l2, 17, ulen), sk.f[0].d + p->l2 + 20, ulen)) == 0,
       "tunnel csum: outer UDP checksum over the finished inner packet");
    ok(res.ip4_csums == 2 && res.l4_csums == 2, "tunnel csum: counted");
}

static void drop(const char *name, struct ofnic_tx_ctx_desc c, uint64_t caps,
                 enum ofnic_txo_err err, unsigned int gstat)
{
    struct ofnic_txo_result res;

    is(run(&c, caps, &res), err, "drop %s: %s", name, ofnic_txo_err_str(err));
    ok(sk.n == 0 && res.frames == 0, "drop %s: nothing sent", name);
    is(ofnic_txo_err_gstat(err), gstat, "drop %s: counter", name);
}

static void test_drops(void)
{
    struct outer_spec o = { .tun_hdr = 8, .ip_id = 5, .proto = 17 };
    struct pspec s = inner_tcp(false, 5000);
    struct ofnic_tx_ctx_desc c;

    build(in, &s);
    wrap(&o);
    c = tctx(OFNIC_TXC_SEG_UFO4, 1000, &o);
    drop("ufo in a tunnel", c, TUN_CAPS, OFNIC_TXOE_TUNNEL, OFNIC_GSTAT_TX_DROP_UNSUPP);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    drop("no TUNNEL_TSO", c, TUN_CAPS & ~OFNIC_CAP_TUNNEL_TSO, OFNIC_TXOE_NO_CAP,
         OFNIC_GSTAT_TX_DROP_UNSUPP);
    drop("no TSO4", c, TUN_CAPS & ~OFNIC_CAP_TSO4, OFNIC_TXOE_NO_CAP, OFNIC_GSTAT_TX_DROP_UNSUPP);
    c = tctx(OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_OUTER_UDP_CSUM, 1000, &o);
    drop("no TUNNEL_OUTER_CSUM", c, TUN_CAPS & ~OFNIC_CAP_TUNNEL_OUTER_CSUM, OFNIC_TXOE_NO_CAP,
         OFNIC_GSTAT_TX_DROP_UNSUPP);
    c = tctx(OFNIC_TXC_IP4_CSUM, 0, &o);
    drop("no TUNNEL_CSUM", c, TUN_CAPS & ~OFNIC_CAP_TUNNEL_CSUM, OFNIC_TXOE_NO_CAP,
         OFNIC_GSTAT_TX_DROP_UNSUPP);
    c = tctx(OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_OUTER_IPV6 | OFNIC_TXC_OUTER_IP4_CSUM, 1000, &o);
    drop("outer IPv6 + IPv4 csum", c, TUN_CAPS, OFNIC_TXOE_CONFLICT, OFNIC_GSTAT_TX_DROP_DESC);
    c = tctx(OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_OUTER_IPV6, 1000, &o);
    c.l3_len = 40;
    drop("outer version", c, TUN_CAPS, OFNIC_TXOE_IP_VERSION, OFNIC_GSTAT_TX_DROP_HDR);
    c = tctx(OFNIC_TXC_SEG_TCP6, 1000, &o);
    c.in_l3_len = 40;
    drop("inner version", c, TUN_CAPS, OFNIC_TXOE_IP_VERSION, OFNIC_GSTAT_TX_DROP_HDR);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    c.tun_len = 6;
    drop("tun_len 6", c, TUN_CAPS, OFNIC_TXOE_TUN_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    c.tun_len += 1;
    drop("odd tun_len", c, TUN_CAPS, OFNIC_TXOE_TUN_LEN, OFNIC_GSTAT_TX_DROP_HDR);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    c.tun_len += 2;
    drop("tun_len off by 2", c, TUN_CAPS, OFNIC_TXOE_IP_VERSION, OFNIC_GSTAT_TX_DROP_HDR);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    c.in_l3_len = 24;
    drop("in_l3_len", c, TUN_CAPS, OFNIC_TXOE_IP4_IHL, OFNIC_GSTAT_TX_DROP_HDR);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    c.l4_len = 24;
    drop("inner l4_len", c, TUN_CAPS, OFNIC_TXOE_TCP_DOFF, OFNIC_GSTAT_TX_DROP_HDR);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    c.tun_len = 250;
    drop("headers over 256", c, TUN_CAPS, OFNIC_TXOE_HDR_TOO_LONG, OFNIC_GSTAT_TX_DROP_HDR);
    c = tctx(OFNIC_TXC_SEG_TCP4, OFNIC_MAX_FRAME, &o);
    drop("frame too long", c, TUN_CAPS, OFNIC_TXOE_MSS_FRAME, OFNIC_GSTAT_TX_DROP_MSS);

    o.proto = 6;
    wrap(&o);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    drop("outer TCP", c, TUN_CAPS, OFNIC_TXOE_OUTER_PROTO, OFNIC_GSTAT_TX_DROP_HDR);
    o.proto = 17;
    wrap(&o);
    p16(p->buf + p->l2 + 6, 0x2000);    /* outer MF */
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    drop("outer fragment", c, TUN_CAPS, OFNIC_TXOE_IP_FRAG, OFNIC_GSTAT_TX_DROP_HDR);
    wrap(&o);
    c = tctx(OFNIC_TXC_SEG_TCP4, 1000, &o);
    c.offload &= ~ofnic_cpu_to_le16(OFNIC_TXC_TUNNEL);
    drop("tunnel lengths without TUNNEL", c, TUN_CAPS, OFNIC_TXOE_TUN_LENS,
         OFNIC_GSTAT_TX_DROP_HDR);
}


/* ---------------------------------------------------------------------------------------
 * RX: tunnel parsing, checksum levels, inner RSS.
 */
static uint32_t ports[OFNIC_TUNNEL_PORTS];
static struct ofnic_rss_ctx rss[OFNIC_RSS_MAX_CONTEXTS];
static uint8_t scratch[OFNIC_MAX_FRAME];

static struct ofnic_rx_cfg rx_cfg(uint32_t offload)
{
    static const uint32_t vlan_filter[OFNIC_VLAN_FILTER_REGS];
    static const uint32_t ntuple[OFNIC_NTUPLE_MAX_RULES][OFNIC_NTUPLE_REGS];
    struct ofnic_rx_cfg c = { .offload = offload, .queues = 4, .vlan_filter = vlan_filter,
                              .rss = rss, .ntuple = ntuple, .tunnel_ports = ports,
                              .geneve = true };
    unsigned int i;

    for (i = 0; i < OFNIC_RSS_KEY_SIZE; i++) {
        rss[0].key[i] = (uint8_t)(i * 37 + 11);
    }
    for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++) {
        rss[0].indir[i] = (uint8_t)(i % 4);
    }
    rss[0].fields = OFNIC_RSS_FIELDS_DEFAULT;
    rss[0].enabled = true;
    rss[0].tbl_valid = false;
    return c;
}

#define RX_ALL (OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_RSS | OFNIC_OFFLOAD_TUNNEL_RX)
#define LEVEL(st) (((st) & OFNIC_RXC_CSUM_LEVEL_MASK) >> 6)
#define CSUM_BITS (OFNIC_RXC_IP_CSUM_OK | OFNIC_RXC_L4_CSUM_OK | OFNIC_RXC_CSUM_ERR | \
                   OFNIC_RXC_CSUM_LEVEL_MASK)

/* Frame f of sk classified; inner_off > 0: also the inner frame alone, compared. */
static uint32_t classify(const struct ofnic_rx_cfg *cfg, const uint8_t *d, size_t len,
                         size_t inner_off, bool *same_as_inner)
{
    struct ofnic_rx_result r, ri;

    ofnic_rx_classify(cfg, d, len, scratch, &r);
    if (inner_off && same_as_inner) {
        ofnic_rx_classify(cfg, d + inner_off, len - inner_off, scratch, &ri);
        *same_as_inner = r.tunnel && r.meta.rss_hash == ri.meta.rss_hash &&
                         r.queue == ri.queue && r.meta.rss_hash != 0 &&
                         (r.meta.status & 0x33f00) == (ri.meta.status & 0x33f00) &&
                         (ri.meta.status & OFNIC_RXC_L4_CSUM_OK);
    }
    return r.meta.status;
}

/* Tunnel frames from the TX engine (valid checksums), to classify. */
static void make_rx(const struct outer_spec *o, bool inner_v6, bool ucsum, unsigned int flow)
{
    struct pspec s = inner_tcp(inner_v6, 3000);
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;

    s.seed = flow + 1;
    build(in, &s);
    p16(in->buf + in->l2 + in->l3, (uint16_t)(1000 + flow));     /* inner source port */
    memcpy(in->orig, in->buf, in->len);
    wrap(o);
    c = tctx((inner_v6 ? OFNIC_TXC_SEG_TCP6 : OFNIC_TXC_SEG_TCP4) |
             (ucsum ? OFNIC_TXC_OUTER_UDP_CSUM : 0), 1400, o);
    run(&c, TUN_CAPS, &res);
}

static void test_rx(void)
{
    struct outer_spec o = { .tun_hdr = 8, .ip_id = 1, .proto = 17 };
    struct ofnic_rx_cfg cfg = rx_cfg(RX_ALL);
    size_t ioff;
    uint32_t st;
    bool same = false;
    unsigned int i, n[4] = { 0 }, mx = 0, mn = ~0u;
    uint8_t *d;

    memset(ports, 0, sizeof(ports));
    ports[5] = VXLAN_PORT | OFNIC_TUNNEL_TYPE_VXLAN << 16;
    ports[2] = GENEVE_PORT | OFNIC_TUNNEL_TYPE_GENEVE << 16;
    make_rx(&o, true, true, 0);
    ioff = p->l2 + p->l3 + 16;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, ioff, &same);
    ok(same, "rx vxlan4/tcp6: hash, queue and L3/L4 types of the inner packet");
    ok((st & OFNIC_RXC_TUNNEL) && (st & CSUM_BITS) ==
       (OFNIC_RXC_IP_CSUM_OK | OFNIC_RXC_L4_CSUM_OK) + (1u << 6),
       "rx vxlan4/tcp6, outer UDP checksum: TUNNEL, IP and L4 OK, level 1 (status %#x)", st);

    ports[5] = 0;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, 0, NULL);
    ok(!(st & OFNIC_RXC_TUNNEL) && (st & CSUM_BITS) ==
       (OFNIC_RXC_IP_CSUM_OK | OFNIC_RXC_L4_CSUM_OK) &&
       ((st & OFNIC_RXC_L4_MASK) >> 16) == OFNIC_RXC_L4_UDP,
       "rx vxlan4, port not in the table: outer UDP only, level 0 (status %#x)", st);
    ports[5] = VXLAN_PORT | OFNIC_TUNNEL_TYPE_GENEVE << 16;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, 0, NULL);
    ok(!(st & OFNIC_RXC_TUNNEL), "rx vxlan4 to a port listed as GENEVE: not a tunnel");
    ports[5] = VXLAN_PORT | OFNIC_TUNNEL_TYPE_VXLAN << 16;
    cfg = rx_cfg(RX_ALL & ~OFNIC_OFFLOAD_TUNNEL_RX);
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, 0, NULL);
    ok(!(st & OFNIC_RXC_TUNNEL) && LEVEL(st) == 0, "rx vxlan4, TUNNEL_RX off: not parsed");
    cfg = rx_cfg(RX_ALL);

    d = sk.f[0].d + ioff - 8;
    d[0] &= ~0x08;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, 0, NULL);
    ok(!(st & OFNIC_RXC_TUNNEL) && (st & OFNIC_RXC_CSUM_ERR) && !(st & OFNIC_RXC_L4_CSUM_OK),
       "rx vxlan without the I flag: not a tunnel; outer checksum checked (now wrong)");
    d[0] |= 0x08;
    sk.f[0].d[ioff + 100] ^= 0x40;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, 0, NULL);
    ok((st & OFNIC_RXC_TUNNEL) && (st & CSUM_BITS) == OFNIC_RXC_CSUM_ERR,
       "rx vxlan, a payload bit flipped: CSUM_ERR, nothing OK");
    for (i = 14; i < sk.f[1].len; i++) {
        st = classify(&cfg, sk.f[1].d, i, 0, NULL);
        if (st & (OFNIC_RXC_L4_CSUM_OK | OFNIC_RXC_CSUM_LEVEL_MASK | OFNIC_RXC_TUNNEL)) {
            break;
        }
    }
    ok(i == sk.f[1].len, "rx vxlan truncated anywhere: never parsed, never L4 OK");

    make_rx(&o, false, false, 0);
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, ioff, &same);
    ok(same && (st & CSUM_BITS) == (OFNIC_RXC_IP_CSUM_OK | OFNIC_RXC_L4_CSUM_OK) + (1u << 6),
       "rx vxlan4/tcp4, outer UDP checksum 0: level 1 (status %#x)", st);
    sk.f[0].d[sk.f[0].len - 1] ^= 1;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, 0, NULL);
    ok((st & CSUM_BITS) == OFNIC_RXC_CSUM_ERR, "rx vxlan4/tcp4 no outer csum, payload bad: CSUM_ERR");

    o.v6 = true;
    o.tagged = true;
    make_rx(&o, false, false, 0);
    ioff = p->l2 + p->l3 + 16;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, ioff, &same);
    ok(same && (st & CSUM_BITS) == (OFNIC_RXC_IP_CSUM_OK | OFNIC_RXC_L4_CSUM_OK) + (1u << 6),
       "rx vxlan6 (tagged)/tcp4, outer UDP checksum 0 over IPv6: level 1 (status %#x)", st);
    make_rx(&o, true, true, 0);
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, ioff, &same);
    ok(same && (st & CSUM_BITS) == OFNIC_RXC_L4_CSUM_OK + (1u << 6),
       "rx vxlan6/tcp6 with outer checksum: L4 OK level 1, no IPv4 header (status %#x)", st);

    o = (struct outer_spec){ .tun_hdr = 8 + 12, .ip_id = 1, .proto = 17 };
    make_rx(&o, false, true, 0);
    ioff = p->l2 + p->l3 + 8 + o.tun_hdr;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, ioff, &same);
    ok(same && (st & CSUM_BITS) == (OFNIC_RXC_IP_CSUM_OK | OFNIC_RXC_L4_CSUM_OK) + (1u << 6),
       "rx geneve4 (12 bytes of options)/tcp4: inner parsed, level 1 (status %#x)", st);
    cfg.geneve = false;
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, 0, NULL);
    ok(!(st & OFNIC_RXC_TUNNEL), "rx geneve without the GENEVE capability: not a tunnel");
    cfg.geneve = true;
    p16(sk.f[0].d + ioff - o.tun_hdr + 2, 0x0800);
    st = classify(&cfg, sk.f[0].d, sk.f[0].len, 0, NULL);
    ok(!(st & OFNIC_RXC_TUNNEL), "rx geneve with protocol type IPv4 (not Ethernet): not a tunnel");

    /* inner RSS: 64 flows that differ only inside the tunnel spread over the queues */
    o = (struct outer_spec){ .tun_hdr = 8, .ip_id = 1, .proto = 17 };
    for (i = 0; i < 64; i++) {
        struct ofnic_rx_result r;

        make_rx(&o, false, true, i);
        ofnic_rx_classify(&cfg, sk.f[0].d, sk.f[0].len, scratch, &r);
        n[r.queue % 4]++;
    }
    for (i = 0; i < 4; i++) {
        mx = n[i] > mx ? n[i] : mx;
        mn = n[i] < mn ? n[i] : mn;
    }
    ok(mn > 0 && mx <= 3 * mn, "rx inner RSS: 64 flows in one outer flow over 4 queues: %u %u %u %u",
       n[0], n[1], n[2], n[3]);
}

/* Random bytes after a VXLAN/GENEVE port: never a crash (ASan), never "good" by chance. */
static void test_rx_garbage(void)
{
    struct outer_spec o = { .tun_hdr = 8, .ip_id = 1, .proto = 17 };
    struct ofnic_rx_cfg cfg = rx_cfg(RX_ALL);
    uint32_t x = 12345, st;
    unsigned int i, j, good = 0;

    make_rx(&o, false, false, 0);
    for (i = 0; i < 20000; i++) {
        size_t len = 14 + 20 + 8 + (x % 200);
        uint8_t *f = malloc(len);

        memcpy(f, sk.f[0].d, 14 + 20 + 8);
        p16(f + 16, (uint16_t)(len - 14));
        p16(f + 14 + 20 + 4, (uint16_t)(len - 34));
        p16(f + 14 + 20 + 2, (i & 1) ? VXLAN_PORT : GENEVE_PORT);
        for (j = 42; j < len; j++) {
            x = x * 1103515245u + 12345;
            f[j] = (uint8_t)(x >> 16);
        }
        if ((i & 2) && len >= 46) {
            f[42] = (i & 1) ? 0x08 : (uint8_t)(f[42] & 0x3f);
            if (!(i & 1)) {
                p16(f + 44, 0x6558);
            }
        }
        st = classify(&cfg, f, len, 0, NULL);
        good += LEVEL(st) != 0;
        free(f);
    }
    ok(good == 0, "rx: 20000 random tunnel payloads parsed safely, none verified (%u)", good);
}

int main(void)
{
    plan(143);
    in = pkt_new();
    p = pkt_new();
    test_tso();
    test_uso();
    test_csum();
    test_drops();
    test_rx();
    test_rx_garbage();
    sink_reset(&sk);
    sink_reset(&inner);
    pkt_free(in);
    pkt_free(p);
    return done_testing();
}
