/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TX offload test helpers: a packet builder, a frame sink for ofnic_tx_offload()
 * and a verifier that re-parses every output frame on its own (its own
 * checksum and CRC code, nothing shared with the engine) and checks it against
 * the original packet.
 */
#ifndef OFNIC_TXO_UTIL_H
#define OFNIC_TXO_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include "tap.h"
#include "ofnic_engine.h"

#define ALL_CAPS (OFNIC_CAP_TX_CSUM | OFNIC_CAP_TX_SCTP_CRC | OFNIC_CAP_TX_IP4_CSUM | \
                  OFNIC_CAP_TSO4 | OFNIC_CAP_TSO6 | OFNIC_CAP_TSO_ECN | \
                  OFNIC_CAP_TSO_MANGLEID | OFNIC_CAP_USO | OFNIC_CAP_UFO | OFNIC_CAP_TX_VLAN)

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20
#define TCPF_ECE 0x40
#define TCPF_CWR 0x80

/* ---------------------------------------------------------------------------------------
 * Independent checksums.
 */
static uint32_t t_sum(uint32_t s, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < n; i += 2) {
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
        s = (s & 0xffff) + (s >> 16);
    }
    if (n & 1) {
        s += (uint32_t)p[n - 1] << 8;
        s = (s & 0xffff) + (s >> 16);
    }
    return s;
}

static uint16_t t_fold(uint32_t s)
{
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return (uint16_t)~s;
}

static uint32_t t_crc32c(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    size_t i;
    int b;

    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (b = 0; b < 8; b++) {
            c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
        }
    }
    return ~c;
}

static uint16_t g16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t g32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void p16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

static void p32(uint8_t *p, uint32_t v)
{
    p16(p, v >> 16);
    p16(p + 2, v & 0xffff);
}

/* Pseudo-header sum of an IP header (v4 or v6 by version nibble). */
static uint32_t t_pseudo(const uint8_t *ip, uint8_t proto, uint32_t l4len)
{
    uint32_t s;

    if (ip[0] >> 4 == 6) {
        s = t_sum(0, ip + 8, 32);
    } else {
        s = t_sum(0, ip + 12, 8);
    }
    s += proto;
    s += l4len >> 16;
    s += l4len & 0xffff;
    return s;
}

/* ---------------------------------------------------------------------------------------
 * Packet builder.
 */
struct ext_spec {
    uint8_t type;   /* 0 hop-by-hop, 43 routing, 60 destination options, 44 fragment */
    unsigned int len;       /* bytes, multiple of 8 */
    uint8_t segs_left;      /* routing */
};

struct pspec {
    bool v6;
    uint8_t proto;          /* 6, 17, 132 */
    unsigned int ntags;     /* 802.1Q tags already in the frame */
    unsigned int ip4_opt_len;       /* multiple of 4, <= 40 */
    const uint8_t *ip4_opts;        /* NULL: NOPs */
    unsigned int next;
    struct ext_spec ext[6];
    unsigned int tcp_opt_len;       /* multiple of 4, <= 40 */
    uint8_t tcp_flags;
    uint8_t tos;            /* IPv4 TOS / IPv6 traffic class */
    uint16_t ip_id;
    bool df;
    uint32_t seq;
    uint32_t payload;
    uint32_t seed;
};

struct pkt {
    uint8_t *buf;           /* OFNIC_TX_MAX_PKT_LEN */
    uint8_t *orig;          /* copy of buf as built */
    size_t len;
    unsigned int l2, l3, l4;
};

static struct pkt *pkt_new(void)
{
    struct pkt *p = calloc(1, sizeof(*p));

    if (!p) {
        abort();
    }
    p->buf = calloc(1, OFNIC_TX_MAX_PKT_LEN);
    p->orig = calloc(1, OFNIC_TX_MAX_PKT_LEN);
    if (!p->buf || !p->orig) {
        abort();
    }
    return p;
}

static void pkt_free(struct pkt *p)
{
    free(p->buf);
    free(p->orig);
    free(p);
}

