/*
 * ofnic device model: state shared by the QEMU glue files (ofnic.c: PCI,
 * registers, TX, reset; ofnic_rx.c: the receive path).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_NET_OFNIC_INT_H
#define HW_NET_OFNIC_INT_H

#include "hw/pci/pci_device.h"
#include "net/net.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "system/runstate.h"
#include "qom/object.h"

#include "ofnic_hw.h"
#include "ofnic_engine.h"

#define TYPE_OFNIC "ofnic"
OBJECT_DECLARE_SIMPLE_TYPE(OfnicState, OFNIC)

/* Capabilities always present. */
#define OFNIC_CAPS (OFNIC_CAP_RSS | OFNIC_CAP_ITR | OFNIC_CAP_MC_FILTER)
/* RX offload capabilities: properties clear them. */
#define OFNIC_CAPS_RX                                                      \
    (OFNIC_CAP_RX_VLAN_STRIP | OFNIC_CAP_RX_VLAN_FILTER | OFNIC_CAP_RX_CSUM | \
     OFNIC_CAP_LRO | OFNIC_CAP_HW_GRO | OFNIC_CAP_RSS_CONTEXTS |            \
     OFNIC_CAP_NTUPLE | OFNIC_CAP_RSS_SYM | OFNIC_CAP_RSS_FLOW_LABEL)
/* TX offload capabilities: each one can be cleared by a property. */
#define OFNIC_CAPS_TX                                                        \
    (OFNIC_CAP_TX_CSUM | OFNIC_CAP_TX_SCTP_CRC | OFNIC_CAP_TX_IP4_CSUM |      \
     OFNIC_CAP_TSO4 | OFNIC_CAP_TSO6 | OFNIC_CAP_TSO_ECN |                   \
     OFNIC_CAP_TSO_MANGLEID | OFNIC_CAP_USO | OFNIC_CAP_UFO | OFNIC_CAP_TX_VLAN)
/* Tunnel capabilities: "tunnel" clears them all, others one each. */
#define OFNIC_CAPS_TUNNEL                                                 \
    (OFNIC_CAP_TUNNEL_PORTS | OFNIC_CAP_TUNNEL_TSO | OFNIC_CAP_TUNNEL_CSUM | \
     OFNIC_CAP_TUNNEL_OUTER_CSUM | OFNIC_CAP_TUNNEL_RX | OFNIC_CAP_GENEVE |  \
     OFNIC_CAP_IP_TUNNEL_TSO)
#define OFNIC_CAPS_TSO                                   \
    (OFNIC_CAP_TSO4 | OFNIC_CAP_TSO6 | OFNIC_CAP_TSO_ECN | \
     OFNIC_CAP_TSO_MANGLEID)
/* OFFLOAD_CTRL bits always backed (RX offload bits follow their caps). */
#define OFNIC_OFFLOADS                                                    \
    (OFNIC_OFFLOAD_RSS | OFNIC_OFFLOAD_PROMISC | OFNIC_OFFLOAD_ALLMULTI | \
     OFNIC_OFFLOAD_MC_FILTER | OFNIC_OFFLOAD_RSC_FIXEDID_NO_DF)
#define OFNIC_OFFLOAD_RSC (OFNIC_OFFLOAD_LRO | OFNIC_OFFLOAD_HW_GRO)

/* The property bit numbers below are the datasheet's. */
QEMU_BUILD_BUG_ON(OFNIC_CAP_TX_CSUM != BIT_ULL(0) ||
                  OFNIC_CAP_TX_SCTP_CRC != BIT_ULL(1) ||
                  OFNIC_CAP_TX_IP4_CSUM != BIT_ULL(2) ||
                  OFNIC_CAP_TSO4 != BIT_ULL(3) ||
                  OFNIC_CAP_TSO6 != BIT_ULL(4) ||
                  OFNIC_CAP_TSO_ECN != BIT_ULL(5) ||
                  OFNIC_CAP_TSO_MANGLEID != BIT_ULL(6) ||
                  OFNIC_CAP_USO != BIT_ULL(7) || OFNIC_CAP_UFO != BIT_ULL(8) ||
                  OFNIC_CAP_TX_VLAN != BIT_ULL(9) ||
                  OFNIC_CAP_RX_CSUM != BIT_ULL(12) ||
                  OFNIC_CAP_LRO != BIT_ULL(13) ||
                  OFNIC_CAP_HW_GRO != BIT_ULL(14) ||
                  OFNIC_CAP_RSS_CONTEXTS != BIT_ULL(16) ||
                  OFNIC_CAP_NTUPLE != BIT_ULL(17) ||
                  OFNIC_CAP_TUNNEL_TSO != BIT_ULL(19) ||
                  OFNIC_CAP_TUNNEL_OUTER_CSUM != BIT_ULL(21) ||
                  OFNIC_CAP_GENEVE != BIT_ULL(25) ||
                  OFNIC_CAP_RSS_SYM != BIT_ULL(27) ||
                  OFNIC_CAP_IP_TUNNEL_TSO != BIT_ULL(28) ||
                  OFNIC_CAP_RSS_FLOW_LABEL != BIT_ULL(29));

