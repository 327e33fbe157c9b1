/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ofnic engine: TX offloads of one packet with a context descriptor.
 *
 * Checksum insertion (generic, IPv4 header, SCTP CRC32c), TCP segmentation over
 * IPv4/IPv6 (TSO), UDP segmentation (USO), UDP fragmentation into IP fragments
 * (UFO), 802.1Q tag insertion, TSO/USO and checksums inside UDP tunnels
 * (VXLAN, GENEVE: outer IP and UDP headers fixed per segment), and TSO/USO
 * inside IP tunnels (IPIP, IPv6 in IP, GRE: the outer IP header fixed).
 *
 * Every request is validated completely before the first frame is emitted, so
 * a dropped packet produces nothing. Frames are emitted as iovecs: a header
 * buffer on this function's stack (rewritten in place from one template for
 * each segment) and slices of the gathered packet, which is never copied. A
 * segment's checksum is computed over its slice just before the slice is
 * emitted, while it is cache-hot; a packet that needs no checksum is not read
 * at all beyond its headers.
 */
#include "ofnic_engine.h"

#define MAC_ADDRS_LEN 12 /* destination + source */
#define VLAN_HLEN 4
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88a8
#define ETH_P_IP_ 0x0800
#define ETH_P_IPV6_ 0x86dd
#define IP4_HLEN 20
#define IP6_HLEN 40
#define FRAG6_HLEN 8
#define UDP_HLEN 8
#define TCP_HLEN 20

#define NEXTHDR_HOP 0
#define NEXTHDR_IPIP 4
#define NEXTHDR_TCP 6
#define NEXTHDR_UDP 17
#define NEXTHDR_IPV6 41
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_GRE 47
#define NEXTHDR_DEST 60

#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_OFFSET 0x1fff

#define GRE_CSUM 0x8000
#define GRE_ROUTING 0x4000
#define GRE_KEY 0x2000
#define GRE_SEQ 0x1000
#define GRE_VERSION 0x0007
#define GRE_HLEN 4
#define ETH_HLEN_ 14
#define ETH_P_TEB_ 0x6558

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

#define TXC_RESERVED 0xc000
#define TXC_OUTER (OFNIC_TXC_OUTER_IPV6 | OFNIC_TXC_OUTER_UDP_CSUM | \
                   OFNIC_TXC_OUTER_IP4_CSUM | OFNIC_TXC_TUNNEL_IP)

const char *ofnic_txo_err_str(enum ofnic_txo_err e)
{
    static const char *const names[OFNIC_TXOE_NUM] = {
        [OFNIC_TXOE_NONE] = "none",
        [OFNIC_TXOE_RESERVED] = "reserved offload bits or segmentation type",
        [OFNIC_TXOE_CONFLICT] = "conflicting offload bits",
        [OFNIC_TXOE_TUNNEL] = "UFO inside a tunnel is not supported",
        [OFNIC_TXOE_NO_CAP] = "offload not enabled (capability clear)",
        [OFNIC_TXOE_CWR] = "TSO with CWR needs the TSO_ECN capability",
        [OFNIC_TXOE_RTHDR] = "IPv6 routing header with segments left",
        [OFNIC_TXOE_GRE_CSUM_SEQ] =
            "segmentation inside GRE with a checksum or sequence number",
        [OFNIC_TXOE_TUN_LENS] = "tunnel header lengths without TUNNEL",
        [OFNIC_TXOE_TUN_LEN] = "tun_len below the UDP header or odd",
        [OFNIC_TXOE_OUTER_PROTO] = "outer IP protocol of a tunnel is not UDP",
        [OFNIC_TXOE_IPT_PROTO] =
            "outer IP protocol of an IP tunnel is not IPIP/IPv6/GRE",
        [OFNIC_TXOE_IPT_LEN] =
            "GRE header length or flags do not match tun_len (IPIP: 0)",
        [OFNIC_TXOE_IPT_VERSION] = "inner IP version does not match the tunnel",
        [OFNIC_TXOE_L2_LEN] = "l2_len disagrees with the Ethernet header",
        [OFNIC_TXOE_HDR_TOO_LONG] = "headers longer than OFNIC_TX_MAX_HDR_LEN",
        [OFNIC_TXOE_HDR_TRUNC] = "headers run past the end of the packet",
        [OFNIC_TXOE_IP_VERSION] = "wrong IP version or EtherType",
        [OFNIC_TXOE_IP4_IHL] = "l3_len disagrees with the IPv4 IHL",
        [OFNIC_TXOE_IP6_EXT] = "l3_len disagrees with the IPv6 header chain",
        [OFNIC_TXOE_IP_FRAG] = "segmentation of an IP fragment",
        [OFNIC_TXOE_L4_PROTO] = "IP protocol does not match the segmentation",
        [OFNIC_TXOE_TCP_DOFF] = "l4_len disagrees with the TCP data offset",
        [OFNIC_TXOE_UDP_LEN] = "l4_len is not 8 for UDP",
        [OFNIC_TXOE_IP4_DF] = "UFO of an IPv4 datagram with DF set",
        [OFNIC_TXOE_IP4_OPT] = "malformed IPv4 options",
        [OFNIC_TXOE_CSUM_RANGE] = "csum_start/csum_offset outside the packet",
        [OFNIC_TXOE_MSS_ZERO] = "mss is 0",
        [OFNIC_TXOE_MSS_SMALL] = "mss below OFNIC_TSO_MIN_MSS",
        [OFNIC_TXOE_MSS_FRAME] = "segment larger than OFNIC_MAX_FRAME",
        [OFNIC_TXOE_MSS_ALIGN] = "UFO mss not a multiple of 8",
        [OFNIC_TXOE_MSS_UFO_HDR] = "UFO mss below the fragmentable headers",
        [OFNIC_TXOE_PAYLOAD_LEN] = "payload too long",
        [OFNIC_TXOE_FRAME_LEN] = "frame longer than OFNIC_MAX_FRAME",
    };

    if ((unsigned int)e >= OFNIC_TXOE_NUM) {
        return "?";
    }
    return names[e];
}