static void build(struct pkt *p, const struct pspec *s)
{
    static const uint8_t dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
    static const uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
    uint8_t *b = p->buf, *ip, *l4;
    unsigned int off = 12, i, l4len;
    uint32_t x = s->seed * 2654435761u + 12345;

    memset(b, 0, 512);
    memcpy(b, dst, 6);
    memcpy(b + 6, src, 6);
    for (i = 0; i < s->ntags; i++) {
        p16(b + off, 0x8100);
        p16(b + off + 2, (uint16_t)(100 + i));
        off += 4;
    }
    p16(b + off, s->v6 ? 0x86dd : 0x0800);
    p->l2 = off + 2;
    ip = b + p->l2;

    l4len = s->proto == 6 ? 20 + s->tcp_opt_len : s->proto == 17 ? 8 : 12;
    if (!s->v6) {
        p->l3 = 20 + s->ip4_opt_len;
        ip[0] = 0x40 | (p->l3 / 4);
        ip[1] = s->tos;
        p16(ip + 2, (uint16_t)(p->l3 + l4len + s->payload)); /* may wrap: ignored */
        p16(ip + 4, s->ip_id);
        p16(ip + 6, s->df ? 0x4000 : 0);
        ip[8] = 64;
        ip[9] = s->proto;
        p32(ip + 12, 0xc0a80001);
        p32(ip + 16, 0xc0a80002);
        if (s->ip4_opts) {
            memcpy(ip + 20, s->ip4_opts, s->ip4_opt_len);
        } else {
            memset(ip + 20, 1, s->ip4_opt_len);
        }
    } else {
        uint8_t *nhp = ip + 6;
        unsigned int eo = 40;

        ip[0] = 0x60 | (s->tos >> 4);
        ip[1] = (uint8_t)(s->tos << 4) | 0x0a;
        ip[2] = 0xbc;
        ip[3] = 0xde;
        ip[7] = 64;
        for (i = 0; i < 16; i++) {
            ip[8 + i] = (uint8_t)(0x20 + i);
            ip[24 + i] = (uint8_t)(0x40 + i);
        }
        for (i = 0; i < s->next; i++) {
            uint8_t *e = ip + eo;
            unsigned int j;

            *nhp = s->ext[i].type;
            e[1] = (uint8_t)(s->ext[i].len / 8 - 1);
            for (j = 2; j < s->ext[i].len; j++) {
                e[j] = (uint8_t)(j * 3 + i);
            }
            if (s->ext[i].type == 43) {
                e[2] = 4;
                e[3] = s->ext[i].segs_left;
            } else if (s->ext[i].type == 0 || s->ext[i].type == 60) {
                /* PadN option filling the header */
                e[2] = 1;
                e[3] = (uint8_t)(s->ext[i].len - 4);
                memset(e + 4, 0, s->ext[i].len - 4);
            }
            nhp = e;
            eo += s->ext[i].len;
        }
        *nhp = s->proto;
        p->l3 = eo;
        p16(ip + 4, (uint16_t)(eo - 40 + l4len + s->payload));
    }
    l4 = ip + p->l3;
    p->l4 = l4len;
    p16(l4, 40000);
    p16(l4 + 2, 5001);
    if (s->proto == 6) {
        p32(l4 + 4, s->seq);
        p32(l4 + 8, 0x11223344);
        l4[12] = (uint8_t)((l4len / 4) << 4);
        l4[13] = s->tcp_flags;
        p16(l4 + 14, 0xfaf0);
        memset(l4 + 20, 1, s->tcp_opt_len);
        if (s->tcp_opt_len >= 12) {    /* NOP NOP TS */
            l4[22] = 8;
            l4[23] = 10;
            p32(l4 + 24, 0xaabbccdd);
            p32(l4 + 28, 0x01020304);
        }
    } else if (s->proto == 17) {
        p16(l4 + 4, (uint16_t)(8 + s->payload));
    } else {
        p32(l4 + 4, 0xdeadbeef);
    }
    p->len = p->l2 + p->l3 + p->l4 + s->payload;
    for (i = 0; i < s->payload; i++) {
        x = x * 1103515245u + 12345;
        b[p->l2 + p->l3 + p->l4 + i] = (uint8_t)(x >> 16);
    }
    memcpy(p->orig, b, p->len);
}

/* CHECKSUM_PARTIAL seed: the pseudo-header sum, not complemented, in the L4 field. */
static void seed_l4(struct pkt *p, uint8_t proto)
{
    uint8_t *ip = p->buf + p->l2;
    uint32_t l4len = (uint32_t)(p->len - p->l2 - p->l3);
    unsigned int co = proto == 6 ? 16 : 6;
    uint16_t v = (uint16_t)~t_fold(t_pseudo(ip, proto, l4len));

    p16(ip + p->l3 + co, v);
    memcpy(p->orig, p->buf, p->len);
}

static struct ofnic_tx_ctx_desc mkctx(unsigned int offload, unsigned int mss,
                                      const struct pkt *p)
{
    struct ofnic_tx_ctx_desc c;

    memset(&c, 0, sizeof(c));
    c.mss = ofnic_cpu_to_le16((uint16_t)mss);
    c.l2_len = (uint8_t)p->l2;
    c.l3_len = (uint8_t)p->l3;
    c.l4_len = (uint8_t)p->l4;
    c.offload = ofnic_cpu_to_le16((uint16_t)offload);
    c.cmd = ofnic_cpu_to_le16(OFNIC_TXD_TYPE_CTX);
    return c;
}