#define OFNIC_DEFAULT_SPEED 25000 /* Mbit/s, the "speed" property */
#define OFNIC_DEFAULT_QUEUES 4
#define OFNIC_DEFAULT_MAX_FRAME (1500 + 14 + 4 + 4)
#define OFNIC_TX_BUDGET 256   /* wire frames per TX bottom half run */
/* ...and bytes: a frame costs one unit per started 2 KiB (jumbo frames more) */
#define OFNIC_TX_BUDGET_BYTES (512 * KiB)
#define OFNIC_TX_QUOTA_MIN 16 /* wire frames per queue per run, at least */
#define OFNIC_TX_DOORBELLS 256 /* TX doorbells remembered in arrival order */
#define OFNIC_RSC_TIMEOUT_MIN_MAX 100000 /* rsc-timeout-min, microseconds */
#define OFNIC_ITR_MAX_FRAMES 1024
/* words of one RSS context block */
#define OFNIC_RSS_CTX_REGS (OFNIC_RSS_CTX_STRIDE / 4)

typedef struct OfnicQueue {
    OfnicState *s;
    uint16_t index;
    bool is_rx;
    bool stalled; /* RX: waiting for buffers, stall counted */
    bool overrun; /* RX: drops what does not fit, until TAIL is written */
    bool timer_running;
    uint32_t base_lo; /* latched until BASE_HI */
    uint64_t base;
    uint32_t size;
    uint32_t ctrl;
    uint32_t tail;
    uint32_t head;
    uint32_t itr;
    uint32_t wb_lo; /* TX: head write-back, latched */
    uint64_t wb_addr;
    uint32_t buf_size;    /* RX */
    uint32_t irq_pending; /* completions not signalled yet */
    QEMUTimer *itr_timer;
    /* RX coalescing: flows (allocated at first use), their timeout timer */
    struct ofnic_rsc_queue *rsc;
    QEMUTimer *rsc_timer;
    bool rsc_timer_running;
    bool rsc_retry; /* a flush found the ring full: retry at TAIL */
} OfnicQueue;

struct OfnicState {
    PCIDevice parent_obj;

    NICState *nic;
    NICConf conf;
    VMChangeStateEntry *vm_state;
    MemoryRegion mmio;
    QEMUBH *tx_bh;
    struct ofnic_dma dma;
    uint8_t *tx_buf;     /* OFNIC_TX_MAX_PKT_LEN, one packet */
    uint8_t *lb_buf;     /* OFNIC_MAX_FRAME: a looped-back frame made linear */
    uint8_t *rx_scratch; /* OFNIC_MAX_FRAME: a frame with its tag stripped */
    uint64_t *stats_buf; /* OFNIC_STATS_SIZE(queues) */

    /* properties */
    uint32_t queues;
    uint32_t speed;   /* link speed reported in STATUS, Mbit/s */
    uint32_t nvec;
    uint64_t tx_caps; /* OFNIC_CAPS_TX bits left on by the properties */
    bool tso;         /* false clears every TSO capability */
    uint64_t rx_caps; /* OFNIC_CAPS_RX bits left on by the properties */
    uint64_t tun_caps; /* OFNIC_CAPS_TUNNEL bits left on by the properties */
    bool tunnel;       /* property: all tunnel capabilities */
    bool rx_vlan;     /* false clears VLAN_STRIP and VLAN_FILTER */
    bool pause;       /* false clears OFNIC_CAP_PAUSE */
    bool fec;         /* false clears OFNIC_CAP_FEC */
    bool loopback;    /* false clears OFNIC_CAP_LOOPBACK */

    uint64_t caps;               /* OFNIC_REG_CAP_LO/HI */
    struct ofnic_txo_cfg txo;    /* capabilities and IPv6 fragment ID */

    /* registers */
    uint32_t ctrl;
    uint32_t offload;      /* OFFLOAD_CTRL as the device applies it */
    uint32_t offload_mask; /* OFFLOAD_CTRL bits backed by a capability */
    uint32_t max_frame;
    uint32_t misc_cause;
    uint32_t misc_mask;
    uint32_t misc_vector;
    uint32_t rsc_ctrl;
    uint32_t mac_lo; /* latched until MAC_HI */
    uint8_t perm_mac[6];
    uint32_t stats_lo;
    uint64_t stats_addr;
    uint32_t tunnel_port[OFNIC_TUNNEL_PORTS];
    uint32_t vlan_filter[OFNIC_VLAN_FILTER_REGS];
    uint32_t rss_regs[OFNIC_RSS_MAX_CONTEXTS][OFNIC_RSS_CTX_REGS];
    uint32_t ntuple[OFNIC_NTUPLE_MAX_RULES][OFNIC_NTUPLE_REGS];
    bool vec_armed[OFNIC_MAX_VECTORS];
    bool vec_pending[OFNIC_MAX_VECTORS];

    struct ofnic_mac_filter filt; /* MAC, effective offloads, MC hash table */
    /* RSS contexts as the engine uses them */
    struct ofnic_rss_ctx rss[OFNIC_RSS_MAX_CONTEXTS];

