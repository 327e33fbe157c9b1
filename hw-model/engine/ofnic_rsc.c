/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ofnic engine: receive coalescing, LRO and HW-GRO (datasheet "Coalescing").
 *
 * HW-GRO applies the rules of Linux GRO (tcp_gro_receive(), inet_gro_flush(),
 * ipv6_gro_receive()) so that what the device merges is exactly what the stack
 * could re-segment; LRO relaxes the header comparison. A flow keeps the frames
 * merged so far in its buffer: the first segment's headers, then every payload.
 */
#include "ofnic_engine.h"

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_URG 0x20
#define TCP_FLAG_CWR 0x80
#define IP_DF 0x4000
#define IP_MAX_LEN 65535
#define RSC_MAX_HDR 256 /* a longer header is not coalesced */

enum hold {
    HOLD_NO,   /* deliver as it is */
    HOLD_OK,   /* may be merged or start a flow */
    HOLD_LAST, /* may be merged, but ends its flow (short or PSH...) */
};

static const uint8_t *tcp_hdr(const struct ofnic_rx_result *res)
{
    return res->frame + res->pi.l4_off;
}

static uint32_t payload_len(const struct ofnic_rx_result *res)
{
    return (uint32_t)(res->len - res->pi.l4_off - res->pi.l4_len);
}

/* Could this segment be held at all (before looking at flows)? */
static enum hold holdable(const struct ofnic_rx_result *res)
{
    const struct ofnic_pkt_info *pi = &res->pi;
    const uint8_t *ip = res->frame + pi->l3_off;
    uint8_t flags;
    size_t iplen;

    if (pi->l4 != OFNIC_RXC_L4_TCP || pi->frag || !pi->l4_off ||
        !(res->csum & OFNIC_RXC_L4_CSUM_OK)) {
        return HOLD_NO;
    }
    if (pi->l3 == OFNIC_RXC_L3_IPV4) {
        if (ip[0] != 0x45) {
            return HOLD_NO; /* options */
        }
        iplen = ofnic_get_be16(ip + 2);
    } else {
        iplen = 40 + (size_t)ofnic_get_be16(ip + 4);
        /* hop-by-hop, routing and destination options only */
        if (pi->l4_proto != 6) {
            return HOLD_NO;
        }
    }
    /* no Ethernet padding: the frame ends with the IP packet */
    if (pi->l3_off + iplen != res->len || payload_len(res) == 0 ||
        pi->l4_off + pi->l4_len > RSC_MAX_HDR) {
        return HOLD_NO;
    }
    flags = tcp_hdr(res)[13];
    if (flags & (TCP_FLAG_URG | TCP_FLAG_PSH | TCP_FLAG_RST | TCP_FLAG_SYN |
                 TCP_FLAG_FIN)) {
        return HOLD_LAST;
    }
    return HOLD_OK;
}

static bool same_flow(const struct ofnic_rsc_flow *f,
                      const struct ofnic_rx_result *res)
{
    const struct ofnic_pkt_info *pi = &res->pi;
    const uint8_t *b = f->buf;
    uint16_t alen = pi->addr_len;
    uint32_t vlan = res->meta.status & OFNIC_RXC_VLAN;

    return f->active && pi->l4 == OFNIC_RXC_L4_TCP && pi->l4_off &&
           f->v6 == (pi->l3 == OFNIC_RXC_L3_IPV6) &&
           f->l3_off == pi->l3_off &&
           (f->meta.status & OFNIC_RXC_VLAN) == vlan &&
           (!vlan || f->meta.vlan_tci == res->meta.vlan_tci) &&
           !memcmp(b, res->frame, pi->l3_off) &&
           !memcmp(b + f->l3_off + (f->v6 ? 8 : 12),
                   res->frame + pi->src_off, alen) &&
           !memcmp(b + f->l3_off + (f->v6 ? 24 : 16),
                   res->frame + pi->dst_off, alen) &&
           !memcmp(b + f->l4_off, tcp_hdr(res), 4);
}

