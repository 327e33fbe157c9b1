/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ofnic "silicon" engine: the parts of the device that do not depend on QEMU.
 *
 * Everything here is plain C (libc, <stdint.h>, <string.h> and
 * the datasheet) so that it can be unit tested on the host. Guest memory is
 * reached only through struct ofnic_dma; the engine never allocates memory and
 * every loop over guest-controlled data is bounded.
 */
#ifndef OFNIC_ENGINE_H
#define OFNIC_ENGINE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include "ofnic_hw.h"

/*
 * Byte order helpers (the datasheet structures are little-endian).
 */
/* Byte-wise, so correct on any host; compilers turn these into plain loads. */
static inline uint16_t ofnic_le16(__le16 v)
{
    const uint8_t *b = (const uint8_t *)&v;

    return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t ofnic_le32(__le32 v)
{
    const uint8_t *b = (const uint8_t *)&v;

    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static inline uint64_t ofnic_le64(__le64 v)
{
    const uint8_t *b = (const uint8_t *)&v;

    uint64_t r = 0;
    int i;

    for (i = 7; i >= 0; i--) {
        r = r << 8 | b[i];
    }
    return r;
}

static inline __le16 ofnic_cpu_to_le16(uint16_t v)
{
    __le16 r;
    uint8_t *b = (uint8_t *)&r;

    b[0] = v & 0xff;
    b[1] = v >> 8;
    return r;
}

static inline __le32 ofnic_cpu_to_le32(uint32_t v)
{
    __le32 r;
    uint8_t *b = (uint8_t *)&r;

    b[0] = v & 0xff;
    b[1] = (v >> 8) & 0xff;
    b[2] = (v >> 16) & 0xff;
    b[3] = v >> 24;
    return r;
}

static inline __le64 ofnic_cpu_to_le64(uint64_t v)
{
    __le64 r;
    uint8_t *b = (uint8_t *)&r;
    int i;

    for (i = 0; i < 8; i++) {
        b[i] = (v >> (8 * i)) & 0xff;
    }
    return r;
}

/* True on a big-endian host (constant-folded). */
static inline bool ofnic_host_is_be(void)
{
    const uint16_t one = 1;

    return *(const uint8_t *)&one == 0;
}

static inline uint16_t ofnic_get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void ofnic_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

static inline uint32_t ofnic_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static inline void ofnic_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = (v >> 16) & 0xff;
    p[2] = (v >> 8) & 0xff;
    p[3] = v & 0xff;
}

/*
 * DMA interface: read/write return 0 on success, anything else on error.
 */
struct ofnic_dma {
    void *opaque;
    int (*read)(void *opaque, uint64_t addr, void *buf, size_t len);
    int (*write)(void *opaque, uint64_t addr, const void *buf, size_t len);
};

/*
 * A descriptor ring as the device sees it. size is a power of two; head, tail <
 * size.
 */
struct ofnic_ring {
    uint64_t base;
    uint32_t size;
    uint32_t head;
    uint32_t tail;
};

static inline uint32_t ofnic_ring_avail(const struct ofnic_ring *r)
{
    return (r->tail - r->head) & (r->size - 1);
}

/*
 * TX ring walk.
 */
enum ofnic_tx_status {
    OFNIC_TX_READY,     /* pkt->len bytes in the buffer, consume pkt->ndesc */
    OFNIC_TX_NOT_READY, /* the chain reaches tail without EOP: wait for more */
    OFNIC_TX_MALFORMED, /* drop: reason in pkt->error, consume pkt->ndesc */
    OFNIC_TX_DMA_ERROR, /* see pkt->desc_dma_error */
};

enum ofnic_tx_error {
    OFNIC_TXE_NONE,
    OFNIC_TXE_ZERO_LEN, /* a data descriptor with len 0 */
    OFNIC_TXE_BUF_LEN,  /* a data descriptor with len > 65535 */
    OFNIC_TXE_TOO_MANY, /* > OFNIC_TX_MAX_DESCS_PER_PKT data descriptors */
    OFNIC_TXE_TOO_LONG, /* > OFNIC_TX_MAX_PKT_LEN or the caller's buffer */
    OFNIC_TXE_TOO_SHORT, /* shorter than OFNIC_MIN_FRAME */
    OFNIC_TXE_BAD_TYPE,  /* unknown descriptor type */
    OFNIC_TXE_CTX_PLACE, /* a context descriptor that does not start a packet */
    OFNIC_TXE_NUM
};

const char *ofnic_tx_error_str(enum ofnic_tx_error e);

struct ofnic_tx_pkt {
    /* out */
    uint32_t len;   /* bytes gathered */
    uint32_t ndesc; /* descriptors to consume (context included) */
    bool has_ctx;
    bool
        desc_dma_error; /* DMA_ERROR: true if a descriptor (ring) read failed */
    enum ofnic_tx_error error;
    struct ofnic_tx_ctx_desc ctx; /* raw (little-endian) when has_ctx */
};

/*
 * Fetch the packet starting at ring->head (ring->head is not modified). The
 * payload of the data descriptors is gathered into buf (buf_size bytes, at most
 * OFNIC_TX_MAX_PKT_LEN used). On DMA_ERROR with desc_dma_error false,
 * pkt->ndesc tells how many descriptors to drop.
 */
enum ofnic_tx_status ofnic_tx_fetch(const struct ofnic_dma *dma,
                                    const struct ofnic_ring *ring, uint8_t *buf,
                                    size_t buf_size, struct ofnic_tx_pkt *pkt);

/*
 * TX offloads (ofnic_tx_offload.c): checksum insertion, TSO, USO, UFO and VLAN
 * insertion for one gathered packet with a context descriptor.
 *
 * Output frames are handed to a callback as up to OFNIC_TXO_MAX_IOV pieces: a
 * small per-frame header buffer owned by the engine (valid only during the
 * call) and slices of the caller's packet buffer, so the payload is never
 * copied again. Checksums over a segment's payload are computed right before
 * that segment is emitted, while the slice is cache-hot.
 */
#define OFNIC_TXO_MAX_IOV 3
/* VLAN tag + IPv6 Fragment header on top of the largest header */
#define OFNIC_TXO_HDR_BUF (OFNIC_TX_MAX_HDR_LEN + 4 + 8)

struct ofnic_txo_iov {
    const void *base;
    size_t len;
};

/*
 * One output frame of len bytes. Return 0 to go on; anything else stops the
 * packet (its remaining frames are not produced).
 */
typedef int (*ofnic_txo_emit_fn)(void *opaque, const struct ofnic_txo_iov *iov,
                                 unsigned int iovcnt, size_t len);

/* Why a packet was dropped; ofnic_txo_err_gstat() maps it to its counter. */
enum ofnic_txo_err {
    OFNIC_TXOE_NONE,
    /* OFNIC_GSTAT_TX_DROP_DESC */
    OFNIC_TXOE_RESERVED,     /* reserved offload bits, bad SEG_* value */
    OFNIC_TXOE_CONFLICT,     /* L4_CSUM with SCTP_CRC, SCTP_CRC with SEG_*, */
                             /* TUNNEL_IP without TSO/USO or with UDP csum */
    /* OFNIC_GSTAT_TX_DROP_UNSUPP */
    OFNIC_TXOE_TUNNEL,       /* UFO inside a tunnel */
    OFNIC_TXOE_NO_CAP,       /* requested offload's capability is clear */
    OFNIC_TXOE_CWR,          /* TSO with CWR set and no OFNIC_CAP_TSO_ECN */
    OFNIC_TXOE_RTHDR,        /* IPv6 routing header with segments left */
    OFNIC_TXOE_GRE_CSUM_SEQ, /* TUNNEL_IP: GRE with checksum or sequence */
    /* OFNIC_GSTAT_TX_DROP_HDR */
    OFNIC_TXOE_TUN_LENS,     /* tun_len/in_l3_len without TUNNEL */
    OFNIC_TXOE_TUN_LEN,      /* tun_len < 8 or odd */
    OFNIC_TXOE_OUTER_PROTO,  /* outer IP protocol of a tunnel is not UDP */
    OFNIC_TXOE_IPT_PROTO,    /* TUNNEL_IP: outer protocol not 4, 41 or 47 */
    OFNIC_TXOE_IPT_LEN,      /* TUNNEL_IP: tun_len != GRE header (+ Eth) */
    OFNIC_TXOE_IPT_VERSION,  /* TUNNEL_IP: inner IP version not the tunnel's */
    OFNIC_TXOE_L2_LEN,       /* l2_len disagrees with the Ethernet header */
    OFNIC_TXOE_HDR_TOO_LONG, /* l2 + l3 + l4 > OFNIC_TX_MAX_HDR_LEN */
    OFNIC_TXOE_HDR_TRUNC,    /* headers run past the end of the packet */
    OFNIC_TXOE_IP_VERSION,   /* IP version/EtherType disagrees */
    OFNIC_TXOE_IP4_IHL,      /* l3_len != IHL * 4 */
    OFNIC_TXOE_IP6_EXT,      /* extension headers disagree with l3_len */
    OFNIC_TXOE_IP_FRAG,      /* segmentation of an IP fragment */
    OFNIC_TXOE_L4_PROTO,     /* IP protocol is not the one segmented */
    OFNIC_TXOE_TCP_DOFF,     /* l4_len != TCP data offset * 4 */
    OFNIC_TXOE_UDP_LEN,      /* l4_len != 8 for USO/UFO */
    OFNIC_TXOE_IP4_DF,       /* UFO of an IPv4 datagram with DF set */
    OFNIC_TXOE_IP4_OPT,      /* UFO: malformed IPv4 options */
    OFNIC_TXOE_CSUM_RANGE,   /* csum_start/csum_offset outside the packet */
    /* OFNIC_GSTAT_TX_DROP_MSS */
    OFNIC_TXOE_MSS_ZERO,     /* mss 0 */
    OFNIC_TXOE_MSS_SMALL,    /* mss < OFNIC_TSO_MIN_MSS */
    OFNIC_TXOE_MSS_FRAME,    /* a full segment would exceed OFNIC_MAX_FRAME */
    OFNIC_TXOE_MSS_ALIGN,    /* UFO: mss not a multiple of 8 */
    OFNIC_TXOE_MSS_UFO_HDR,  /* UFO: first fragment cannot hold the headers */
    /* OFNIC_GSTAT_TX_DROP_LEN */
    OFNIC_TXOE_PAYLOAD_LEN,  /* > OFNIC_TSO_MAX_PAYLOAD or length overflow */
    OFNIC_TXOE_FRAME_LEN,    /* unsegmented frame longer than OFNIC_MAX_FRAME */
    OFNIC_TXOE_NUM
};

const char *ofnic_txo_err_str(enum ofnic_txo_err e);
/* The OFNIC_GSTAT_TX_DROP_* counter of e (e != NONE). */
unsigned int ofnic_txo_err_gstat(enum ofnic_txo_err e);

struct ofnic_txo_cfg {
    uint64_t caps;     /* OFNIC_CAP_* of the device: requests need their bit */
    uint32_t frag6_id; /* next IPv6 Fragment header ID (UFO6), advanced */
};

struct ofnic_txo_result {
    enum ofnic_txo_err err;
    unsigned int seg;      /* OFNIC_TXC_SEG_* of the packet */
    uint32_t frames;       /* frames emitted */
    uint64_t bytes;        /* bytes emitted */
    uint32_t l4_csums;     /* TCP/UDP checksums written */
    uint32_t ip4_csums;    /* IPv4 header checksums written */
    uint32_t sctp_crcs;    /* SCTP CRC32c written */
    uint32_t vlan_tags;    /* frames with an inserted tag */
    bool tunnel;           /* a packet with OFNIC_TXC_TUNNEL */
};

/*
 * Apply the offloads of ctx (raw, little-endian) to the len-byte packet in buf
 * (modified in place: checksums) and emit its frames. Returns res->err; on an
 * error nothing has been emitted. Never reads or writes outside buf[0, len).
 */
enum ofnic_txo_err ofnic_tx_offload(struct ofnic_txo_cfg *cfg,
                                    const struct ofnic_tx_ctx_desc *ctx,
                                    uint8_t *buf, size_t len,
                                    ofnic_txo_emit_fn emit, void *opaque,
                                    struct ofnic_txo_result *res);

/*
 * RX placement.
 */
enum ofnic_rx_status {
    OFNIC_RX_DONE,     /* written, ring->head advanced by *used descriptors */
    OFNIC_RX_NO_SPACE, /* not enough posted descriptors, nothing written */
    OFNIC_RX_RING_DMA_ERROR, /* descriptor read/write failed: ring error */
    OFNIC_RX_BUF_DMA_ERROR,  /* a buffer could not be written: frame dropped */
    OFNIC_RX_BAD_ARGS,       /* zero-length frame, bad buffer size */
    OFNIC_RX_TOO_LONG, /* needs more buffers than the ring can ever post */
};

struct ofnic_rx_meta {
    uint32_t status; /* OFNIC_RXC_* bits for the first completion (no DD/EOP) */
    uint32_t rss_hash;
    uint16_t vlan_tci;
    uint16_t seg_count;
    uint16_t mss;
};

enum ofnic_rx_status ofnic_rx_place(const struct ofnic_dma *dma,
                                    struct ofnic_ring *ring, uint32_t buf_size,
                                    const uint8_t *frame, size_t len,
                                    const struct ofnic_rx_meta *meta,
                                    uint32_t *used);

/*
 * Packet parser.
 */
#define OFNIC_FLOW_NONE 0xff
#define OFNIC_PARSE_MAX_VLANS 2
#define OFNIC_PARSE_MAX_EXTHDRS 8

struct ofnic_pkt_info {
    uint8_t flow; /* OFNIC_FLOW_* or OFNIC_FLOW_NONE */
    uint8_t l3;   /* OFNIC_RXC_L3_* */
    uint8_t l4;   /* OFNIC_RXC_L4_* */
    uint8_t nvlans;
    uint8_t
        l4_proto; /* IP protocol of the L4 header (after extension headers) */
    bool frag;    /* IPv4/IPv6 fragment */
    bool broadcast;
    bool multicast;
    uint16_t ethertype; /* after VLAN tags */
    uint16_t vlan_tci[OFNIC_PARSE_MAX_VLANS];
    uint16_t l3_off;  /* 0 if no IP */
    uint16_t l3_len;  /* IP header incl. options / extension headers */
    uint16_t l4_off;  /* 0 if no TCP/UDP header */
    uint16_t l4_len;  /* TCP header with options, or 8 for UDP */
    uint16_t src_off; /* addresses (4 or 16 bytes), 0 if no IP */
    uint16_t dst_off;
    uint8_t addr_len;
    uint16_t sport; /* host order, valid with l4_off */
    uint16_t dport;
};

/*
 * Never reads outside buf[0, len). Returns 0 if at least an Ethernet header was
 * found.
 */
int ofnic_parse(const uint8_t *buf, size_t len, struct ofnic_pkt_info *pi);
/* The same for an Ethernet frame at buf + start (offsets stay from buf). */
int ofnic_parse_at(const uint8_t *buf, size_t len, size_t start,
                   struct ofnic_pkt_info *pi);

/*
 * Toeplitz hash and RSS.
 */
/* 2 x 16 address bytes, 2 ports and the flow label */
#define OFNIC_TOEPLITZ_MAX_INPUT 40

uint32_t ofnic_toeplitz(const uint8_t key[OFNIC_RSS_KEY_SIZE],
                        const uint8_t *in, size_t len);

/* Key-specific lookup table: a hash costs one lookup per input byte. */
struct ofnic_toeplitz_tbl {
    uint32_t t[OFNIC_TOEPLITZ_MAX_INPUT][256];
};

void ofnic_toeplitz_prepare(struct ofnic_toeplitz_tbl *tbl,
                            const uint8_t key[OFNIC_RSS_KEY_SIZE]);
uint32_t ofnic_toeplitz_fast(const struct ofnic_toeplitz_tbl *tbl,
                             const uint8_t *in, size_t len);

struct ofnic_rss_ctx {
    uint8_t key[OFNIC_RSS_KEY_SIZE];
    uint32_t fields; /* OFNIC_REG_RSS_FIELDS */
    uint8_t indir[OFNIC_RSS_INDIR_SIZE];
    bool enabled;   /* context 0, or OFNIC_RSS_CTRL_ENABLE */
    uint32_t xfrm;  /* OFNIC_RSS_CTRL_SYM_XOR or _SYM_OR_XOR, or 0 */
    bool tbl_valid; /* tbl matches key */
    struct ofnic_toeplitz_tbl tbl;
};

/*
 * Hash a parsed packet with context ctx. Returns the OFNIC_RXC_HASH_* type;
 * with a type other than NONE, *hash and *queue (the raw indirection entry, not
 * range checked) are set.
 */
unsigned int ofnic_rss(struct ofnic_rss_ctx *ctx, const uint8_t *buf,
                       const struct ofnic_pkt_info *pi, uint32_t *hash,
                       uint32_t *queue);

/*
 * RX classification (datasheet "Receive pipeline", steps 3 to 5): VLAN filter
 * and strip, checksum validation, ntuple rules and RSS.
 */
#define OFNIC_NTUPLE_REGS 20 /* words 0x00..0x4c of a rule */

struct ofnic_rx_cfg {
    uint32_t offload; /* effective OFNIC_OFFLOAD_* */
    uint32_t queues;  /* OFNIC_REG_QUEUES */
    bool need_csum;   /* coalescing: check checksums even without RX_CSUM */
    const uint32_t *vlan_filter;                /* OFNIC_VLAN_FILTER_REGS */
    struct ofnic_rss_ctx *rss;                  /* OFNIC_RSS_MAX_CONTEXTS */
    const uint32_t (*ntuple)[OFNIC_NTUPLE_REGS]; /* OFNIC_NTUPLE_MAX_RULES */
    const uint32_t *tunnel_ports; /* OFNIC_TUNNEL_PORTS entries (TUNNEL_RX) */
    bool geneve;                  /* GENEVE entries are valid */
};

enum ofnic_rx_verdict {
    OFNIC_RXV_PASS,
    OFNIC_RXV_DROP_VLAN,
    OFNIC_RXV_DROP_NTUPLE,
};

struct ofnic_rx_result {
    const uint8_t *frame; /* the frame to deliver: buf or, stripped, scratch */
    size_t len;
    struct ofnic_pkt_info pi; /* of frame */
    struct ofnic_rx_meta meta;
    uint32_t queue;    /* < cfg->queues */
    uint32_t csum;     /* OFNIC_RXC_{IP,L4}_CSUM_OK / CSUM_ERR as checked */
    uint32_t pay_sum;  /* TCP: one's complement sum of the payload */
    int rule;          /* the ntuple rule that matched, or -1 */
    bool bad_rule;     /* it names a queue or context that does not exist */
    uint32_t bad_queue; /* a queue number >= queues that was wrapped, or 0 */
    bool tunnel;       /* a tunnel packet: inner is its inner frame */
    struct ofnic_pkt_info inner;
};

/*
 * scratch holds OFNIC_MAX_FRAME bytes (a frame whose tag is stripped is
 * written there). Never reads outside buf[0, len).
 */
enum ofnic_rx_verdict ofnic_rx_classify(const struct ofnic_rx_cfg *cfg,
                                        const uint8_t *buf, size_t len,
                                        uint8_t *scratch,
                                        struct ofnic_rx_result *res);

/*
 * Checksum validation of a parsed frame: OFNIC_RXC_IP_CSUM_OK, L4_CSUM_OK and
 * CSUM_ERR bits. For TCP, *pay_sum gets the (unfolded) sum of the payload.
 */
uint32_t ofnic_rx_csum(const uint8_t *buf, size_t len,
                       const struct ofnic_pkt_info *pi, uint32_t *pay_sum);

/*
 * Receive coalescing (LRO and HW-GRO) of one RX queue. The engine does not
 * allocate: the caller gives flows buffers of OFNIC_RSC_BUF_SIZE bytes, either
 * all up front (flow[i].buf) or on demand through ofnic_rsc_cfg.buf_alloc. A
 * zeroed ofnic_rsc_queue (plus buffers) is an empty table.
 */
#define OFNIC_RSC_FLOWS 512 /* OFNIC_REG_RSC_FLOWS */
#define OFNIC_RSC_HASH 1024 /* lookup buckets, a power of 2 */
/* a flow is flushed once this many frames came to its queue after it started */
#define OFNIC_RSC_AGE_FRAMES 1024
/* or once it is this many timeouts old, however busy the queue */
#define OFNIC_RSC_AGE_TIMEOUTS 64
#define OFNIC_RSC_BUF_SIZE OFNIC_RX_MAX_COALESCE

struct ofnic_rsc_flow {
    uint8_t *buf;
    bool active;
    uint8_t nl3;       /* IP headers: 1, or 2 for IP-in-IP */
    bool v6[2];        /* outer, inner */
    bool fixedid[2];   /* IPv4 ID fixed rather than incrementing */
    bool lro;          /* merged by the LRO rules */
    uint16_t l3_off[2];
    uint16_t l4_off;
    uint16_t hdr_len;  /* headers up to the TCP payload */
    uint16_t mss;      /* payload of the first segment */
    uint16_t segs;
    uint16_t ip_id[2]; /* of the first segment */
    uint16_t hnext;    /* index + 1 of the next flow in its bucket, or 0 */
    uint16_t older;    /* index + 1 of the next older / newer flow, or 0 */
    uint16_t newer;
    uint16_t hash;
    uint32_t len;      /* bytes in buf: headers and payload */
    uint32_t frame_len; /* the first frame as it came (Ethernet padding) */
    uint32_t next_seq;
    uint32_t pay_sum;  /* of the payload in buf */
    uint64_t wire_bytes;
    uint64_t t_first;  /* when the first segment came, caller's clock */
    uint32_t n_first;  /* the queue's frame count then */
    struct ofnic_rx_meta meta; /* of the first segment, as it came */
};

struct ofnic_rsc_queue {
    struct ofnic_rsc_flow flow[OFNIC_RSC_FLOWS];
    uint16_t bucket[OFNIC_RSC_HASH]; /* index + 1 of a flow, or 0 */
    uint16_t oldest;  /* index + 1 of the oldest active flow, or 0 */
    uint16_t newest;
    uint16_t free;    /* index + 1 of a free slot (chained by hnext), or 0 */
    uint16_t nused;   /* slots [0, nused) have been used */
    uint16_t nactive;
    uint32_t frames;  /* frames that came to the queue (wraps) */
    uint64_t t_last;  /* when the last one came */
};

/*
 * Delivers one frame (a flushed flow). Returns false if the RX ring has no
 * room: the flow then stays as it was and the caller retries later.
 */
typedef bool (*ofnic_rsc_out_fn)(void *opaque, const uint8_t *frame,
                                 size_t len, const struct ofnic_rx_meta *meta,
                                 uint16_t segs, uint64_t wire_bytes);

struct ofnic_rsc_cfg {
    bool lro;          /* LRO rules, else HW-GRO */
    bool fixedid_no_df; /* a fixed IPv4 ID coalesces without DF too */
    uint32_t max_size; /* frame bytes; 0: OFNIC_RSC_BUF_SIZE */
    uint64_t *gstats;  /* OFNIC_GSTAT_NUM: coalescing counters */
    ofnic_rsc_out_fn out;
    void *opaque;
    /* a buffer for a flow whose buf is NULL, or NULL (the flow passes) */
    uint8_t *(*buf_alloc)(void *opaque);
};

enum ofnic_rsc_result {
    OFNIC_RSC_HELD, /* the frame is in a flow */
    OFNIC_RSC_PASS, /* deliver the frame now, as it is */
    OFNIC_RSC_BUSY, /* a flush found no room: nothing changed, retry later */
};

/* res is what ofnic_rx_classify() made of the frame; now is in any unit. */
enum ofnic_rsc_result ofnic_rsc_rx(struct ofnic_rsc_queue *rq,
                                   const struct ofnic_rsc_cfg *cfg,
                                   const struct ofnic_rx_result *res,
                                   uint64_t now);
/*
 * Flush what is due at now: every flow if no frame came for timeout (the queue
 * is quiet), else the flows OFNIC_RSC_AGE_TIMEOUTS timeouts old. False if the
 * ring filled up (what is left stays due).
 */
bool ofnic_rsc_expire(struct ofnic_rsc_queue *rq,
                      const struct ofnic_rsc_cfg *cfg, uint64_t now,
                      uint64_t timeout);
/* When ofnic_rsc_expire() next has work, or UINT64_MAX (no flow held). */
uint64_t ofnic_rsc_due(const struct ofnic_rsc_queue *rq, uint64_t timeout);
/* Flush every flow (reason: OFNIC_GSTAT_RX_FLUSH_*). */
bool ofnic_rsc_flush_all(struct ofnic_rsc_queue *rq,
                         const struct ofnic_rsc_cfg *cfg, unsigned int reason);
/* Forget every flow without delivering it; returns how many frames it held. */
unsigned int ofnic_rsc_discard(struct ofnic_rsc_queue *rq);
/* Earliest t_first of a held flow, or UINT64_MAX. */
uint64_t ofnic_rsc_oldest(const struct ofnic_rsc_queue *rq);

/*
 * Checksums and CRCs.
 *
 * ofnic_csum_add() returns sum + the one's complement sum of the big-endian
 * 16-bit words of buf (an odd tail is padded with a zero byte), reduced to 32
 * bits; chain only even lengths. ofnic_csum_fold() folds it to 16 bits and
 * complements it: the value to store big-endian.
 */
uint32_t ofnic_csum_add(uint32_t sum, const void *buf, size_t len);
uint16_t ofnic_csum_fold(uint32_t sum);

/* a + b as one's complement sums (end-around carry) */
static inline uint32_t ofnic_csum_combine(uint32_t a, uint32_t b)
{
    a += b;
    return a + (a < b);
}

/* The sum of the same bytes placed at an odd offset: fold, then swap. */
static inline uint32_t ofnic_csum_swab(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return ((sum & 0xff) << 8) | (sum >> 8);
}

/* CRC32c (Castagnoli), reflected, no pre/post inversion: ~f(~0, buf, len) */
uint32_t ofnic_crc32c(uint32_t crc, const void *buf, size_t len);
/* CRC32 (IEEE 802.3), reflected, no inversion: the kernel's crc32_le() */
uint32_t ofnic_crc32_le(uint32_t crc, const void *buf, size_t len);

/*
 * MAC address filter.
 */
enum ofnic_mac_verdict {
    OFNIC_MAC_DROP,
    OFNIC_MAC_UNICAST,
    OFNIC_MAC_BROADCAST,
    OFNIC_MAC_MULTICAST,
};

struct ofnic_mac_filter {
    uint8_t mac[6];
    uint32_t offload; /* OFNIC_OFFLOAD_* (effective bits) */
    uint32_t mc_hash[OFNIC_MC_FILTER_REGS];
};

/* The multicast hash bit: crc32_le(~0, addr, 6) & 0xfff (ether_crc_le). */
unsigned int ofnic_mc_hash(const uint8_t addr[6]);
enum ofnic_mac_verdict ofnic_mac_filter(const struct ofnic_mac_filter *f,
                                        const uint8_t dst[6]);

/*
 * Wire fault injection, a test aid (QEMU properties fault-*, off by default):
 * what happens to a frame from the wire. Rates are per OFNIC_FAULT_SCALE
 * frames; the generator is seeded so that a run can be repeated.
 */
#define OFNIC_FAULT_SCALE 10000

enum ofnic_fault_act {
    OFNIC_FAULT_NONE,
    OFNIC_FAULT_DROP,
    OFNIC_FAULT_CORRUPT, /* one bit flipped after the Ethernet header */
    OFNIC_FAULT_DUP,     /* delivered twice */
    OFNIC_FAULT_REORDER, /* delivered after the next frame */
    OFNIC_FAULT_NUM
};

struct ofnic_fault {
    uint32_t rate[OFNIC_FAULT_NUM]; /* by action; rate[NONE] is unused */
    uint64_t rng;                   /* xorshift64 state */
};

void ofnic_fault_seed(struct ofnic_fault *f, uint64_t seed);
bool ofnic_fault_active(const struct ofnic_fault *f);
/* The rates must add up to at most OFNIC_FAULT_SCALE. */
enum ofnic_fault_act ofnic_fault_pick(struct ofnic_fault *f);
/*
 * Flips one bit past the frame's first OFNIC_FAULT_CORRUPT_FROM bytes: in the
 * payload of a TCP/UDP frame over IPv4 or IPv6, where its checksum catches it
 * (a flip in the headers could steer the frame elsewhere). Returns its offset,
 * 0 for a frame that short (left alone).
 */
#define OFNIC_FAULT_CORRUPT_FROM 128
size_t ofnic_fault_corrupt(struct ofnic_fault *f, uint8_t *frame, size_t len);

/*
 * IEEE 802.3 Annex 31B flow control (OFNIC_REG_FC_CTRL): MAC control frames
 * from the wire, and the PAUSE frames the device sends.
 */
#define OFNIC_ETH_P_MAC_CTRL 0x8808
#define OFNIC_MAC_CTRL_OP_PAUSE 0x0001
#define OFNIC_PAUSE_FRAME_LEN 60 /* minimum frame, no FCS */

enum ofnic_mac_ctrl {
    OFNIC_MAC_CTRL_NONE,  /* not a MAC control frame: the receive path's */
    OFNIC_MAC_CTRL_PAUSE, /* a PAUSE to us: *quanta is its pause_time */
    OFNIC_MAC_CTRL_OTHER, /* any other MAC control frame: dropped */
};

/* Classifies a frame from the wire; station is the unicast address. */
enum ofnic_mac_ctrl ofnic_mac_ctrl_parse(const uint8_t *frame, size_t len,
                                         const uint8_t station[6],
                                         uint16_t *quanta);
/* Writes a PAUSE frame of OFNIC_PAUSE_FRAME_LEN bytes to buf. */
void ofnic_pause_build(uint8_t *buf, const uint8_t src[6], uint16_t quanta);
/* How long pause_time quanta last at speed_mbps, in nanoseconds. */
uint64_t ofnic_pause_ns(uint16_t quanta, uint32_t speed_mbps);

/* RS(528,514) codewords a frame of len bytes fills (OFNIC_REG_FEC_CTRL) */
uint32_t ofnic_fec_rs_codewords(size_t len);

#endif /* OFNIC_ENGINE_H */
