/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ofnic engine: receive coalescing, LRO and re-segmentable HW-GRO (datasheet
 * "Coalescing").
 *
 * Both modes apply the rules of Linux GRO (dev_gro_receive(),
 * inet_gro_receive(), ipv6_gro_receive(), ipip/ip6ip6 GRO, tcp_gro_receive()
 * and inet_gro_flush() of Linux 7.3) so that what the device merges is what
 * the stack could re-segment; LRO only lets the ack number and window advance.
 * TCP over IPv4 or IPv6, or over IP-in-IP (4in4, 6in4, 4in6, 6in6), is
 * coalesced. A flow keeps the frames merged so far in its buffer: the first
 * segment's headers, then every payload.
 */
#include "ofnic_engine.h"

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_URG 0x20
#define IP_DF 0x4000
#define IP_MAX_LEN 65535
#define RSC_MAX_HDR 256 /* a longer header is not coalesced */
#define ETH_ZLEN_TAG 64 /* a padded minimum frame, with one VLAN tag */
#define IPPROTO_IPIP_ 4
#define IPPROTO_IPV6_ 41
#define IPPROTO_TCP_ 6

enum hold {
    HOLD_NO,   /* deliver as it is */
    HOLD_OK,   /* may be merged or start a flow */
    HOLD_LAST, /* may be merged, but ends its flow (short or PSH...) */
};

/* A frame as coalescing sees it. */
struct rsc_pkt {
    const uint8_t *frame;
    uint32_t wire_len; /* the frame's length */
    uint32_t end;      /* end of the IP packet: Ethernet padding excluded */
    uint8_t nl3;       /* IP headers found: 1, or 2 (IP-in-IP) */
    bool v6[2];
    uint16_t l3_off[2];
    uint16_t l3_len[2]; /* with IPv6 extension headers */
    uint16_t l4_off;   /* TCP header, or 0 */
    uint16_t l4_len;
    bool clean;        /* headers GRO can hold (no options, fragments...) */
    bool csum_ok;
    uint32_t pay_sum;
};

/*
 * One IP header at off, bounded by end: its length and the next protocol.
 * Returns false if it is not a whole IP header. clean is cleared for what
 * Linux GRO will not hold: IPv4 options, fragments or the reserved flag, a
 * length other than the packet's, IPv6 extension headers other than
 * hop-by-hop, routing and destination options.
 */
static bool parse_ip(struct rsc_pkt *pk, unsigned int i, uint32_t off,
                     uint32_t end, uint8_t *proto)
{
    const uint8_t *ip = pk->frame + off;
    uint32_t hl;
    int n;

    if (off + 20 > end) {
        return false;
    }
    pk->l3_off[i] = (uint16_t)off;
    pk->v6[i] = (ip[0] >> 4) == 6;
    if ((ip[0] >> 4) == 4) {
        hl = (uint32_t)(ip[0] & 0xf) * 4;
        if (hl < 20 || off + hl > end) {
            return false;
        }
        if (ip[0] != 0x45 || (ofnic_get_be16(ip + 6) & ~IP_DF) ||
            off + ofnic_get_be16(ip + 2) != end) {
            pk->clean = false;
        }
        pk->l3_len[i] = (uint16_t)hl;
        *proto = ip[9];
        return true;
    }
    if (!pk->v6[i] || off + 40 > end) {
        return false;
    }
    if (off + 40 + ofnic_get_be16(ip + 4) != end) {
        pk->clean = false;
    }
    *proto = ip[6];
    hl = 40;
    for (n = 0; n < OFNIC_PARSE_MAX_EXTHDRS; n++) {
        if (*proto != 0 && *proto != 43 && *proto != 60) {
            break;
        }
        if (off + hl + 8 > end ||
            off + hl + ((uint32_t)ip[hl + 1] + 1) * 8 > end) {
            return false;
        }
        *proto = ip[hl];
        hl += ((uint32_t)ip[hl + 1] + 1) * 8;
    }
    pk->l3_len[i] = (uint16_t)hl;
    return true;
}