/* TCP options NOP, NOP, timestamp: LRO lets the timestamp values change. */
static bool ts_only(const uint8_t *th, unsigned int thlen)
{
    return thlen == 32 && th[20] == 1 && th[21] == 1 && th[22] == 8 &&
           th[23] == 10;
}

/*
 * Can res join f? Returns 0, or the OFNIC_GSTAT_RX_FLUSH_* reason why f must be
 * flushed without it.
 */
static unsigned int merge_check(const struct ofnic_rsc_flow *f,
                                const struct ofnic_rsc_cfg *cfg,
                                const struct ofnic_rx_result *res)
{
    const struct ofnic_pkt_info *pi = &res->pi;
    const uint8_t *ip = res->frame + pi->l3_off, *ip2 = f->buf + f->l3_off;
    const uint8_t *th = tcp_hdr(res), *th2 = f->buf + f->l4_off;
    unsigned int thlen = pi->l4_len;
    uint32_t len = payload_len(res), max = cfg->max_size;

    if (th[13] & TCP_FLAG_CWR) {
        return OFNIC_GSTAT_RX_FLUSH_FLAGS;
    }
    /* data offset, flags but CWR/FIN/PSH */
    if ((th[12] ^ th2[12]) ||
        ((th[13] ^ th2[13]) & ~(TCP_FLAG_CWR | TCP_FLAG_FIN | TCP_FLAG_PSH))) {
        return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
    }
    if (cfg->lro) {
        /* options other than the timestamp values must match */
        if (ts_only(th, thlen) ? !ts_only(th2, thlen)
                               : memcmp(th + 20, th2 + 20, thlen - 20)) {
            return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
        }
    } else {
        /* ack number, window, options: identical */
        if (memcmp(th + 8, th2 + 8, 4) || memcmp(th + 14, th2 + 14, 2) ||
            memcmp(th + 20, th2 + 20, thlen - 20)) {
            return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
        }
        if (!f->v6) {
            uint16_t id = ofnic_get_be16(ip + 4), df = ip[6] << 8 & IP_DF;
            uint16_t off = (uint16_t)(id - f->ip_id);

            if (ip[8] != ip2[8] || ip[1] != ip2[1] ||
                df != (ip2[6] << 8 & IP_DF)) {
                return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
            }
            if (f->segs == 1 && df && !off) {
                /* decided at the second segment: a fixed-ID flow */
            } else if (off != (f->fixedid ? 0 : f->segs)) {
                return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
            }
        } else {
            /* traffic class, hop limit, then every extension header byte */
            if (((ip[0] ^ ip2[0]) & 0x0f) || ((ip[1] ^ ip2[1]) & 0xf0) ||
                ip[7] != ip2[7]) {
                return OFNIC_GSTAT_RX_FLUSH_MISMATCH;
            }
        }
    }
    if (f->v6) {
        /* flow label and extension headers (LRO too: they are the flow) */
        if (((ip[1] ^ ip2[1]) & 0x0f) || memcmp(ip + 2, ip2 + 2, 2) ||
            ip[6] != ip2[6] || pi->l3_len != f->l4_off - f->l3_off ||
            memcmp(ip + 40, ip2 + 40, pi->l3_len - 40)) {
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
    if (f->len + len > max || f->len - f->l3_off + len > IP_MAX_LEN) {
        return OFNIC_GSTAT_RX_FLUSH_SIZE;
    }
    return 0;
}

static void merge(struct ofnic_rsc_flow *f, const struct ofnic_rsc_cfg *cfg,
                  const struct ofnic_rx_result *res)
{
    const uint8_t *th = tcp_hdr(res);
    uint8_t *th2 = f->buf + f->l4_off;
    uint32_t len = payload_len(res);
    uint32_t sum = res->pay_sum;

    if (f->segs == 1 && !f->v6 && !cfg->lro &&
        ofnic_get_be16(res->frame + res->pi.l3_off + 4) == f->ip_id) {
        f->fixedid = true;
    }
    memcpy(f->buf + f->len, th + res->pi.l4_len, len);
    if ((f->len - f->hdr_len) & 1) {
        sum = ofnic_csum_swab(sum);
    }
    f->pay_sum = ofnic_csum_combine(f->pay_sum, sum);
    f->len += len;
    f->next_seq += len;
    f->segs++;
    f->wire_bytes += res->len;
    th2[13] |= th[13] & (TCP_FLAG_FIN | TCP_FLAG_PSH);
    if (cfg->lro) {
        memcpy(th2 + 8, th + 8, 4);   /* ack number */
        memcpy(th2 + 14, th + 14, 2); /* window */
        if (ts_only(th, res->pi.l4_len)) {
            memcpy(th2 + 24, th + 24, 8);
        }
    }
}

static void start(struct ofnic_rsc_flow *f, const struct ofnic_rx_result *res,
                  uint64_t now)
{
    const struct ofnic_pkt_info *pi = &res->pi;

    memcpy(f->buf, res->frame, res->len);
    f->active = true;
    f->v6 = pi->l3 == OFNIC_RXC_L3_IPV6;
    f->fixedid = false;
    f->l3_off = pi->l3_off;
    f->l4_off = pi->l4_off;
    f->hdr_len = (uint16_t)(pi->l4_off + pi->l4_len);
    f->len = (uint32_t)res->len;
    f->mss = (uint16_t)payload_len(res);
    f->segs = 1;
    f->ip_id = f->v6 ? 0 : ofnic_get_be16(res->frame + pi->l3_off + 4);
    f->next_seq = ofnic_get_be32(tcp_hdr(res) + 4) + f->mss;
    f->pay_sum = res->pay_sum;
    f->wire_bytes = res->len;
    f->t_first = now;
    f->meta = res->meta;
}

/* Deliver f (a merged frame if it has two segments or more) and free it. */
static bool flush(struct ofnic_rsc_flow *f, const struct ofnic_rsc_cfg *cfg,
                  unsigned int reason)
{
    struct ofnic_rx_meta meta = f->meta;
    uint8_t *ip = f->buf + f->l3_off, *th = f->buf + f->l4_off;
    uint8_t tail[8] = { 0 }, hdr[RSC_MAX_HDR];
    uint32_t sum;

    memcpy(hdr, f->buf, f->hdr_len);
    if (f->segs >= 2) {
        if (f->v6) {
            ofnic_put_be16(ip + 4, (uint16_t)(f->len - f->l3_off - 40));
        } else {
            ofnic_put_be16(ip + 2, (uint16_t)(f->len - f->l3_off));
            ip[10] = ip[11] = 0;
            ofnic_put_be16(ip + 10,
                           ofnic_csum_fold(ofnic_csum_add(0, ip, 20)));
        }
        ofnic_put_be32(tail, f->len - f->l4_off);
        tail[7] = 6;
        th[16] = th[17] = 0;
        sum = f->v6 ? ofnic_csum_add(0, ip + 8, 32)
                    : ofnic_csum_add(0, ip + 12, 8);
        sum = ofnic_csum_add(sum, tail, sizeof(tail));
        sum = ofnic_csum_add(sum, th, f->hdr_len - f->l4_off);
        sum = ofnic_csum_combine(sum, f->pay_sum);
        ofnic_put_be16(th + 16, ofnic_csum_fold(sum));

        meta.status &= ~OFNIC_RXC_CSUM_ERR;
        meta.status |= OFNIC_RXC_COALESCED | OFNIC_RXC_L4_CSUM_OK |
                       (f->v6 ? 0 : OFNIC_RXC_IP_CSUM_OK);
        meta.seg_count = f->segs;
        meta.mss = f->mss;
    }
    if (!cfg->out(cfg->opaque, f->buf, f->len, &meta, f->segs,
                  f->wire_bytes)) {
        memcpy(f->buf, hdr, f->hdr_len); /* as it was: the flow stays */
        return false;
    }
    if (f->segs >= 2) {
        cfg->gstats[OFNIC_GSTAT_RX_COALESCED]++;
        cfg->gstats[OFNIC_GSTAT_RX_COALESCED_SEGS] += f->segs;
    }
    cfg->gstats[reason]++;
    f->active = false;
    return true;
}

/*
 * The headers of a merged flow are only rewritten at flush; a failed flush
 * leaves them rewritten, which a later flush rewrites the same way.
 */
enum ofnic_rsc_result ofnic_rsc_rx(struct ofnic_rsc_queue *rq,
                                   const struct ofnic_rsc_cfg *cfg,
                                   const struct ofnic_rx_result *res,
                                   uint64_t now)
{
    struct ofnic_rsc_flow *f = NULL, *slot = NULL, *oldest = NULL;
    enum hold h = holdable(res);
    unsigned int i, why;

    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        struct ofnic_rsc_flow *g = &rq->flow[i];

        if (!g->active) {
            slot = slot ? slot : g;
        } else if (same_flow(g, res)) {
            f = g;
        } else if (!oldest || g->t_first < oldest->t_first) {
            oldest = g;
        }
    }

    if (f) {
        if (h == HOLD_NO) {
            /* not mergeable: the flow goes first, to keep the order */
            why = payload_len(res) ? OFNIC_GSTAT_RX_FLUSH_MISMATCH
                                   : OFNIC_GSTAT_RX_FLUSH_FLAGS;
            return flush(f, cfg, why) ? OFNIC_RSC_PASS : OFNIC_RSC_BUSY;
        }
        why = merge_check(f, cfg, res);
        if (!why) {
            struct ofnic_rsc_flow save = *f;
            uint8_t hdr[RSC_MAX_HDR];

            memcpy(hdr, f->buf, f->hdr_len);
            merge(f, cfg, res);
            if ((h == HOLD_LAST || payload_len(res) < f->mss) &&
                !flush(f, cfg, OFNIC_GSTAT_RX_FLUSH_FLAGS)) {
                /* undo: the segment will come again */
                *f = save;
                memcpy(f->buf, hdr, f->hdr_len);
                return OFNIC_RSC_BUSY;
            }
            return OFNIC_RSC_HELD;
        }
        if (!flush(f, cfg, why)) {
            return OFNIC_RSC_BUSY;
        }
        slot = f;
    }
    if (h != HOLD_OK) {
        return OFNIC_RSC_PASS;
    }
    if (!slot) {
        if (!flush(oldest, cfg, OFNIC_GSTAT_RX_FLUSH_EVICT)) {
            return OFNIC_RSC_BUSY;
        }
        slot = oldest;
    }
    start(slot, res, now);
    return OFNIC_RSC_HELD;
}

bool ofnic_rsc_expire(struct ofnic_rsc_queue *rq,
                      const struct ofnic_rsc_cfg *cfg, uint64_t now,
                      uint64_t timeout)
{
    unsigned int i;

    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        struct ofnic_rsc_flow *f = &rq->flow[i];

        if (f->active && now - f->t_first >= timeout &&
            !flush(f, cfg, OFNIC_GSTAT_RX_FLUSH_TIMEOUT)) {
            return false;
        }
    }
    return true;
}

bool ofnic_rsc_flush_all(struct ofnic_rsc_queue *rq,
                         const struct ofnic_rsc_cfg *cfg, unsigned int reason)
{
    unsigned int i;

    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        if (rq->flow[i].active && !flush(&rq->flow[i], cfg, reason)) {
            return false;
        }
    }
    return true;
}

unsigned int ofnic_rsc_discard(struct ofnic_rsc_queue *rq)
{
    unsigned int i, n = 0;

    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        if (rq->flow[i].active) {
            n += rq->flow[i].segs;
            rq->flow[i].active = false;
        }
    }
    return n;
}

uint64_t ofnic_rsc_oldest(const struct ofnic_rsc_queue *rq)
{
    uint64_t t = UINT64_MAX;
    unsigned int i;

    for (i = 0; i < OFNIC_RSC_FLOWS; i++) {
        if (rq->flow[i].active && rq->flow[i].t_first < t) {
            t = rq->flow[i].t_first;
        }
    }
    return t;
}
