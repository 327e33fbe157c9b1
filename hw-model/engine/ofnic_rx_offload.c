/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ofnic engine: RX classification. VLAN filter and strip, UDP tunnel parsing,
 * checksum validation, ntuple rules and RSS queue selection (datasheet
 * "Receive pipeline").
 */
#include "ofnic_engine.h"

#define ETH_ALEN_2 12 /* the two MAC addresses */
#define ETH_P_8021Q 0x8100
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_SCTP_ 132
#define UDP_HLEN 8
#define VXLAN_HLEN 8
#define VXLAN_FLAG_I 0x08
#define GENEVE_HLEN 8
#define ETH_P_TEB 0x6558

/* ntuple rule words (datasheet OFNIC_REG_NTUPLE_*) */
#define NT_CTRL 0
#define NT_ACTION 1
#define NT_PORTS 2
#define NT_PORT_MASK 3
#define NT_SRC 4
#define NT_SRC_MASK 8
#define NT_DST 12
#define NT_DST_MASK 16

static inline unsigned int field_get(uint32_t v, uint32_t mask)
{
    return (v & mask) / (mask & -mask);
}

/* The end of the IP packet in the frame, or 0 if the frame is shorter. */
static size_t ip_end(const uint8_t *buf, size_t len,
                     const struct ofnic_pkt_info *pi)
{
    size_t end;

    if (pi->l3 == OFNIC_RXC_L3_IPV4) {
        end = pi->l3_off + (size_t)ofnic_get_be16(buf + pi->l3_off + 2);
    } else {
        end = pi->l3_off + 40 + (size_t)ofnic_get_be16(buf + pi->l3_off + 4);
    }
    return end <= len ? end : 0;
}

static uint32_t pseudo_sum(const uint8_t *buf, const struct ofnic_pkt_info *pi,
                           uint8_t proto, size_t l4len)
{
    uint8_t tail[8] = { 0 };

    /* the IPv6 form (32-bit length) sums the same as IPv4's for len < 64K */
    ofnic_put_be32(tail, (uint32_t)l4len);
    tail[7] = proto;
    return ofnic_csum_add(ofnic_csum_add(ofnic_csum_add(0, buf + pi->src_off,
                                                        pi->addr_len),
                                         buf + pi->dst_off, pi->addr_len),
                          tail, sizeof(tail));
}

uint32_t ofnic_rx_csum(const uint8_t *buf, size_t len,
                       const struct ofnic_pkt_info *pi, uint32_t *pay_sum)
{
    uint32_t res = 0, sum;
    size_t end, l4, l4len;

    *pay_sum = 0;
    if (pi->l3 == OFNIC_RXC_L3_IPV4) {
        if (ofnic_csum_fold(ofnic_csum_add(0, buf + pi->l3_off, pi->l3_len))) {
            return OFNIC_RXC_CSUM_ERR;
        }
        res = OFNIC_RXC_IP_CSUM_OK;
    } else if (pi->l3 != OFNIC_RXC_L3_IPV6) {
        return 0;
    }
    if (pi->frag || pi->l4 == OFNIC_RXC_L4_OTHER) {
        return res;
    }
    end = ip_end(buf, len, pi);
    l4 = pi->l4_off ? pi->l4_off : (size_t)pi->l3_off + pi->l3_len;
    if (!end || end < l4 + (pi->l4_len ? pi->l4_len : 12)) {
        return res; /* truncated: not checked */
    }
    l4len = end - l4;

    if (pi->l4 == OFNIC_RXC_L4_SCTP) {
        static const uint8_t zero[4];
        uint32_t crc;

        crc = ofnic_crc32c(~0u, buf + l4, 8);
        crc = ofnic_crc32c(crc, zero, 4);
        crc = ~ofnic_crc32c(crc, buf + l4 + 12, l4len - 12);
        if (crc != ((uint32_t)buf[l4 + 8] | (uint32_t)buf[l4 + 9] << 8 |
                    (uint32_t)buf[l4 + 10] << 16 |
                    (uint32_t)buf[l4 + 11] << 24)) {
            return res | OFNIC_RXC_CSUM_ERR;
        }
        return res | OFNIC_RXC_L4_CSUM_OK;
    }

    if (pi->l4 == OFNIC_RXC_L4_UDP && pi->l3 == OFNIC_RXC_L3_IPV4 &&
        ofnic_get_be16(buf + l4 + 6) == 0) {
        return res; /* no UDP checksum */
    }
    sum = pseudo_sum(buf, pi, pi->l4_proto, l4len);
    sum = ofnic_csum_add(sum, buf + l4, pi->l4_len);
    *pay_sum = ofnic_csum_add(0, buf + l4 + pi->l4_len, l4len - pi->l4_len);
    sum = ofnic_csum_combine(sum, *pay_sum);
    if (ofnic_csum_fold(sum)) {
        return res | OFNIC_RXC_CSUM_ERR;
    }
    return res | OFNIC_RXC_L4_CSUM_OK;
}

