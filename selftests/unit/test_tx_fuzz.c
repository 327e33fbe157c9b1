/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Randomized TX offload test (fixed seed): thousands of packets with random but valid
 * offload requests, the same with a mutated descriptor or header byte, and pure garbage.
 * The engine must never crash (ASan/UBSan watch), a valid request must be accepted, and
 * every frame of an accepted request must re-parse as valid with the payload intact.
 */
#include "txo_util.h"

#define ITERATIONS 12000
#define SEED 0x0f41c5eedULL

static uint64_t rs = SEED;

static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs >> 11);
}

static uint32_t rnd_n(uint32_t n)
{
    return n ? rnd() % n : 0;
}

static struct sink sk;
static struct pkt *p;
static uint16_t cur_tci;

struct stats {
    unsigned int valid, valid_rejected, mutated, mutated_accepted, garbage, garbage_accepted;
    unsigned int bad, frames;
    unsigned int per_seg[7];
};

/* A random valid request: spec, offload bits, mss. */
static void gen(struct pspec *s, unsigned int *off, unsigned int *mss, uint64_t *caps)
{
    unsigned int seg = rnd_n(7), i, hdr, fixed, maxmss, minmss = OFNIC_TSO_MIN_MSS;
    bool vlan = rnd_n(2);

    memset(s, 0, sizeof(*s));
    s->seed = rnd();
    s->ntags = rnd_n(4) == 0 ? 1 + rnd_n(2) : 0;
    s->v6 = seg == OFNIC_TXC_SEG_TCP6 || seg == OFNIC_TXC_SEG_UDP6 || seg == OFNIC_TXC_SEG_UFO6 ||
            (seg == OFNIC_TXC_SEG_NONE && rnd_n(2));
    s->proto = (seg == OFNIC_TXC_SEG_TCP4 || seg == OFNIC_TXC_SEG_TCP6 ||
                (seg == OFNIC_TXC_SEG_NONE && rnd_n(2))) ? 6 : 17;
    s->tos = (uint8_t)rnd();
    s->ip_id = (uint16_t)rnd();
    s->seq = rnd();
    s->tcp_flags = (uint8_t)(rnd() & ~(TCPF_SYN | TCPF_RST));
    s->df = seg != OFNIC_TXC_SEG_UFO4 && rnd_n(2);
    if (!s->v6) {
        s->ip4_opt_len = rnd_n(3) == 0 ? 4 * rnd_n(11) : 0;
    } else if (rnd_n(2)) {
        s->next = 1 + rnd_n(3);
        for (i = 0; i < s->next; i++) {
            static const uint8_t types[3] = { 0, 43, 60 };

            s->ext[i].type = types[rnd_n(3)];
            s->ext[i].len = 8 * (1 + rnd_n(4));
        }
    }
    if (s->proto == 6) {
        s->tcp_opt_len = 4 * rnd_n(11);
    }
    /* headers, then an mss that fits the frame */
    fixed = 14 + 4 * s->ntags + (s->v6 ? 40 : 20) + s->ip4_opt_len +
            (s->proto == 6 ? 20 + s->tcp_opt_len : 8);
    for (i = 0; i < s->next; i++) {
        fixed += s->ext[i].len;
    }
    hdr = fixed + (vlan ? 4 : 0) + (seg == OFNIC_TXC_SEG_UFO6 ? 8 : 0);
    maxmss = OFNIC_MAX_FRAME - hdr;
    if (seg == OFNIC_TXC_SEG_UFO4 || seg == OFNIC_TXC_SEG_UFO6) {
        maxmss += 8;    /* UFO: the UDP header is part of the fragment data */
        minmss = 128;   /* room for fragmentable extension headers */
        maxmss &= ~7u;
    }
    switch (rnd_n(4)) {
    case 0:
        *mss = minmss + rnd_n(64);
        break;
    case 1:
        *mss = maxmss - rnd_n(64);
        break;
    default:
        *mss = minmss + rnd_n(maxmss - minmss + 1);
        break;
    }
    if (seg == OFNIC_TXC_SEG_UFO4 || seg == OFNIC_TXC_SEG_UFO6) {
        *mss &= ~7u;
    }
    switch (rnd_n(5)) {
    case 0:
        s->payload = rnd_n(3 * *mss);
        break;
    case 1:
        s->payload = *mss * (1 + rnd_n(8));     /* exact multiples */
        break;
    case 2:
        s->payload = OFNIC_TSO_MAX_PAYLOAD - rnd_n(100);
        break;
    default:
        s->payload = rnd_n(OFNIC_TSO_MAX_PAYLOAD + 1);
        break;
    }
    if (s->payload > OFNIC_TSO_MAX_PAYLOAD) {
        s->payload = OFNIC_TSO_MAX_PAYLOAD;
    }
    if (seg == OFNIC_TXC_SEG_UFO4 || seg == OFNIC_TXC_SEG_UFO6) {
        unsigned int l3 = fixed - 14 - 4 * s->ntags - 8;
        unsigned int room = 0xffff - 8 - (s->v6 ? l3 - 40 : l3);

        if (s->payload > room) {
            s->payload = room;
        }
    }
    if (seg == OFNIC_TXC_SEG_NONE && s->payload > maxmss) {
        s->payload = rnd_n(maxmss + 1);     /* one frame of at most OFNIC_MAX_FRAME */
    }
    *off = seg;
    if (vlan) {
        *off |= OFNIC_TXC_VLAN;
    }
    if (seg != OFNIC_TXC_SEG_NONE && rnd_n(3) == 0) {
        *off |= OFNIC_TXC_FIXEDID;
    }
    if (seg == OFNIC_TXC_SEG_NONE) {
        *off |= rnd_n(2) ? OFNIC_TXC_L4_CSUM : 0;
        *off |= (!s->v6 && rnd_n(2)) ? OFNIC_TXC_IP4_CSUM : 0;
    } else if (rnd_n(2)) {
        *off |= OFNIC_TXC_L4_CSUM | (s->v6 ? 0 : OFNIC_TXC_IP4_CSUM);
    }
    *caps = ALL_CAPS;
}