/* Find the IP header(s) and the TCP header; check the inner checksum. */
static void parse(const struct ofnic_rx_result *res, struct rsc_pkt *pk)
{
    const struct ofnic_pkt_info *pi = &res->pi;
    uint32_t off = pi->l3_off, end;
    uint8_t proto;

    memset(pk, 0, sizeof(*pk));
    pk->frame = res->frame;
    pk->wire_len = (uint32_t)res->len;
    pk->clean = true;
    if (pi->l3 != OFNIC_RXC_L3_IPV4 && pi->l3 != OFNIC_RXC_L3_IPV6) {
        return;
    }
    if (res->tunnel || res->len > OFNIC_MAX_FRAME || off + 20 > res->len) {
        return;
    }
    if (pi->l3 == OFNIC_RXC_L3_IPV4) {
        end = off + ofnic_get_be16(res->frame + off + 2);
    } else {
        end = off + 40 + ofnic_get_be16(res->frame + off + 4);
    }
    if (end > res->len) {
        return;
    }
    if (end < res->len && res->len > ETH_ZLEN_TAG) {
        pk->clean = false; /* more than Ethernet padding */
    }
    pk->end = end;
    if (!parse_ip(pk, 0, off, end, &proto)) {
        return;
    }
    pk->nl3 = 1;
    if (proto == IPPROTO_IPIP_ || proto == IPPROTO_IPV6_) {
        bool want6 = proto == IPPROTO_IPV6_;

        off += pk->l3_len[0];
        if (!parse_ip(pk, 1, off, end, &proto) || pk->v6[1] != want6) {
            return;
        }
        pk->nl3 = 2;
    }
    if (proto != IPPROTO_TCP_) {
        return;
    }
    off = pk->l3_off[pk->nl3 - 1] + pk->l3_len[pk->nl3 - 1];
    if (off + 20 > end || off + (uint32_t)(res->frame[off + 12] >> 4) * 4 >
        end || (res->frame[off + 12] >> 4) < 5) {
        return;
    }
    pk->l4_off = (uint16_t)off;
    pk->l4_len = (uint16_t)((res->frame[off + 12] >> 4) * 4);

    if (pk->nl3 == 1) {
        pk->csum_ok = (res->csum & OFNIC_RXC_L4_CSUM_OK) &&
                      !(res->csum & OFNIC_RXC_CSUM_ERR);
        pk->pay_sum = res->pay_sum;
    } else {
        struct ofnic_pkt_info in = { .l4 = OFNIC_RXC_L4_TCP, .l4_proto = 6 };
        uint32_t c;

        in.l3 = pk->v6[1] ? OFNIC_RXC_L3_IPV6 : OFNIC_RXC_L3_IPV4;
        in.l3_off = pk->l3_off[1];
        in.l3_len = pk->l3_len[1];
        in.l4_off = pk->l4_off;
        in.l4_len = pk->l4_len;
        in.src_off = (uint16_t)(in.l3_off + (pk->v6[1] ? 8 : 12));
        in.dst_off = (uint16_t)(in.l3_off + (pk->v6[1] ? 24 : 16));
        in.addr_len = pk->v6[1] ? 16 : 4;
        c = ofnic_rx_csum(res->frame, end, &in, &pk->pay_sum);
        pk->csum_ok = (c & OFNIC_RXC_L4_CSUM_OK) &&
                      !(c & OFNIC_RXC_CSUM_ERR) &&
                      !(res->csum & OFNIC_RXC_CSUM_ERR);
    }
}

static uint32_t payload_len(const struct rsc_pkt *pk)
{
    return pk->l4_off ? pk->end - pk->l4_off - pk->l4_len : 0;
}

/* Could this segment be held at all (before looking at flows)? */
static enum hold holdable(const struct rsc_pkt *pk)
{
    uint8_t flags;

