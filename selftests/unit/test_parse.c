/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet parser: ofnic_parse(), with every truncation of every test packet checked under
 * ASan (each truncated copy lives in its own exactly-sized heap buffer).
 */
#include <stdlib.h>
#include "tap.h"
#include "ofnic_engine.h"

static size_t put_eth(uint8_t *p, uint16_t et)
{
    static const uint8_t hdr[12] = { 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2 };

    memcpy(p, hdr, 12);
    p[12] = et >> 8;
    p[13] = et & 0xff;
    return 14;
}

static size_t put_vlan(uint8_t *p, uint16_t tci, uint16_t et)
{
    p[0] = tci >> 8;
    p[1] = tci & 0xff;
    p[2] = et >> 8;
    p[3] = et & 0xff;
    return 4;
}

/* IPv4 header with optlen bytes of NOP options; tot = header + payload. */
static size_t put_ipv4(uint8_t *p, unsigned int optlen, uint8_t proto, unsigned int payload,
                       uint16_t frag)
{
    size_t hl = 20 + optlen, tot = hl + payload;

    memset(p, 0, hl);
    p[0] = 0x40 | (uint8_t)(hl / 4);
    p[2] = tot >> 8;
    p[3] = tot & 0xff;
    p[6] = frag >> 8;
    p[7] = frag & 0xff;
    p[8] = 64;
    p[9] = proto;
    p[12] = 10; p[13] = 0; p[14] = 0; p[15] = 1;
    p[16] = 10; p[17] = 0; p[18] = 0; p[19] = 2;
    memset(p + 20, 1, optlen);
    return hl;
}

static size_t put_ipv6(uint8_t *p, uint8_t nh, unsigned int plen)
{
    unsigned int i;

    memset(p, 0, 40);
    p[0] = 0x60;
    p[4] = plen >> 8;
    p[5] = plen & 0xff;
    p[6] = nh;
    p[7] = 64;
    for (i = 0; i < 16; i++) {
        p[8 + i] = 0x20 + i;
        p[24 + i] = 0x40 + i;
    }
    return 40;
}

/* Generic extension header of len bytes (multiple of 8). */
static size_t put_ext(uint8_t *p, uint8_t nh, unsigned int len)
{
    memset(p, 0, len);
    p[0] = nh;
    p[1] = len / 8 - 1;
    return len;
}

static size_t put_tcp(uint8_t *p, uint16_t sport, uint16_t dport, unsigned int optlen)
{
    size_t hl = 20 + optlen;

    memset(p, 0, hl);
    p[0] = sport >> 8;
    p[1] = sport & 0xff;
    p[2] = dport >> 8;
    p[3] = dport & 0xff;
    p[12] = (uint8_t)((hl / 4) << 4);
    return hl;
}

static size_t put_udp(uint8_t *p, uint16_t sport, uint16_t dport, unsigned int payload)
{
    p[0] = sport >> 8;
    p[1] = sport & 0xff;
    p[2] = dport >> 8;
    p[3] = dport & 0xff;
    p[4] = (8 + payload) >> 8;
    p[5] = (8 + payload) & 0xff;
    p[6] = p[7] = 0;
    return 8;
}

/* Parse every truncation of pkt; check invariants; returns the number of violations. */
static int truncations(const uint8_t *pkt, size_t len)
{
    int bad = 0;
    size_t n;

    for (n = 0; n <= len; n++) {
        uint8_t *b = malloc(n ? n : 1);
        struct ofnic_pkt_info pi;
        int r;

        memcpy(b, pkt, n);
        r = ofnic_parse(b, n, &pi);
        if ((n < 14) != (r != 0)) {
            bad++;
        }
        if (pi.l4_off && (size_t)pi.l4_off + pi.l4_len > n) {
            bad++;
        }
        if (pi.l3_off && (size_t)pi.dst_off + pi.addr_len > n) {
            bad++;
        }
        if ((pi.flow == OFNIC_FLOW_TCP4 || pi.flow == OFNIC_FLOW_TCP6 ||
             pi.flow == OFNIC_FLOW_UDP4 || pi.flow == OFNIC_FLOW_UDP6) && !pi.l4_off) {
            bad++;
        }
        free(b);
    }
    return bad;
}