static void check_accepted(const char *kind, unsigned int it, unsigned int seg, unsigned int off,
                           unsigned int mss, struct stats *st)
{
    struct vexp ex = { .vlan = off & OFNIC_TXC_VLAN, .tci = cur_tci,
                       .fixedid = off & OFNIC_TXC_FIXEDID };
    char name[64];
    unsigned int i;

    snprintf(name, sizeof(name), "%s #%u seg %u", kind, it, seg);
    st->frames += sk.n;
    if (seg != OFNIC_TXC_SEG_NONE) {
        if (!verify_seg(name, p, seg, mss, &sk, &ex)) {
            st->bad++;
        }
        return;
    }
    /* no segmentation: one frame, the packet (+ tag), checksums as asked */
    if (sk.bad_iov || sk.n != 1 || sk.f[0].len != p->len + (ex.vlan ? 4 : 0)) {
        diag("%s: wrong frame count or length", name);
        st->bad++;
        return;
    }
    for (i = 0; i < 1; i++) {
        static uint8_t tmp[OFNIC_TX_MAX_PKT_LEN + 4];
        size_t fl;
        const uint8_t *d = untag(&sk.f[0], &ex, tmp, &fl);
        struct pf r;
        const char *why = "";

        if ((off & OFNIC_TXC_L4_CSUM) && (!(p->buf[p->l2] >> 4 == 4) || (off & OFNIC_TXC_IP4_CSUM)) &&
            !strcmp(kind, "valid") && !pf_parse(d, fl, &r, &why)) {
            diag("%s: %s", name, why);
            st->bad++;
        }
    }
}