    if (!pk->l4_off || !pk->clean || !pk->csum_ok || payload_len(pk) == 0 ||
        pk->l4_off + pk->l4_len > RSC_MAX_HDR) {
        return HOLD_NO;
    }
    flags = pk->frame[pk->l4_off + 13];
    if (flags & (TCP_FLAG_URG | TCP_FLAG_PSH | TCP_FLAG_RST | TCP_FLAG_SYN |
                 TCP_FLAG_FIN)) {
        return HOLD_LAST;
    }
    return HOLD_OK;
}

static uint16_t flow_hash(const struct rsc_pkt *pk)
{
    unsigned int i = pk->nl3 - 1, alen = pk->v6[i] ? 16 : 4, k;
    const uint8_t *ip = pk->frame + pk->l3_off[i];
    const uint8_t *a = ip + (pk->v6[i] ? 8 : 12);
    uint32_t h = 2166136261u;

    for (k = 0; k < 2 * alen; k++) {
        h = (h ^ a[k]) * 16777619u;
    }
    for (k = 0; k < 4; k++) {
        h = (h ^ pk->frame[pk->l4_off + k]) * 16777619u;
    }
    return (uint16_t)((h ^ h >> 16) & (OFNIC_RSC_HASH - 1));
}

/* Same MAC header, VLAN, IP addresses and protocols at every level, ports. */
static bool same_flow(const struct ofnic_rsc_flow *f,
                      const struct ofnic_rx_result *res,
                      const struct rsc_pkt *pk)
{
    const uint8_t *b = f->buf, *p = pk->frame;
    uint32_t vlan = res->meta.status & OFNIC_RXC_VLAN;
    unsigned int i;

    if (!f->active || f->nl3 != pk->nl3 || f->l4_off != pk->l4_off ||
        (f->meta.status & OFNIC_RXC_VLAN) != vlan ||
        (vlan && f->meta.vlan_tci != res->meta.vlan_tci) ||
        memcmp(b, p, pk->l3_off[0]) ||
        memcmp(b + f->l4_off, p + pk->l4_off, 4)) {
        return false;
    }
    for (i = 0; i < pk->nl3; i++) {
        const uint8_t *x = b + f->l3_off[i], *y = p + pk->l3_off[i];

        if (f->v6[i] != pk->v6[i] || f->l3_off[i] != pk->l3_off[i]) {
            return false;
        }
        if (f->v6[i] ? memcmp(x + 8, y + 8, 32) || x[6] != y[6]
                     : memcmp(x + 12, y + 12, 8) || x[9] != y[9]) {
            return false;
        }
    }
    return true;
}

/*
 * IPv4 ID of the segment after segs, IP header i (inet_gro_flush()). A fixed
 * ID is decided at the second segment; without fixedid_no_df it needs DF.
 */
static bool ip_id_ok(const struct ofnic_rsc_flow *f,
                     const struct ofnic_rsc_cfg *cfg, unsigned int i,
                     const uint8_t *ip)
{
    uint16_t off = (uint16_t)(ofnic_get_be16(ip + 4) - f->ip_id[i]);

    if (f->segs == 1 && !off) {
        return cfg->fixedid_no_df || (ip[6] & (IP_DF >> 8));
    }
    return off == (f->fixedid[i] ? 0 : f->segs);
}

/*
 * Can pk join f? Returns 0, or the OFNIC_GSTAT_RX_FLUSH_* reason why f must be
 * flushed without it.
 */