unsigned int ofnic_txo_err_gstat(enum ofnic_txo_err e)
{
    if (e <= OFNIC_TXOE_CONFLICT) {
        return OFNIC_GSTAT_TX_DROP_DESC;
    }
    if (e <= OFNIC_TXOE_GRE_CSUM_SEQ) {
        return OFNIC_GSTAT_TX_DROP_UNSUPP;
    }
    if (e <= OFNIC_TXOE_CSUM_RANGE) {
        return OFNIC_GSTAT_TX_DROP_HDR;
    }
    if (e <= OFNIC_TXOE_MSS_UFO_HDR) {
        return OFNIC_GSTAT_TX_DROP_MSS;
    }
    return OFNIC_GSTAT_TX_DROP_LEN;
}


static inline uint32_t csum_add32(uint32_t sum, uint32_t v)
{
    sum += v;
    return sum + (sum < v);
}

/* Folded, complemented checksum, 0 sent as 0xffff (as UDP requires). */
static inline uint16_t csum_final(uint32_t sum)
{
    uint16_t c = ofnic_csum_fold(sum);

    return c ? c : 0xffff;
}

/* Pseudo-header sum of the L3 header at ip for an l4_len-byte L4 packet. */
static uint32_t pseudo_sum(const uint8_t *ip, bool v6, uint8_t proto,
                           uint32_t l4_len)
{
    uint32_t sum;

    if (v6) {
        sum = ofnic_csum_add(0, ip + 8, 32);
    } else {
        sum = ofnic_csum_add(0, ip + 12, 8);
    }
    sum = csum_add32(sum, proto);
    sum = csum_add32(sum, l4_len >> 16);
    return csum_add32(sum, l4_len & 0xffff);
}

static void ip4_set_csum(uint8_t *ip, unsigned int l3)
{
    ip[10] = 0;
    ip[11] = 0;
    ofnic_put_be16(ip + 10, ofnic_csum_fold(ofnic_csum_add(0, ip, l3)));
}

/*
 * A validated request.
 */
struct txo {
    uint8_t *buf;
    size_t len;
    unsigned int offload;
    unsigned int seg;
    unsigned int l2;     /* (outer) Ethernet header */
    unsigned int ip;     /* the IP header segmented: l2, or the inner one */
    unsigned int l3, l4; /* its length and the L4 header's */
    unsigned int hdr;    /* ip + l3 + l4 */
    bool tunnel;
    bool iptun;          /* tunnel: an IP tunnel (OFNIC_TXC_TUNNEL_IP) */
    bool ov6;            /* tunnel: outer IPv6 */
    unsigned int ol3;    /* tunnel: outer IP header length (at l2) */
    unsigned int tun;    /* tunnel: outer UDP/GRE + tunnel header + inner Eth */
    unsigned int mss;
    unsigned int vtag; /* 0 or VLAN_HLEN */
    uint16_t tci;
    bool v6;
    bool fragment;     /* UFO: the datagram does not fit one fragment */
    unsigned int unfrag; /* UFO6: IPv6 header + unfragmentable ext headers */
    unsigned int nh_pos; /* UFO6: next-header byte naming the fragmentable */
    uint32_t payload;    /* bytes after hdr */
};

static bool seg_is_v6(unsigned int seg)
{
    return seg == OFNIC_TXC_SEG_TCP6 || seg == OFNIC_TXC_SEG_UDP6 ||
           seg == OFNIC_TXC_SEG_UFO6;
}

static bool seg_is_ufo(unsigned int seg)
{
    return seg == OFNIC_TXC_SEG_UFO4 || seg == OFNIC_TXC_SEG_UFO6;
}