static void test_ipv4_options(void)
{
    uint8_t p[256];
    struct ofnic_pkt_info pi;
    size_t n = 0;

    n += put_eth(p, 0x0800);
    n += put_ipv4(p + n, 8, 6, 32 + 10, 0);
    n += put_tcp(p + n, 1234, 80, 12);
    memset(p + n, 0xaa, 10);
    n += 10;
    is(ofnic_parse(p, n, &pi), 0, "v4 opts: parsed");
    is(pi.flow, OFNIC_FLOW_TCP4, "v4 opts: TCP4");
    is(pi.l3, OFNIC_RXC_L3_IPV4, "v4 opts: L3");
    is(pi.l4, OFNIC_RXC_L4_TCP, "v4 opts: L4");
    is(pi.l3_off, 14, "v4 opts: l3_off");
    is(pi.l3_len, 28, "v4 opts: l3_len");
    is(pi.l4_off, 42, "v4 opts: l4_off");
    is(pi.l4_len, 32, "v4 opts: l4_len");
    is(pi.sport, 1234, "v4 opts: sport");
    is(pi.dport, 80, "v4 opts: dport");
    is(pi.src_off, 26, "v4 opts: src_off");
    is(pi.addr_len, 4, "v4 opts: addr_len");
    ok(!pi.frag, "v4 opts: not a fragment");
    is(truncations(p, n), 0, "v4 opts: every truncation safe");

    /* Ethernet padding beyond tot_len is ignored, a short tot_len stops L4. */
    p[16] = 0;
    p[17] = 28 + 10;    /* tot_len covers only part of the TCP header */
    ofnic_parse(p, n, &pi);
    is(pi.flow, OFNIC_FLOW_IP4, "v4 short tot_len: no L4");
    p[17] = 10;         /* tot_len < header */
    ofnic_parse(p, n, &pi);
    is(pi.l3, OFNIC_RXC_L3_OTHER, "v4 tot_len < ihl: not IP");
    p[17] = 28 + 32 + 10;
    p[14] = 0x44;       /* ihl 4 */
    ofnic_parse(p, n, &pi);
    is(pi.l3, OFNIC_RXC_L3_OTHER, "v4 ihl < 5: not IP");
    p[14] = 0x47;
}

static void test_ipv4_frag_udp(void)
{
    uint8_t p[128];
    struct ofnic_pkt_info pi;
    size_t n = 0, l3;

    n += put_eth(p, 0x0800);
    l3 = n;
    n += put_ipv4(p + n, 0, 17, 8 + 20, 0);
    n += put_udp(p + n, 53, 5353, 20);
    memset(p + n, 0, 20);
    n += 20;
    ofnic_parse(p, n, &pi);
    is(pi.flow, OFNIC_FLOW_UDP4, "v4 udp: UDP4");
    is(pi.l4_len, 8, "v4 udp: l4_len");
    is(pi.dport, 5353, "v4 udp: dport");
    is(truncations(p, n), 0, "v4 udp: every truncation safe");

    put_ipv4(p + l3, 0, 17, 8 + 20, 0x2000);   /* MF */
    ofnic_parse(p, n, &pi);
    is(pi.flow, OFNIC_FLOW_IP4, "v4 first fragment: IP4");
    ok(pi.frag, "v4 first fragment: frag");
    is(pi.l4_off, 0, "v4 fragment: no L4");
    put_ipv4(p + l3, 0, 17, 8 + 20, 0x0010);   /* offset 16 */
    ofnic_parse(p, n, &pi);
    ok(pi.frag && pi.flow == OFNIC_FLOW_IP4, "v4 later fragment: IP4");
    put_ipv4(p + l3, 0, 17, 8 + 20, 0x4000);   /* DF only */
    ofnic_parse(p, n, &pi);
    ok(!pi.frag && pi.flow == OFNIC_FLOW_UDP4, "v4 DF: not a fragment");
}