/* ---------------------------------------------------------------------------------------
 * Frame sink.
 */
#define SINK_MAX 2048

struct frame {
    uint8_t *d;
    size_t len;
    unsigned int iovcnt;
};

struct sink {
    struct frame f[SINK_MAX];
    unsigned int n;
    bool bad_iov;           /* iov lengths disagree with len, or too many */
    unsigned int stop_at;   /* return non-zero for frame number stop_at (1-based), 0: never */
};

static int sink_emit(void *opaque, const struct ofnic_txo_iov *iov, unsigned int iovcnt,
                     size_t len)
{
    struct sink *s = opaque;
    size_t tot = 0, o = 0;
    unsigned int i;
    uint8_t *d;

    if (s->stop_at && s->n + 1 == s->stop_at) {
        return 1;
    }
    if (iovcnt == 0 || iovcnt > OFNIC_TXO_MAX_IOV) {
        s->bad_iov = true;
        return 1;
    }
    for (i = 0; i < iovcnt; i++) {
        tot += iov[i].len;
    }
    if (tot != len || len == 0 || s->n == SINK_MAX) {
        s->bad_iov = true;
        return 1;
    }
    d = malloc(len);
    if (!d) {
        abort();
    }
    for (i = 0; i < iovcnt; i++) {
        memcpy(d + o, iov[i].base, iov[i].len);
        o += iov[i].len;
    }
    s->f[s->n].d = d;
    s->f[s->n].len = len;
    s->f[s->n].iovcnt = iovcnt;
    s->n++;
    return 0;
}