static unsigned int merge_check(const struct ofnic_rsc_flow *f,
                                const struct ofnic_rsc_cfg *cfg,
                                const struct rsc_pkt *pk)
{
    const uint8_t *th = pk->frame + pk->l4_off, *th2 = f->buf + f->l4_off;
    unsigned int thlen = pk->l4_len, i;
    uint32_t len = payload_len(pk), max = cfg->max_size;

    /* data offset, flags but FIN/PSH (CWR included), options */
    if ((th[12] ^ th2[12]) ||
        ((th[13] ^ th2[13]) & ~(TCP_FLAG_FIN | TCP_FLAG_PSH)) ||
        memcmp(th + 20, th2 + 20, thlen - 20)) {
        return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
    }
    /* ack number and window: LRO lets them advance */
    if (!cfg->lro && (memcmp(th + 8, th2 + 8, 4) ||
                      memcmp(th + 14, th2 + 14, 2))) {
        return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
    }
    for (i = 0; i < pk->nl3; i++) {
        const uint8_t *ip = pk->frame + pk->l3_off[i];
        const uint8_t *ip2 = f->buf + f->l3_off[i];

        if (!f->v6[i]) {
            /* TTL, TOS (ECN too), DF; the ID increments or stays */
            if (ip[8] != ip2[8] || ip[1] != ip2[1] ||
                ((ip[6] ^ ip2[6]) & (IP_DF >> 8)) ||
                !ip_id_ok(f, cfg, i, ip)) {
                return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
            }
            continue;
        }
        /*
         * Traffic class, hop limit; flow label and extension headers (Linux
         * makes those another flow: within a 4-tuple, a flush keeps order)
         */
        if (((ip[0] ^ ip2[0]) & 0x0f) || ip[1] != ip2[1] ||
            memcmp(ip + 2, ip2 + 2, 2) || ip[7] != ip2[7] ||
            pk->l3_len[i] != (i + 1 < f->nl3 ? f->l3_off[i + 1] : f->l4_off) -
                                 f->l3_off[i] ||
            memcmp(ip + 40, ip2 + 40, pk->l3_len[i] - 40)) {
            return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
        }
    }
    if (len > f->mss) {
        return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
    }
    if (ofnic_get_be32(th + 4) != f->next_seq) {
        return OFNIC_GSTAT_RX_FLUSH_OOO;
    }
    if (!max || max > OFNIC_RSC_BUF_SIZE) {
        max = OFNIC_RSC_BUF_SIZE;
    }
    if (f->len + len > max || f->len - f->l3_off[0] + len > IP_MAX_LEN) {
        return OFNIC_GSTAT_RX_FLUSH_SIZE;
    }
    return 0;
}

static void merge(struct ofnic_rsc_flow *f, const struct ofnic_rsc_cfg *cfg,
                  const struct rsc_pkt *pk)
{
    const uint8_t *th = pk->frame + pk->l4_off;
    uint8_t *th2 = f->buf + f->l4_off;
    uint32_t len = payload_len(pk);
    uint32_t sum = pk->pay_sum;
    unsigned int i;

    for (i = 0; i < f->nl3 && f->segs == 1; i++) {
        if (!f->v6[i] && ofnic_get_be16(pk->frame + pk->l3_off[i] + 4) ==
                             f->ip_id[i]) {
            f->fixedid[i] = true;
        }
    }
    memcpy(f->buf + f->len, th + pk->l4_len, len);
    if ((f->len - f->hdr_len) & 1) {
        sum = ofnic_csum_swab(sum);
    }
    f->pay_sum = ofnic_csum_combine(f->pay_sum, sum);
    f->len += len;
    f->next_seq += len;
    f->segs++;
    f->wire_bytes += pk->wire_len;
    th2[13] |= th[13] & (TCP_FLAG_FIN | TCP_FLAG_PSH);
    f->lro = cfg->lro;
    if (cfg->lro) {
        memcpy(th2 + 8, th + 8, 4);   /* ack number */
        memcpy(th2 + 14, th + 14, 2); /* window */
    }
}