static void test_vlan(void)
{
    uint8_t p[128];
    struct ofnic_pkt_info pi;
    size_t n = 0;

    n += put_eth(p, 0x88a8);
    n += put_vlan(p + n, 0x2064, 0x8100);
    n += put_vlan(p + n, 0x0005, 0x0800);
    n += put_ipv4(p + n, 0, 6, 20, 0);
    n += put_tcp(p + n, 40000, 443, 0);
    ofnic_parse(p, n, &pi);
    is(pi.nvlans, 2, "qinq: two tags");
    is(pi.vlan_tci[0], 0x2064, "qinq: outer tci");
    is(pi.vlan_tci[1], 0x0005, "qinq: inner tci");
    is(pi.ethertype, 0x0800, "qinq: ethertype");
    is(pi.l3_off, 22, "qinq: l3_off");
    is(pi.flow, OFNIC_FLOW_TCP4, "qinq: TCP4");
    is(pi.l4_off, 42, "qinq: l4_off");
    is(truncations(p, n), 0, "qinq: every truncation safe");

    n = put_eth(p, 0x8100);
    n += put_vlan(p + n, 7, 0x8100);
    n += put_vlan(p + n, 8, 0x8100);
    n += put_vlan(p + n, 9, 0x0800);
    n += put_ipv4(p + n, 0, 6, 20, 0);
    n += put_tcp(p + n, 1, 2, 0);
    ofnic_parse(p, n, &pi);
    is(pi.nvlans, 2, "three tags: stops after two");
    is(pi.l3, OFNIC_RXC_L3_OTHER, "three tags: not parsed as IP");
    is(truncations(p, n), 0, "three tags: every truncation safe");
}