/* Offload bits: reserved encodings, tunnels, conflicts, capabilities. */
static enum ofnic_txo_err check_flags(const struct ofnic_txo_cfg *cfg,
                                      const struct ofnic_tx_ctx_desc *ctx,
                                      unsigned int off, unsigned int seg)
{
    static const struct {
        unsigned int bit;
        uint64_t cap;
    } bit_caps[] = {
        { OFNIC_TXC_L4_CSUM, OFNIC_CAP_TX_CSUM },
        { OFNIC_TXC_SCTP_CRC, OFNIC_CAP_TX_SCTP_CRC },
        { OFNIC_TXC_IP4_CSUM, OFNIC_CAP_TX_IP4_CSUM },
        { OFNIC_TXC_VLAN, OFNIC_CAP_TX_VLAN },
        { OFNIC_TXC_FIXEDID, OFNIC_CAP_TSO_MANGLEID },
    };
    static const uint64_t seg_caps[] = {
        [OFNIC_TXC_SEG_NONE] = 0,
        [OFNIC_TXC_SEG_TCP4] = OFNIC_CAP_TSO4,
        [OFNIC_TXC_SEG_TCP6] = OFNIC_CAP_TSO6,
        [OFNIC_TXC_SEG_UDP4] = OFNIC_CAP_USO,
        [OFNIC_TXC_SEG_UDP6] = OFNIC_CAP_USO,
        [OFNIC_TXC_SEG_UFO4] = OFNIC_CAP_UFO,
        [OFNIC_TXC_SEG_UFO6] = OFNIC_CAP_UFO,
    };
    unsigned int i;

    if ((off & TXC_RESERVED) || seg > OFNIC_TXC_SEG_UFO6) {
        return OFNIC_TXOE_RESERVED;
    }
    if (off & OFNIC_TXC_TUNNEL) {
        uint64_t need = seg ? OFNIC_CAP_TUNNEL_TSO : OFNIC_CAP_TUNNEL_CSUM;

        if (off & OFNIC_TXC_TUNNEL_IP) {
            /* IP tunnels: TSO/USO only, and there is no outer UDP */
            if (seg == OFNIC_TXC_SEG_NONE || seg_is_ufo(seg) ||
                (off & OFNIC_TXC_OUTER_UDP_CSUM)) {
                return OFNIC_TXOE_CONFLICT;
            }
            need = OFNIC_CAP_IP_TUNNEL_TSO;
        }
        if (seg_is_ufo(seg)) {
            return OFNIC_TXOE_TUNNEL;
        }
        if ((off & OFNIC_TXC_OUTER_IPV6) && (off & OFNIC_TXC_OUTER_IP4_CSUM)) {
            return OFNIC_TXOE_CONFLICT;
        }
        if (!(cfg->caps & need) ||
            ((off & OFNIC_TXC_OUTER_UDP_CSUM) &&
             !(cfg->caps & OFNIC_CAP_TUNNEL_OUTER_CSUM))) {
            return OFNIC_TXOE_NO_CAP;
        }
    } else if (off & TXC_OUTER) {
        return OFNIC_TXOE_RESERVED; /* outer bits without TUNNEL */
    }
    if ((off & OFNIC_TXC_SCTP_CRC) &&
        ((off & OFNIC_TXC_L4_CSUM) || seg != OFNIC_TXC_SEG_NONE)) {
        return OFNIC_TXOE_CONFLICT;
    }
    if (seg_caps[seg] && !(cfg->caps & seg_caps[seg])) {
        return OFNIC_TXOE_NO_CAP;
    }
    for (i = 0; i < sizeof(bit_caps) / sizeof(bit_caps[0]); i++) {
        if ((off & bit_caps[i].bit) && !(cfg->caps & bit_caps[i].cap)) {
            return OFNIC_TXOE_NO_CAP;
        }
    }
    if (!(off & OFNIC_TXC_TUNNEL) && (ctx->tun_len || ctx->in_l3_len)) {
        return OFNIC_TXOE_TUN_LENS;
    }
    return OFNIC_TXOE_NONE;
}

/* l2 and the header lengths against the packet and the header limit. */
static enum ofnic_txo_err check_lengths(const struct txo *t)
{
    if (t->l2 < OFNIC_MIN_FRAME) {
        return OFNIC_TXOE_L2_LEN;
    }
    if (t->hdr > OFNIC_TX_MAX_HDR_LEN) {
        return OFNIC_TXOE_HDR_TOO_LONG;
    }
    if (t->hdr > t->len) {
        return OFNIC_TXOE_HDR_TRUNC;
    }
    return OFNIC_TXOE_NONE;
}

/*
 * The Ethernet header: 802.1Q/802.1ad tags, if any, then the EtherType of the
 * IP version, must end exactly at l2 (within the packet). Bounded by l2 / 4.
 */
static enum ofnic_txo_err check_l2(const struct txo *t, bool v6)
{
    unsigned int off = MAC_ADDRS_LEN;
    uint16_t et = ofnic_get_be16(t->buf + off);

    while ((et == ETH_P_8021Q_ || et == ETH_P_8021AD_) &&
           off + VLAN_HLEN + 2 <= t->l2) {
        off += VLAN_HLEN;
        et = ofnic_get_be16(t->buf + off);
    }
    if (off + 2 != t->l2) {
        return OFNIC_TXOE_L2_LEN;
    }
    if (et != (v6 ? ETH_P_IPV6_ : ETH_P_IP_)) {
        return OFNIC_TXOE_IP_VERSION;
    }
    return OFNIC_TXOE_NONE;
}

/* IPv4 header of l3 bytes at ip (within the packet). */
static enum ofnic_txo_err check_ip4(const uint8_t *ip, unsigned int l3)
{
    if (l3 < IP4_HLEN) {
        return OFNIC_TXOE_IP4_IHL;
    }
    if (ip[0] >> 4 != 4) {
        return OFNIC_TXOE_IP_VERSION;
    }
    if ((ip[0] & 0xf) * 4u != l3) {
        return OFNIC_TXOE_IP4_IHL;
    }
    return OFNIC_TXOE_NONE;
}

/*
 * IPv6 header and extension headers at ip: they must fill exactly l3 bytes;
 * *proto is what follows. Hop-by-hop, routing (with no segments left: the
 * pseudo-header destination is the header's) and destination options are
 * accepted. Also finds the unfragmentable part as Linux's ip6_find_1stfragopt()
 * does: hop-by-hop, routing, and destination options before a routing header.
 * Bounded: every header consumes at least 8 of at most 255 bytes.
 */