static void start(struct ofnic_rsc_flow *f, const struct ofnic_rx_result *res,
                  const struct rsc_pkt *pk, uint64_t now, uint32_t n)
{
    unsigned int i;

    memcpy(f->buf, res->frame, res->len);
    f->active = true;
    f->nl3 = pk->nl3;
    for (i = 0; i < 2; i++) {
        f->v6[i] = pk->v6[i];
        f->l3_off[i] = pk->l3_off[i];
        f->fixedid[i] = false;
        f->ip_id[i] = i < pk->nl3 && !pk->v6[i] ?
            ofnic_get_be16(res->frame + pk->l3_off[i] + 4) : 0;
    }
    f->l4_off = pk->l4_off;
    f->hdr_len = (uint16_t)(pk->l4_off + pk->l4_len);
    f->len = pk->end;
    f->frame_len = (uint32_t)res->len;
    f->mss = (uint16_t)payload_len(pk);
    f->segs = 1;
    f->lro = false;
    f->next_seq = ofnic_get_be32(res->frame + pk->l4_off + 4) + f->mss;
    f->pay_sum = pk->pay_sum;
    f->wire_bytes = res->len;
    f->t_first = now;
    f->n_first = n;
    f->meta = res->meta;
}

/* Table bookkeeping: a hash chain per bucket, a list from oldest to newest. */
static unsigned int idx(const struct ofnic_rsc_queue *rq,
                        const struct ofnic_rsc_flow *f)
{
    return (unsigned int)(f - rq->flow);
}

static void unlink_flow(struct ofnic_rsc_queue *rq, struct ofnic_rsc_flow *f)
{
    uint16_t *pp = &rq->bucket[f->hash], me = (uint16_t)(idx(rq, f) + 1);

    while (*pp && *pp != me) {
        pp = &rq->flow[*pp - 1].hnext;
    }
    if (*pp) {
        *pp = f->hnext;
    }
    if (f->older) {
        rq->flow[f->older - 1].newer = f->newer;
    } else {
        rq->oldest = f->newer;
    }
    if (f->newer) {
        rq->flow[f->newer - 1].older = f->older;
    } else {
        rq->newest = f->older;
    }
    f->active = false;
    f->older = f->newer = 0;
    f->hnext = rq->free;
    rq->free = me;
    rq->nactive--;
}

static void link_flow(struct ofnic_rsc_queue *rq, struct ofnic_rsc_flow *f,
                      uint16_t hash)
{
    uint16_t me = (uint16_t)(idx(rq, f) + 1);

    f->hash = hash;
    f->hnext = rq->bucket[hash];
    rq->bucket[hash] = me;
    f->older = rq->newest;
    f->newer = 0;
    if (rq->newest) {
        rq->flow[rq->newest - 1].newer = me;
    } else {
        rq->oldest = me;
    }
    rq->newest = me;
    rq->nactive++;
}

/* A free slot with a buffer, or NULL: the table is full. */
static struct ofnic_rsc_flow *get_slot(struct ofnic_rsc_queue *rq,
                                       const struct ofnic_rsc_cfg *cfg)
{
    struct ofnic_rsc_flow *f;

    if (rq->free) {
        f = &rq->flow[rq->free - 1];
        rq->free = f->hnext;
    } else if (rq->nused < OFNIC_RSC_FLOWS) {
        f = &rq->flow[rq->nused++];
    } else {
        return NULL;
    }
    f->hnext = 0;
    if (!f->buf && cfg->buf_alloc) {
        f->buf = cfg->buf_alloc(cfg->opaque);
    }
    if (!f->buf) {
        /* no memory: keep the slot free for a later try */
        f->hnext = rq->free;
        rq->free = (uint16_t)(idx(rq, f) + 1);
        return NULL;
    }
    return f;
}

