/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cases of Linux 7.3's tools/testing/selftests/net/lib/gro.c, as
 * drivers/net/gro.py runs them in its "hw" (HW-GRO) and "lro" modes, for
 * IPv4, IPv6, IP-in-IP and IPv6-in-IPv6: the same packet sequences (rebuilt
 * here, not copied), sent through classification and coalescing, and the
 * payload sizes gro.c's receiver must see. Then gro.c's "capacity" test
 * (gro_hw.py): many flows at once on one queue.
 */
#include <stdbool.h>
#include <string.h>
#include "tap.h"
#include "ofnic_engine.h"

#define ETH_HLEN 14
#define PAYLOAD_LEN 100
#define START_SEQ 100
#define START_ACK 100
#define SPORT 1500
#define DPORT 8000
#define MTU 4096
#define TIMEOUT 2000 /* the driver's RSC timeout, in the units of now (us) */
#define OUT_MAX 2000
#define CAP_PAYLOAD 200

enum { P_V4, P_V6, P_IPIP, P_IP6IP6 };
static const char *const pname[] = { "ipv4", "ipv6", "ipip", "ip6ip6" };

static int proto;
static bool v6;
static int tcp_off, hdr_len; /* gro.c's tcp_offset, total_hdr_len */
static const uint8_t src4[4] = { 192, 168, 1, 200 }, dst4[4] = { 192, 168, 1, 100 };
static const uint8_t src6[16] = { 0xfd, 0xaa, [15] = 2 };
static const uint8_t dst6[16] = { 0xfd, 0xaa, [15] = 1 };

/* ---------------------------------------------------------------------------------------
 * Packets, as gro.c's create_packet() makes them.
 */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < n; i += 2) {
        s += (uint32_t)p[i] << 8 | p[i + 1];
    }
    if (n & 1) {
        s += (uint32_t)p[n - 1] << 8;
    }
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return (uint16_t)~s;
}