/*
 * The offset of the inner Ethernet frame of a UDP tunnel packet to a port of
 * the tunnel port table, or 0. end bounds the outer IP packet.
 */
static size_t tunnel_inner(const struct ofnic_rx_cfg *cfg, const uint8_t *buf,
                           size_t end, const struct ofnic_pkt_info *pi)
{
    size_t th, inner;
    unsigned int n, type = OFNIC_TUNNEL_TYPE_NONE;

    if (!(cfg->offload & OFNIC_OFFLOAD_TUNNEL_RX) || !cfg->tunnel_ports ||
        pi->l4 != OFNIC_RXC_L4_UDP || pi->frag || !end) {
        return 0;
    }
    for (n = 0; n < OFNIC_TUNNEL_PORTS; n++) {
        uint32_t e = cfg->tunnel_ports[n];

        type = field_get(e, OFNIC_TUNNEL_TYPE_MASK);
        if ((e & OFNIC_TUNNEL_PORT_MASK) == pi->dport &&
            (type == OFNIC_TUNNEL_TYPE_VXLAN ||
             (type == OFNIC_TUNNEL_TYPE_GENEVE && cfg->geneve))) {
            break;
        }
    }
    if (n == OFNIC_TUNNEL_PORTS) {
        return 0;
    }
    th = (size_t)pi->l4_off + UDP_HLEN;
    if (type == OFNIC_TUNNEL_TYPE_VXLAN) {
        if (end < th + VXLAN_HLEN || !(buf[th] & VXLAN_FLAG_I)) {
            return 0;
        }
        inner = th + VXLAN_HLEN;
    } else {
        if (end < th + GENEVE_HLEN || (buf[th] >> 6) != 0 ||
            ofnic_get_be16(buf + th + 2) != ETH_P_TEB) {
            return 0;
        }
        inner = th + GENEVE_HLEN + (size_t)(buf[th] & 0x3f) * 4;
    }
    return inner + 14 <= end ? inner : 0;
}

/*
 * Checksums of a tunnel packet (datasheet "Tunnels"): the outer IPv4 header
 * and UDP checksum (0: none), the inner IPv4 header and L4 checksum.
 */
static uint32_t tunnel_csum(const uint8_t *buf, size_t end,
                            const struct ofnic_pkt_info *pi,
                            const struct ofnic_pkt_info *in)
{
    struct ofnic_pkt_info o = *pi;
    bool zero = ofnic_get_be16(buf + pi->l4_off + 6) == 0;
    uint32_t oc, ic, unused;

    if (zero) {
        o.l4 = OFNIC_RXC_L4_OTHER; /* over IPv6 too (RFC 6935) */
    }
    oc = ofnic_rx_csum(buf, end, &o, &unused);
    ic = ofnic_rx_csum(buf, end, in, &unused);
    if ((oc | ic) & OFNIC_RXC_CSUM_ERR) {
        return OFNIC_RXC_CSUM_ERR;
    }
    if ((ic & OFNIC_RXC_L4_CSUM_OK) && (zero || (oc & OFNIC_RXC_L4_CSUM_OK))) {
        return ((oc | ic) & OFNIC_RXC_IP_CSUM_OK) | OFNIC_RXC_L4_CSUM_OK |
               (1u << 6); /* CSUM_LEVEL 1 */
    }
    return (oc | ic) & (OFNIC_RXC_IP_CSUM_OK | OFNIC_RXC_L4_CSUM_OK);
}