static enum ofnic_txo_err check_ip6(const uint8_t *ip, unsigned int l3,
                                    uint8_t *proto, unsigned int *unfrag,
                                    unsigned int *nh_pos)
{
    unsigned int off = IP6_HLEN;
    bool rthdr = false, unfrag_done = false;
    uint8_t nh;

    if (l3 < IP6_HLEN) {
        return OFNIC_TXOE_IP6_EXT;
    }
    if (ip[0] >> 4 != 6) {
        return OFNIC_TXOE_IP_VERSION;
    }
    *unfrag = IP6_HLEN;
    *nh_pos = 6;
    nh = ip[6];
    while (off < l3) {
        unsigned int hl;

        if (nh == NEXTHDR_FRAGMENT) {
            return OFNIC_TXOE_IP_FRAG;
        }
        if (nh != NEXTHDR_HOP && nh != NEXTHDR_ROUTING && nh != NEXTHDR_DEST) {
            return OFNIC_TXOE_IP6_EXT; /* l3_len goes past the L4 header */
        }
        if (off + 8 > l3) {
            return OFNIC_TXOE_IP6_EXT;
        }
        hl = (ip[off + 1] + 1u) * 8;
        if (off + hl > l3) {
            return OFNIC_TXOE_IP6_EXT;
        }
        if (nh == NEXTHDR_ROUTING && ip[off + 3] != 0) {
            return OFNIC_TXOE_RTHDR;
        }
        if (!unfrag_done && (nh != NEXTHDR_DEST || !rthdr)) {
            *unfrag = off + hl;
            *nh_pos = off;
        } else {
            unfrag_done = true;
        }
        if (nh == NEXTHDR_ROUTING) {
            rthdr = true;
        }
        nh = ip[off];
        off += hl;
    }
    if (nh == NEXTHDR_FRAGMENT) {
        return OFNIC_TXOE_IP_FRAG;
    }
    if (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST) {
        return OFNIC_TXOE_IP6_EXT; /* l3_len stops inside the chain */
    }
    *proto = nh;
    return OFNIC_TXOE_NONE;
}

/*
 * Walk IPv4 options (RFC 791); with nop_uncopied, overwrite the options that
 * are not copied into fragments with NOPs (Linux's ip_options_fragment()).
 */
static bool ip4_options(uint8_t *ip, unsigned int l3, bool nop_uncopied)
{
    unsigned int i = IP4_HLEN;

    while (i < l3) {
        unsigned int ol;

        if (ip[i] == 0) {
            break; /* end of option list */
        }
        if (ip[i] == 1) {
            i++;
            continue;
        }
        if (i + 1 >= l3) {
            return false;
        }
        ol = ip[i + 1];
        if (ol < 2 || i + ol > l3) {
            return false;
        }
        if (nop_uncopied && !(ip[i] & 0x80)) {
            memset(ip + i, 1, ol);
        }
        i += ol;
    }
    return true;
}

/*
 * An IP header (IPv4 or IPv6 with extension headers) of l3 bytes at ip,
 * not a fragment; *proto is set to the protocol it carries.
 */
static enum ofnic_txo_err check_l3(const uint8_t *ip, unsigned int l3, bool v6,
                                   uint8_t *proto, unsigned int *unfrag,
                                   unsigned int *nh_pos)
{
    enum ofnic_txo_err e;

    if (v6) {
        return check_ip6(ip, l3, proto, unfrag, nh_pos);
    }
    e = check_ip4(ip, l3);
    if (e) {
        return e;
    }
    if (ofnic_get_be16(ip + 6) & (IP4_MF | IP4_OFFSET)) {
        return OFNIC_TXOE_IP_FRAG;
    }
    *proto = ip[9];
    *unfrag = l3;
    return OFNIC_TXOE_NONE;
}

/*
 * The IP tunnel after the outer IP header (protocol proto): IPIP/IPv6 with
 * tun 0, or a GRE header (version 0, no routing; C and S would differ per
 * segment), + an inner Ethernet header for 0x6558. It must carry the inner IP
 * version of SEG_*.
 */
static enum ofnic_txo_err check_ip_tunnel(const struct txo *t, uint8_t proto)
{
    const uint8_t *gre = t->buf + t->l2 + t->ol3;
    unsigned int glen;
    uint16_t flags, et;

    if (proto == NEXTHDR_IPIP || proto == NEXTHDR_IPV6) {
        if (t->tun) {
            return OFNIC_TXOE_IPT_LEN;
        }
        et = proto == NEXTHDR_IPV6 ? ETH_P_IPV6_ : ETH_P_IP_;
    } else if (proto == NEXTHDR_GRE) {
        if (t->tun < GRE_HLEN) {
            return OFNIC_TXOE_IPT_LEN;
        }
        flags = ofnic_get_be16(gre);
        et = ofnic_get_be16(gre + 2);
        if (flags & (GRE_ROUTING | GRE_VERSION)) {
            return OFNIC_TXOE_IPT_LEN;
        }
        if (flags & (GRE_CSUM | GRE_SEQ)) {
            return OFNIC_TXOE_GRE_CSUM_SEQ;
        }
        glen = GRE_HLEN + ((flags & GRE_KEY) ? 4 : 0);
        if (et == ETH_P_TEB_) {
            glen += ETH_HLEN_;
        }
        if (t->tun != glen) {
            return OFNIC_TXOE_IPT_LEN;
        }
        if (et == ETH_P_TEB_) {
            et = ofnic_get_be16(gre + glen - 2);
        }
    } else {
        return OFNIC_TXOE_IPT_PROTO;
    }
    if (et != (t->v6 ? ETH_P_IPV6_ : ETH_P_IP_)) {
        return OFNIC_TXOE_IPT_VERSION;
    }
    return OFNIC_TXOE_NONE;
}

