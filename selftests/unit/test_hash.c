/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Toeplitz/RSS (Microsoft verification vectors), Internet checksum, CRC32c, CRC32 and the
 * MAC filter.
 */
#include <stdlib.h>
#include "tap.h"
#include "ofnic_engine.h"

static const uint8_t ms_key[40] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct v4vec {
    uint8_t src[4], dst[4];
    uint16_t sport, dport;
    uint32_t ip, tcp;
};

/* "Verifying the RSS Hash Calculation", Microsoft. */
static const struct v4vec v4[] = {
    { { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766, 0x323e8fc2, 0x51ccc178 },
    { { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739, 0xd718262a, 0xc626b0ea },
    { { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
    { { 38, 27, 205, 30 }, { 209, 142, 163, 6 }, 48228, 2217, 0x82989176, 0xafc7327f },
    { { 153, 39, 163, 191 }, { 202, 188, 127, 2 }, 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};

struct v6vec {
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t ip, tcp;
};

static const struct v6vec v6[] = {
    { /* 3ffe:2501:200:1fff::7 -> 3ffe:2501:200:3::1 */
      { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 7 },
      { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 1 },
      2794, 1766, 0x2cc18cd5, 0x40207d3d },
    { /* 3ffe:501:8::260:97ff:fe40:efab -> ff02::1 */
      { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0, 0, 0x02, 0x60, 0x97, 0xff, 0xfe, 0x40,
        0xef, 0xab },
      { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
      14230, 4739, 0x0f0c461c, 0xdde51bbf },
    { /* 3ffe:1900:4545:3:200:f8ff:fe21:67cf -> fe80::200:f8ff:fe21:67cf */
      { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21,
        0x67, 0xcf },
      { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
      44251, 38024, 0x4b61e985, 0x02d1feef },
};

static size_t mk_input(uint8_t *in, const uint8_t *s, const uint8_t *d, size_t alen,
                       uint16_t sp, uint16_t dp, int ports)
{
    size_t n = 0;

    memcpy(in + n, s, alen);
    n += alen;
    memcpy(in + n, d, alen);
    n += alen;
    if (ports) {
        in[n++] = sp >> 8;
        in[n++] = sp & 0xff;
        in[n++] = dp >> 8;
        in[n++] = dp & 0xff;
    }
    return n;
}

static struct ofnic_toeplitz_tbl tbl;

static void test_toeplitz(void)
{
    uint8_t in[36];
    size_t i, n;

    ofnic_toeplitz_prepare(&tbl, ms_key);
    for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
        n = mk_input(in, v4[i].src, v4[i].dst, 4, 0, 0, 0);
        is(ofnic_toeplitz(ms_key, in, n), v4[i].ip, "toeplitz v4[%zu] IP", i);
        is(ofnic_toeplitz_fast(&tbl, in, n), v4[i].ip, "toeplitz fast v4[%zu] IP", i);
        n = mk_input(in, v4[i].src, v4[i].dst, 4, v4[i].sport, v4[i].dport, 1);
        is(ofnic_toeplitz(ms_key, in, n), v4[i].tcp, "toeplitz v4[%zu] TCP", i);
        is(ofnic_toeplitz_fast(&tbl, in, n), v4[i].tcp, "toeplitz fast v4[%zu] TCP", i);
    }
    for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
        n = mk_input(in, v6[i].src, v6[i].dst, 16, 0, 0, 0);
        is(ofnic_toeplitz(ms_key, in, n), v6[i].ip, "toeplitz v6[%zu] IP", i);
        is(ofnic_toeplitz_fast(&tbl, in, n), v6[i].ip, "toeplitz fast v6[%zu] IP", i);
        n = mk_input(in, v6[i].src, v6[i].dst, 16, v6[i].sport, v6[i].dport, 1);
        is(ofnic_toeplitz(ms_key, in, n), v6[i].tcp, "toeplitz v6[%zu] TCP", i);
        is(ofnic_toeplitz_fast(&tbl, in, n), v6[i].tcp, "toeplitz fast v6[%zu] TCP", i);
    }
}

/* Build Ethernet/IPv4/TCP or UDP from vector 0 and run it through ofnic_rss(). */
static void test_rss(void)
{
    static struct ofnic_rss_ctx ctx;
    struct ofnic_pkt_info pi;
    uint8_t p[64] = { 0 };
    uint32_t hash = 0, queue = 0;
    unsigned int i, t;

    memcpy(ctx.key, ms_key, 40);
    ctx.fields = OFNIC_RSS_FIELDS_DEFAULT;
    for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++) {
        ctx.indir[i] = i % 5;
    }
    p[12] = 0x08;
    p[14] = 0x45;
    p[17] = 40;
    p[23] = 6;
    memcpy(p + 26, v4[1].src, 4);
    memcpy(p + 30, v4[1].dst, 4);
    p[34] = v4[1].sport >> 8;
    p[35] = v4[1].sport & 0xff;
    p[36] = v4[1].dport >> 8;
    p[37] = v4[1].dport & 0xff;
    p[46] = 0x50;
    ofnic_parse(p, 54, &pi);
    t = ofnic_rss(&ctx, p, &pi, &hash, &queue);
    is(t, OFNIC_RXC_HASH_L4, "rss tcp4: L4 hash");
    is(hash, v4[1].tcp, "rss tcp4: hash");
    is(queue, (v4[1].tcp % OFNIC_RSS_INDIR_SIZE) % 5, "rss tcp4: queue from indirection");

    ctx.fields &= ~0xfu;
    ctx.fields |= OFNIC_RSS_FIELD_SRC_IP | OFNIC_RSS_FIELD_DST_IP;
    t = ofnic_rss(&ctx, p, &pi, &hash, &queue);
    is(t, OFNIC_RXC_HASH_L3, "rss tcp4 fields=IP: L3 hash");
    is(hash, v4[1].ip, "rss tcp4 fields=IP: hash");

    ctx.fields &= ~0xfu;
    t = ofnic_rss(&ctx, p, &pi, &hash, &queue);
    is(t, OFNIC_RXC_HASH_NONE, "rss tcp4 fields=0: no hash");

    p[23] = 17;     /* UDP: default fields hash the ports too */
    ofnic_parse(p, 54, &pi);
    t = ofnic_rss(&ctx, p, &pi, &hash, &queue);
    is(t, OFNIC_RXC_HASH_L4, "rss udp4: L4");
    is(hash, v4[1].tcp, "rss udp4: same input as TCP");

    p[23] = 47;     /* GRE: L3 only */
    ofnic_parse(p, 54, &pi);
    t = ofnic_rss(&ctx, p, &pi, &hash, &queue);
    is(t, OFNIC_RXC_HASH_L3, "rss other IPv4: L3");
    is(hash, v4[1].ip, "rss other IPv4: hash");

    /* a new key must invalidate the table */
    ctx.key[0] ^= 1;
    ctx.tbl_valid = false;
    ofnic_rss(&ctx, p, &pi, &hash, &queue);
    ok(hash != v4[1].ip, "rss: key change changes the hash");

    p[12] = 0x08;
    p[13] = 0x06;   /* ARP */
    ofnic_parse(p, 54, &pi);
    is(ofnic_rss(&ctx, p, &pi, &hash, &queue), OFNIC_RXC_HASH_NONE, "rss ARP: no hash");
}

/* Ethernet/IPv4/TCP from a to b (v4 vector fields), or Ethernet/IPv6/TCP (v6) */
static size_t mk_tcp(uint8_t *p, int v6, const uint8_t *s, const uint8_t *d, uint16_t sp,
                     uint16_t dp)
{
    size_t alen = v6 ? 16 : 4, l4 = v6 ? 54 : 34;

    memset(p, 0, 80);
    p[12] = v6 ? 0x86 : 0x08;
    p[13] = v6 ? 0xdd : 0x00;
    if (v6) {
        p[14] = 0x60;
        p[19] = 20;
        p[20] = 6;
        p[21] = 64;
        memcpy(p + 22, s, alen);
        memcpy(p + 38, d, alen);
    } else {
        p[14] = 0x45;
        p[17] = 40;
        p[23] = 6;
        memcpy(p + 26, s, alen);
        memcpy(p + 30, d, alen);
    }
    p[l4] = sp >> 8;
    p[l4 + 1] = sp & 0xff;
    p[l4 + 2] = dp >> 8;
    p[l4 + 3] = dp & 0xff;
    p[l4 + 12] = 0x50;
    return l4 + 20;
}

/* The transformed input, built here independently of the engine */
static size_t mk_sym(uint8_t *in, const uint8_t *s, const uint8_t *d, size_t alen,
                     uint16_t sp, uint16_t dp, int or_xor)
{
    uint8_t a[16], b[16];
    size_t i;

    for (i = 0; i < alen; i++) {
        a[i] = or_xor ? s[i] | d[i] : s[i] ^ d[i];
        b[i] = s[i] ^ d[i];
    }
    return mk_input(in, a, b, alen, or_xor ? sp | dp : sp ^ dp, sp ^ dp, 1);
}

/* Symmetric input transforms: both directions of a flow hash alike */
static void test_rss_sym(void)
{
    static struct ofnic_rss_ctx ctx;
    static const uint32_t xf[] = { OFNIC_RSS_CTRL_SYM_XOR, OFNIC_RSS_CTRL_SYM_OR_XOR };
    struct ofnic_pkt_info pi;
    uint8_t p[80], in[36];
    uint32_t h1 = 0, h2 = 0, q;
    unsigned int six, x;
    size_t len, n;

    memcpy(ctx.key, ms_key, 40);
    ctx.fields = OFNIC_RSS_FIELDS_DEFAULT;
    for (six = 0; six < 2; six++) {
        const uint8_t *s = six ? v6[0].src : v4[1].src, *d = six ? v6[0].dst : v4[1].dst;
        uint16_t sp = six ? v6[0].sport : v4[1].sport, dp = six ? v6[0].dport : v4[1].dport;
        size_t alen = six ? 16 : 4;
        const char *name = six ? "tcp6" : "tcp4";

        ctx.xfrm = 0;
        len = mk_tcp(p, six, s, d, sp, dp);
        ofnic_parse(p, len, &pi);
        ofnic_rss(&ctx, p, &pi, &h1, &q);
        len = mk_tcp(p, six, d, s, dp, sp);
        ofnic_parse(p, len, &pi);
        ofnic_rss(&ctx, p, &pi, &h2, &q);
        ok(h1 != h2, "rss sym %s: without a transform the directions differ", name);
        for (x = 0; x < 2; x++) {
            const char *xn = x ? "or-xor" : "xor";

            ctx.xfrm = xf[x];
            len = mk_tcp(p, six, s, d, sp, dp);
            ofnic_parse(p, len, &pi);
            is(ofnic_rss(&ctx, p, &pi, &h1, &q), OFNIC_RXC_HASH_L4, "rss sym %s %s: L4", name,
               xn);
            len = mk_tcp(p, six, d, s, dp, sp);
            ofnic_parse(p, len, &pi);
            ofnic_rss(&ctx, p, &pi, &h2, &q);
            is(h2, h1, "rss sym %s %s: reverse direction hashes alike", name, xn);
            n = mk_sym(in, s, d, alen, sp, dp, x);
            is(h1, ofnic_toeplitz(ms_key, in, n), "rss sym %s %s: Toeplitz of the %s input",
               name, xn, xn);
        }
        /* a field without its partner goes in as it is */
        ctx.xfrm = OFNIC_RSS_CTRL_SYM_XOR;
        ctx.fields = (OFNIC_RSS_FIELDS_DEFAULT & ~0xfu) | OFNIC_RSS_FIELD_SRC_IP;
        ctx.fields &= ~(0xfu << (4 * OFNIC_FLOW_TCP6));
        ctx.fields |= OFNIC_RSS_FIELD_SRC_IP << (4 * OFNIC_FLOW_TCP6);
        len = mk_tcp(p, six, s, d, sp, dp);
        ofnic_parse(p, len, &pi);
        ofnic_rss(&ctx, p, &pi, &h1, &q);
        is(h1, ofnic_toeplitz(ms_key, s, alen), "rss sym %s: source address alone, untouched",
           name);
        ctx.fields = OFNIC_RSS_FIELDS_DEFAULT;
    }
}

/* Toeplitz over a 40-byte input, the key read cyclically past its 320 bits, bit by bit */
static uint32_t ref_toeplitz_cyclic(const uint8_t *in, size_t len)
{
    uint32_t h = 0;
    size_t i, k;

    for (i = 0; i < len * 8; i++) {
        uint32_t w = 0;

        if (!(in[i / 8] & (0x80 >> (i % 8)))) {
            continue;
        }
        for (k = 0; k < 32; k++) {
            size_t kb = (i + k) % 320;

            w = w << 1 | ((ms_key[kb / 8] >> (7 - kb % 8)) & 1);
        }
        h ^= w;
    }
    return h;
}

/* IPv6 flow label: fed after the ports when selected, IPv6 flow types only */
static void test_rss_flow_label(void)
{
    static struct ofnic_rss_ctx ctx;
    static const uint32_t labels[] = { 0x00001, 0x12345, 0xfffff, 0x80000, 0x00abc, 0x54321,
                                       0x0f0f0, 0x77777 };
    struct ofnic_pkt_info pi;
    uint8_t p[80], in[40];
    uint32_t h0, h, q, fl, queues = 0;
    size_t len, n, i;

    memcpy(ctx.key, ms_key, 40);
    ctx.fields = OFNIC_RSS_FIELDS_DEFAULT;
    memset(ctx.indir, 0, sizeof(ctx.indir));
    for (i = 0; i < OFNIC_RSS_INDIR_SIZE; i++) {
        ctx.indir[i] = (uint8_t)(i % 8);
    }
    len = mk_tcp(p, 1, v6[0].src, v6[0].dst, v6[0].sport, v6[0].dport);
    ofnic_parse(p, len, &pi);
    ofnic_rss(&ctx, p, &pi, &h0, &q);
    is(h0, v6[0].tcp, "flow label off: the Microsoft tcp6 vector");
    p[15] = 0x0a; /* label 0xa5555, traffic class nibble 0 */
    p[16] = 0x55;
    p[17] = 0x55;
    ofnic_rss(&ctx, p, &pi, &h, &q);
    is(h, v6[0].tcp, "flow label off: a label changes nothing");

    ctx.fields |= OFNIC_RSS_FIELD_FLOW_LABEL(OFNIC_FLOW_TCP6);
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        fl = labels[i];
        p[14] = 0x6f; /* traffic class bits around the label must not count */
        p[15] = (uint8_t)(0xf0 | fl >> 16);
        p[16] = (uint8_t)(fl >> 8);
        p[17] = (uint8_t)fl;
        ofnic_parse(p, len, &pi);
        is(ofnic_rss(&ctx, p, &pi, &h, &q), OFNIC_RXC_HASH_L4, "flow label 0x%05x: L4 hash",
           fl);
        n = mk_input(in, v6[0].src, v6[0].dst, 16, v6[0].sport, v6[0].dport, 1);
        in[n++] = 0;
        in[n++] = (uint8_t)(fl >> 16);
        in[n++] = (uint8_t)(fl >> 8);
        in[n++] = (uint8_t)fl;
        is(h, ref_toeplitz_cyclic(in, n), "flow label 0x%05x: Toeplitz of 4-tuple + label",
           fl);
        queues |= 1u << q;
    }
    ok(__builtin_popcount(queues) >= 4, "8 labels of one 4-tuple reach %d of 8 queues",
       __builtin_popcount(queues));

    /* the label alone (no address or port selected): an L3 hash */
    ctx.fields &= ~(0xfu << (4 * OFNIC_FLOW_TCP6));
    is(ofnic_rss(&ctx, p, &pi, &h, &q), OFNIC_RXC_HASH_L3, "flow label alone: L3 hash");
    memset(in, 0, 4);
    in[1] = 0x07;
    in[2] = 0x77;
    in[3] = 0x77;
    is(h, ref_toeplitz_cyclic(in, 4), "flow label alone: Toeplitz of the label");

    /* an IPv4 packet is not touched by the IPv6 bits */
    ctx.fields = OFNIC_RSS_FIELDS_DEFAULT | OFNIC_RSS_FIELDS_FLOW_LABEL;
    len = mk_tcp(p, 0, v4[0].src, v4[0].dst, v4[0].sport, v4[0].dport);
    ofnic_parse(p, len, &pi);
    ofnic_rss(&ctx, p, &pi, &h, &q);
    is(h, v4[0].tcp, "flow label bits: IPv4 hashes as before");
}

static uint16_t ref_csum(const uint8_t *p, size_t len)
{
    uint32_t s = 0;
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    }
    if (len & 1) {
        s += (uint32_t)p[len - 1] << 8;
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return (uint16_t)~s;
}

static void test_csum(void)
{
    static const uint8_t rfc1071[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    static const uint8_t ip[] = {
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
        0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
    };
    uint8_t ip0[20];
    uint8_t *buf = malloc(3000);
    unsigned int i, bad = 0, seed = 1;
    uint32_t s;

    is(ofnic_csum_add(0, rfc1071, 8), 0xddf2, "csum RFC 1071 sum");
    is(ofnic_csum_fold(ofnic_csum_add(0, rfc1071, 8)), 0x220d, "csum RFC 1071 checksum");
    is(ofnic_csum_fold(ofnic_csum_add(0, ip, 20)), 0, "csum valid IPv4 header folds to 0");
    memcpy(ip0, ip, 20);
    ip0[10] = ip0[11] = 0;
    is(ofnic_csum_fold(ofnic_csum_add(0, ip0, 20)), 0xb861, "csum IPv4 header checksum");
    is(ofnic_csum_fold(ofnic_csum_add(0, "\x01", 1)), 0xfeff, "csum odd byte is high");

    for (i = 0; i < 3000; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = seed >> 16;
    }
    for (i = 0; i < 2000; i++) {
        size_t off = i % 13, len = (i * 7) % 1500;

        if (ofnic_csum_fold(ofnic_csum_add(0, buf + off, len)) != ref_csum(buf + off, len)) {
            bad++;
        }
    }
    is(bad, 0, "csum matches the reference for 2000 lengths/alignments");
    s = ofnic_csum_add(0, buf, 100);
    s = ofnic_csum_add(s, buf + 100, 901);
    is(ofnic_csum_fold(s), ref_csum(buf, 1001), "csum chained over an even split");
    s = ofnic_csum_add(0xffffffffu, buf, 1000);
    is(ofnic_csum_fold(s), ofnic_csum_fold(ofnic_csum_add(0xffff, buf, 1000)),
       "csum carries from a large start value");
    memset(buf, 0xff, 3000);
    is(ofnic_csum_fold(ofnic_csum_add(0, buf, 3000)), 0, "csum all ones");
    free(buf);
}

static uint32_t ref_crc(uint32_t poly, uint32_t crc, const uint8_t *p, size_t len)
{
    size_t i;
    int b;

    for (i = 0; i < len; i++) {
        crc ^= p[i];
        for (b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ ((crc & 1) ? poly : 0);
        }
    }
    return crc;
}

static void test_crc(void)
{
    uint8_t b[32], big[1031];
    unsigned int i, bad = 0;

    is(~ofnic_crc32c(~0u, "123456789", 9), 0xe3069283, "crc32c check value");
    memset(b, 0, 32);
    is(~ofnic_crc32c(~0u, b, 32), 0x8a9136aa, "crc32c 32 zeros (RFC 3720)");
    memset(b, 0xff, 32);
    is(~ofnic_crc32c(~0u, b, 32), 0x62a8ab43, "crc32c 32 ones (RFC 3720)");
    for (i = 0; i < 32; i++) {
        b[i] = i;
    }
    is(~ofnic_crc32c(~0u, b, 32), 0x46dd794e, "crc32c incrementing (RFC 3720)");
    for (i = 0; i < 32; i++) {
        b[i] = 31 - i;
    }
    is(~ofnic_crc32c(~0u, b, 32), 0x113fdb5c, "crc32c decrementing (RFC 3720)");
    is(~ofnic_crc32_le(~0u, "123456789", 9), 0xcbf43926, "crc32 check value");

    for (i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 31 + 7);
    }
    for (i = 0; i < 200; i++) {
        size_t off = i % 9, len = (i * 5) % (sizeof(big) - 9);

        bad += ofnic_crc32c(~0u, big + off, len) !=
               ref_crc(0x82f63b78, ~0u, big + off, len);
        bad += ofnic_crc32_le(~0u, big + off, len) !=
               ref_crc(0xedb88320, ~0u, big + off, len);
    }
    is(bad, 0, "crc32c/crc32 slicing-by-8 matches the bitwise reference");
}

static void test_mac_filter(void)
{
    /* ether_crc_le(6, addr) & 0xfff, computed with zlib: crc32 ^ ~0 */
    static const struct { uint8_t a[6]; unsigned int h; } mc[] = {
        { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }, 0x5fe },
        { { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, 0x99f },
        { { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa }, 0xc75 },
        { { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 }, 0xbe6 },
        { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 0x2ff },
    };
    static const uint8_t me[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
    static struct ofnic_mac_filter f;
    unsigned int i, h;

    for (i = 0; i < sizeof(mc) / sizeof(mc[0]); i++) {
        is(ofnic_mc_hash(mc[i].a), mc[i].h, "mc hash %u equals ether_crc_le", i);
    }
    is(ofnic_crc32_le(~0u, mc[0].a, 6), 0xd9b4c5fe, "ether_crc_le full value");

    memcpy(f.mac, me, 6);
    is(ofnic_mac_filter(&f, me), OFNIC_MAC_UNICAST, "filter: own address");
    is(ofnic_mac_filter(&f, other), OFNIC_MAC_DROP, "filter: other unicast dropped");
    is(ofnic_mac_filter(&f, mc[4].a), OFNIC_MAC_BROADCAST, "filter: broadcast");
    is(ofnic_mac_filter(&f, mc[0].a), OFNIC_MAC_DROP, "filter: multicast off");
    f.offload = OFNIC_OFFLOAD_MC_FILTER;
    h = mc[0].h;
    f.mc_hash[h / 32] |= 1u << (h % 32);
    is(ofnic_mac_filter(&f, mc[0].a), OFNIC_MAC_MULTICAST, "filter: hashed multicast in");
    is(ofnic_mac_filter(&f, mc[1].a), OFNIC_MAC_DROP, "filter: unhashed multicast out");
    f.offload = 0;
    is(ofnic_mac_filter(&f, mc[0].a), OFNIC_MAC_DROP, "filter: table ignored when off");
    f.offload = OFNIC_OFFLOAD_ALLMULTI;
    is(ofnic_mac_filter(&f, mc[1].a), OFNIC_MAC_MULTICAST, "filter: allmulti");
    is(ofnic_mac_filter(&f, other), OFNIC_MAC_DROP, "filter: allmulti is not promisc");
    f.offload = OFNIC_OFFLOAD_PROMISC;
    is(ofnic_mac_filter(&f, other), OFNIC_MAC_UNICAST, "filter: promisc unicast");
}

int main(void)
{
    plan(114);
    test_toeplitz();
    test_rss();
    test_rss_sym();
    test_rss_flow_label();
    test_csum();
    test_crc();
    test_mac_filter();
    return done_testing();
}