static void sink_reset(struct sink *s)
{
    unsigned int i;

    for (i = 0; i < s->n; i++) {
        free(s->f[i].d);
    }
    memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------------------------------
 * Frame parser: what a receiver would see. Returns false (with *why) if malformed.
 */
struct pf {
    unsigned int ntags;
    uint16_t tci[4];
    unsigned int l3off;     /* IP header */
    unsigned int ipv;
    unsigned int iphl;      /* IPv4 header / IPv6 header + ext headers before L4/frag data */
    uint8_t proto;          /* upper-layer protocol (after a fragment header: its next) */
    bool frag;              /* IPv4 fragment or IPv6 fragment header present */
    uint32_t frag_off;      /* bytes */
    bool more;
    uint32_t frag_id;
    uint8_t frag_nh;
    unsigned int data_off;  /* after IP header(s) (incl. fragment header) */
    size_t end;             /* frame length */
    /* L4, for unfragmented frames */
    unsigned int l4off, l4len;
    unsigned int poff;      /* payload offset */
};

static bool pf_parse(const uint8_t *d, size_t len, struct pf *r, const char **why)
{
    unsigned int off = 12;
    uint16_t et;
    const uint8_t *ip;

    memset(r, 0, sizeof(*r));
    r->end = len;
    if (len < 14) {
        *why = "short frame";
        return false;
    }
    et = g16(d + 12);
    while ((et == 0x8100 || et == 0x88a8) && r->ntags < 4) {
        if (len < off + 6) {
            *why = "truncated tag";
            return false;
        }
        r->tci[r->ntags++] = g16(d + off + 2);
        off += 4;
        et = g16(d + off);
    }
    r->l3off = off + 2;
    ip = d + r->l3off;
    if (et == 0x0800) {
        unsigned int hl, tot;
        uint16_t fo;

        if (len < r->l3off + 20 || ip[0] >> 4 != 4) {
            *why = "bad IPv4 header";
            return false;
        }
        hl = (ip[0] & 0xf) * 4u;
        tot = g16(ip + 2);
        if (hl < 20 || len < r->l3off + hl || tot != len - r->l3off) {
            *why = "IPv4 header/total length disagree with the frame";
            return false;
        }
        if (t_fold(t_sum(0, ip, hl)) != 0) {
            *why = "bad IPv4 header checksum";
            return false;
        }
        r->ipv = 4;
        r->iphl = hl;
        r->proto = ip[9];
        fo = g16(ip + 6);
        r->frag_off = (fo & 0x1fffu) * 8;
        r->more = fo & 0x2000;
        r->frag = r->frag_off || r->more;
        r->frag_id = g16(ip + 4);
        r->data_off = r->l3off + hl;
    } else if (et == 0x86dd) {
        unsigned int o = 40, n = 0;
        uint8_t nh;

        if (len < r->l3off + 40 || ip[0] >> 4 != 6) {
            *why = "bad IPv6 header";
            return false;
        }
        if (g16(ip + 4) != len - r->l3off - 40) {
            *why = "IPv6 payload length disagrees with the frame";
            return false;
        }
        r->ipv = 6;
        nh = ip[6];
        while ((nh == 0 || nh == 43 || nh == 60 || nh == 44) && n++ < 16) {
            if (len < r->l3off + o + 8) {
                *why = "truncated extension header";
                return false;
            }
            if (nh == 44) {
                if (r->frag) {
                    *why = "two fragment headers";
                    return false;
                }
                r->frag = true;
                r->frag_nh = ip[o];
                r->frag_off = g16(ip + o + 2) & 0xfff8u;
                r->more = ip[o + 3] & 1;
                r->frag_id = g32(ip + o + 4);
                r->iphl = o;
                o += 8;
                r->data_off = r->l3off + o;
                break;      /* the rest is fragment data */
            }
            nh = ip[o];
            o += (ip[o + 1] + 1u) * 8;
        }
        if (!r->frag) {
            if (len < r->l3off + o) {
                *why = "truncated extension header";
                return false;
            }
            r->iphl = o;
            r->proto = nh;
            r->data_off = r->l3off + o;
        }
    } else {
        *why = "not IP";
        return false;
    }
    if (r->frag) {
        return true;
    }
    r->l4off = r->data_off;
    if (r->proto == 6) {
        const uint8_t *th = d + r->l4off;
        unsigned int thl;

        if (len < r->l4off + 20) {
            *why = "truncated TCP header";
            return false;
        }
        thl = (th[12] >> 4) * 4u;
        if (thl < 20 || len < r->l4off + thl) {
            *why = "bad TCP data offset";
            return false;
        }
        r->l4len = thl;
        if (t_fold(t_sum(t_pseudo(ip, 6, (uint32_t)(len - r->l4off)), th,
                         len - r->l4off)) != 0) {
            *why = "bad TCP checksum";
            return false;
        }
    } else if (r->proto == 17) {
        const uint8_t *uh = d + r->l4off;

        if (len < r->l4off + 8 || g16(uh + 4) != len - r->l4off) {
            *why = "UDP length disagrees with the frame";
            return false;
        }
        r->l4len = 8;
        if (g16(uh + 6) == 0 ||
            t_fold(t_sum(t_pseudo(ip, 17, (uint32_t)(len - r->l4off)), uh,
                         len - r->l4off)) != 0) {
            *why = "bad UDP checksum";
            return false;
        }
    } else {
        *why = "unexpected L4 protocol";
        return false;
    }
    r->poff = r->l4off + r->l4len;
    return true;
}

/* ---------------------------------------------------------------------------------------
 * Verifier of the frames produced for a segmentation request (TSO/USO/UFO).
 */
struct vexp {
    bool vlan;
    uint16_t tci;
    bool fixedid;
};

static bool vfail(const char *name, unsigned int i, const char *why)
{
    diag("%s: frame %u: %s", name, i, why);
    return false;
}

/* Frame i without the inserted tag: a pointer into a scratch copy. */
static const uint8_t *untag(const struct frame *f, const struct vexp *ex, uint8_t *tmp,
                            size_t *len)
{
    if (!ex->vlan) {
        *len = f->len;
        return f->d;
    }
    memcpy(tmp, f->d, 12);
    memcpy(tmp + 12, f->d + 16, f->len - 16);
    *len = f->len - 4;
    return tmp;
}

/* Bytes of a and b equal except in [skip_lo, skip_hi) ranges given as pairs. */
static bool same_except(const uint8_t *a, const uint8_t *b, size_t n, const unsigned int *skip,
                        unsigned int nskip)
{
    size_t i;
    unsigned int k;

    for (i = 0; i < n; i++) {
        bool s = false;

        for (k = 0; k < nskip; k++) {
            if (i >= skip[2 * k] && i < skip[2 * k + 1]) {
                s = true;
            }
        }
        if (!s && a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

static bool verify_seg(const char *name, const struct pkt *p, unsigned int seg, unsigned int mss,
                       const struct sink *sk, const struct vexp *ex)
{
    static uint8_t tmp[OFNIC_MAX_FRAME + 64];
    const uint8_t *o = p->orig, *oip = o + p->l2, *ol4 = oip + p->l3;
    size_t hdr = p->l2 + p->l3 + p->l4, P = p->len - hdr;
    bool tcp = seg == OFNIC_TXC_SEG_TCP4 || seg == OFNIC_TXC_SEG_TCP6;
    bool ufo = seg == OFNIC_TXC_SEG_UFO4 || seg == OFNIC_TXC_SEG_UFO6;
    bool v6 = seg == OFNIC_TXC_SEG_TCP6 || seg == OFNIC_TXC_SEG_UDP6 ||
              seg == OFNIC_TXC_SEG_UFO6;
    size_t got = 0;
    unsigned int i, nexp;
    struct pf r;
    const char *why = "";

    if (sk->bad_iov) {
        return vfail(name, sk->n, "bad iovec");
    }
    for (i = 0; i < sk->n; i++) {
        if (sk->f[i].len > OFNIC_MAX_FRAME) {
            return vfail(name, i, "longer than OFNIC_MAX_FRAME");
        }
        if (ex->vlan && (sk->f[i].len < 18 || g16(sk->f[i].d + 12) != 0x8100 ||
                         g16(sk->f[i].d + 14) != ex->tci)) {
            return vfail(name, i, "inserted VLAN tag missing or wrong");
        }
        if (!ex->vlan && memcmp(sk->f[i].d, o, p->l2)) {
            return vfail(name, i, "Ethernet header changed");
        }
        if (ex->vlan && (memcmp(sk->f[i].d, o, 12) || memcmp(sk->f[i].d + 16, o + 12,
                                                              p->l2 - 12))) {
            return vfail(name, i, "Ethernet header changed");
        }
    }

    if (!ufo) {
        nexp = P ? (unsigned int)((P + mss - 1) / mss) : 1;
        if (sk->n != nexp) {
            diag("%s: %u frames, expected %u", name, sk->n, nexp);
            return false;
        }
        for (i = 0; i < sk->n; i++) {
            size_t fl;
            const uint8_t *d = untag(&sk->f[i], ex, tmp, &fl);
            const uint8_t *ip = d + p->l2, *l4 = ip + p->l3;
            size_t n = fl - hdr;
            size_t want = P - got < mss ? P - got : mss;

            if (!pf_parse(d, fl, &r, &why)) {
                return vfail(name, i, why);
            }
            if (r.l3off != p->l2 || r.iphl != p->l3 || r.l4len != p->l4 || r.frag) {
                return vfail(name, i, "header layout changed");
            }
            if (n != want) {
                return vfail(name, i, "wrong segment size");
            }
            if (memcmp(d + hdr, o + hdr + got, n)) {
                return vfail(name, i, "payload differs");
            }
            if (!v6) {
                static const unsigned int sk4[] = { 2, 6, 10, 12 };
                static const unsigned int sk4fix[] = { 2, 4, 10, 12 };
                uint16_t id = g16(oip + 4) + (ex->fixedid ? 0 : i);

                if (!same_except(ip, oip, p->l3, ex->fixedid ? sk4fix : sk4, 2) ||
                    g16(ip + 4) != id) {
                    return vfail(name, i, "IPv4 header fields wrong (ID, TOS, options...)");
                }
            } else {
                static const unsigned int sk6[] = { 4, 6 };

                if (!same_except(ip, oip, p->l3, sk6, 1)) {
                    return vfail(name, i, "IPv6 header or extension headers changed");
                }
            }
            if (tcp) {
                static const unsigned int skt[] = { 4, 8, 13, 14, 16, 18 };
                uint8_t f = ol4[13];

                if (i > 0) {
                    f &= (uint8_t)~TCPF_CWR;
                }
                if (i + 1 < sk->n) {
                    f &= (uint8_t)~(TCPF_FIN | TCPF_PSH);
                }
                if (!same_except(l4, ol4, p->l4, skt, 3)) {
                    return vfail(name, i, "TCP header fields changed");
                }
                if (g32(l4 + 4) != g32(ol4 + 4) + (uint32_t)got) {
                    return vfail(name, i, "wrong TCP sequence number");
                }
                if (l4[13] != f) {
                    return vfail(name, i, "wrong TCP flags");
                }
            } else if (g16(l4) != g16(ol4) || g16(l4 + 2) != g16(ol4 + 2)) {
                return vfail(name, i, "UDP ports changed");
            }
            got += n;
        }
        if (got != P) {
            return vfail(name, sk->n, "payload length differs");
        }
        return true;
    }

    /* UFO: reassemble the fragments of one datagram. */
    {
        static uint8_t rb[70000];
        static uint8_t have[70000];
        unsigned int frag_hl = 0, total = 0, j;
        uint32_t id0 = 0;
        bool last_seen = false;
        const uint8_t *ip0 = NULL;
        struct pf r0;

        memset(&r0, 0, sizeof(r0));

        memset(have, 0, sizeof(have));
        for (i = 0; i < sk->n; i++) {
            size_t fl;
            const uint8_t *d = untag(&sk->f[i], ex, tmp, &fl);
            unsigned int dl;

            if (!pf_parse(d, fl, &r, &why)) {
                return vfail(name, i, why);
            }
            if (sk->n == 1) {
                /* fits one fragment: an ordinary datagram */
                if (r.frag || r.proto != 17 || r.l3off != p->l2 || r.iphl != p->l3) {
                    return vfail(name, i, "single datagram malformed");
                }
                if (fl - r.poff != P || memcmp(d + r.poff, o + hdr, P)) {
                    return vfail(name, i, "payload differs");
                }
                return true;
            }
            if (!r.frag) {
                return vfail(name, i, "not a fragment");
            }
            if (i == 0) {
                id0 = r.frag_id;
                frag_hl = r.data_off;
                if (r.frag_off != 0) {
                    return vfail(name, i, "first fragment not at offset 0");
                }
            } else if (r.frag_id != id0) {
                return vfail(name, i, "fragment IDs differ");
            }
            if (v6 != (r.ipv == 6)) {
                return vfail(name, i, "IP version changed");
            }
            if (!v6 && (g16(d + r.l3off + 6) & 0x4000)) {
                return vfail(name, i, "DF on a fragment");
            }
            dl = (unsigned int)(fl - r.data_off);
            if (r.more && dl % 8) {
                return vfail(name, i, "non-last fragment not a multiple of 8");
            }
            if (dl > mss) {
                return vfail(name, i, "fragment larger than mss");
            }
            if (r.more != (i + 1 < sk->n)) {
                return vfail(name, i, "MF/M flag wrong");
            }
            if (r.frag_off + dl > sizeof(rb)) {
                return vfail(name, i, "fragment beyond 64 KiB");
            }
            for (j = 0; j < dl; j++) {
                if (have[r.frag_off + j]) {
                    return vfail(name, i, "overlapping fragments");
                }
                have[r.frag_off + j] = 1;
            }
            memcpy(rb + r.frag_off, d + r.data_off, dl);
            if (!r.more) {
                last_seen = true;
                total = r.frag_off + dl;
            }
            if (i == 0) {
                static uint8_t first[OFNIC_MAX_FRAME + 64];

                r0 = r;
                memcpy(first, d, fl); /* keep the first fragment's headers */
                ip0 = first + r.l3off;
            }
        }
        (void)frag_hl;
        if (!last_seen) {
            return vfail(name, sk->n, "no last fragment");
        }
        for (j = 0; j < total; j++) {
            if (!have[j]) {
                return vfail(name, sk->n, "hole in the reassembled datagram");
            }
        }
        /* Rebuild the datagram: the first fragment's headers + reassembled data. */
        {
            static uint8_t dg[70000 + 512];
            unsigned int hl;
            struct pf rd;
            uint8_t *dip;

            if (!v6) {
                hl = r0.l3off + r0.iphl;
                memcpy(dg, ip0 - r0.l3off, hl);
                dip = dg + r0.l3off;
                p16(dip + 2, (uint16_t)(r0.iphl + total));
                p16(dip + 6, g16(dip + 6) & 0x4000);
                dip[10] = dip[11] = 0;
                p16(dip + 10, t_fold(t_sum(0, dip, r0.iphl)));
                /* the first fragment carries the original options */
                if (memcmp(dip, oip, 2) || memcmp(dip + 4, oip + 4, 2) ||
                    memcmp(dip + 8, oip + 8, 2) ||
                    memcmp(dip + 12, oip + 12, p->l3 - 12)) {
                    return vfail(name, 0, "IPv4 header of the first fragment changed");
                }
            } else {
                /* unfragmentable part, without the fragment header */
                hl = r0.l3off + r0.iphl;
                memcpy(dg, ip0 - r0.l3off, hl);
                dip = dg + r0.l3off;
                /* the next-header byte that named the fragment header */
                {
                    unsigned int o2 = 40, pos = 6;
                    uint8_t nh = dip[6];

                    while (nh != 44 && o2 < r0.iphl) {
                        pos = o2;
                        nh = dip[o2];
                        o2 += (dip[o2 + 1] + 1u) * 8;
                    }
                    dip[pos] = r0.frag_nh;
                }
                p16(dip + 4, (uint16_t)(r0.iphl - 40 + total));
            }
            memcpy(dg + hl, rb, total);
            if (!pf_parse(dg, hl + total, &rd, &why)) {
                return vfail(name, 0, why);
            }
            if (rd.proto != 17 || rd.iphl != p->l3 || hl + total != p->len ||
                memcmp(dg + p->l2, oip, 2) ||
                (v6 && memcmp(dg + p->l2 + 6, oip + 6, p->l3 - 6))) {
                return vfail(name, 0, "reassembled headers differ from the original");
            }
            if (rd.end - rd.poff != P || memcmp(dg + rd.poff, o + hdr, P)) {
                return vfail(name, 0, "reassembled payload differs");
            }
        }
        return true;
    }
}

/* ---------------------------------------------------------------------------------------
 * IP tunnels (OFNIC_TXC_TUNNEL_IP): IPIP, IPv6 in IP, GRE and gretap around an inner packet
 * built by build(). Every output frame's outer headers are checked here; its inner frame goes
 * to a sink for verify_seg().
 */
struct ipt_spec {
    bool v6;                /* outer IPv6 */
    bool dstopt;            /* outer IPv6: 8-byte destination options (ip6tnl encap limit) */
    bool tagged;            /* an 802.1Q tag in the outer frame */
    uint8_t proto;          /* outer protocol: 4, 41, 47 (anything else to be refused) */
    uint16_t gre_flags;     /* GRE flags and version as on the wire (C 0x8000, K 0x2000...) */
    uint16_t gre_proto;     /* GRE protocol: 0x0800, 0x86dd, 0x6558 (inner Ethernet kept) */
    uint16_t ip_id;         /* outer IPv4 ID */
};

/* GRE header length of flags: 4 + 4 for each of C, K, S. */
static unsigned int ipt_gre_len(uint16_t flags)
{
    return 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) +
           ((flags & 0x1000) ? 4 : 0);
}

/*
 * o = outer Ethernet + outer IP (+ GRE header) + the inner packet in (with its Ethernet
 * header for gretap, from its IP header otherwise). Returns tun_len.
 */
static unsigned int ipt_wrap(struct pkt *o, const struct pkt *in, const struct ipt_spec *s)
{
    uint8_t *b = o->buf, *ip, *t;
    unsigned int off = 12, tun = 0, eth = 0;
    uint32_t plen;

    memset(b, 0, 256);
    memcpy(b, "\x02\x00\x00\x00\x03\x02\x02\x00\x00\x00\x03\x01", 12);
    if (s->tagged) {
        p16(b + 12, 0x8100);
        p16(b + 14, 9);
        off += 4;
    }
    p16(b + off, s->v6 ? 0x86dd : 0x0800);
    o->l2 = off + 2;
    ip = b + o->l2;
    o->l3 = s->v6 ? 40 + (s->dstopt ? 8 : 0) : 20;
    t = ip + o->l3;
    if (s->proto == 47) {
        unsigned int g = 4;

        p16(t, s->gre_flags);
        p16(t + 2, s->gre_proto);
        if (s->gre_flags & 0x8000) {
            p16(t + g, 0x1357);     /* checksum, reserved: never sent */
            g += 4;
        }
        if (s->gre_flags & 0x2000) {
            p32(t + g, 0x0a0b0c0d); /* key */
            g += 4;
        }
        if (s->gre_flags & 0x1000) {
            p32(t + g, 77);         /* sequence number */
            g += 4;
        }
        if (s->gre_proto == 0x6558) {
            eth = in->l2;           /* gretap: the inner Ethernet header travels too */
        }
        tun = g + eth;
    }
    memcpy(t + tun - eth, in->buf, eth);
    memcpy(t + tun, in->buf + in->l2, in->len - in->l2);
    plen = (uint32_t)(o->l3 + tun + in->len - in->l2);
    if (s->v6) {
        ip[0] = 0x60 | 0x0b;        /* traffic class 0xb2, flow label 0x2cafe */
        ip[1] = 0x22;
        ip[2] = 0xca;
        ip[3] = 0xfe;
        p16(ip + 4, (uint16_t)(plen - 40));
        ip[6] = s->dstopt ? 60 : s->proto;
        ip[7] = 33;
        p32(ip + 8, 0x20010db8);
        p32(ip + 20, 0x101);
        p32(ip + 24, 0x20010db8);
        p32(ip + 36, 0x202);
        if (s->dstopt) {
            uint8_t *d = ip + 40;

            d[0] = s->proto;
            d[1] = 0;
            d[2] = 4;               /* tunnel encapsulation limit 4 */
            d[3] = 1;
            d[4] = 4;
            d[5] = 1;               /* PadN, 1 byte */
            d[6] = 1;
            d[7] = 0;
        }
    } else {
        ip[0] = 0x45;
        ip[1] = 0x28;
        p16(ip + 2, (uint16_t)plen);
        p16(ip + 4, s->ip_id);
        p16(ip + 6, 0x4000);
        ip[8] = 33;
        ip[9] = s->proto;
        p16(ip + 10, 0xdead);       /* whatever the driver left: recomputed */
        p32(ip + 12, 0x0a010001);
        p32(ip + 16, 0x0a010002);
    }
    o->len = o->l2 + plen;
    o->l4 = in->l4;
    memcpy(o->orig, o->buf, o->len);
    return tun;
}

static struct ofnic_tx_ctx_desc ipt_ctx(unsigned int offload, unsigned int mss,
                                        const struct pkt *o, const struct pkt *in,
                                        unsigned int tun, const struct ipt_spec *s)
{
    struct ofnic_tx_ctx_desc c = mkctx(offload | OFNIC_TXC_TUNNEL | OFNIC_TXC_TUNNEL_IP |
                                       (s->v6 ? OFNIC_TXC_OUTER_IPV6 : 0), mss, o);

    c.tun_len = (uint8_t)tun;
    c.in_l3_len = (uint8_t)in->l3;
    c.l4_len = (uint8_t)in->l4;
    return c;
}

/*
 * The outer headers of every frame in sk (tagged with tci if vlan): Ethernet unchanged, outer
 * IPv4 total length, ID (first + n) and checksum or IPv6 payload length right, every other
 * outer IP byte and the tunnel header (GRE, inner Ethernet) unchanged. The inner frames go to
 * inner, with in's Ethernet header in front where the tunnel has none.
 */
static bool verify_ipt(const char *name, const struct pkt *o, const struct pkt *in,
                       unsigned int tun, const struct ipt_spec *s, const struct sink *sk,
                       bool vlan, uint16_t tci, struct sink *inner)
{
    static uint8_t tmp[OFNIC_MAX_FRAME + 64];
    const uint8_t *oip0 = o->orig + o->l2;
    unsigned int i, end = o->l2 + o->l3 + tun;
    bool tap = s->proto == 47 && s->gre_proto == 0x6558;
    unsigned int ieth = tap ? 0 : in->l2;       /* in's Ethernet header to put in front */
    unsigned int start = tap ? end - in->l2 : end;  /* the inner frame in the outer one */

    sink_reset(inner);
    if (sk->bad_iov) {
        return vfail(name, sk->n, "bad iovec");
    }
    for (i = 0; i < sk->n; i++) {
        const uint8_t *d = sk->f[i].d, *ip;
        size_t len = sk->f[i].len;
        uint8_t *f;

        if (len > OFNIC_MAX_FRAME) {
            return vfail(name, i, "longer than OFNIC_MAX_FRAME");
        }
        if (vlan) {
            if (len < 16 + end || g16(d + 12) != 0x8100 || g16(d + 14) != tci) {
                return vfail(name, i, "inserted VLAN tag missing or wrong");
            }
            memcpy(tmp, d, 12);
            memcpy(tmp + 12, d + 16, len - 16);
            d = tmp;
            len -= 4;
        }
        if (len <= end || memcmp(d, o->orig, o->l2)) {
            return vfail(name, i, "outer Ethernet header changed");
        }
        ip = d + o->l2;
        if (s->v6) {
            if (g16(ip + 4) != len - o->l2 - 40 || memcmp(ip, oip0, 4) ||
                memcmp(ip + 6, oip0 + 6, o->l3 - 6)) {
                return vfail(name, i, "outer IPv6 payload length or copied bytes");
            }
        } else {
            static const unsigned int skip[] = { 2, 6, 10, 12 }; /* length, ID, csum */

            if (g16(ip + 2) != len - o->l2 || g16(ip + 4) != (uint16_t)(s->ip_id + i) ||
                t_fold(t_sum(0, ip, o->l3)) != 0 || !same_except(ip, oip0, o->l3, skip, 2)) {
                return vfail(name, i, "outer IPv4 length, ID, checksum or copied bytes");
            }
        }
        if (memcmp(d + o->l2 + o->l3, o->orig + o->l2 + o->l3, tun)) {
            return vfail(name, i, "tunnel header (GRE, inner Ethernet) changed");
        }
        if (inner->n == SINK_MAX) {
            return vfail(name, i, "too many frames");
        }
        f = malloc(ieth + len - start);
        if (!f) {
            abort();
        }
        memcpy(f, in->orig, ieth);
        memcpy(f + ieth, d + start, len - start);
        inner->f[inner->n].d = f;
        inner->f[inner->n].len = ieth + len - start;
        inner->f[inner->n].iovcnt = 2;
        inner->n++;
    }
    return true;
}

#endif /* OFNIC_TXO_UTIL_H */