/*
 * The Ethernet header, and for a tunnel the outer IP header and what follows
 * it: an IP tunnel, or UDP and the tunnel length (outer UDP header at least,
 * even so that the sums of the inner headers and payload combine into the
 * outer UDP checksum unswapped).
 */
static enum ofnic_txo_err check_outer(const struct txo *t)
{
    unsigned int unfrag, nh_pos;
    enum ofnic_txo_err e;
    uint8_t proto;

    if (!t->tunnel) {
        return check_l2(t, t->v6);
    }
    e = check_l2(t, t->ov6);
    if (e) {
        return e;
    }
    if (!t->iptun && (t->tun < UDP_HLEN || (t->tun & 1))) {
        return OFNIC_TXOE_TUN_LEN;
    }
    e = check_l3(t->buf + t->l2, t->ol3, t->ov6, &proto, &unfrag, &nh_pos);
    if (e) {
        return e;
    }
    if (t->iptun) {
        return check_ip_tunnel(t, proto);
    }
    return proto == NEXTHDR_UDP ? OFNIC_TXOE_NONE : OFNIC_TXOE_OUTER_PROTO;
}

static enum ofnic_txo_err check_seg(struct txo *t, uint64_t caps)
{
    uint8_t *ip, *l4;
    bool tcp = t->seg == OFNIC_TXC_SEG_TCP4 || t->seg == OFNIC_TXC_SEG_TCP6;
    enum ofnic_txo_err e;
    uint32_t frame, room;
    uint8_t proto;

    e = check_lengths(t);
    if (e) {
        return e;
    }
    e = check_outer(t);
    if (e) {
        return e;
    }
    ip = t->buf + t->ip;
    l4 = ip + t->l3;
    e = check_l3(ip, t->l3, t->v6, &proto, &t->unfrag, &t->nh_pos);
    if (e) {
        return e;
    }
    if (proto != (tcp ? NEXTHDR_TCP : NEXTHDR_UDP)) {
        return OFNIC_TXOE_L4_PROTO;
    }
    if (tcp) {
        if (t->l4 < TCP_HLEN || (l4[12] >> 4) * 4u != t->l4) {
            return OFNIC_TXOE_TCP_DOFF;
        }
        if ((l4[13] & TCP_CWR) && !(caps & OFNIC_CAP_TSO_ECN)) {
            return OFNIC_TXOE_CWR;
        }
    } else if (t->l4 != UDP_HLEN) {
        return OFNIC_TXOE_UDP_LEN;
    }

    if (t->mss == 0) {
        return OFNIC_TXOE_MSS_ZERO;
    }
    if (t->mss < OFNIC_TSO_MIN_MSS) {
        return OFNIC_TXOE_MSS_SMALL;
    }
    /* The largest frame: a full segment (the first fragment for UFO). */
    if (t->seg == OFNIC_TXC_SEG_UFO6) {
        frame = t->vtag + t->ip + t->unfrag + FRAG6_HLEN + t->mss;
    } else if (t->seg == OFNIC_TXC_SEG_UFO4) {
        frame = t->vtag + t->ip + t->l3 + t->mss;
    } else {
        frame = t->vtag + t->hdr + t->mss;
    }
    if (frame > OFNIC_MAX_FRAME) {
        return OFNIC_TXOE_MSS_FRAME;
    }

    t->payload = (uint32_t)(t->len - t->hdr);
    if (t->payload > OFNIC_TSO_MAX_PAYLOAD) {
        return OFNIC_TXOE_PAYLOAD_LEN;
    }
    if (!seg_is_ufo(t->seg)) {
        return OFNIC_TXOE_NONE;
    }

    /*
     * UFO: the fragmentable part (IPv6: the extension headers after the
     * unfragmentable ones) + UDP header + payload is cut into mss pieces.
     */
    room = t->v6 ? 0xffff - (t->l3 - IP6_HLEN) : 0xffff - t->l3;
    if (UDP_HLEN + t->payload > room) {
        return OFNIC_TXOE_PAYLOAD_LEN;
    }
    t->fragment = t->l3 - t->unfrag + UDP_HLEN + t->payload > t->mss;
    if (!t->fragment) {
        return OFNIC_TXOE_NONE; /* fits one datagram: sent unfragmented */
    }
    if (t->mss % 8) {
        return OFNIC_TXOE_MSS_ALIGN;
    }
    if (t->v6) {
        if (t->l3 - t->unfrag + UDP_HLEN > t->mss) {
            return OFNIC_TXOE_MSS_UFO_HDR;
        }
    } else {
        if (ofnic_get_be16(ip + 6) & IP4_DF) {
            return OFNIC_TXOE_IP4_DF;
        }
        if (!ip4_options(ip, t->l3, false)) {
            return OFNIC_TXOE_IP4_OPT;
        }
    }
    return OFNIC_TXOE_NONE;
}