static void one(unsigned int it, struct stats *st)
{
    struct pspec s;
    struct ofnic_tx_ctx_desc c;
    struct ofnic_txo_result res;
    struct ofnic_txo_cfg cfg;
    unsigned int off, mss, mode = rnd_n(8);
    uint64_t caps;
    enum ofnic_txo_err e;

    gen(&s, &off, &mss, &caps);
    build(p, &s);
    c = mkctx(off, mss, p);
    c.vlan_tci = ofnic_cpu_to_le16(0x0abc);
    if ((off & OFNIC_TXC_SEG_MASK) == OFNIC_TXC_SEG_NONE && (off & OFNIC_TXC_L4_CSUM)) {
        seed_l4(p, s.proto);
        c.csum_start = ofnic_cpu_to_le16((uint16_t)(p->l2 + p->l3));
        c.csum_offset = s.proto == 6 ? 16 : 6;
    }

    if (mode >= 4) {
        /* mutate: a descriptor byte, a header byte, a length, or the capabilities */
        uint8_t *cb = (uint8_t *)&c;
        unsigned int hdr = p->l2 + p->l3 + p->l4;

        switch (rnd_n(6)) {
        case 0:
            cb[rnd_n(14)] = (uint8_t)rnd();
            break;
        case 1:
            cb[rnd_n(14)] ^= (uint8_t)(1u << rnd_n(8));
            break;
        case 2:
            p->buf[rnd_n(hdr + 8 < p->len ? hdr + 8 : (uint32_t)p->len)] = (uint8_t)rnd();
            break;
        case 3:
            p->len = 14 + rnd_n((uint32_t)p->len - 13);
            break;
        case 4:
            c.mss = ofnic_cpu_to_le16((uint16_t)rnd());
            break;
        default:
            caps &= rnd() | ((uint64_t)rnd() << 32);
            break;
        }
        if (mode == 7) {        /* and a second one */
            cb[rnd_n(14)] = (uint8_t)rnd();
        }
        st->mutated++;
    }
    if (mode == 0 && rnd_n(4) == 0) {
        /* garbage packet and descriptor */
        uint32_t i, n = 14 + rnd_n(2000);

        for (i = 0; i < n; i++) {
            p->buf[i] = (uint8_t)rnd();
        }
        p->len = n;
        for (i = 0; i < 14; i++) {
            ((uint8_t *)&c)[i] = (uint8_t)rnd();
        }
        mode = 100;
        st->garbage++;
    }
    memcpy(p->orig, p->buf, p->len);
    /* the verifier follows the (possibly mutated) descriptor's lengths */
    p->l2 = c.l2_len;
    p->l3 = c.l3_len;
    p->l4 = c.l4_len;
    off = ofnic_le16(c.offload);
    mss = ofnic_le16(c.mss);
    cur_tci = ofnic_le16(c.vlan_tci);

    cfg.caps = caps;
    cfg.frag6_id = rnd();
    sink_reset(&sk);
    e = ofnic_tx_offload(&cfg, &c, p->buf, p->len, sink_emit, &sk, &res);
    if (e != OFNIC_TXOE_NONE) {
        if (mode < 4) {
            diag("valid #%u (seg %u mss %u len %zu): rejected: %s", it, off & 15, mss, p->len,
                 ofnic_txo_err_str(e));
            st->valid_rejected++;
        }
        if (sk.n || res.frames) {
            diag("#%u: frames emitted for a dropped packet", it);
            st->bad++;
        }
        return;
    }
    if (mode < 4) {
        st->valid++;
        st->per_seg[off & 7]++;
    } else if (mode == 100) {
        st->garbage_accepted++;
    } else {
        st->mutated_accepted++;
    }
    if (res.frames != sk.n) {
        diag("#%u: result frames %u, emitted %u", it, res.frames, sk.n);
        st->bad++;
    }
    check_accepted(mode < 4 ? "valid" : mode == 100 ? "garbage" : "mutated", it, off & 15,
                   off, mss, st);
}

int main(void)
{
    struct stats st;
    unsigned int i;

    plan(11);

    memset(&st, 0, sizeof(st));
    p = pkt_new();
    for (i = 0; i < ITERATIONS; i++) {
        one(i, &st);
    }
    diag("%u valid (per seg type: %u %u %u %u %u %u %u), %u mutated (%u accepted), "
         "%u garbage (%u accepted), %u frames checked",
         st.valid, st.per_seg[0], st.per_seg[1], st.per_seg[2], st.per_seg[3], st.per_seg[4],
         st.per_seg[5], st.per_seg[6], st.mutated, st.mutated_accepted, st.garbage,
         st.garbage_accepted, st.frames);
    is(st.valid_rejected, 0, "fuzz: every valid request accepted");
    ok(st.valid > ITERATIONS / 3, "fuzz: enough valid requests (%u)", st.valid);
    for (i = 0; i < 7; i++) {
        ok(st.per_seg[i] > 50, "fuzz: segmentation type %u exercised (%u)", i, st.per_seg[i]);
    }
    ok(st.mutated > ITERATIONS / 3 && st.mutated_accepted > 100,
       "fuzz: mutations exercised (%u, %u accepted)", st.mutated, st.mutated_accepted);
    is(st.bad, 0, "fuzz: every frame of every accepted request valid, payload intact");
    sink_reset(&sk);
    pkt_free(p);
    return done_testing();
}
