/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ofnic engine: packet parser, RSS queue selection and MAC address filter.
 */
#include "ofnic_engine.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135
#define IPPROTO_SCTP_ 132

/* L4 header after the IP header(s) at off; sets l4/flow for TCP and UDP. */
static void parse_l4(const uint8_t *buf, size_t len, size_t off, uint8_t proto,
                     struct ofnic_pkt_info *pi, bool v6)
{
    pi->l4_proto = proto;
    if (pi->frag || off > 0xffff - 20) {
        return;
    }
    if (proto == IPPROTO_TCP_) {
        size_t thl;

        if (len < off + 20) {
            return;
        }
        thl = (size_t)(buf[off + 12] >> 4) * 4;
        if (thl < 20 || len < off + thl) {
            return;
        }
        pi->l4 = OFNIC_RXC_L4_TCP;
        pi->l4_len = (uint16_t)thl;
        pi->flow = v6 ? OFNIC_FLOW_TCP6 : OFNIC_FLOW_TCP4;
    } else if (proto == IPPROTO_UDP_) {
        if (len < off + 8) {
            return;
        }
        pi->l4 = OFNIC_RXC_L4_UDP;
        pi->l4_len = 8;
        pi->flow = v6 ? OFNIC_FLOW_UDP6 : OFNIC_FLOW_UDP4;
    } else {
        if (proto == IPPROTO_SCTP_ && len >= off + 12) {
            pi->l4 = OFNIC_RXC_L4_SCTP;
        }
        return;
    }
    pi->l4_off = (uint16_t)off;
    pi->sport = ofnic_get_be16(buf + off);
    pi->dport = ofnic_get_be16(buf + off + 2);
}

static void parse_ipv4(const uint8_t *buf, size_t len, size_t off,
                       struct ofnic_pkt_info *pi)
{
    size_t ihl, tot;
    uint16_t frag;

    if (len < off + 20 || (buf[off] >> 4) != 4) {
        return;
    }
    ihl = (size_t)(buf[off] & 0xf) * 4;
    tot = ofnic_get_be16(buf + off + 2);
    if (ihl < 20 || len < off + ihl || tot < ihl) {
        return;
    }
    /* Ignore what lies beyond the IP datagram (Ethernet padding). */
    if (len > off + tot) {
        len = off + tot;
    }
    pi->l3 = OFNIC_RXC_L3_IPV4;
    pi->flow = OFNIC_FLOW_IP4;
    pi->l3_off = (uint16_t)off;
    pi->l3_len = (uint16_t)ihl;
    pi->src_off = (uint16_t)(off + 12);
    pi->dst_off = (uint16_t)(off + 16);
    pi->addr_len = 4;
    frag = ofnic_get_be16(buf + off + 6);
    pi->frag = (frag & 0x3fff) != 0; /* MF or a fragment offset */
    parse_l4(buf, len, off + ihl, buf[off + 9], pi, false);
}

static void parse_ipv6(const uint8_t *buf, size_t len, size_t off,
                       struct ofnic_pkt_info *pi)
{
    size_t l3 = off, plen;
    uint8_t nh;
    int i;

    if (len < off + 40 || (buf[off] >> 4) != 6) {
        return;
    }
    plen = ofnic_get_be16(buf + off + 4);
    if (len > off + 40 + plen) {
        len = off + 40 + plen;
    }
    pi->l3 = OFNIC_RXC_L3_IPV6;
    pi->flow = OFNIC_FLOW_IP6;
    pi->l3_off = (uint16_t)off;
    pi->src_off = (uint16_t)(off + 8);
    pi->dst_off = (uint16_t)(off + 24);
    pi->addr_len = 16;
    nh = buf[off + 6];
    off += 40;

    for (i = 0; i < OFNIC_PARSE_MAX_EXTHDRS; i++) {
        size_t hlen;

        switch (nh) {
        case IPPROTO_HOPOPTS_:
        case IPPROTO_ROUTING_:
        case IPPROTO_DSTOPTS_:
        case IPPROTO_MH_:
            if (len < off + 8) {
                goto truncated;
            }
            hlen = ((size_t)buf[off + 1] + 1) * 8;
            break;
        case IPPROTO_AH_:
            if (len < off + 8) {
                goto truncated;
            }
            hlen = ((size_t)buf[off + 1] + 2) * 4;
            break;
        case IPPROTO_FRAGMENT_:
            if (len < off + 8) {
                goto truncated;
            }
            hlen = 8;
            /* fragment offset or M flag */
            if (ofnic_get_be16(buf + off + 2) & 0xfff9) {
                pi->frag = true;
            }
            break;
        default:
            pi->l3_len = (uint16_t)(off - l3);
            parse_l4(buf, len, off, nh, pi, true);
            return;
        }
        if (len < off + hlen) {
            goto truncated;
        }
        nh = buf[off];
        off += hlen;
    }
truncated:
    /* Too many or truncated extension headers: IPv6 without L4 info. */
    pi->l3_len = (uint16_t)(off - l3);
    pi->l4_proto = nh;
}

int ofnic_parse(const uint8_t *buf, size_t len, struct ofnic_pkt_info *pi)
{
    return ofnic_parse_at(buf, len, 0, pi);
}

int ofnic_parse_at(const uint8_t *buf, size_t len, size_t start,
                   struct ofnic_pkt_info *pi)
{
    size_t off = start + ETH_HLEN;
    uint16_t et;