static enum ofnic_txo_err check_csum(const struct txo *t,
                                     const struct ofnic_tx_ctx_desc *ctx)
{
    enum ofnic_txo_err e;
    size_t start = ofnic_le16(ctx->csum_start);
    size_t field = (t->offload & OFNIC_TXC_SCTP_CRC) ? 4 : 2;

    if (t->tunnel ||
        (t->offload & (OFNIC_TXC_IP4_CSUM | OFNIC_TXC_OUTER_IP4_CSUM))) {
        struct txo l3 = *t;

        /* the headers up to the IP header(s) checksummed */
        l3.l4 = 0;
        l3.hdr = (t->offload & OFNIC_TXC_IP4_CSUM) ? t->ip + t->l3 : t->ip;
        l3.v6 = false;
        e = check_lengths(&l3);
        if (e) {
            return e;
        }
        e = check_outer(&l3);
        if (e) {
            return e;
        }
        if (t->offload & OFNIC_TXC_IP4_CSUM) {
            e = check_ip4(t->buf + t->ip, t->l3);
            if (e) {
                return e;
            }
        }
    }
    if ((t->offload & (OFNIC_TXC_L4_CSUM | OFNIC_TXC_SCTP_CRC)) &&
        (start >= t->len || start + ctx->csum_offset + field > t->len)) {
        return OFNIC_TXOE_CSUM_RANGE;
    }
    return OFNIC_TXOE_NONE;
}

/*
 * Emission.
 */
struct emitter {
    ofnic_txo_emit_fn fn;
    void *opaque;
    struct ofnic_txo_result *res;
};

static int emit2(struct emitter *em, const void *h, size_t hl, const void *p,
                 size_t pl)
{
    struct ofnic_txo_iov iov[2] = { { h, hl }, { p, pl } };
    int r;

    r = em->fn(em->opaque, iov, pl ? 2 : 1, hl + pl);
    if (r == 0) {
        em->res->frames++;
        em->res->bytes += hl + pl;
    }
    return r;
}

/*
 * Copy the headers into hb, inserting the VLAN tag. Returns the (outer) IP
 * offset in hb: l2, or l2 + the tag.
 */
static unsigned int build_template(const struct txo *t, uint8_t *hb)
{
    if (!t->vtag) {
        memcpy(hb, t->buf, t->hdr);
        return t->l2;
    }
    memcpy(hb, t->buf, MAC_ADDRS_LEN);
    ofnic_put_be16(hb + MAC_ADDRS_LEN, ETH_P_8021Q_);
    ofnic_put_be16(hb + MAC_ADDRS_LEN + 2, t->tci);
    memcpy(hb + MAC_ADDRS_LEN + VLAN_HLEN, t->buf + MAC_ADDRS_LEN,
           t->hdr - MAC_ADDRS_LEN);
    return t->l2 + VLAN_HLEN;
}

/*
 * The outer headers of a tunnel segment with ulen bytes after its outer IP
 * header (the outer UDP datagram), the inner headers already final; psum is
 * the sum of its payload. An IP tunnel has nothing else to fix.
 */
static void tunnel_fix_outer(const struct txo *t, uint8_t *oip, uint32_t i,
                             uint16_t oid0, uint32_t ulen, uint32_t psum)
{
    uint8_t *uh = oip + t->ol3;

    if (t->ov6) {
        ofnic_put_be16(oip + 4, (uint16_t)(t->ol3 - IP6_HLEN + ulen));
    } else {
        ofnic_put_be16(oip + 2, (uint16_t)(t->ol3 + ulen));
        ofnic_put_be16(oip + 4, (uint16_t)(oid0 + i));
        ip4_set_csum(oip, t->ol3);
    }
    if (t->iptun) {
        return;
    }
    ofnic_put_be16(uh + 4, (uint16_t)ulen);
    uh[6] = 0;
    uh[7] = 0;
    if (t->offload & OFNIC_TXC_OUTER_UDP_CSUM) {
        uint32_t sum = pseudo_sum(oip, t->ov6, NEXTHDR_UDP, ulen);

        /* tun, l3 and l4 are even: the payload sum needs no swap */
        sum = ofnic_csum_add(sum, uh, t->tun + t->l3 + t->l4);
        ofnic_put_be16(uh + 6, csum_final(ofnic_csum_combine(sum, psum)));
    }
}

/*
 * TSO and USO: one TCP segment / UDP datagram per mss of payload; in a tunnel
 * the outer IP (and UDP) headers are fixed for each segment too.
 */