/* Deliver f (a merged frame if it has two segments or more) and free it. */
static bool flush(struct ofnic_rsc_queue *rq, struct ofnic_rsc_flow *f,
                  const struct ofnic_rsc_cfg *cfg, unsigned int reason)
{
    struct ofnic_rx_meta meta = f->meta;
    uint8_t *th = f->buf + f->l4_off;
    uint8_t tail[8] = { 0 }, hdr[RSC_MAX_HDR];
    const uint8_t *ip;
    uint32_t sum, len = f->frame_len;
    unsigned int i;

    memcpy(hdr, f->buf, f->hdr_len);
    if (f->segs >= 2) {
        len = f->len;
        for (i = 0; i < f->nl3; i++) {
            uint8_t *h = f->buf + f->l3_off[i];

            if (f->v6[i]) {
                ofnic_put_be16(h + 4, (uint16_t)(f->len - f->l3_off[i] - 40));
            } else {
                ofnic_put_be16(h + 2, (uint16_t)(f->len - f->l3_off[i]));
                h[10] = h[11] = 0;
                ofnic_put_be16(h + 10,
                               ofnic_csum_fold(ofnic_csum_add(0, h, 20)));
            }
        }
        ip = f->buf + f->l3_off[f->nl3 - 1];
        ofnic_put_be32(tail, f->len - f->l4_off);
        tail[7] = 6;
        th[16] = th[17] = 0;
        sum = f->v6[f->nl3 - 1] ? ofnic_csum_add(0, ip + 8, 32)
                                : ofnic_csum_add(0, ip + 12, 8);
        sum = ofnic_csum_add(sum, tail, sizeof(tail));
        sum = ofnic_csum_add(sum, th, f->hdr_len - f->l4_off);
        sum = ofnic_csum_combine(sum, f->pay_sum);
        ofnic_put_be16(th + 16, ofnic_csum_fold(sum));

        /* the L3 type is the outer header's, the L4 type TCP */
        meta.status &= ~(OFNIC_RXC_CSUM_ERR | OFNIC_RXC_L4_MASK);
        meta.status |= OFNIC_RXC_COALESCED | OFNIC_RXC_L4_CSUM_OK |
                       (uint32_t)OFNIC_RXC_L4_TCP << 16 |
                       (f->v6[0] ? 0 : OFNIC_RXC_IP_CSUM_OK);
        for (i = 0; i < f->nl3; i++) {
            if (!f->v6[i] && f->fixedid[i]) {
                meta.status |= i ? OFNIC_RXC_FIXEDID_INNER : OFNIC_RXC_FIXEDID;
            }
        }
        if (f->lro) {
            meta.status |= OFNIC_RXC_LRO;
        }
        meta.seg_count = f->segs;
        meta.mss = f->mss;
    }
    if (!cfg->out(cfg->opaque, f->buf, len, &meta, f->segs, f->wire_bytes)) {
        memcpy(f->buf, hdr, f->hdr_len); /* as it was: the flow stays */
        return false;
    }
    if (f->segs >= 2) {
        cfg->gstats[OFNIC_GSTAT_RX_COALESCED]++;
        cfg->gstats[OFNIC_GSTAT_RX_COALESCED_SEGS] += f->segs;
    }
    cfg->gstats[reason]++;
    unlink_flow(rq, f);
    return true;
}

static enum ofnic_rsc_result rsc_rx(struct ofnic_rsc_queue *rq,
                                    const struct ofnic_rsc_cfg *cfg,
                                    const struct ofnic_rx_result *res,
                                    uint64_t now)
{
    struct ofnic_rsc_flow *f = NULL;
    struct rsc_pkt pk;
    enum hold h;
    unsigned int why;
    uint16_t hash = 0, i;

    parse(res, &pk);
    h = holdable(&pk);
    if (pk.l4_off) {
        hash = flow_hash(&pk);
        for (i = rq->bucket[hash]; i; i = rq->flow[i - 1].hnext) {
            if (same_flow(&rq->flow[i - 1], res, &pk)) {
                f = &rq->flow[i - 1];
                break;
            }
        }
    }

    if (f) {
        if (h == HOLD_NO) {
            /* not mergeable: the flow goes first, to keep the order */
            why = payload_len(&pk) ? OFNIC_GSTAT_RX_FLUSH_MISMATCH
                                   : OFNIC_GSTAT_RX_FLUSH_FLAGS;
            return flush(rq, f, cfg, why) ? OFNIC_RSC_PASS : OFNIC_RSC_BUSY;
        }
        why = merge_check(f, cfg, &pk);
        if (!why) {
            struct ofnic_rsc_flow save = *f;
            uint8_t hdr[RSC_MAX_HDR];

            memcpy(hdr, f->buf, f->hdr_len);
            merge(f, cfg, &pk);
            if ((h == HOLD_LAST || payload_len(&pk) < f->mss) &&
                !flush(rq, f, cfg, OFNIC_GSTAT_RX_FLUSH_FLAGS)) {
                /* undo: the segment will come again */
                *f = save;
                memcpy(f->buf, hdr, f->hdr_len);
                return OFNIC_RSC_BUSY;
            }
            return OFNIC_RSC_HELD;
        }
        if (!flush(rq, f, cfg, why)) {
            return OFNIC_RSC_BUSY;
        }
    }
    if (h != HOLD_OK) {
        return OFNIC_RSC_PASS;
    }
    /* a full table keeps the flows it has: a new one passes */
    f = get_slot(rq, cfg);
    if (!f) {
        return OFNIC_RSC_PASS;
    }
    start(f, res, &pk, now, rq->frames);
    link_flow(rq, f, hash);
    return OFNIC_RSC_HELD;
}

