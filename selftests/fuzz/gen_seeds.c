/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpus of the fuzz harnesses: valid requests of every kind
 * (TSO4/6, USO4/6, UFO4/6, checksums, VLAN insertion, IP and TCP options), the
 * same as descriptor rings, and for RX the frames the TX engine makes of them
 * (real TCP flows with correct checksums, for coalescing) under several
 * receive configurations; and TSO/USO inside IP tunnels (TX requests only).
 *
 *   gen_seeds DIR    writes DIR/tx, DIR/tx_ring, DIR/rx
 */
#include <errno.h>
#include <sys/stat.h>
#include "txo_util.h"

static const char *dir;
static unsigned int nfiles;

static void put(const char *sub, const char *name, const uint8_t *b, size_t n)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
    f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f)) {
        perror(path);
        exit(1);
    }
    nfiles++;
}

static uint8_t out[1 << 20];
static size_t outn;

static void add(const void *p, size_t n)
{
    if (outn + n > sizeof(out)) {
        fprintf(stderr, "gen_seeds: seed too long\n");
        exit(1);
    }
    memcpy(out + outn, p, n);
    outn += n;
}

static void add_le(uint64_t v, unsigned int n)
{
    unsigned int i;

    for (i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(v >> (8 * i));

        add(&b, 1);
    }
}

/* RX: the frames of one TX request, each as [len le16][clock step][bytes] */
static int rx_emit(void *opaque, const struct ofnic_txo_iov *iov,
                   unsigned int iovcnt, size_t len)
{
    unsigned int i;

    (void)opaque;
    add_le(len, 2);
    add_le(1, 1);
    for (i = 0; i < iovcnt; i++) {
        add(iov[i].base, iov[i].len);
    }
    return 0;
}

static int null_emit(void *opaque, const struct ofnic_txo_iov *iov,
                     unsigned int iovcnt, size_t len)
{
    (void)opaque;
    (void)iov;
    (void)iovcnt;
    (void)len;
    return 0;
}

struct req {
    const char *name;
    struct pspec s;
    unsigned int off, mss;
};

static void rx_header(uint32_t offload, uint8_t flags)
{
    uint8_t key[OFNIC_RSS_KEY_SIZE];
    unsigned int i;

    add_le(offload, 4);
    add_le(3, 1); /* 4 queues */
    add_le(flags, 1);
    add_le(OFNIC_RSS_FIELDS_DEFAULT, 4);
    for (i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(0x6d + 7 * i);
    }
    add(key, sizeof(key));
    for (i = 0; i < 16; i++) {
        add_le(i % 4, 1);
    }
    for (i = 0; i < 2 * OFNIC_NTUPLE_REGS; i++) {
        add_le(0, 4);
    }
    add_le(4789 | (OFNIC_TUNNEL_TYPE_VXLAN << 16), 4);
    add_le(6081 | (OFNIC_TUNNEL_TYPE_GENEVE << 16), 4);
    for (i = 2; i < OFNIC_TUNNEL_PORTS; i++) {
        add_le(0, 4);
    }
}