static void emit_segments(const struct txo *t, struct emitter *em)
{
    uint8_t hb[OFNIC_TXO_HDR_BUF];
    unsigned int o = build_template(t, hb);
    uint8_t *oip = hb + o; /* the outer IP header of a tunnel */
    uint8_t *ip = oip + (t->ip - t->l2), *l4 = ip + t->l3;
    uint16_t oid0 = t->tunnel && !t->ov6 ? ofnic_get_be16(oip + 4) : 0;
    bool outer_udp_csum = t->offload & OFNIC_TXC_OUTER_UDP_CSUM;
    const uint8_t *pl = t->buf + t->hdr;
    bool tcp = t->seg == OFNIC_TXC_SEG_TCP4 || t->seg == OFNIC_TXC_SEG_TCP6;
    bool fixedid = t->offload & OFNIC_TXC_FIXEDID;
    uint16_t id0 = t->v6 ? 0 : ofnic_get_be16(ip + 4);
    uint32_t seq0 = tcp ? ofnic_get_be32(l4 + 4) : 0;
    uint8_t flags0 = tcp ? l4[13] : 0;
    uint32_t nseg = t->payload ? (t->payload + t->mss - 1) / t->mss : 1;
    uint32_t i;

    for (i = 0; i < nseg; i++) {
        uint32_t off = i * t->mss;
        uint32_t n = t->payload - off < t->mss ? t->payload - off : t->mss;
        uint32_t l4len = t->l4 + n;
        uint32_t sum, psum;

        if (t->v6) {
            ofnic_put_be16(ip + 4, (uint16_t)(t->l3 - IP6_HLEN + l4len));
        } else {
            ofnic_put_be16(ip + 2, (uint16_t)(t->l3 + l4len));
            if (!fixedid) {
                ofnic_put_be16(ip + 4, (uint16_t)(id0 + i));
            }
            ip4_set_csum(ip, t->l3);
        }
        if (tcp) {
            uint8_t f = flags0;

            if (i > 0) {
                f &= ~TCP_CWR;
            }
            if (i + 1 < nseg) {
                f &= ~(TCP_FIN | TCP_PSH);
            }
            ofnic_put_be32(l4 + 4, seq0 + off);
            l4[13] = f;
            l4[16] = 0;
            l4[17] = 0;
        } else {
            ofnic_put_be16(l4 + 4, (uint16_t)l4len);
            l4[6] = 0;
            l4[7] = 0;
        }
        psum = ofnic_csum_add(0, pl + off, n);
        sum = pseudo_sum(ip, t->v6, tcp ? NEXTHDR_TCP : NEXTHDR_UDP, l4len);
        sum = ofnic_csum_combine(ofnic_csum_add(sum, l4, t->l4), psum);
        ofnic_put_be16(l4 + (tcp ? 16 : 6),
                 tcp ? ofnic_csum_fold(sum) : csum_final(sum));
        if (t->tunnel) {
            tunnel_fix_outer(t, oip, i, oid0, t->tun + t->l3 + l4len, psum);
        }
        if (emit2(em, hb, (size_t)(l4 - hb) + t->l4, pl + off, n)) {
            return;
        }
        em->res->l4_csums += 1 + outer_udp_csum;
        em->res->ip4_csums += !t->v6 + (t->tunnel && !t->ov6);
        em->res->vlan_tags += !!t->vtag;
    }
}

/*
 * UFO: one UDP datagram, its checksum over the whole payload, sent as IP
 * fragments of mss bytes of fragmentable data (a multiple of 8 but the last).
 */
static void emit_ufo(const struct txo *t, struct ofnic_txo_cfg *cfg,
                     struct emitter *em)
{
    uint8_t hb[OFNIC_TXO_HDR_BUF];
    unsigned int o = build_template(t, hb);
    uint8_t *ip = hb + o, *uh = ip + t->l3;
    const uint8_t *pl = t->buf + t->hdr;
    unsigned int fl = t->l3 - t->unfrag + UDP_HLEN; /* fragmentable headers */
    uint32_t ulen = UDP_HLEN + t->payload;
    uint32_t total = fl + t->payload; /* fragmentable bytes */
    uint32_t sum, off, id = 0;
    unsigned int k, fh = 0;

    ofnic_put_be16(uh + 4, (uint16_t)ulen);
    uh[6] = 0;
    uh[7] = 0;
    sum = pseudo_sum(ip, t->v6, NEXTHDR_UDP, ulen);
    sum = ofnic_csum_add(sum, uh, UDP_HLEN);
    sum = ofnic_csum_add(sum, pl, t->payload);
    ofnic_put_be16(uh + 6, csum_final(sum));
    em->res->l4_csums++;

    if (!t->fragment) {
        if (t->v6) {
            ofnic_put_be16(ip + 4, (uint16_t)(t->l3 - IP6_HLEN + ulen));
        } else {
            ofnic_put_be16(ip + 2, (uint16_t)(t->l3 + ulen));
            ip4_set_csum(ip, t->l3);
            em->res->ip4_csums++;
        }
        if (!emit2(em, hb, o + t->l3 + UDP_HLEN, pl, t->payload)) {
            em->res->vlan_tags += !!t->vtag;
        }
        return;
    }

    if (t->v6) {
        /* Insert the Fragment header after the unfragmentable part. */
        uint8_t *fr = ip + t->unfrag;

        memmove(fr + FRAG6_HLEN, fr, fl);
        fr[0] = ip[t->nh_pos];
        fr[1] = 0;
        ip[t->nh_pos] = NEXTHDR_FRAGMENT;
        id = cfg->frag6_id++;
        ofnic_put_be32(fr + 4, id);
        fh = FRAG6_HLEN;
    }

    for (k = 0, off = 0; off < total; k++, off += t->mss) {
        uint32_t n = total - off < t->mss ? total - off : t->mss;
        bool more = off + n < total;
        size_t hl;
        const uint8_t *p;
        uint32_t pn;

        if (t->v6) {
            ofnic_put_be16(ip + 4, (uint16_t)(t->unfrag - IP6_HLEN + fh + n));
            ofnic_put_be16(ip + t->unfrag + 2, (uint16_t)(off | more));
        } else {
            uint16_t fo = ofnic_get_be16(ip + 6) & ~(IP4_MF | IP4_OFFSET);

            if (k == 1) {
                ip4_options(ip, t->l3, true);
            }
            ofnic_put_be16(ip + 2, (uint16_t)(t->l3 + n));
            ofnic_put_be16(ip + 6, fo | (more ? IP4_MF : 0) | (off / 8));
            ip4_set_csum(ip, t->l3);
            em->res->ip4_csums++;
        }
        if (k == 0) {
            hl = o + t->unfrag + fh + fl;
            p = pl;
            pn = n - fl;
        } else {
            hl = o + t->unfrag + fh;
            p = pl + (off - fl);
            pn = n;
        }
        if (emit2(em, hb, hl, p, pn)) {
            return;
        }
        em->res->vlan_tags += !!t->vtag;
    }
}