    memset(pi, 0, sizeof(*pi));
    pi->flow = OFNIC_FLOW_NONE;
    if (start > 0xffff || len < off) {
        return -1;
    }
    if (buf[start] & 1) {
        static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

        if (!memcmp(buf + start, bcast, 6)) {
            pi->broadcast = true;
        } else {
            pi->multicast = true;
        }
    }
    et = ofnic_get_be16(buf + start + 12);
    while ((et == ETH_P_8021Q || et == ETH_P_8021AD) &&
           pi->nvlans < OFNIC_PARSE_MAX_VLANS) {
        if (len < off + 4) {
            pi->ethertype = et;
            return 0;
        }
        pi->vlan_tci[pi->nvlans++] = ofnic_get_be16(buf + off);
        et = ofnic_get_be16(buf + off + 2);
        off += 4;
    }
    pi->ethertype = et;
    if (off > 0xffff) {
        return 0;
    }
    if (et == ETH_P_IP) {
        parse_ipv4(buf, len, off, pi);
    } else if (et == ETH_P_IPV6) {
        parse_ipv6(buf, len, off, pi);
    }
    return 0;
}

/*
 * RSS.
 */

/* A selected src/dst pair of n bytes at in (source first), per xfrm */
static void rss_sym(uint8_t *in, size_t n, uint32_t xfrm)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t s = in[i], d = in[n + i];

        in[n + i] = s ^ d;
        in[i] = xfrm & OFNIC_RSS_CTRL_SYM_XOR ? s ^ d : s | d;
    }
}

unsigned int ofnic_rss(struct ofnic_rss_ctx *ctx, const uint8_t *buf,
                       const struct ofnic_pkt_info *pi, uint32_t *hash,
                       uint32_t *queue)
{
    uint8_t in[OFNIC_TOEPLITZ_MAX_INPUT];
    size_t n = 0, ports;
    unsigned int fields, type = OFNIC_RXC_HASH_NONE;

    if (pi->flow >= OFNIC_FLOW_TYPES || pi->addr_len > 16) {
        return OFNIC_RXC_HASH_NONE;
    }
    fields = (ctx->fields >> (4 * pi->flow)) & 0xf;
    if (fields & OFNIC_RSS_FIELD_SRC_IP) {
        memcpy(in + n, buf + pi->src_off, pi->addr_len);
        n += pi->addr_len;
        type = OFNIC_RXC_HASH_L3;
    }
    if (fields & OFNIC_RSS_FIELD_DST_IP) {
        memcpy(in + n, buf + pi->dst_off, pi->addr_len);
        n += pi->addr_len;
        type = OFNIC_RXC_HASH_L3;
    }
    if (ctx->xfrm && (fields & OFNIC_RSS_FIELD_SRC_IP) &&
        (fields & OFNIC_RSS_FIELD_DST_IP)) {
        rss_sym(in, pi->addr_len, ctx->xfrm);
    }
    ports = n;
    if (pi->l4_off) {
        if (fields & OFNIC_RSS_FIELD_SRC_PORT) {
            in[n++] = pi->sport >> 8;
            in[n++] = pi->sport & 0xff;
            type = OFNIC_RXC_HASH_L4;
        }
        if (fields & OFNIC_RSS_FIELD_DST_PORT) {
            in[n++] = pi->dport >> 8;
            in[n++] = pi->dport & 0xff;
            type = OFNIC_RXC_HASH_L4;
        }
        if (ctx->xfrm && (fields & OFNIC_RSS_FIELD_SRC_PORT) &&
            (fields & OFNIC_RSS_FIELD_DST_PORT)) {
            rss_sym(in + ports, 2, ctx->xfrm);
        }
    }
    if (pi->addr_len == 16 && pi->flow >= OFNIC_FLOW_TCP6 &&
        (ctx->fields & OFNIC_RSS_FIELD_FLOW_LABEL(pi->flow))) {
        in[n++] = 0;
        in[n++] = buf[pi->l3_off + 1] & 0x0f;
        in[n++] = buf[pi->l3_off + 2];
        in[n++] = buf[pi->l3_off + 3];
        if (type == OFNIC_RXC_HASH_NONE) {
            type = OFNIC_RXC_HASH_L3;
        }
    }
    if (type == OFNIC_RXC_HASH_NONE) {
        return type;
    }
    if (!ctx->tbl_valid) {
        ofnic_toeplitz_prepare(&ctx->tbl, ctx->key);
        ctx->tbl_valid = true;
    }
    *hash = ofnic_toeplitz_fast(&ctx->tbl, in, n);
    *queue = ctx->indir[*hash % OFNIC_RSS_INDIR_SIZE];
    return type;
}

/*
 * MAC filter.
 */
unsigned int ofnic_mc_hash(const uint8_t addr[6])
{
    return ofnic_crc32_le(~0u, addr, 6) & OFNIC_MC_HASH_MASK;
}

enum ofnic_mac_verdict ofnic_mac_filter(const struct ofnic_mac_filter *f,
                                        const uint8_t dst[6])
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    unsigned int h;

    if (!(dst[0] & 1)) {
        if ((f->offload & OFNIC_OFFLOAD_PROMISC) || !memcmp(dst, f->mac, 6)) {
            return OFNIC_MAC_UNICAST;
        }
        return OFNIC_MAC_DROP;
    }
    if (!memcmp(dst, bcast, 6)) {
        return OFNIC_MAC_BROADCAST;
    }
    if (f->offload & OFNIC_OFFLOAD_ALLMULTI) {
        return OFNIC_MAC_MULTICAST;
    }
    if (f->offload & OFNIC_OFFLOAD_MC_FILTER) {
        h = ofnic_mc_hash(dst);
        if (f->mc_hash[h / 32] & (1u << (h % 32))) {
            return OFNIC_MAC_MULTICAST;
        }
    }
    return OFNIC_MAC_DROP;
}