static void put16(uint8_t *p, unsigned int v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static unsigned int get16(const uint8_t *p)
{
    return (unsigned int)p[0] << 8 | p[1];
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static void ip4_csum(uint8_t *ip)
{
    put16(ip + 10, 0);
    put16(ip + 10, fold(sum16(0, ip, (size_t)(ip[0] & 0xf) * 4)));
}

/* TCP checksum of the TCP segment at th, tcplen bytes (inner addresses) */
static void tcp_csum(uint8_t *th, unsigned int tcplen)
{
    uint32_t s = v6 ? sum16(sum16(0, src6, 16), dst6, 16)
                    : sum16(sum16(0, src4, 4), dst4, 4);

    s += 6 + tcplen;
    put16(th + 16, 0);
    put16(th + 16, fold(sum16(s, th, tcplen)));
}

static void fill_ip(uint8_t *ip, int payload_len, int protocol)
{
    if (v6) {
        memset(ip, 0, 40);
        ip[0] = 0x60;
        put16(ip + 4, 20 + payload_len);
        ip[6] = (uint8_t)protocol;
        ip[7] = 8;
        memcpy(ip + 8, src6, 16);
        memcpy(ip + 24, dst6, 16);
    } else {
        memset(ip, 0, 20);
        ip[0] = 0x45;
        ip[8] = 8;
        ip[9] = (uint8_t)protocol;
        put16(ip + 2, 20 + payload_len + 20);
        put16(ip + 6, 0x4000);
        memcpy(ip + 12, src4, 4);
        memcpy(ip + 16, dst4, 4);
        ip4_csum(ip);
    }
}

static void fill_tcp(uint8_t *th, int seq_off, int ack_off, int payload_len,
                     int fin)
{
    memset(th, 0, 20);
    put16(th, SPORT);
    put16(th + 2, DPORT);
    put32(th + 4, START_SEQ + seq_off);
    put32(th + 8, START_ACK + ack_off);
    th[12] = 5 << 4;
    th[13] = 0x10 | (fin ? 1 : 0);
    put16(th + 14, 65535);
    tcp_csum(th, 20 + payload_len);
}

static int create_packet(uint8_t *buf, int seq_off, int ack_off,
                         int payload_len, int fin)
{
    int iplen = v6 ? 40 : 20;

    memset(buf, 0, hdr_len);
    memset(buf + hdr_len, 'a', payload_len);
    fill_tcp(buf + tcp_off, seq_off, ack_off, payload_len, fin);
    fill_ip(buf + tcp_off - iplen, payload_len, 6);
    if (tcp_off - iplen > ETH_HLEN) {
        fill_ip(buf + ETH_HLEN, payload_len + iplen, v6 ? 41 : 4);
    }
    memset(buf, 0xaa, 6);
    buf[5] = 1;
    memset(buf + 6, 0xaa, 6);
    buf[11] = 2;
    put16(buf + 12, v6 ? 0x86dd : 0x0800);
    return hdr_len + payload_len;
}

/* Every IPv4 header checksum and the TCP checksum, after an edit. */
static void refresh(uint8_t *buf, int len)
{
    int off = ETH_HLEN;

    while (off < tcp_off) {
        if ((buf[off] >> 4) == 4) {
            ip4_csum(buf + off);
            off += 20;
        } else {
            off += 40;
        }
    }
    tcp_csum(buf + tcp_off, (unsigned int)(len - tcp_off));
}

/* ---------------------------------------------------------------------------------------
 * The receiving queue.
 */
struct out {
    uint8_t *buf;
    size_t len;
    struct ofnic_rx_meta meta;
};

static struct {
    struct ofnic_rsc_queue rq;
    uint64_t gstats[OFNIC_GSTAT_NUM];
    uint8_t scratch[OFNIC_MAX_FRAME];
    struct out out[OUT_MAX];
    unsigned int nout;
    uint64_t now;
    bool lro;
    bool fixedid_no_df; /* Linux >= 6.18 GRO; else a fixed ID needs DF */
} q;

static bool q_out(void *opaque, const uint8_t *frame, size_t len,
                  const struct ofnic_rx_meta *meta, uint16_t segs, uint64_t wire)
{
    (void)opaque;
    (void)segs;
    (void)wire;
    if (q.nout >= OUT_MAX) {
        return false;
    }
    q.out[q.nout].buf = malloc(len);
    memcpy(q.out[q.nout].buf, frame, len);
    q.out[q.nout].len = len;
    q.out[q.nout].meta = *meta;
    q.nout++;
    return true;
}

static struct ofnic_rsc_cfg q_rsc(void)
{
    struct ofnic_rsc_cfg c = { .lro = q.lro, .fixedid_no_df = q.fixedid_no_df,
                               .gstats = q.gstats, .out = q_out };

    return c;
}

static void q_reset(void)
{
    unsigned int i;

    ofnic_rsc_discard(&q.rq);
    for (i = 0; i < q.nout; i++) {
        free(q.out[i].buf);
    }
    q.nout = 0;
}

/* The wire pads a frame to 60 bytes; then what the device does, minus DMA. */
static void wire(const uint8_t *frame, int len)
{
    static const uint32_t filter[OFNIC_VLAN_FILTER_REGS];
    uint8_t buf[MTU + 100] = { 0 };
    struct ofnic_rx_cfg cfg = {
        .offload = OFNIC_OFFLOAD_RX_CSUM |
                   (q.lro ? OFNIC_OFFLOAD_LRO : OFNIC_OFFLOAD_HW_GRO),
        .queues = 1, .need_csum = true, .vlan_filter = filter,
    };
    struct ofnic_rsc_cfg rc = q_rsc();
    struct ofnic_rx_result res;

    memcpy(buf, frame, len);
    if (len < 60) {
        len = 60;
    }
    q.now++;
    if (ofnic_rx_classify(&cfg, buf, len, q.scratch, &res) != OFNIC_RXV_PASS) {
        return;
    }
    if (ofnic_rsc_rx(&q.rq, &rc, &res, q.now) == OFNIC_RSC_PASS) {
        q_out(NULL, res.frame, res.len, &res.meta, 1, res.len);
    }
}

/* Time passes (gro.c's usleep): held flows time out. */
static void pause_ms(unsigned int ms)
{
    struct ofnic_rsc_cfg rc = q_rsc();

    q.now += ms * 1000;
    ofnic_rsc_expire(&q.rq, &rc, q.now, TIMEOUT);
}

static void send_fin(void)
{
    uint8_t buf[200];

    wire(buf, create_packet(buf, PAYLOAD_LEN * 2, 0, 0, 1));
}

/* gro.c's check_recv_pkts(): payload sizes of the frames before the FIN */
static void check(const char *name, const int *exp, unsigned int n)
{
    char got[512] = "", want[256] = "";
    unsigned int i, k = 0;
    bool same = true;

    for (i = 0; i < q.nout; i++) {
        const uint8_t *b = q.out[i].buf, *th;
        int len = (int)q.out[i].len, ip_ext = 0, data;

        if ((b[ETH_HLEN] >> 4) == 4) {
            ip_ext = ((b[ETH_HLEN] & 0xf) - 5) * 4;
        } else if (proto != P_IP6IP6 && b[ETH_HLEN + 6] != 6) {
            ip_ext = 8;
        }
        th = b + tcp_off + ip_ext;
        if (th[13] & 1) {
            break;
        }
        data = len - hdr_len - ((th[12] >> 4) - 5) * 4 - ip_ext;
        if (len == 60 && (b[ETH_HLEN] >> 4) == 4) {
            data = (int)get16(b + ETH_HLEN + 2) - 40;
        }
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%d ", data);
        if (k >= n || exp[k] != data) {
            same = false;
        }
        k++;
    }
    for (i = 0; i < n; i++) {
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%d ", exp[i]);
    }
    ok(same && k == n && i <= q.nout, "%s %s %s: { %s} (want { %s})",
       q.lro ? "lro" : "hw", pname[proto], name, got, want);
}

#define EXPECT(name, ...)                                   \
    do {                                                    \
        const int e_[] = { __VA_ARGS__ };                   \
        check(name, e_, sizeof(e_) / sizeof(e_[0]));        \
    } while (0)

/* ---------------------------------------------------------------------------------------
 * gro.c's senders.
 */
static uint8_t pb[4][70000];

static void send_data(int l1, int l2)
{
    wire(pb[0], create_packet(pb[0], 0, 0, l1, 0));
    wire(pb[0], create_packet(pb[0], l1, 0, l2, 0));
    send_fin();
}

static void send_flags(int psh, int syn, int rst, int urg, int cwr)
{
    int plen = PAYLOAD_LEN * (psh || cwr), flag[2] = { 2, 1 }, i, n;

    for (i = 0; i < 2; i++) {
        uint8_t *th = pb[i] + tcp_off;

        n = create_packet(pb[i], flag[i] * plen, 0, plen, 0);
        th[13] |= (psh ? 0x08 : 0) | (syn ? 0x02 : 0) | (rst ? 0x04 : 0) |
                  (urg ? 0x20 : 0) | (cwr ? 0x80 : 0);
        refresh(pb[i], n);
    }
    for (i = 0; i < 5; i++) {
        if (i == flag[0] || (i == flag[1] && cwr)) {
            wire(pb[i == flag[0] ? 0 : 1], hdr_len + plen);
            continue;
        }
        wire(pb[2], create_packet(pb[2], i * PAYLOAD_LEN, 0, PAYLOAD_LEN, 0));
    }
    send_fin();
}

/* TCP options NOP NOP TS in one of three orders (gro.c's add_standard_...) */
static int with_ts(uint8_t *buf, int seq_off, uint32_t ts, int order)
{
    static const int at[3][3] = { { 0, 1, 2 }, { 0, 11, 1 }, { 10, 11, 0 } };
    uint8_t *o = buf + hdr_len, *th = buf + tcp_off;
    int n;

    create_packet(buf, seq_off, 0, PAYLOAD_LEN, 0);
    memmove(o + 12, o, PAYLOAD_LEN);
    memset(o, 0, 12);
    o[at[order][0]] = 1;
    o[at[order][1]] = 1;
    o[at[order][2]] = 8;
    o[at[order][2] + 1] = 10;
    memcpy(o + at[order][2] + 2, &ts, 4);
    th[12] = 8 << 4;
    n = hdr_len + PAYLOAD_LEN + 12;
    for (int off = ETH_HLEN; off < tcp_off; off += v6 ? 40 : 20) {
        uint8_t *ip = buf + off;

        put16(ip + (v6 ? 4 : 2), get16(ip + (v6 ? 4 : 2)) + 12);
    }
    refresh(buf, n);
    return n;
}

static void send_ts(void)
{
    wire(pb[0], with_ts(pb[0], 0, 0, 0));
    wire(pb[0], with_ts(pb[0], PAYLOAD_LEN, 0, 0));
    wire(pb[0], with_ts(pb[0], PAYLOAD_LEN * 2, 100, 0));
    wire(pb[0], with_ts(pb[0], PAYLOAD_LEN * 3, 100, 1));
    wire(pb[0], with_ts(pb[0], PAYLOAD_LEN * 4, 100, 2));
    pause_ms(100);
    send_fin();
}

static void send_opt(void)
{
    uint8_t *o = pb[0] + hdr_len;
    int n;

    wire(pb[0], with_ts(pb[0], 0, 0, 0));
    wire(pb[0], with_ts(pb[0], PAYLOAD_LEN, 0, 0));
    /* NOP, window scale: 4 bytes of options */
    create_packet(pb[0], PAYLOAD_LEN * 2, 0, PAYLOAD_LEN, 0);
    memmove(o + 4, o, PAYLOAD_LEN);
    o[0] = 1;
    o[1] = 3;
    o[2] = 3;
    o[3] = 0;
    pb[0][tcp_off + 12] = 6 << 4;
    for (int off = ETH_HLEN; off < tcp_off; off += v6 ? 40 : 20) {
        uint8_t *ip = pb[0] + off;

        put16(ip + (v6 ? 4 : 2), get16(ip + (v6 ? 4 : 2)) + 4);
    }
    n = hdr_len + PAYLOAD_LEN + 4;
    refresh(pb[0], n);
    wire(pb[0], n);
    pause_ms(100);
    send_fin();
}

/* the second of two packets, edited at the outer IP header */
enum edit { E_ECN, E_TOS, E_TTL, E_TCP_CSUM, E_SEQ };

static void send_changed(enum edit e)
{
    uint8_t *ip = pb[0] + ETH_HLEN, *th = pb[0] + tcp_off;
    int n;

    wire(pb[0], create_packet(pb[0], 0, 0, PAYLOAD_LEN, 0));
    n = create_packet(pb[0], PAYLOAD_LEN, 0, PAYLOAD_LEN, 0);
    switch (e) {
    case E_ECN:
        ip[1] ^= v6 ? 0x20 : 0x02;
        break;
    case E_TOS:
        if (v6) {
            ip[0] = (ip[0] & 0xf0) | 0xf; /* priority 0xf */
        } else {
            ip[1] = 1;
        }
        break;
    case E_TTL:
        ip[8] = 7;
        break;
    case E_SEQ:
        put32(th + 4, START_SEQ + PAYLOAD_LEN + 1);
        break;
    default:
        break;
    }
    if (e != E_TCP_CSUM) {
        refresh(pb[0], n);
    } else {
        put16(th + 16, get16(th + 16) - 1);
    }
    wire(pb[0], n);
    if (e == E_TCP_CSUM || e == E_SEQ) {
        pause_ms(100);
    }
    send_fin();
}

static void send_ip_csum(void)
{
    uint8_t *ip = pb[0] + ETH_HLEN;
    int n;

    wire(pb[0], create_packet(pb[0], 0, 0, PAYLOAD_LEN, 0));
    n = create_packet(pb[0], PAYLOAD_LEN, 0, PAYLOAD_LEN, 0);
    put16(ip + 10, get16(ip + 10) - 1);
    wire(pb[0], n);
    wire(pb[0], create_packet(pb[0], PAYLOAD_LEN * 2, 0, PAYLOAD_LEN, 0));
    pause_ms(100);
    send_fin();
}

/* IPv4 timestamp option (4 bytes) after the IP header(s), outer IHL 6 */
static void send_ip_opt(void)
{
    uint8_t *ip = pb[1] + ETH_HLEN;
    int n;

    wire(pb[0], create_packet(pb[0], 0, 0, PAYLOAD_LEN, 0));
    n = create_packet(pb[0], PAYLOAD_LEN, 0, PAYLOAD_LEN, 0);
    memcpy(pb[1], pb[0], tcp_off);
    pb[1][tcp_off] = 68;
    pb[1][tcp_off + 1] = 4;
    pb[1][tcp_off + 2] = 5;
    pb[1][tcp_off + 3] = 0;
    memcpy(pb[1] + tcp_off + 4, pb[0] + tcp_off, n - tcp_off);
    ip[0] = 0x46;
    put16(ip + 2, get16(ip + 2) + 4);
    put16(ip + 10, 0);
    put16(ip + 10, fold(sum16(0, ip, 24)));
    wire(pb[1], n + 4);
    wire(pb[0], create_packet(pb[0], PAYLOAD_LEN * 2, 0, PAYLOAD_LEN, 0));
    pause_ms(100);
    send_fin();
}

static void send_frag4(void)
{
    uint8_t *ip = pb[0] + ETH_HLEN;
    int n = hdr_len + PAYLOAD_LEN;

    wire(pb[0], create_packet(pb[0], 0, 0, PAYLOAD_LEN, 0));
    memset(pb[0] + hdr_len, 'a', PAYLOAD_LEN * 2);
    fill_tcp(pb[0] + tcp_off, PAYLOAD_LEN, 0, PAYLOAD_LEN * 2, 0);
    fill_ip(ip, PAYLOAD_LEN, 6);
    put16(ip + 6, 0x6000);
    ip4_csum(ip);
    wire(pb[0], n);
    pause_ms(100);
    send_fin();
}

static void send_ip_id(bool df, int n, const int *ids)
{
    int i, len = 0;

    for (i = 0; i < n; i++) {
        uint8_t *ip = pb[i] + ETH_HLEN;

        len = create_packet(pb[i], PAYLOAD_LEN * i, 0, PAYLOAD_LEN, 0);
        put16(ip + 6, df ? 0x4000 : 0);
        put16(ip + 4, (unsigned int)ids[i]);
        ip4_csum(ip);
    }
    for (i = 0; i < n; i++) {
        wire(pb[i], len);
    }
    pause_ms(100);
    send_fin();
}

/* IPv6: an 8-byte extension header of type t before the TCP header */
static int with_ext6(uint8_t *dst, const uint8_t *src, int len, uint8_t t,
                     uint8_t fill)
{
    uint8_t *e = dst + tcp_off;

    memcpy(dst, src, tcp_off);
    memset(e, 0, 8);
    e[0] = 6;
    if (t != 44) {
        memset(e + 2, fill, 6);
    }
    memcpy(e + 8, src + tcp_off, len - tcp_off);
    dst[ETH_HLEN + 6] = t;
    put16(dst + ETH_HLEN + 4, get16(dst + ETH_HLEN + 4) + 8);
    return len + 8;
}

static void send_frag6(void)
{
    int n;

    wire(pb[0], create_packet(pb[0], 0, 0, PAYLOAD_LEN, 0));
    wire(pb[0], create_packet(pb[0], PAYLOAD_LEN, 0, PAYLOAD_LEN, 0));
    pause_ms(1000);
    n = create_packet(pb[0], PAYLOAD_LEN * 2, 0, PAYLOAD_LEN, 0);
    wire(pb[1], with_ext6(pb[1], pb[0], n, 44, 0));
    wire(pb[0], create_packet(pb[0], PAYLOAD_LEN * 3, 0, PAYLOAD_LEN, 0));
    pause_ms(100);
    send_fin();
}

static void send_ext6(uint8_t f1, uint8_t f2)
{
    int n;

    n = create_packet(pb[0], 0, 0, PAYLOAD_LEN, 0);
    wire(pb[1], with_ext6(pb[1], pb[0], n, 60, f1));
    n = create_packet(pb[0], PAYLOAD_LEN, 0, PAYLOAD_LEN, 0);
    wire(pb[1], with_ext6(pb[1], pb[0], n, 60, f2));
    pause_ms(100);
    send_fin();
}

static void send_large(int remainder)
{
    int mss = MTU - (hdr_len - ETH_HLEN);
    int num = (65535 - (hdr_len - ETH_HLEN)) / mss, i;

    for (i = 0; i < num; i++) {
        wire(pb[0], create_packet(pb[0], i * mss, 0, mss, 0));
    }
    wire(pb[0], create_packet(pb[0], num * mss, 0, remainder, 0));
    wire(pb[0], create_packet(pb[0], (num + 1) * mss, 0, remainder, 0));
    send_fin();
}

/* ---------------------------------------------------------------------------------------
 * The cases, with what gro.c's receiver expects.
 */
/*
 * gro.c's IPv4 ID cases, on the first IP header (the outer one of IP-in-IP, whose
 * inner IDs stay 0 with DF). A fixed ID without DF coalesces only in fixedid_no_df
 * mode (6.12's gro.c expects two frames); the completion says which IDs were fixed.
 */
static void run_ip_id(void)
{
    static const struct {
        const char *name;
        bool df;
        int n, id[3];
        bool fixed; /* the coalesced frame's first ID was fixed */
    } ids[] = {
        { "ip_id_df1_inc", true, 2, { 8, 9 }, false },
        { "ip_id_df1_fixed", true, 2, { 8, 8 }, true },
        { "ip_id_df0_inc", false, 2, { 8, 9 }, false },
        { "ip_id_df0_fixed", false, 2, { 8, 8 }, true },
        { "ip_id_df1_inc_fixed", true, 3, { 8, 9, 9 }, false },
        { "ip_id_df1_fixed_inc", true, 3, { 8, 8, 9 }, true },
    };
    const int P = PAYLOAD_LEN;
    unsigned int i;

    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        bool split = !ids[i].df && ids[i].fixed && !q.fixedid_no_df;
        uint32_t st, want = 0;

        q_reset();
        send_ip_id(ids[i].df, ids[i].n, ids[i].id);
        if (split) {
            EXPECT(ids[i].name, P, P);
            continue;
        }
        if (ids[i].n == 2) {
            EXPECT(ids[i].name, P * 2);
        } else {
            EXPECT(ids[i].name, P * 2, P);
        }
        st = q.nout ? q.out[0].meta.status : 0;
        want |= ids[i].fixed ? OFNIC_RXC_FIXEDID : 0;
        want |= proto == P_IPIP ? OFNIC_RXC_FIXEDID_INNER : 0;
        ok((st & (OFNIC_RXC_FIXEDID | OFNIC_RXC_FIXEDID_INNER)) == want,
           "%s %s %s: completion FIXEDID %d FIXEDID_INNER %d (want %d %d)",
           q.lro ? "lro" : "hw", pname[proto], ids[i].name,
           !!(st & OFNIC_RXC_FIXEDID), !!(st & OFNIC_RXC_FIXEDID_INNER),
           !!(want & OFNIC_RXC_FIXEDID), !!(want & OFNIC_RXC_FIXEDID_INNER));
    }
}

static void run_cases(void)
{
    const int P = PAYLOAD_LEN;
    int max_payload = 65535 - (hdr_len - ETH_HLEN);
    int rem = max_payload % (MTU - (hdr_len - ETH_HLEN));

    q_reset();
    send_data(P, P);
    EXPECT("data_same", P * 2);
    q_reset();
    send_data(P, P / 2);
    EXPECT("data_lrg_sml", P * 3 / 2);
    q_reset();
    send_data(P, 1);
    EXPECT("data_lrg_1byte", P + 1);
    q_reset();
    send_data(P / 2, P);
    EXPECT("data_sml_lrg", P / 2, P);

    q_reset();
    wire(pb[0], create_packet(pb[0], 0, 0, P, 0));
    wire(pb[0], create_packet(pb[0], P, 0, P, 0));
    pause_ms(100);
    wire(pb[0], create_packet(pb[0], P * 2, 0, P, 0));
    wire(pb[0], create_packet(pb[0], P * 3, 0, P, 0));
    send_fin();
    EXPECT("data_burst", P * 2, P * 2);

    q_reset();
    wire(pb[0], create_packet(pb[0], 0, 0, 0, 0));
    wire(pb[0], create_packet(pb[0], 0, 0, 0, 0));
    wire(pb[0], create_packet(pb[0], 0, 1, 0, 0));
    send_fin();
    EXPECT("ack", 0, 0, 0);

    q_reset();
    send_flags(1, 0, 0, 0, 0);
    EXPECT("flags_psh", P * 3, P * 2);
    q_reset();
    send_flags(0, 1, 0, 0, 0);
    EXPECT("flags_syn", P * 2, 0, P * 2);
    q_reset();
    send_flags(0, 0, 1, 0, 0);
    EXPECT("flags_rst", P * 2, 0, P * 2);
    q_reset();
    send_flags(0, 0, 0, 1, 0);
    EXPECT("flags_urg", P * 2, 0, P * 2);
    q_reset();
    send_flags(0, 0, 0, 0, 1);
    EXPECT("flags_cwr", P, P * 2, P * 2);

    q_reset();
    send_changed(E_TCP_CSUM);
    EXPECT("tcp_csum", P, P);
    q_reset();
    send_changed(E_SEQ);
    EXPECT("tcp_seq", P, P);
    q_reset();
    send_ts();
    EXPECT("tcp_ts", P * 2, P, P, P);
    q_reset();
    send_opt();
    EXPECT("tcp_opt", P * 2, P);
    q_reset();
    send_changed(E_ECN);
    EXPECT("ip_ecn", P, P);
    q_reset();
    send_changed(E_TOS);
    EXPECT("ip_tos", P, P);

    q_reset();
    send_large(rem);
    EXPECT("large_max", max_payload, rem);
    q_reset();
    send_large(rem + 1);
    EXPECT("large_rem", max_payload - rem, rem + 1, rem + 1);

    if (proto == P_V4 || proto == P_IPIP) {
        q_reset();
        send_ip_csum();
        EXPECT("ip_csum", P, P, P);
        q_reset();
        send_changed(E_TTL);
        EXPECT("ip_ttl", P, P);
        q_reset();
        send_ip_opt();
        EXPECT("ip_opt", P, P, P);
        q_reset();
        send_frag4();
        EXPECT("ip_frag4", P, P);
        run_ip_id();
    }
    if (proto == P_V6) {
        q_reset();
        send_frag6();
        EXPECT("ip_frag6", P * 2, P, P);
        q_reset();
        send_ext6(0, 0);
        EXPECT("ip_v6ext_same", P * 2);
        q_reset();
        send_ext6(0, 0x11);
        EXPECT("ip_v6ext_diff", P, P);
    }
}

/*
 * gro.c "capacity": n flows (source ports), the first segment of each, then
 * the second with PSH. Returns how many flows were coalesced; *ordered: gro.c's
 * --order-check (the first segments that were not held come first, in flow
 * order, then one frame per flow in flow order).
 */
static int capacity(int n, bool *ordered)
{
    int i, coal = 0, k = 0, len = 0;
    int *order = calloc((size_t)(2 * n + 1), sizeof(int)), *pay;

    pay = calloc((size_t)n, sizeof(int));
    q_reset();
    for (int r = 0; r < 2; r++) {
        for (i = 0; i < n; i++) {
            uint8_t *th = pb[0] + tcp_off;

            len = create_packet(pb[0], r * CAP_PAYLOAD, 0, CAP_PAYLOAD, 0);
            memset(pb[0] + hdr_len, 'a' + i, CAP_PAYLOAD);
            put16(th, SPORT + i);
            th[13] |= r ? 0x08 : 0;
            refresh(pb[0], len);
            wire(pb[0], len);
        }
    }
    pause_ms(100);
    send_fin();
    for (i = 0; i < (int)q.nout; i++) {
        const uint8_t *th = q.out[i].buf + tcp_off;
        int f = (int)get16(th) - SPORT;

        if (th[13] & 1 || f < 0 || f >= n) {
            break;
        }
        pay[f] = (int)q.out[i].len - hdr_len;
        coal += pay[f] == 2 * CAP_PAYLOAD;
        if (k < 2 * n) {
            order[k++] = f;
        }
    }
    *ordered = true;
    k = 0;
    for (i = 0; i < n; i++) {
        if (pay[i] <= CAP_PAYLOAD) {
            *ordered &= order[k++] == i;
        }
    }
    for (i = 0; i < n; i++) {
        *ordered &= order[k++] == i;
    }
    free(order);
    free(pay);
    return coal;
}

static void run_capacity(void)
{
    static const int flows[] = { 4, 8, 32, 128, 512 };
    unsigned int i;
    bool ordered;
    int c;

    for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
        int n = flows[i];
        int want = n < OFNIC_RSC_FLOWS ? n : OFNIC_RSC_FLOWS;

        c = capacity(n, &ordered);
        ok(c == want && ordered,
           "%s %s capacity %d flows: %d coalesced (want %d), order %s",
           q.lro ? "lro" : "hw", pname[proto], n, c, want,
           ordered ? "kept" : "broken");
    }
    /* more flows than contexts: the first ones are kept, the rest pass */
    c = capacity(OFNIC_RSC_FLOWS + 100, &ordered);
    ok(c == OFNIC_RSC_FLOWS && ordered,
       "%s %s capacity %d flows (table %d): %d coalesced, order %s",
       q.lro ? "lro" : "hw", pname[proto], OFNIC_RSC_FLOWS + 100,
       OFNIC_RSC_FLOWS, c, ordered ? "kept" : "broken");
}

int main(void)
{
    unsigned int i;

    plan(314);

    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        q.rq.flow[i].buf = malloc(OFNIC_RSC_BUF_SIZE);
    }
    q.fixedid_no_df = true;
    for (int mode = 0; mode < 2; mode++) {
        q.lro = mode;
        for (proto = P_V4; proto <= P_IP6IP6; proto++) {
            v6 = proto == P_V6 || proto == P_IP6IP6;
            tcp_off = ETH_HLEN + (v6 ? 40 : 20) *
                                     (proto >= P_IPIP ? 2 : 1);
            hdr_len = tcp_off + 20;
            run_cases();
            run_capacity();
        }
    }
    /* before Linux 6.18: a fixed ID without DF flushes */
    q.fixedid_no_df = false;
    for (int mode = 0; mode < 2; mode++) {
        q.lro = mode;
        for (proto = P_V4; proto <= P_IPIP; proto += P_IPIP - P_V4) {
            v6 = false;
            tcp_off = ETH_HLEN + 20 * (proto == P_IPIP ? 2 : 1);
            hdr_len = tcp_off + 20;
            run_ip_id();
        }
    }
    q_reset();
    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        free(q.rq.flow[i].buf);
    }
    return done_testing();
}