static bool vlan_admitted(const uint32_t *filter, uint16_t tci)
{
    unsigned int vid = tci & 0xfff;

    return filter[vid / 32] & (1u << (vid % 32));
}

static bool masked_eq(uint32_t a, uint32_t b, uint32_t mask)
{
    return ((a ^ b) & mask) == 0;
}

static uint32_t addr_word(const uint8_t *a, unsigned int n)
{
    const uint8_t *p = a + 4 * n;

    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static bool rule_matches(const uint32_t *r, const uint8_t *buf,
                         const struct ofnic_pkt_info *pi)
{
    unsigned int flow = field_get(r[NT_CTRL], OFNIC_NTUPLE_FLOW_MASK);
    unsigned int n, words;

    switch (flow) {
    case OFNIC_FLOW_IP4:
        if (pi->l3 != OFNIC_RXC_L3_IPV4) {
            return false;
        }
        break;
    case OFNIC_FLOW_IP6:
        if (pi->l3 != OFNIC_RXC_L3_IPV6) {
            return false;
        }
        break;
    default:
        if (flow != pi->flow) {
            return false;
        }
        if (!masked_eq(r[NT_PORTS],
                       (uint32_t)pi->sport | (uint32_t)pi->dport << 16,
                       r[NT_PORT_MASK])) {
            return false;
        }
        break;
    }
    words = pi->addr_len / 4;
    for (n = 0; n < words; n++) {
        if (!masked_eq(r[NT_SRC + n], addr_word(buf + pi->src_off, n),
                       r[NT_SRC_MASK + n]) ||
            !masked_eq(r[NT_DST + n], addr_word(buf + pi->dst_off, n),
                       r[NT_DST_MASK + n])) {
            return false;
        }
    }
    return true;
}

static unsigned int rss_hash(struct ofnic_rss_ctx *ctx, const uint8_t *buf,
                             const struct ofnic_pkt_info *pi, uint32_t *hash,
                             uint32_t *queue)
{
    unsigned int type = ofnic_rss(ctx, buf, pi, hash, queue);

    if (type == OFNIC_RXC_HASH_NONE) {
        *hash = 0;
        *queue = 0;
    }
    return type;
}

enum ofnic_rx_verdict ofnic_rx_classify(const struct ofnic_rx_cfg *cfg,
                                        const uint8_t *buf, size_t len,
                                        uint8_t *scratch,
                                        struct ofnic_rx_result *res)
{
    struct ofnic_pkt_info *pi = &res->pi;
    const struct ofnic_pkt_info *hpi = pi; /* what RSS hashes */
    unsigned int htype = OFNIC_RXC_HASH_NONE, r;
    size_t inner = 0, end = 0;
    uint32_t queue = 0, hash = 0;

    memset(res, 0, sizeof(*res));
    res->rule = -1;
    res->frame = buf;
    res->len = len;
    ofnic_parse(buf, len, pi);

    /* 3. VLAN: only an outer 802.1Q tag is filtered and stripped. */
    if (pi->nvlans && ofnic_get_be16(buf + ETH_ALEN_2) == ETH_P_8021Q) {
        uint16_t tci = pi->vlan_tci[0];

        if ((cfg->offload & OFNIC_OFFLOAD_VLAN_FILTER) &&
            !vlan_admitted(cfg->vlan_filter, tci)) {
            return OFNIC_RXV_DROP_VLAN;
        }
        if ((cfg->offload & OFNIC_OFFLOAD_VLAN_STRIP) &&
            len - 4 >= OFNIC_MIN_FRAME && len <= OFNIC_MAX_FRAME) {
            memcpy(scratch, buf, ETH_ALEN_2);
            memcpy(scratch + ETH_ALEN_2, buf + ETH_ALEN_2 + 4,
                   len - ETH_ALEN_2 - 4);
            res->frame = scratch;
            res->len = len - 4;
            res->meta.status |= OFNIC_RXC_VLAN;
            res->meta.vlan_tci = tci;
            ofnic_parse(res->frame, res->len, pi);
        }
    }

    /* Tunnels: the inner frame, for checksums and RSS. */
    if (pi->l4 == OFNIC_RXC_L4_UDP) {
        end = ip_end(res->frame, res->len, pi);
        inner = tunnel_inner(cfg, res->frame, end, pi);
    }
    if (inner) {
        res->tunnel = true;
        ofnic_parse_at(res->frame, end, inner, &res->inner);
        hpi = &res->inner;
        res->meta.status |= OFNIC_RXC_TUNNEL;
    }

    /* 4. Checksums. */
    if ((cfg->offload & OFNIC_OFFLOAD_RX_CSUM) || cfg->need_csum) {
        if (res->tunnel) {
            res->csum = tunnel_csum(res->frame, end, pi, &res->inner);
        } else {
            res->csum = ofnic_rx_csum(res->frame, res->len, pi, &res->pay_sum);
        }
        if (cfg->offload & OFNIC_OFFLOAD_RX_CSUM) {
            res->meta.status |= res->csum;
        }
    }

    /* 5. Queue: ntuple, else RSS context 0, else queue 0. */
    if ((cfg->offload & OFNIC_OFFLOAD_NTUPLE) && pi->l3 != OFNIC_RXC_L3_OTHER) {
        for (r = 0; r < OFNIC_NTUPLE_MAX_RULES; r++) {
            const uint32_t *rule = cfg->ntuple[r];

            if ((rule[NT_CTRL] & OFNIC_NTUPLE_VALID) &&
                rule_matches(rule, res->frame, pi)) {
                break;
            }
        }
        if (r < OFNIC_NTUPLE_MAX_RULES) {
            const uint32_t *rule = cfg->ntuple[r];
            unsigned int q =
                field_get(rule[NT_ACTION], OFNIC_NTUPLE_QUEUE_MASK);
            unsigned int c =
                field_get(rule[NT_ACTION], OFNIC_NTUPLE_CONTEXT_MASK);

            res->rule = (int)r;
            switch (field_get(rule[NT_CTRL], OFNIC_NTUPLE_ACTION_MASK)) {
            case OFNIC_NTUPLE_ACTION_DROP:
                return OFNIC_RXV_DROP_NTUPLE;
            case OFNIC_NTUPLE_ACTION_QUEUE:
                if (q < cfg->queues) {
                    queue = q;
                    htype = OFNIC_RXC_HASH_NONE;
                    if (cfg->offload & OFNIC_OFFLOAD_RSS) {
                        uint32_t unused;

                        htype = rss_hash(&cfg->rss[0], res->frame, hpi, &hash,
                                         &unused);
                    }
                    goto steered;
                }
                break;
            case OFNIC_NTUPLE_ACTION_CONTEXT:
                if (c < OFNIC_RSS_MAX_CONTEXTS && cfg->rss[c].enabled) {
                    htype = rss_hash(&cfg->rss[c], res->frame, hpi, &hash,
                                     &queue);
                    queue += q;
                    goto steered;
                }
                break;
            }
            res->bad_rule = true; /* falls back to RSS context 0 */
        }
    }
    if (cfg->offload & OFNIC_OFFLOAD_RSS) {
        htype = rss_hash(&cfg->rss[0], res->frame, hpi, &hash, &queue);
    }
steered:
    if (res->rule >= 0 && !res->bad_rule) {
        res->meta.status |= OFNIC_RXC_NTUPLE;
    }
    if (queue >= cfg->queues) {
        res->bad_queue = queue;
        queue %= cfg->queues;
    }
    res->queue = queue;
    res->meta.rss_hash = hash;
    res->meta.status |= htype << 8 | (uint32_t)hpi->l3 << 12 |
                        (uint32_t)hpi->l4 << 16;
    return OFNIC_RXV_PASS;
}