enum ofnic_rsc_result ofnic_rsc_rx(struct ofnic_rsc_queue *rq,
                                   const struct ofnic_rsc_cfg *cfg,
                                   const struct ofnic_rx_result *res,
                                   uint64_t now)
{
    enum ofnic_rsc_result rr;

    /* flows that have seen OFNIC_RSC_AGE_FRAMES frames go first */
    while (rq->oldest &&
           rq->frames - rq->flow[rq->oldest - 1].n_first >=
           OFNIC_RSC_AGE_FRAMES) {
        if (!flush(rq, &rq->flow[rq->oldest - 1], cfg,
                   OFNIC_GSTAT_RX_FLUSH_TIMEOUT)) {
            return OFNIC_RSC_BUSY;
        }
    }
    rr = rsc_rx(rq, cfg, res, now);
    if (rr != OFNIC_RSC_BUSY) {
        rq->frames++;
        rq->t_last = now;
    }
    return rr;
}

bool ofnic_rsc_expire(struct ofnic_rsc_queue *rq,
                      const struct ofnic_rsc_cfg *cfg, uint64_t now,
                      uint64_t timeout)
{
    bool quiet = now - rq->t_last >= timeout;

    while (rq->oldest) {
        struct ofnic_rsc_flow *f = &rq->flow[rq->oldest - 1];

        if (!quiet && now - f->t_first < timeout * OFNIC_RSC_AGE_TIMEOUTS) {
            break;
        }
        if (!flush(rq, f, cfg, OFNIC_GSTAT_RX_FLUSH_TIMEOUT)) {
            return false;
        }
    }
    return true;
}

bool ofnic_rsc_flush_all(struct ofnic_rsc_queue *rq,
                         const struct ofnic_rsc_cfg *cfg, unsigned int reason)
{
    while (rq->oldest) {
        if (!flush(rq, &rq->flow[rq->oldest - 1], cfg, reason)) {
            return false;
        }
    }
    return true;
}

unsigned int ofnic_rsc_discard(struct ofnic_rsc_queue *rq)
{
    unsigned int n = 0;

    while (rq->oldest) {
        struct ofnic_rsc_flow *f = &rq->flow[rq->oldest - 1];

        n += f->segs;
        unlink_flow(rq, f);
    }
    return n;
}

uint64_t ofnic_rsc_due(const struct ofnic_rsc_queue *rq, uint64_t timeout)
{
    uint64_t age;

    if (!rq->oldest) {
        return UINT64_MAX;
    }
    age = rq->flow[rq->oldest - 1].t_first + timeout * OFNIC_RSC_AGE_TIMEOUTS;
    return rq->t_last + timeout < age ? rq->t_last + timeout : age;
}

uint64_t ofnic_rsc_oldest(const struct ofnic_rsc_queue *rq)
{
    return rq->oldest ? rq->flow[rq->oldest - 1].t_first : UINT64_MAX;
}