int main(int argc, char **argv)
{
    static const struct req reqs[] = {
        { "tso4", { .proto = 6, .payload = 6000, .df = true, .seed = 1 },
          OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_IP4_CSUM, 1448 },
        { "tso4-opts", { .proto = 6, .payload = 3000, .ip4_opt_len = 8, .tcp_opt_len = 12,
                         .tcp_flags = TCPF_PSH | TCPF_FIN | TCPF_ACK, .seed = 2 },
          OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_IP4_CSUM, 1000 },
        { "tso4-vlan", { .proto = 6, .payload = 4000, .ntags = 1, .seed = 3 },
          OFNIC_TXC_SEG_TCP4 | OFNIC_TXC_IP4_CSUM | OFNIC_TXC_VLAN, 1448 },
        { "tso6", { .v6 = true, .proto = 6, .payload = 6000, .tcp_opt_len = 12, .seed = 4 },
          OFNIC_TXC_SEG_TCP6, 1428 },
        { "tso6-ext", { .v6 = true, .proto = 6, .payload = 3000, .next = 2,
                        .ext = { { 0, 8, 0 }, { 60, 16, 0 } }, .seed = 5 },
          OFNIC_TXC_SEG_TCP6, 1200 },
        { "uso4", { .proto = 17, .payload = 5000, .seed = 6 },
          OFNIC_TXC_SEG_UDP4 | OFNIC_TXC_IP4_CSUM, 1472 },
        { "uso6", { .v6 = true, .proto = 17, .payload = 5000, .seed = 7 },
          OFNIC_TXC_SEG_UDP6, 1452 },
        { "ufo4", { .proto = 17, .payload = 4000, .seed = 8 },
          OFNIC_TXC_SEG_UFO4 | OFNIC_TXC_IP4_CSUM, 1480 },
        { "ufo6", { .v6 = true, .proto = 17, .payload = 4000, .seed = 9 },
          OFNIC_TXC_SEG_UFO6, 1448 },
        { "csum4", { .proto = 6, .payload = 1000, .seed = 10 },
          OFNIC_TXC_L4_CSUM | OFNIC_TXC_IP4_CSUM, 0 },
        { "sctp4", { .proto = 132, .payload = 500, .seed = 11 },
          OFNIC_TXC_SCTP_CRC | OFNIC_TXC_IP4_CSUM, 0 },
    };
    struct pkt *p = pkt_new();
    unsigned int i;

    if (argc != 2) {
        fprintf(stderr, "usage: gen_seeds DIR\n");
        return 2;
    }
    dir = argv[1];
    for (i = 0; i < 3; i++) {
        static const char *const sub[] = { "tx", "tx_ring", "rx" };
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
        if (mkdir(dir, 0755) && errno != EEXIST) {
            perror(dir);
            return 1;
        }
        if (mkdir(path, 0755) && errno != EEXIST) {
            perror(path);
            return 1;
        }
    }

    for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        const struct req *r = &reqs[i];
        struct ofnic_txo_cfg cfg = { .caps = ALL_CAPS };
        struct ofnic_tx_ctx_desc c;
        struct ofnic_tx_desc d;
        struct ofnic_txo_result res;

        build(p, &r->s);
        c = mkctx(r->off, r->mss, p);
        c.vlan_tci = ofnic_cpu_to_le16(100);
        if (r->off & (OFNIC_TXC_L4_CSUM | OFNIC_TXC_SCTP_CRC)) {
            if (r->off & OFNIC_TXC_L4_CSUM) {
                seed_l4(p, r->s.proto);
            }
            c.csum_start = ofnic_cpu_to_le16((uint16_t)(p->l2 + p->l3));
            c.csum_offset = r->s.proto == 6 ? 16 : r->s.proto == 17 ? 6 : 8;
        }

        /* tx: ctx, caps, frag6 ID, stop-after, packet */
        outn = 0;
        add(&c, sizeof(c));
        add_le(ALL_CAPS, 8);
        add_le(0x1000, 4);
        add_le(0, 1);
        add(p->buf, p->len);
        put("tx", r->name, out, outn);

        /* tx_ring: 8 entries, head 0, tail 3: ctx, two data buffers */
        outn = 0;
        add_le(2, 1);
        add_le(0, 1);
        add_le(3, 1);
        add_le(0xff, 1);
        add_le(0, 1);
        add(&c, sizeof(c));
        d.addr = ofnic_cpu_to_le64(0);
        d.len = ofnic_cpu_to_le32(64);
        d.rsvd = 0;
        d.cmd = ofnic_cpu_to_le16(OFNIC_TXD_TYPE_DATA);
        add(&d, sizeof(d));
        d.addr = ofnic_cpu_to_le64(64);
        d.len = ofnic_cpu_to_le32((uint32_t)p->len - 64);
        d.cmd = ofnic_cpu_to_le16(OFNIC_TXD_TYPE_DATA | OFNIC_TXD_EOP);
        add(&d, sizeof(d));
        memset(&d, 0, sizeof(d));
        add(&d, sizeof(d));
        add(&d, sizeof(d));
        add(&d, sizeof(d));
        add(&d, sizeof(d));
        add(&d, sizeof(d));
        add(p->buf, p->len);
        put("tx_ring", r->name, out, outn);

        /* rx: what the engine sends for the request, under HW-GRO and under LRO */
        if (!(r->off & OFNIC_TXC_SEG_MASK)) {
            continue;
        }
        for (unsigned int lro = 0; lro < 2; lro++) {
            char name[64];

            outn = 0;
            rx_header(OFNIC_OFFLOAD_RX_CSUM | OFNIC_OFFLOAD_RSS | OFNIC_OFFLOAD_VLAN_STRIP |
                      OFNIC_OFFLOAD_TUNNEL_RX |
                      (lro ? OFNIC_OFFLOAD_LRO : OFNIC_OFFLOAD_HW_GRO),
                      (uint8_t)(lro | 0x10));
            build(p, &r->s);
            if (ofnic_tx_offload(&cfg, &c, p->buf, p->len, rx_emit, NULL, &res)) {
                fprintf(stderr, "gen_seeds: %s: %s\n", r->name, ofnic_txo_err_str(res.err));
                return 1;
            }
            snprintf(name, sizeof(name), "%s-%s", r->name, lro ? "lro" : "hwgro");
            put("rx", name, out, outn);
        }
    }

    /* tx: TSO/USO inside IP tunnels (TUNNEL_IP), with OFNIC_CAP_IP_TUNNEL_TSO */
    {
        static const struct {
            const char *name;
            struct ipt_spec o;
            struct pspec s;
            unsigned int seg;
        } ipts[] = {
            { "ipip-tso4", { .proto = 4, .ip_id = 1 },
              { .proto = 6, .payload = 3000, .df = true, .seed = 12 }, OFNIC_TXC_SEG_TCP4 },
            { "ip6tnl-tso6", { .v6 = true, .dstopt = true, .proto = 41 },
              { .v6 = true, .proto = 6, .payload = 3000, .seed = 13 }, OFNIC_TXC_SEG_TCP6 },
            { "gre6-tso4", { .v6 = true, .proto = 47, .gre_proto = 0x0800 },
              { .proto = 6, .payload = 3000, .seed = 14 }, OFNIC_TXC_SEG_TCP4 },
            { "gretap-key-uso4", { .proto = 47, .gre_flags = 0x2000, .gre_proto = 0x6558 },
              { .proto = 17, .payload = 3000, .seed = 15 }, OFNIC_TXC_SEG_UDP4 },
        };
        struct ofnic_txo_cfg cfg = { .caps = ALL_CAPS | OFNIC_CAP_IP_TUNNEL_TSO };
        struct pkt *in = pkt_new();

        for (i = 0; i < sizeof(ipts) / sizeof(ipts[0]); i++) {
            struct ofnic_txo_result res;
            struct ofnic_tx_ctx_desc c;
            unsigned int tun;

            build(in, &ipts[i].s);
            tun = ipt_wrap(p, in, &ipts[i].o);
            c = ipt_ctx(ipts[i].seg, 1000, p, in, tun, &ipts[i].o);
            outn = 0;
            add(&c, sizeof(c));
            add_le(ALL_CAPS | OFNIC_CAP_IP_TUNNEL_TSO, 8);
            add_le(0x1000, 4);
            add_le(0, 1);
            add(p->buf, p->len);
            put("tx", ipts[i].name, out, outn);
            if (ofnic_tx_offload(&cfg, &c, p->buf, p->len, null_emit, NULL, &res)) {
                fprintf(stderr, "gen_seeds: %s: %s\n", ipts[i].name, ofnic_txo_err_str(res.err));
                return 1;
            }
        }
        pkt_free(in);
    }
    pkt_free(p);
    printf("gen_seeds: %u seeds in %s\n", nfiles, dir);
    return 0;
}