/* No segmentation: checksums in place, then one frame. */
static void emit_single(const struct txo *t,
                        const struct ofnic_tx_ctx_desc *ctx,
                        struct emitter *em)
{
    uint8_t hb[MAC_ADDRS_LEN + VLAN_HLEN];
    size_t start = ofnic_le16(ctx->csum_start);
    size_t field = start + ctx->csum_offset;

    if (t->offload & OFNIC_TXC_IP4_CSUM) {
        ip4_set_csum(t->buf + t->ip, t->l3);
        em->res->ip4_csums++;
    }
    if (t->offload & OFNIC_TXC_OUTER_IP4_CSUM) {
        ip4_set_csum(t->buf + t->l2, t->ol3);
        em->res->ip4_csums++;
    }
    if (t->offload & OFNIC_TXC_L4_CSUM) {
        uint32_t sum = ofnic_csum_add(0, t->buf + start, t->len - start);

        ofnic_put_be16(t->buf + field, csum_final(sum));
        em->res->l4_csums++;
    }
    if (t->offload & OFNIC_TXC_SCTP_CRC) {
        uint32_t crc;

        memset(t->buf + field, 0, 4);
        crc = ~ofnic_crc32c(~0u, t->buf + start, t->len - start);
        t->buf[field] = crc & 0xff;
        t->buf[field + 1] = (crc >> 8) & 0xff;
        t->buf[field + 2] = (crc >> 16) & 0xff;
        t->buf[field + 3] = crc >> 24;
        em->res->sctp_crcs++;
    }
    if (t->offload & OFNIC_TXC_OUTER_UDP_CSUM) {
        uint8_t *oip = t->buf + t->l2, *uh = oip + t->ol3;
        uint32_t ulen = (uint32_t)(t->len - t->l2 - t->ol3), sum;

        uh[6] = 0;
        uh[7] = 0;
        sum = pseudo_sum(oip, t->ov6, NEXTHDR_UDP, ulen);
        ofnic_put_be16(uh + 6, csum_final(ofnic_csum_add(sum, uh, ulen)));
        em->res->l4_csums++;
    }
    if (!t->vtag) {
        emit2(em, t->buf, t->len, NULL, 0);
        return;
    }
    memcpy(hb, t->buf, MAC_ADDRS_LEN);
    ofnic_put_be16(hb + MAC_ADDRS_LEN, ETH_P_8021Q_);
    ofnic_put_be16(hb + MAC_ADDRS_LEN + 2, t->tci);
    if (!emit2(em, hb, sizeof(hb), t->buf + MAC_ADDRS_LEN,
               t->len - MAC_ADDRS_LEN)) {
        em->res->vlan_tags++;
    }
}

enum ofnic_txo_err ofnic_tx_offload(struct ofnic_txo_cfg *cfg,
                                    const struct ofnic_tx_ctx_desc *ctx,
                                    uint8_t *buf, size_t len,
                                    ofnic_txo_emit_fn emit, void *opaque,
                                    struct ofnic_txo_result *res)
{
    struct txo t;
    struct emitter em = { emit, opaque, res };
    enum ofnic_txo_err e;

    memset(res, 0, sizeof(*res));
    memset(&t, 0, sizeof(t));
    t.buf = buf;
    t.len = len;
    t.offload = ofnic_le16(ctx->offload);
    t.seg = t.offload & OFNIC_TXC_SEG_MASK;
    t.l2 = ctx->l2_len;
    t.ip = t.l2;
    t.l3 = ctx->l3_len;
    t.l4 = ctx->l4_len;
    if (t.offload & OFNIC_TXC_TUNNEL) {
        t.tunnel = true;
        t.iptun = t.offload & OFNIC_TXC_TUNNEL_IP;
        t.ov6 = t.offload & OFNIC_TXC_OUTER_IPV6;
        t.ol3 = ctx->l3_len;
        t.tun = ctx->tun_len;
        t.l3 = ctx->in_l3_len;
        t.ip = t.l2 + t.ol3 + t.tun;
    }
    t.hdr = t.ip + t.l3 + t.l4;
    t.mss = ofnic_le16(ctx->mss);
    t.tci = ofnic_le16(ctx->vlan_tci);
    t.vtag = (t.offload & OFNIC_TXC_VLAN) ? VLAN_HLEN : 0;
    t.v6 = seg_is_v6(t.seg);
    res->seg = t.seg;

    if (len < OFNIC_MIN_FRAME) {
        /* ofnic_tx_fetch() never passes such a packet */
        return res->err = OFNIC_TXOE_HDR_TRUNC;
    }
    e = check_flags(cfg, ctx, t.offload, t.seg);
    if (!e) {
        if (t.seg != OFNIC_TXC_SEG_NONE) {
            e = check_seg(&t, cfg->caps);
        } else if (t.vtag + len > OFNIC_MAX_FRAME) {
            e = OFNIC_TXOE_FRAME_LEN;
        } else {
            e = check_csum(&t, ctx);
        }
    }
    if (e) {
        return res->err = e;
    }
    res->tunnel = t.tunnel;

    switch (t.seg) {
    case OFNIC_TXC_SEG_NONE:
        emit_single(&t, ctx, &em);
        break;
    case OFNIC_TXC_SEG_UFO4:
    case OFNIC_TXC_SEG_UFO6:
        emit_ufo(&t, cfg, &em);
        break;
    default:
        emit_segments(&t, &em);
        break;
    }
    return OFNIC_TXOE_NONE;
}