static void test_ipv6(void)
{
    uint8_t p[512];
    struct ofnic_pkt_info pi;
    size_t n = 0, l3;

    n += put_eth(p, 0x86dd);
    l3 = n;
    n += put_ipv6(p + n, 0, 8 + 16 + 8 + 8 + 4);
    n += put_ext(p + n, 60, 8);     /* hop-by-hop -> dstopts */
    n += put_ext(p + n, 17, 16);    /* dstopts -> UDP */
    n += put_udp(p + n, 546, 547, 12);
    memset(p + n, 0x11, 12);
    n += 12;
    ofnic_parse(p, n, &pi);
    is(pi.flow, OFNIC_FLOW_UDP6, "v6 ext: UDP6");
    is(pi.l3, OFNIC_RXC_L3_IPV6, "v6 ext: L3");
    is(pi.l3_len, 64, "v6 ext: l3_len includes extension headers");
    is(pi.l4_off, 14 + 64, "v6 ext: l4_off");
    is(pi.src_off, 22, "v6 ext: src_off");
    is(pi.dst_off, 38, "v6 ext: dst_off");
    is(pi.addr_len, 16, "v6 ext: addr_len");
    is(pi.sport, 546, "v6 ext: sport");
    is(truncations(p, n), 0, "v6 ext: every truncation safe");

    /* routing header + AH + TCP */
    n = l3;
    n += put_ipv6(p + n, 43, 24 + 16 + 20);
    n += put_ext(p + n, 51, 24);
    memset(p + n, 0, 16);
    p[n] = 6;
    p[n + 1] = 2;                   /* AH: (2 + 2) * 4 = 16 bytes */
    n += 16;
    n += put_tcp(p + n, 22, 50000, 0);
    ofnic_parse(p, n, &pi);
    is(pi.flow, OFNIC_FLOW_TCP6, "v6 routing+AH: TCP6");
    is(pi.l4_off, 14 + 40 + 24 + 16, "v6 routing+AH: l4_off");
    is(pi.dport, 50000, "v6 routing+AH: dport");
    is(truncations(p, n), 0, "v6 routing+AH: every truncation safe");

    /* fragment header */
    n = l3;
    n += put_ipv6(p + n, 44, 8 + 8);
    memset(p + n, 0, 8);
    p[n] = 17;
    p[n + 3] = 1;                   /* M flag, offset 0 */
    n += 8;
    n += put_udp(p + n, 1, 2, 0);
    ofnic_parse(p, n, &pi);
    ok(pi.frag, "v6 fragment: frag");
    is(pi.flow, OFNIC_FLOW_IP6, "v6 fragment: IP6");
    is(pi.l4_off, 0, "v6 fragment: no L4");
    p[l3 + 40 + 3] = 0;             /* atomic fragment */
    ofnic_parse(p, n, &pi);
    ok(!pi.frag && pi.flow == OFNIC_FLOW_UDP6, "v6 atomic fragment: UDP6");
    is(truncations(p, n), 0, "v6 fragment: every truncation safe");

    /* too many extension headers */
    n = l3;
    n += put_ipv6(p + n, 60, 10 * 8 + 8);
    for (int i = 0; i < 10; i++) {
        n += put_ext(p + n, i == 9 ? 17 : 60, 8);
    }
    n += put_udp(p + n, 1, 2, 0);
    ofnic_parse(p, n, &pi);
    is(pi.flow, OFNIC_FLOW_IP6, "v6 ten extension headers: gives up, IP6");
    is(truncations(p, n), 0, "v6 long chain: every truncation safe");

    /* extension header length pointing past the end */
    n = l3;
    n += put_ipv6(p + n, 0, 8);
    n += put_ext(p + n, 6, 8);
    p[l3 + 41] = 200;
    ofnic_parse(p, n, &pi);
    is(pi.l4_off, 0, "v6 ext past the end: no L4");
    ok(pi.l3 == OFNIC_RXC_L3_IPV6, "v6 ext past the end: still IPv6");
}

static void test_misc(void)
{
    uint8_t p[64] = { 0 };
    struct ofnic_pkt_info pi;

    memset(p, 0xff, 6);
    put_eth(p, 0x0806);
    memset(p, 0xff, 6);
    ofnic_parse(p, 60, &pi);
    ok(pi.broadcast && !pi.multicast, "broadcast");
    is(pi.flow, OFNIC_FLOW_NONE, "ARP: no flow");
    p[0] = 0x01; p[1] = 0x00; p[2] = 0x5e;
    ofnic_parse(p, 60, &pi);
    ok(pi.multicast && !pi.broadcast, "multicast");
    is(ofnic_parse(p, 13, &pi), -1, "13 bytes: not Ethernet");
}

/* Random bytes behind IPv4/IPv6/VLAN ethertypes at random lengths. */
static void test_random(void)
{
    static const uint16_t ets[] = { 0x0800, 0x86dd, 0x8100, 0x88a8 };
    unsigned int seed = 12345, i, bad = 0;
    uint8_t p[200];

    for (i = 0; i < 20000; i++) {
        size_t n, j;

        for (j = 0; j < sizeof(p); j++) {
            seed = seed * 1103515245 + 12345;
            p[j] = seed >> 16;
        }
        put_eth(p, ets[i % 4]);
        if (i & 4) {
            p[14] = (i & 8) ? 0x45 : 0x60;   /* plausible version nibble */
            p[18] = p[22] = 0;
        }
        n = (seed >> 8) % sizeof(p);
        bad += truncations(p, n < 60 ? n : 60 + (n % 8));
    }
    is(bad, 0, "random packets: invariants hold");
}

int main(void)
{
    plan(64);
    test_ipv4_options();
    test_ipv4_frag_udp();
    test_vlan();
    test_ipv6();
    test_misc();
    test_random();
    return done_testing();
}