    OfnicQueue txq[OFNIC_MAX_QUEUES];
    OfnicQueue rxq[OFNIC_MAX_QUEUES];
    uint32_t tx_rr;
    /* TX doorbells (queue, tail) not yet served, oldest first; not migrated */
    struct {
        uint16_t queue;
        uint16_t tail;
    } tx_db[OFNIC_TX_DOORBELLS];
    uint32_t tx_db_first, tx_db_count;
    bool tx_waiting; /* the peer queued a frame: TX waits for ofnic_tx_sent() */

    /* floor on the coalescing quiet time, microseconds (rsc-timeout-min) */
    uint32_t rsc_timeout_min;

    /* wire fault injection (properties fault-*; see ofnic_rx.c) */
    struct ofnic_fault fault;
    uint64_t fault_seed;
    bool fault_on;
    uint8_t *fault_buf;  /* OFNIC_MAX_FRAME: a corrupted copy */
    uint8_t *fault_held; /* OFNIC_MAX_FRAME: the frame held back to reorder */
    size_t fault_held_len;
    QEMUTimer *fault_timer;

    /* 802.3x flow control and FEC (ofnic_link.c) */
    uint32_t fec_ctrl;
    uint32_t fc_ctrl;
    uint32_t fc_quanta;
    uint64_t fc_pause_until;  /* TX starts no frame before (virtual ns), or 0 */
    bool fc_congested;        /* a frame from the wire waits for RX buffers */
    bool fc_xoff_sent;        /* the link partner was told to pause */
    QEMUTimer *fc_tx_timer;   /* restarts TX at fc_pause_until */
    QEMUTimer *fc_send_timer; /* sends the next PAUSE frame */

    /* a frame from the wire waits for RX buffers (ofnic_rx.c), since when */
    bool rx_waiting;
    int64_t rx_wait_since;
    QEMUTimer *rx_wait_timer; /* fires when the wait is over */

    bool mig_link_down; /* migration: link was down (subsection ofnic/link) */

    uint64_t gstats[OFNIC_GSTAT_NUM];
    uint64_t qstats[OFNIC_MAX_QUEUES][OFNIC_QSTAT_NUM];
};

#define GSTAT(s, e) ((s)->gstats[OFNIC_GSTAT_##e])
#define QSTAT(s, q, e) ((s)->qstats[(q)->index][OFNIC_QSTAT_##e])


static inline bool ofnic_q_running(const OfnicQueue *q)
{
    return (q->ctrl & (OFNIC_Q_CTRL_ENABLE | OFNIC_Q_CTRL_ERROR)) ==
           OFNIC_Q_CTRL_ENABLE;
}

/* ofnic.c */
void ofnic_q_event(OfnicQueue *q, uint32_t n);
void ofnic_ring_error(OfnicState *s, OfnicQueue *q, const char *why);
void ofnic_misc_raise(OfnicState *s, uint32_t cause);
bool ofnic_io_enter(OfnicState *s);
void ofnic_io_exit(OfnicState *s, bool engaged);

/* ofnic_link.c */
bool ofnic_link_is_reg(hwaddr addr);
uint32_t ofnic_link_read(OfnicState *s, hwaddr addr);
void ofnic_link_write(OfnicState *s, hwaddr addr, uint32_t val);
bool ofnic_fec_rx(OfnicState *s, size_t size, bool flipped);
bool ofnic_fc_rx(OfnicState *s, const uint8_t *buf, size_t size);
bool ofnic_fc_tx_paused(OfnicState *s);
void ofnic_fc_congestion(OfnicState *s, bool congested);
void ofnic_link_reset(OfnicState *s);
void ofnic_link_post_load(OfnicState *s);
void ofnic_link_realize(OfnicState *s);
void ofnic_link_unrealize(OfnicState *s);

/* ofnic_rx.c */
extern NetClientInfo ofnic_net_info;
ssize_t ofnic_rx_frame(OfnicState *s, const uint8_t *buf, size_t size,
                       bool loopback);
void ofnic_rx_realize(OfnicState *s);
void ofnic_rx_unrealize(OfnicState *s);
void ofnic_rx_reset(OfnicState *s);
void ofnic_rx_set_offload(OfnicState *s, uint32_t val);
void ofnic_rx_queue_disabled(OfnicQueue *q);
void ofnic_rx_tail_written(OfnicQueue *q);
void ofnic_rx_flush(OfnicState *s);
/* ofnic_migration.c */
extern const VMStateDescription vmstate_ofnic;
void ofnic_vm_state_change(void *opaque, bool running, RunState state);
bool ofnic_q_config_ok(OfnicQueue *q, const char **why);

void ofnic_rx_pre_save(OfnicState *s);
void ofnic_rx_post_load(OfnicState *s);
bool ofnic_rss_is_reg(hwaddr addr);
void ofnic_rss_write(OfnicState *s, hwaddr addr, uint32_t val);
uint32_t ofnic_rss_read(OfnicState *s, hwaddr addr);

#endif /* HW_NET_OFNIC_INT_H */
