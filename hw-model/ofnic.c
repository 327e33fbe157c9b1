/*
 * ofnic: a virtual PCIe Ethernet controller (see include/ofnic_hw.h, the
 * datasheet).
 *
 * This file is the QEMU glue: PCI/MSI-X, registers, bottom halves, timers and
 * the netdev. Ring walking, parsing, hashing and filtering live in engine/,
 * which knows nothing of QEMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/guest-random.h"
#include "qemu/iov.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "system/system.h"
#include "net/net.h"
#include "qom/object.h"

#include "ofnic_hw.h"
#include "ofnic_engine.h"

#include "ofnic_int.h"
#include "trace.h"


/*
 * DMA
 */
/*
 * PCIe has no request that wraps past 2^64; pci_dma_rw() would carry on at
 * address 0, into whatever the guest keeps there. Every DMA the device does
 * goes through these two.
 */
static bool ofnic_dma_wraps(uint64_t addr, size_t len)
{
    if (len && addr + len - 1 < addr) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: DMA of %zu bytes at 0x%" PRIx64
                      " wraps past 2^64: refused\n", len, addr);
        return true;
    }
    return false;
}

static int ofnic_dma_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
    OfnicState *s = opaque;

    if (ofnic_dma_wraps(addr, len)) {
        return -1;
    }
    return pci_dma_read(&s->parent_obj, addr, buf, len) != MEMTX_OK;
}

static int ofnic_dma_write(void *opaque, uint64_t addr, const void *buf,
                           size_t len)
{
    OfnicState *s = opaque;

    if (ofnic_dma_wraps(addr, len)) {
        return -1;
    }
    return pci_dma_write(&s->parent_obj, addr, buf, len) != MEMTX_OK;
}

/*
 * Interrupts: MSI-X only, one-shot vectors armed through VEC_ARM.
 */
static inline unsigned int ofnic_q_vector(const OfnicQueue *q)
{
    return (q->ctrl & OFNIC_Q_CTRL_VECTOR_MASK) >> 16;
}

static void ofnic_q_irq_clear(OfnicQueue *q)
{
    q->irq_pending = 0;
    if (q->timer_running) {
        timer_del(q->itr_timer);
        q->timer_running = false;
    }
}

static void ofnic_vec_fire(OfnicState *s, unsigned int v)
{
    unsigned int i;

    trace_ofnic_irq(v);
    s->vec_armed[v] = false;
    s->vec_pending[v] = false;
    msix_notify(&s->parent_obj, v);

    /*
     * This interrupt covers every queue on the vector: restart their
     * moderation.
     */
    for (i = 0; i < s->queues; i++) {
        bool tx = ofnic_q_vector(&s->txq[i]) == v;
        bool rx = ofnic_q_vector(&s->rxq[i]) == v;

        if (tx) {
            ofnic_q_irq_clear(&s->txq[i]);
        }
        if (rx) {
            ofnic_q_irq_clear(&s->rxq[i]);
        }
        if (tx || rx) {
            s->qstats[i][OFNIC_QSTAT_IRQS]++;
        }
    }
}

static void ofnic_vec_request(OfnicState *s, unsigned int v)
{
    if (v >= s->nvec) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: interrupt on vector %u, device has %u\n", v,
                      s->nvec);
        return;
    }
    if (s->vec_armed[v]) {
        ofnic_vec_fire(s, v);
    } else {
        trace_ofnic_irq_latched(v);
        s->vec_pending[v] = true;
    }
}

static void ofnic_q_signal(OfnicQueue *q)
{
    ofnic_q_irq_clear(q);
    ofnic_vec_request(q->s, ofnic_q_vector(q));
}

/* n completions on queue q: fire now or let moderation delay it. */
void ofnic_q_event(OfnicQueue *q, uint32_t n)
{
    uint32_t usecs = q->itr & OFNIC_Q_ITR_USECS_MASK;
    uint32_t frames = (q->itr & OFNIC_Q_ITR_FRAMES_MASK) >> 16;

    q->irq_pending += n;
    if (!usecs || (frames && q->irq_pending >= frames)) {
        ofnic_q_signal(q);
        return;
    }
    if (!q->timer_running) {
        trace_ofnic_irq_moderated(q->is_rx ? 'R' : 'T', q->index,
                                  q->irq_pending, usecs);
        q->timer_running = true;
        timer_mod(q->itr_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                                    (int64_t)usecs * SCALE_US);
    }
}

/*
 * Timers have no guarded variant like qemu_bh_new_guarded(): each runs its
 * work between these two, so an MSI-X message the guest aimed at our own BAR
 * is blocked as re-entrant IO, not run half-way through.
 */
bool ofnic_io_enter(OfnicState *s)
{
    MemReentrancyGuard *guard = &DEVICE(s)->mem_reentrancy_guard;
    bool engaged = guard->engaged_in_io;

    guard->engaged_in_io = true;
    return engaged;
}

void ofnic_io_exit(OfnicState *s, bool engaged)
{
    DEVICE(s)->mem_reentrancy_guard.engaged_in_io = engaged;
}

static void ofnic_itr_timer(void *opaque)
{
    OfnicQueue *q = opaque;
    bool engaged = ofnic_io_enter(q->s);

    q->timer_running = false;
    if (q->irq_pending) {
        ofnic_q_signal(q);
    }
    ofnic_io_exit(q->s, engaged);
}

void ofnic_misc_raise(OfnicState *s, uint32_t cause)
{
    uint32_t new = cause & ~s->misc_cause;

    s->misc_cause |= cause;
    if (new & s->misc_mask) {
        ofnic_vec_request(s, s->misc_vector);
    }
}

void ofnic_ring_error(OfnicState *s, OfnicQueue *q, const char *why)
{
    trace_ofnic_ring_error(q->is_rx ? 'R' : 'T', q->index, why);
    qemu_log_mask(LOG_GUEST_ERROR, "ofnic: %cXQ%u stopped: %s\n",
                  q->is_rx ? 'R' : 'T', q->index, why);
    if (!(q->ctrl & OFNIC_Q_CTRL_ERROR)) {
        q->ctrl |= OFNIC_Q_CTRL_ERROR;
        GSTAT(s, RING_ERRORS)++;
        ofnic_misc_raise(s, OFNIC_MISC_QUEUE_ERR);
    }
}

/*
 * TX
 */

/* The peer took the frames it had queued: TX goes on. */
static void ofnic_tx_sent(NetClientState *nc, ssize_t len)
{
    OfnicState *s = qemu_get_nic_opaque(nc);

    s->tx_waiting = false;
    qemu_bh_schedule(s->tx_bh);
}

/* One frame to the wire, or back into RX in loopback mode. */
static void ofnic_tx_frame(OfnicState *s, OfnicQueue *q,
                           const struct iovec *iov, int iovcnt, size_t len)
{
    if (s->filt.offload & OFNIC_OFFLOAD_LOOPBACK) {
        GSTAT(s, TX_LOOPBACK)++;
        if (iovcnt == 1) {
            ofnic_rx_frame(s, iov[0].iov_base, len, true);
        } else if (len > OFNIC_MAX_FRAME) {
            GSTAT(s, RX_DROP_SIZE)++; /* longer than any MAX_FRAME */
        } else {
            iov_to_buf(iov, iovcnt, 0, s->lb_buf, len);
            ofnic_rx_frame(s, s->lb_buf, len, true);
        }
        return;
    }
    GSTAT(s, TX_FRAMES)++;
    GSTAT(s, TX_BYTES) += len;
    QSTAT(s, q, TX_WIRE_PKTS)++;
    QSTAT(s, q, TX_WIRE_BYTES) += len;
    if (!qemu_sendv_packet_async(qemu_get_queue(s->nic), iov, iovcnt,
                                 ofnic_tx_sent)) {
        /* queued for a congested peer: no next packet until ofnic_tx_sent() */
        s->tx_waiting = true;
    }
}

typedef struct OfnicTxEmit {
    OfnicState *s;
    OfnicQueue *q;
} OfnicTxEmit;

static int ofnic_tx_emit(void *opaque, const struct ofnic_txo_iov *iov,
                         unsigned int iovcnt, size_t len)
{
    OfnicTxEmit *e = opaque;
    struct iovec v[OFNIC_TXO_MAX_IOV];
    unsigned int i;

    assert(iovcnt <= OFNIC_TXO_MAX_IOV);
    for (i = 0; i < iovcnt; i++) {
        v[i].iov_base = (void *)iov[i].base;
        v[i].iov_len = iov[i].len;
    }
    ofnic_tx_frame(e->s, e->q, v, iovcnt, len);
    return 0;
}

static void ofnic_tx_drop(OfnicState *s, OfnicQueue *q, uint32_t head,
                          enum ofnic_txo_err err, uint16_t offload)
{
    trace_ofnic_tx_offload_error(q->index, head, offload,
                                 ofnic_txo_err_str(err));
    qemu_log_mask(LOG_GUEST_ERROR,
                  "ofnic: TXQ%u: dropped packet at %u (offload 0x%x): %s\n",
                  q->index, head, offload, ofnic_txo_err_str(err));
    s->gstats[ofnic_txo_err_gstat(err)]++;
    QSTAT(s, q, TX_DROPS)++;
}

/* Offload counters of a packet the engine sent. */
static void ofnic_tx_count(OfnicState *s, OfnicQueue *q, uint32_t len,
                           const struct ofnic_txo_result *res)
{
    GSTAT(s, TX_CSUM) += res->l4_csums;
    GSTAT(s, TX_IP4_CSUM) += res->ip4_csums;
    GSTAT(s, TX_SCTP_CRC) += res->sctp_crcs;
    GSTAT(s, TX_VLAN) += res->vlan_tags;
    QSTAT(s, q, TX_CSUM) += res->l4_csums + res->sctp_crcs;
    if (res->tunnel) {
        GSTAT(s, TX_TUNNEL_PKTS)++;
        GSTAT(s, TX_TUNNEL_SEGS) += res->frames;
    }
    switch (res->seg) {
    case OFNIC_TXC_SEG_NONE:
        return;
    case OFNIC_TXC_SEG_TCP4:
    case OFNIC_TXC_SEG_TCP6:
        GSTAT(s, TX_TSO_PKTS)++;
        GSTAT(s, TX_TSO_SEGS) += res->frames;
        break;
    case OFNIC_TXC_SEG_UDP4:
    case OFNIC_TXC_SEG_UDP6:
        GSTAT(s, TX_USO_PKTS)++;
        GSTAT(s, TX_USO_SEGS) += res->frames;
        break;
    default:
        GSTAT(s, TX_UFO_PKTS)++;
        GSTAT(s, TX_UFO_FRAGS) += res->frames;
        break;
    }
    QSTAT(s, q, TX_GSO_PKTS)++;
    QSTAT(s, q, TX_GSO_BYTES) += len;
    QSTAT(s, q, TX_GSO_WIRE_PKTS) += res->frames;
    QSTAT(s, q, TX_GSO_WIRE_BYTES) += res->bytes;
}

/* What frames..bytes on the wire cost of the TX budget: at least 1 */
static unsigned int ofnic_tx_cost(unsigned int frames, uint64_t bytes)
{
    uint64_t units = DIV_ROUND_UP(bytes,
                                  OFNIC_TX_BUDGET_BYTES / OFNIC_TX_BUDGET);

    return MAX(MAX(frames, units), 1);
}

/*
 * Send the packet fetched into tx_buf (descriptors at head). Returns what it
 * cost the TX budget (ofnic_tx_cost()).
 */
static unsigned int ofnic_tx_send(OfnicState *s, OfnicQueue *q, uint32_t head,
                                  const struct ofnic_tx_pkt *pkt)
{
    uint16_t offload = pkt->has_ctx ? le16_to_cpu(pkt->ctx.offload) : 0;
    struct ofnic_txo_result res;
    OfnicTxEmit e = { s, q };
    struct iovec iov;

    QSTAT(s, q, TX_PKTS)++;

    if (!(s->filt.offload & OFNIC_OFFLOAD_LOOPBACK) &&
        qemu_get_queue(s->nic)->link_down) {
        GSTAT(s, TX_DROP_LINK)++;
        QSTAT(s, q, TX_DROPS)++;
        return 1;
    }
    if (!offload) {
        if (pkt->len > OFNIC_MAX_FRAME) {
            ofnic_tx_drop(s, q, head, OFNIC_TXOE_FRAME_LEN, 0);
            return 1;
        }
        /* No offload: the gathered packet as it is, no pass over it. */
        iov.iov_base = s->tx_buf;
        iov.iov_len = pkt->len;
        ofnic_tx_frame(s, q, &iov, 1, pkt->len);
        return ofnic_tx_cost(1, pkt->len);
    }
    if (ofnic_tx_offload(&s->txo, &pkt->ctx, s->tx_buf, pkt->len,
                         ofnic_tx_emit, &e, &res) != OFNIC_TXOE_NONE) {
        ofnic_tx_drop(s, q, head, res.err, offload);
        return 1;
    }
    trace_ofnic_tx_offload(q->index, pkt->len, offload, res.seg, res.frames,
                           res.tunnel);
    ofnic_tx_count(s, q, pkt->len, &res);
    return ofnic_tx_cost(res.frames, res.bytes);
}

/*
 * Process packets of q until they cost quota budget units. Returns true if
 * the ring may hold more work.
 */
static bool ofnic_tx_queue(OfnicState *s, OfnicQueue *q, uint32_t tail,
                           unsigned int quota, unsigned int *done)
{
    struct ofnic_ring r = {
        .base = q->base,
        .size = q->size,
        .head = q->head,
        .tail = tail,
    };
    struct ofnic_tx_pkt pkt;
    unsigned int n = 0, cost = 0;
    bool more = true;

    while (r.head != r.tail) {
        if (cost >= quota || s->tx_waiting) {
            goto out;
        }
        switch (ofnic_tx_fetch(&s->dma, &r, s->tx_buf, OFNIC_TX_MAX_PKT_LEN,
                               &pkt)) {
        case OFNIC_TX_READY:
            cost += ofnic_tx_send(s, q, r.head, &pkt);
            break;
        case OFNIC_TX_NOT_READY:
            more = false;
            goto out;
        case OFNIC_TX_MALFORMED:
            qemu_log_mask(LOG_GUEST_ERROR,
                          "ofnic: TXQ%u: dropped packet at %u: %s\n", q->index,
                          r.head, ofnic_tx_error_str(pkt.error));
            if (pkt.error == OFNIC_TXE_TOO_LONG ||
                pkt.error == OFNIC_TXE_TOO_SHORT) {
                GSTAT(s, TX_DROP_LEN)++;
            } else {
                GSTAT(s, TX_DROP_DESC)++;
            }
            QSTAT(s, q, TX_DROPS)++;
            cost++;
            break;
        case OFNIC_TX_DMA_ERROR:
            if (pkt.desc_dma_error) {
                ofnic_ring_error(s, q, "descriptor read failed");
                more = false;
                goto out;
            }
            qemu_log_mask(LOG_GUEST_ERROR,
                          "ofnic: TXQ%u: buffer read failed at %u\n", q->index,
                          r.head);
            GSTAT(s, TX_DROP_DMA)++;
            QSTAT(s, q, TX_DROPS)++;
            cost++;
            break;
        }
        r.head = (r.head + pkt.ndesc) & (r.size - 1);
        n++;
    }
    more = false;
out:
    trace_ofnic_tx_ring(q->index, r.head, n, cost, more);
    if (n) {
        __le32 head = cpu_to_le32(r.head);

        q->head = r.head;
        if (q->wb_addr && ofnic_dma_write(s, q->wb_addr, &head,
                                          sizeof(head))) {
            ofnic_ring_error(s, q, "head write-back failed");
        }
        ofnic_q_event(q, n);
    }
    *done += cost;
    return more;
}

/*
 * Serve TX doorbells in the order they were rung, each up to the tail it wrote,
 * as an idle NIC serves every doorbell before the next arrives: packets sent in
 * turn on several queues (one flow per queue) reach the wire in that order.
 * Returns false if the budget ran out first.
 */
static bool ofnic_tx_doorbells(OfnicState *s, unsigned int *done)
{
    while (s->tx_db_count) {
        unsigned int i = s->tx_db_first;
        OfnicQueue *q = &s->txq[s->tx_db[i].queue];
        uint32_t tail = s->tx_db[i].tail, mask = q->size - 1;
        uint32_t todo = (tail - q->head) & mask;

        if (*done >= OFNIC_TX_BUDGET) {
            return false;
        }
        /* a tail behind head was served already, by an earlier doorbell */
        if (ofnic_q_running(q) && tail < q->size && todo &&
            todo <= ((q->tail - q->head) & mask)) {
            ofnic_tx_queue(s, q, tail, OFNIC_TX_BUDGET - *done, done);
            if (q->head != tail &&
                (*done >= OFNIC_TX_BUDGET || s->tx_waiting)) {
                return false; /* the budget or the peer ended it */
            }
        }
        s->tx_db_first = (i + 1) % OFNIC_TX_DOORBELLS;
        s->tx_db_count--;
    }
    return true;
}

static void ofnic_tx_doorbell(OfnicState *s, OfnicQueue *q)
{
    unsigned int i;

    if (s->tx_db_count == OFNIC_TX_DOORBELLS) {
        return; /* the round-robin pass serves it */
    }
    i = (s->tx_db_first + s->tx_db_count++) % OFNIC_TX_DOORBELLS;
    s->tx_db[i].queue = q->index;
    s->tx_db[i].tail = q->tail;
}

static void ofnic_tx_bh(void *opaque)
{
    OfnicState *s = opaque;
    unsigned int quota = MAX(OFNIC_TX_BUDGET / s->queues, OFNIC_TX_QUOTA_MIN);
    unsigned int done = 0, k;
    bool more = false;

    if (!(s->ctrl & OFNIC_CTRL_ENABLE) || ofnic_fc_tx_paused(s) ||
        !runstate_is_running() || s->tx_waiting) {
        return; /* doorbells stay latched until ENABLE, pause end, VM run */
    }
    if (!ofnic_tx_doorbells(s, &done)) {
        if (!s->tx_waiting) {
            qemu_bh_schedule(s->tx_bh);
        }
        return;
    }
    /* what no doorbell in the list covers: the rest, round-robin */
    for (k = 0; k < s->queues; k++) {
        OfnicQueue *q = &s->txq[(s->tx_rr + k) % s->queues];

        if (done >= OFNIC_TX_BUDGET || s->tx_waiting) {
            more = !s->tx_waiting;
            break;
        }
        if (!ofnic_q_running(q) || q->head == q->tail) {
            continue;
        }
        more |= ofnic_tx_queue(s, q, q->tail,
                               MIN(quota, OFNIC_TX_BUDGET - done), &done);
    }
    s->tx_rr = (s->tx_rr + 1) % s->queues;
    if (more && !s->tx_waiting) {
        qemu_bh_schedule(s->tx_bh);
    }
}

/*
 * RX
 */
/*
 * Reset
 */
static void ofnic_queue_reset(OfnicQueue *q)
{
    ofnic_q_irq_clear(q);
    q->stalled = false;
    q->overrun = false;
    q->base_lo = 0;
    q->base = 0;
    q->size = 0;
    q->ctrl = (uint32_t)(q->index + 1) << 16;
    q->tail = 0;
    q->head = 0;
    q->itr = 0;
    q->wb_lo = 0;
    q->wb_addr = 0;
    q->buf_size = 0;
}

static void ofnic_reset(OfnicState *s)
{
    unsigned int i;

    trace_ofnic_reset();
    qemu_bh_cancel(s->tx_bh);
    for (i = 0; i < OFNIC_MAX_QUEUES; i++) {
        ofnic_queue_reset(&s->txq[i]);
        ofnic_queue_reset(&s->rxq[i]);
    }
    s->tx_rr = 0;
    s->tx_db_first = 0;
    s->tx_db_count = 0;
    s->tx_waiting = false;
    /* IPv6 fragment IDs: a per-device counter from a random start. */
    qemu_guest_getrandom_nofail(&s->txo.frag6_id, sizeof(s->txo.frag6_id));
    s->ctrl = 0;
    s->offload = 0;
    s->max_frame = OFNIC_DEFAULT_MAX_FRAME;
    s->misc_cause = 0;
    s->misc_mask = 0;
    s->misc_vector = 0;
    s->rsc_ctrl = 0;
    s->stats_lo = 0;
    s->stats_addr = 0;
    memset(s->tunnel_port, 0, sizeof(s->tunnel_port));
    memset(s->vlan_filter, 0, sizeof(s->vlan_filter));
    memset(s->ntuple, 0, sizeof(s->ntuple));
    memset(s->vec_armed, 0, sizeof(s->vec_armed));
    memset(s->vec_pending, 0, sizeof(s->vec_pending));
    memset(s->gstats, 0, sizeof(s->gstats));
    memset(s->qstats, 0, sizeof(s->qstats));

    memset(&s->filt, 0, sizeof(s->filt));
    memcpy(s->filt.mac, s->perm_mac, 6);
    s->mac_lo = ldl_le_p(s->perm_mac);

    ofnic_rx_reset(s);
}

static void ofnic_qdev_reset_hold(Object *obj, ResetType type)
{
    /* a conventional reset (bus, system) clears the error reporting enables */
    pcie_cap_deverr_reset(PCI_DEVICE(obj));
    ofnic_reset(OFNIC(obj));
}

/*
 * Registers
 */
static void ofnic_stats_dump(OfnicState *s)
{
    size_t len = OFNIC_STATS_SIZE(s->queues);
    uint64_t *p = s->stats_buf;
    unsigned int i, j;

    for (i = 0; i < OFNIC_GSTAT_NUM; i++) {
        *p++ = cpu_to_le64(s->gstats[i]);
    }
    for (i = 0; i < s->queues; i++) {
        for (j = 0; j < OFNIC_QSTAT_NUM; j++) {
            *p++ = cpu_to_le64(s->qstats[i][j]);
        }
    }
    if (ofnic_dma_write(s, s->stats_addr, s->stats_buf, len)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: statistics write to 0x%" PRIx64 " failed\n",
                      s->stats_addr);
        return;
    }
    ofnic_misc_raise(s, OFNIC_MISC_STATS);
}

static void ofnic_set_ctrl(OfnicState *s, uint32_t val)
{
    bool was = s->ctrl & OFNIC_CTRL_ENABLE;

    if (val & OFNIC_CTRL_RESET) {
        ofnic_reset(s); /* synchronous: RESET reads 0 afterwards */
        return;
    }
    if (val & ~(OFNIC_CTRL_RESET | OFNIC_CTRL_ENABLE)) {
        qemu_log_mask(LOG_GUEST_ERROR, "ofnic: reserved CTRL bits 0x%x\n", val);
    }
    s->ctrl = val & OFNIC_CTRL_ENABLE;
    if (!was && (s->ctrl & OFNIC_CTRL_ENABLE)) {
        qemu_bh_schedule(s->tx_bh);
        ofnic_rx_flush(s);
    }
}

bool ofnic_q_config_ok(OfnicQueue *q, const char **why)
{
    uint64_t span;

    if (q->size < OFNIC_RING_MIN || q->size > OFNIC_RING_MAX ||
        (q->size & (q->size - 1))) {
        *why = "ring size not a power of two in range";
        return false;
    }
    if (q->is_rx && (q->buf_size < OFNIC_RX_BUF_MIN ||
                     q->buf_size > OFNIC_RX_BUF_MAX || q->buf_size % 64)) {
        *why = "bad RX buffer size";
        return false;
    }
    span = (uint64_t)q->size * sizeof(struct ofnic_tx_desc);
    if (q->base + span - 1 < q->base) {
        *why = "ring wraps past 2^64";
        return false;
    }
    return true;
}

static void ofnic_q_set_ctrl(OfnicState *s, OfnicQueue *q, uint32_t val)
{
    bool was = q->ctrl & OFNIC_Q_CTRL_ENABLE;
    bool en = val & OFNIC_Q_CTRL_ENABLE;
    const char *why;

    q->ctrl = (q->ctrl & ~OFNIC_Q_CTRL_VECTOR_MASK) |
              (val & OFNIC_Q_CTRL_VECTOR_MASK);
    if (ofnic_q_vector(q) >= s->nvec) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: %cXQ%u: vector %u out of range\n",
                      q->is_rx ? 'R' : 'T', q->index, ofnic_q_vector(q));
    }
    if (en && !was) {
        q->ctrl |= OFNIC_Q_CTRL_ENABLE;
        q->ctrl &= ~OFNIC_Q_CTRL_ERROR;
        q->head = 0;
        q->tail = 0;
        q->stalled = false;
        q->overrun = false;
        ofnic_q_irq_clear(q);
        if (!ofnic_q_config_ok(q, &why)) {
            ofnic_ring_error(s, q, why);
            return;
        }
        trace_ofnic_ring_enable(q->is_rx ? 'R' : 'T', q->index, q->base,
                                q->size, ofnic_q_vector(q));
        if (q->is_rx) {
            ofnic_rx_flush(s);
        }
    } else if (!en && was) {
        trace_ofnic_ring_disable(q->is_rx ? 'R' : 'T', q->index, q->head,
                                 q->tail);
        q->ctrl &= ~OFNIC_Q_CTRL_ENABLE;
        q->stalled = false;
        q->overrun = false;
        ofnic_q_irq_clear(q);
        if (q->is_rx) {
            ofnic_rx_queue_disabled(q);
        }
    }
}

static void ofnic_q_set_tail(OfnicState *s, OfnicQueue *q, uint32_t val)
{
    if (!ofnic_q_running(q)) {
        q->tail = val; /* latched; enabling resets it */
        return;
    }
    if (val >= q->size) {
        ofnic_ring_error(s, q, "TAIL >= SIZE");
        return;
    }
    q->tail = val;
    trace_ofnic_doorbell(q->is_rx ? 'R' : 'T', q->index, val, q->head);
    if (q->is_rx) {
        q->stalled = false;
        q->overrun = false;
        ofnic_rx_tail_written(q);
    } else {
        ofnic_tx_doorbell(s, q);
        if (s->ctrl & OFNIC_CTRL_ENABLE) {
            qemu_bh_schedule(s->tx_bh);
        }
    }
}

static uint64_t ofnic_q_read(OfnicQueue *q, unsigned int reg, bool *ok)
{
    switch (reg) {
    case OFNIC_Q_BASE_LO:
        return q->base_lo;
    case OFNIC_Q_BASE_HI:
        return q->base >> 32;
    case OFNIC_Q_SIZE:
        return q->size;
    case OFNIC_Q_CTRL:
        return q->ctrl;
    case OFNIC_Q_TAIL:
        return q->tail;
    case OFNIC_Q_HEAD:
        return q->head;
    case OFNIC_Q_ITR:
        return q->itr;
    case OFNIC_TXQ_HEAD_WB_LO: /* == OFNIC_RXQ_BUF_SIZE */
        return q->is_rx ? q->buf_size : q->wb_lo;
    case OFNIC_TXQ_HEAD_WB_HI:
        if (!q->is_rx) {
            return q->wb_addr >> 32;
        }
        break;
    }
    *ok = false;
    return 0;
}

static void ofnic_q_write(OfnicState *s, OfnicQueue *q, unsigned int reg,
                          uint32_t val, bool *ok)
{
    bool locked = q->ctrl & OFNIC_Q_CTRL_ENABLE;
    uint32_t frames;

    switch (reg) {
    case OFNIC_Q_BASE_LO:
    case OFNIC_Q_BASE_HI:
    case OFNIC_Q_SIZE:
        if (locked) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "ofnic: %cXQ%u: BASE/SIZE written while enabled\n",
                          q->is_rx ? 'R' : 'T', q->index);
            return;
        }
        if (reg == OFNIC_Q_BASE_LO) {
            q->base_lo = val;
        } else if (reg == OFNIC_Q_BASE_HI) {
            q->base = ((uint64_t)val << 32) | q->base_lo;
        } else {
            q->size = val;
        }
        return;
    case OFNIC_Q_CTRL:
        ofnic_q_set_ctrl(s, q, val);
        return;
    case OFNIC_Q_TAIL:
        ofnic_q_set_tail(s, q, val);
        return;
    case OFNIC_Q_HEAD:
        qemu_log_mask(LOG_GUEST_ERROR, "ofnic: write to read-only HEAD\n");
        return;
    case OFNIC_Q_ITR:
        frames =
            MIN((val & OFNIC_Q_ITR_FRAMES_MASK) >> 16, OFNIC_ITR_MAX_FRAMES);
        q->itr = (val & OFNIC_Q_ITR_USECS_MASK) | (frames << 16);
        return;
    case OFNIC_TXQ_HEAD_WB_LO: /* == OFNIC_RXQ_BUF_SIZE */
        if (!q->is_rx) {
            q->wb_lo = val;
        } else if (locked) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "ofnic: RXQ%u: BUF_SIZE written while enabled\n",
                          q->index);
        } else {
            q->buf_size = val;
        }
        return;
    case OFNIC_TXQ_HEAD_WB_HI:
        if (!q->is_rx) {
            q->wb_addr = ((uint64_t)val << 32) | q->wb_lo;
            return;
        }
        break;
    }
    *ok = false;
}

/* Map an offset to a queue register; returns NULL if it is not one. */
static OfnicQueue *ofnic_q_decode(OfnicState *s, hwaddr addr, unsigned int *reg)
{
    unsigned int qi, r;

    if (addr < OFNIC_QUEUE_BASE) {
        return NULL;
    }
    qi = (addr - OFNIC_QUEUE_BASE) / OFNIC_QUEUE_STRIDE;
    if (qi >= s->queues) {
        return NULL;
    }
    r = (addr - OFNIC_QUEUE_BASE) % OFNIC_QUEUE_STRIDE;
    *reg = r & 0x7f;
    return r < 0x80 ? &s->txq[qi] : &s->rxq[qi];
}

static bool ofnic_mmio_size_ok(hwaddr addr, unsigned size, const char *what)
{
    if (size == 4 && !(addr & 3)) {
        return true;
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "ofnic: %u-byte %s at 0x%" HWADDR_PRIx
                  " refused: registers take aligned 32-bit accesses only\n",
                  size, what, addr);
    return false;
}

static uint64_t ofnic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    OfnicState *s = opaque;
    OfnicQueue *q;
    unsigned int reg;
    bool ok = true;
    uint64_t val;

    if (!ofnic_mmio_size_ok(addr, size, "read")) {
        return 0;
    }
    switch (addr) {
    case OFNIC_REG_ID:
        return OFNIC_ID_MAGIC;
    case OFNIC_REG_VERSION:
        return (OFNIC_VERSION_MAJOR << 16) | OFNIC_VERSION_MINOR;
    case OFNIC_REG_CAP_LO:
        return (uint32_t)s->caps;
    case OFNIC_REG_CAP_HI:
        return (uint32_t)(s->caps >> 32);
    case OFNIC_REG_QUEUES:
        return s->queues;
    case OFNIC_REG_VECTORS:
        return s->nvec;
    case OFNIC_REG_RING_MAX:
        return OFNIC_RING_MAX;
    case OFNIC_REG_MTU_MAX:
        return OFNIC_MAX_MTU;
    case OFNIC_REG_TSO_LIMITS:
        return OFNIC_TSO_MIN_MSS | (OFNIC_TX_MAX_HDR_LEN << 16);
    case OFNIC_REG_TSO_MAX_PAYLOAD:
        return OFNIC_TSO_MAX_PAYLOAD;
    case OFNIC_REG_CTRL:
        return s->ctrl;
    case OFNIC_REG_STATUS:
        if (qemu_get_queue(s->nic)->link_down) {
            return 0;
        }
        return OFNIC_STATUS_LINK_UP | (s->speed / 100) << 16;
    case OFNIC_REG_OFFLOAD_CTRL:
        return s->offload;
    case OFNIC_REG_PERM_MAC_LO:
        return ldl_le_p(s->perm_mac);
    case OFNIC_REG_PERM_MAC_HI:
        return lduw_le_p(s->perm_mac + 4);
    case OFNIC_REG_MAC_LO:
        return s->mac_lo;
    case OFNIC_REG_MAC_HI:
        return lduw_le_p(s->filt.mac + 4);
    case OFNIC_REG_MAX_FRAME:
        return s->max_frame;
    case OFNIC_REG_MISC_CAUSE:
        return s->misc_cause;
    case OFNIC_REG_MISC_MASK:
        return s->misc_mask;
    case OFNIC_REG_MISC_VECTOR:
        return s->misc_vector;
    case OFNIC_REG_RSC_CTRL:
        return s->rsc_ctrl;
    case OFNIC_REG_RSC_FLOWS:
        return OFNIC_RSC_FLOWS;
    case OFNIC_REG_STATS_ADDR_LO:
        return s->stats_lo;
    case OFNIC_REG_STATS_ADDR_HI:
        return s->stats_addr >> 32;
    case OFNIC_REG_STATS_CMD:
        return 0; /* dumps complete synchronously */
    }

    if (addr >= OFNIC_REG_TUNNEL_PORT(0) &&
        addr < OFNIC_REG_TUNNEL_PORT(OFNIC_TUNNEL_PORTS)) {
        return s->tunnel_port[(addr - OFNIC_REG_TUNNEL_PORT(0)) / 4];
    }
    if (addr >= OFNIC_REG_VLAN_FILTER(0) &&
        addr < OFNIC_REG_VLAN_FILTER(OFNIC_VLAN_FILTER_REGS)) {
        return s->vlan_filter[(addr - OFNIC_REG_VLAN_FILTER(0)) / 4];
    }
    if (addr >= OFNIC_REG_MC_FILTER(0) &&
        addr < OFNIC_REG_MC_FILTER(OFNIC_MC_FILTER_REGS)) {
        return s->filt.mc_hash[(addr - OFNIC_REG_MC_FILTER(0)) / 4];
    }
    if (addr >= OFNIC_REG_VEC_ARM(0) && addr < OFNIC_REG_VEC_ARM(s->nvec)) {
        return s->vec_armed[(addr - OFNIC_REG_VEC_ARM(0)) / 4];
    }
    if (ofnic_rss_is_reg(addr)) {
        return ofnic_rss_read(s, addr);
    }
    if (ofnic_link_is_reg(addr)) {
        return ofnic_link_read(s, addr);
    }
    if (addr >= OFNIC_REG_NTUPLE_BASE(0) &&
        addr < OFNIC_REG_NTUPLE_BASE(OFNIC_NTUPLE_MAX_RULES) &&
        (addr & 0x7f) < 4 * OFNIC_NTUPLE_REGS) {
        return s->ntuple[(addr - OFNIC_REG_NTUPLE_BASE(0)) / 0x80]
                        [(addr & 0x7f) / 4];
    }
    q = ofnic_q_decode(s, addr, &reg);
    if (q) {
        val = ofnic_q_read(q, reg, &ok);
        if (ok) {
            return val;
        }
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "ofnic: read of unknown register 0x%" HWADDR_PRIx "\n", addr);
    return 0;
}

static void ofnic_write_ro(hwaddr addr)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "ofnic: write to read-only register 0x%" HWADDR_PRIx "\n",
                  addr);
}

static void ofnic_mmio_write(void *opaque, hwaddr addr, uint64_t val64,
                             unsigned size)
{
    OfnicState *s = opaque;
    uint32_t val = val64, old;
    OfnicQueue *q;
    unsigned int reg, i;
    bool ok = true;

    if (!ofnic_mmio_size_ok(addr, size, "write")) {
        return;
    }
    switch (addr) {
    case OFNIC_REG_ID:
    case OFNIC_REG_VERSION:
    case OFNIC_REG_CAP_LO:
    case OFNIC_REG_CAP_HI:
    case OFNIC_REG_QUEUES:
    case OFNIC_REG_VECTORS:
    case OFNIC_REG_RING_MAX:
    case OFNIC_REG_MTU_MAX:
    case OFNIC_REG_TSO_LIMITS:
    case OFNIC_REG_TSO_MAX_PAYLOAD:
    case OFNIC_REG_STATUS:
    case OFNIC_REG_PERM_MAC_LO:
    case OFNIC_REG_PERM_MAC_HI:
    case OFNIC_REG_RSC_FLOWS:
        ofnic_write_ro(addr);
        return;
    case OFNIC_REG_CTRL:
        ofnic_set_ctrl(s, val);
        return;
    case OFNIC_REG_OFFLOAD_CTRL:
        ofnic_rx_set_offload(s, val);
        return;
    case OFNIC_REG_MAC_LO:
        s->mac_lo = val;
        return;
    case OFNIC_REG_MAC_HI:
        stl_le_p(s->filt.mac, s->mac_lo);
        stw_le_p(s->filt.mac + 4, val);
        return;
    case OFNIC_REG_MAX_FRAME:
        if (val < OFNIC_MIN_FRAME || val > OFNIC_MAX_FRAME) {
            qemu_log_mask(LOG_GUEST_ERROR, "ofnic: MAX_FRAME %u out of range\n",
                          val);
            val = MIN(MAX(val, OFNIC_MIN_FRAME), OFNIC_MAX_FRAME);
        }
        s->max_frame = val;
        return;
    case OFNIC_REG_MISC_CAUSE:
        s->misc_cause &= ~val;
        return;
    case OFNIC_REG_MISC_MASK:
        old = s->misc_mask;
        s->misc_mask =
            val & (OFNIC_MISC_LINK | OFNIC_MISC_QUEUE_ERR | OFNIC_MISC_STATS);
        if (s->misc_mask & ~old & s->misc_cause) {
            ofnic_vec_request(s, s->misc_vector);
        }
        return;
    case OFNIC_REG_MISC_VECTOR:
        if (val >= s->nvec) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "ofnic: MISC_VECTOR %u out of range\n", val);
        }
        s->misc_vector = val;
        return;
    case OFNIC_REG_RSC_CTRL:
        s->rsc_ctrl = val;
        return;
    case OFNIC_REG_STATS_ADDR_LO:
        s->stats_lo = val;
        return;
    case OFNIC_REG_STATS_ADDR_HI:
        s->stats_addr = ((uint64_t)val << 32) | s->stats_lo;
        return;
    case OFNIC_REG_STATS_CMD:
        if (val & OFNIC_STATS_CMD_DUMP) {
            ofnic_stats_dump(s);
        }
        return;
    }

    if (addr >= OFNIC_REG_TUNNEL_PORT(0) &&
        addr < OFNIC_REG_TUNNEL_PORT(OFNIC_TUNNEL_PORTS)) {
        s->tunnel_port[(addr - OFNIC_REG_TUNNEL_PORT(0)) / 4] =
            val & (OFNIC_TUNNEL_PORT_MASK | OFNIC_TUNNEL_TYPE_MASK);
        return;
    }
    if (addr >= OFNIC_REG_VLAN_FILTER(0) &&
        addr < OFNIC_REG_VLAN_FILTER(OFNIC_VLAN_FILTER_REGS)) {
        s->vlan_filter[(addr - OFNIC_REG_VLAN_FILTER(0)) / 4] = val;
        return;
    }
    if (addr >= OFNIC_REG_MC_FILTER(0) &&
        addr < OFNIC_REG_MC_FILTER(OFNIC_MC_FILTER_REGS)) {
        s->filt.mc_hash[(addr - OFNIC_REG_MC_FILTER(0)) / 4] = val;
        return;
    }
    if (addr >= OFNIC_REG_VEC_ARM(0) && addr < OFNIC_REG_VEC_ARM(s->nvec)) {
        i = (addr - OFNIC_REG_VEC_ARM(0)) / 4;
        if (val & OFNIC_VEC_ARM) {
            s->vec_armed[i] = true;
            if (s->vec_pending[i]) {
                ofnic_vec_fire(s, i);
            }
        }
        return;
    }
    if (ofnic_rss_is_reg(addr)) {
        ofnic_rss_write(s, addr, val);
        return;
    }
    if (ofnic_link_is_reg(addr)) {
        ofnic_link_write(s, addr, val);
        return;
    }
    if (addr >= OFNIC_REG_NTUPLE_BASE(0) &&
        addr < OFNIC_REG_NTUPLE_BASE(OFNIC_NTUPLE_MAX_RULES) &&
        (addr & 0x7f) < 4 * OFNIC_NTUPLE_REGS) {
        s->ntuple[(addr - OFNIC_REG_NTUPLE_BASE(0)) / 0x80][(addr & 0x7f) / 4] =
            val;
        return;
    }
    q = ofnic_q_decode(s, addr, &reg);
    if (q) {
        ofnic_q_write(s, q, reg, val, &ok);
        if (ok) {
            return;
        }
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "ofnic: write 0x%x to unknown register 0x%" HWADDR_PRIx "\n",
                  val, addr);
}

static const MemoryRegionOps ofnic_mmio_ops = {
    .read = ofnic_mmio_read,
    .write = ofnic_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /*
     * Every size and alignment reaches the handlers, which refuse all but
     * aligned 32-bit accesses themselves: QEMU's own check would log them
     * only under -d invalid_mem.
     */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/*
 * Device
 */
static void ofnic_realize(PCIDevice *pci_dev, Error **errp)
{
    OfnicState *s = OFNIC(pci_dev);
    DeviceState *dev = DEVICE(pci_dev);
    unsigned int i;
    int ret;

    if (s->queues < 1 || s->queues > OFNIC_MAX_QUEUES) {
        error_setg(errp, "ofnic: queues must be 1..%u, not %u",
                   OFNIC_MAX_QUEUES, s->queues);
        return;
    }
    s->nvec = s->queues + 1;
    if (s->speed < 100 || s->speed > 6553500 || s->speed % 100) {
        error_setg(errp, "ofnic: speed must be a multiple of 100 in "
                   "100..6553500 (Mbit/s), not %u", s->speed);
        return;
    }
    if (s->rsc_timeout_min > OFNIC_RSC_TIMEOUT_MIN_MAX) {
        error_setg(errp, "ofnic: rsc-timeout-min must be 0..%u (microseconds), "
                   "not %u", OFNIC_RSC_TIMEOUT_MIN_MAX, s->rsc_timeout_min);
        return;
    }
    if ((uint64_t)s->fault.rate[OFNIC_FAULT_DROP] +
        s->fault.rate[OFNIC_FAULT_CORRUPT] + s->fault.rate[OFNIC_FAULT_DUP] +
        s->fault.rate[OFNIC_FAULT_REORDER] > OFNIC_FAULT_SCALE) {
        error_setg(errp, "ofnic: fault-drop, fault-corrupt, fault-dup and "
                   "fault-reorder add up to more than %u (per %u frames)",
                   OFNIC_FAULT_SCALE, OFNIC_FAULT_SCALE);
        return;
    }

    s->caps = OFNIC_CAPS | (s->tx_caps & OFNIC_CAPS_TX);
    if (!s->tso) {
        s->caps &= ~OFNIC_CAPS_TSO;
    }
    if (!(s->caps & (OFNIC_CAP_TSO4 | OFNIC_CAP_TSO6))) {
        s->caps &= ~(OFNIC_CAP_TSO_ECN | OFNIC_CAP_TSO_MANGLEID);
    }
    s->caps |= (s->rx_caps | OFNIC_CAP_RX_VLAN_STRIP |
                OFNIC_CAP_RX_VLAN_FILTER) & OFNIC_CAPS_RX;
    if (!s->rx_vlan) {
        s->caps &= ~(OFNIC_CAP_RX_VLAN_STRIP | OFNIC_CAP_RX_VLAN_FILTER);
    }
    if (!(s->caps & OFNIC_CAP_RX_CSUM)) {
        s->caps &= ~(OFNIC_CAP_LRO | OFNIC_CAP_HW_GRO);
    }
    s->caps |= s->pause ? OFNIC_CAP_PAUSE : 0;
    s->caps |= s->fec ? OFNIC_CAP_FEC : 0;
    s->caps |= s->loopback ? OFNIC_CAP_LOOPBACK : 0;
    if (s->tunnel) {
        s->caps |= (s->tun_caps | OFNIC_CAP_TUNNEL_PORTS |
                    OFNIC_CAP_TUNNEL_CSUM | OFNIC_CAP_TUNNEL_RX) &
                   OFNIC_CAPS_TUNNEL;
    }
    s->txo.caps = s->caps;
    s->offload_mask = OFNIC_OFFLOADS;
    s->offload_mask |= s->caps & OFNIC_CAP_RX_CSUM ? OFNIC_OFFLOAD_RX_CSUM : 0;
    s->offload_mask |= s->caps & OFNIC_CAP_LRO ? OFNIC_OFFLOAD_LRO : 0;
    s->offload_mask |= s->caps & OFNIC_CAP_HW_GRO ? OFNIC_OFFLOAD_HW_GRO : 0;
    s->offload_mask |=
        s->caps & OFNIC_CAP_RX_VLAN_STRIP ? OFNIC_OFFLOAD_VLAN_STRIP : 0;
    s->offload_mask |=
        s->caps & OFNIC_CAP_RX_VLAN_FILTER ? OFNIC_OFFLOAD_VLAN_FILTER : 0;
    s->offload_mask |= s->caps & OFNIC_CAP_NTUPLE ? OFNIC_OFFLOAD_NTUPLE : 0;
    s->offload_mask |=
        s->caps & OFNIC_CAP_LOOPBACK ? OFNIC_OFFLOAD_LOOPBACK : 0;
    s->offload_mask |=
        s->caps & OFNIC_CAP_TUNNEL_RX ? OFNIC_OFFLOAD_TUNNEL_RX : 0;

    pci_dev->config[PCI_INTERRUPT_PIN] = 0; /* MSI-X only */

    memory_region_init_io(&s->mmio, OBJECT(s), &ofnic_mmio_ops, s, "ofnic-mmio",
                          OFNIC_BAR_REGS_SIZE);
    pci_register_bar(
        pci_dev, OFNIC_BAR_REGS,
        PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);

    ret = pcie_endpoint_cap_init(pci_dev, 0xa0);
    if (ret < 0) {
        error_setg(errp, "ofnic: PCIe capability init failed");
        return;
    }
    /* AER: errors are reported to the root port above, as an endpoint's are */
    pcie_cap_deverr_init(pci_dev);
    ret = pcie_aer_init(pci_dev, PCI_ERR_VER, OFNIC_PCI_AER_OFFSET,
                        PCI_ERR_SIZEOF, errp);
    if (ret < 0) {
        pcie_cap_exit(pci_dev);
        return;
    }
    ret = msix_init_exclusive_bar(pci_dev, s->nvec, OFNIC_BAR_MSIX, errp);
    if (ret) {
        pcie_aer_exit(pci_dev);
        pcie_cap_exit(pci_dev);
        return;
    }
    for (i = 0; i < s->nvec; i++) {
        msix_vector_use(pci_dev, i);
    }

    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    memcpy(s->perm_mac, s->conf.macaddr.a, 6);

    s->dma.opaque = s;
    s->dma.read = ofnic_dma_read;
    s->dma.write = ofnic_dma_write;
    s->tx_buf = g_malloc(OFNIC_TX_MAX_PKT_LEN);
    s->lb_buf = g_malloc(OFNIC_MAX_FRAME);
    s->rx_scratch = g_malloc(OFNIC_MAX_FRAME);
    s->stats_buf = g_malloc(OFNIC_STATS_SIZE(OFNIC_MAX_QUEUES));
    s->tx_bh = qemu_bh_new_guarded(ofnic_tx_bh, s, &dev->mem_reentrancy_guard);
    for (i = 0; i < OFNIC_MAX_QUEUES; i++) {
        OfnicQueue *qs[2] = { &s->txq[i], &s->rxq[i] };
        unsigned int j;

        for (j = 0; j < 2; j++) {
            qs[j]->s = s;
            qs[j]->index = i;
            qs[j]->is_rx = j;
            qs[j]->itr_timer =
                timer_new_ns(QEMU_CLOCK_VIRTUAL, ofnic_itr_timer, qs[j]);
        }
    }

    ofnic_rx_realize(s);
    s->nic =
        qemu_new_nic(&ofnic_net_info, &s->conf, object_get_typename(OBJECT(s)),
                     dev->id, &dev->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->perm_mac);
    s->vm_state = qemu_add_vm_change_state_handler(ofnic_vm_state_change, s);

    ofnic_reset(s);
}

static void ofnic_exit(PCIDevice *pci_dev)
{
    OfnicState *s = OFNIC(pci_dev);
    unsigned int i;

    qemu_del_vm_change_state_handler(s->vm_state);
    qemu_del_nic(s->nic);
    qemu_bh_delete(s->tx_bh);
    for (i = 0; i < OFNIC_MAX_QUEUES; i++) {
        timer_free(s->txq[i].itr_timer);
        timer_free(s->rxq[i].itr_timer);
    }
    g_free(s->tx_buf);
    g_free(s->lb_buf);
    g_free(s->rx_scratch);
    ofnic_rx_unrealize(s);
    g_free(s->stats_buf);
    msix_unuse_all_vectors(pci_dev);
    msix_uninit_exclusive_bar(pci_dev);
    pcie_aer_exit(pci_dev);
    pcie_cap_exit(pci_dev);
}

static void ofnic_instance_init(Object *obj)
{
    OfnicState *s = OFNIC(obj);

    device_add_bootindex_property(obj, &s->conf.bootindex, "bootindex",
                                  "/ethernet-phy@0", DEVICE(obj));
}

static const Property ofnic_properties[] = {
    DEFINE_NIC_PROPERTIES(OfnicState, conf),
    DEFINE_PROP_UINT32("queues", OfnicState, queues, OFNIC_DEFAULT_QUEUES),
    DEFINE_PROP_UINT32("speed", OfnicState, speed, OFNIC_DEFAULT_SPEED),
    /* TX offloads, all on by default; "off" clears the capability bit. */
    DEFINE_PROP_BIT64("tx-csum", OfnicState, tx_caps, 0, true),
    DEFINE_PROP_BIT64("tx-sctp-crc", OfnicState, tx_caps, 1, true),
    DEFINE_PROP_BIT64("tx-ip4-csum", OfnicState, tx_caps, 2, true),
    DEFINE_PROP_BIT64("tso4", OfnicState, tx_caps, 3, true),
    DEFINE_PROP_BIT64("tso6", OfnicState, tx_caps, 4, true),
    DEFINE_PROP_BIT64("tso-ecn", OfnicState, tx_caps, 5, true),
    DEFINE_PROP_BIT64("tso-mangleid", OfnicState, tx_caps, 6, true),
    DEFINE_PROP_BIT64("uso", OfnicState, tx_caps, 7, true),
    DEFINE_PROP_BIT64("ufo", OfnicState, tx_caps, 8, true),
    DEFINE_PROP_BIT64("tx-vlan", OfnicState, tx_caps, 9, true),
    DEFINE_PROP_BOOL("tso", OfnicState, tso, true),
    /* RX offloads, all on by default. */
    DEFINE_PROP_BIT64("rx-csum", OfnicState, rx_caps, 12, true),
    DEFINE_PROP_BIT64("lro", OfnicState, rx_caps, 13, true),
    DEFINE_PROP_BIT64("hw-gro", OfnicState, rx_caps, 14, true),
    DEFINE_PROP_BIT64("rss-contexts", OfnicState, rx_caps, 16, true),
    DEFINE_PROP_BIT64("ntuple", OfnicState, rx_caps, 17, true),
    DEFINE_PROP_BIT64("rss-sym", OfnicState, rx_caps, 27, true),
    DEFINE_PROP_BIT64("rss-flow-label", OfnicState, rx_caps, 29, true),
    DEFINE_PROP_BOOL("rx-vlan", OfnicState, rx_vlan, true),
    DEFINE_PROP_BOOL("pause", OfnicState, pause, true),
    DEFINE_PROP_BOOL("fec", OfnicState, fec, true),
    DEFINE_PROP_BOOL("loopback", OfnicState, loopback, true),
    /* Tunnel offloads (VXLAN, GENEVE, GRE, IP in IP), all on by default. */
    DEFINE_PROP_BOOL("tunnel", OfnicState, tunnel, true),
    DEFINE_PROP_BIT64("tunnel-tso", OfnicState, tun_caps, 19, true),
    DEFINE_PROP_BIT64("tunnel-outer-csum", OfnicState, tun_caps, 21, true),
    DEFINE_PROP_BIT64("geneve", OfnicState, tun_caps, 25, true),
    DEFINE_PROP_BIT64("ip-tunnel-tso", OfnicState, tun_caps, 28, true),
    /* For slow emulation: a floor on the driver's coalescing quiet time. */
    DEFINE_PROP_UINT32("rsc-timeout-min", OfnicState, rsc_timeout_min, 0),
    /*
     * Wire fault injection, a test aid: frames from the wire dropped,
     * corrupted, duplicated or reordered, each per 10000 frames.
     */
    DEFINE_PROP_UINT32("fault-drop", OfnicState, fault.rate[OFNIC_FAULT_DROP],
                       0),
    DEFINE_PROP_UINT32("fault-corrupt", OfnicState,
                       fault.rate[OFNIC_FAULT_CORRUPT], 0),
    DEFINE_PROP_UINT32("fault-dup", OfnicState, fault.rate[OFNIC_FAULT_DUP], 0),
    DEFINE_PROP_UINT32("fault-reorder", OfnicState,
                       fault.rate[OFNIC_FAULT_REORDER], 0),
    DEFINE_PROP_UINT64("fault-seed", OfnicState, fault_seed, 1),
};

/* What "-device ofnic,help" says of each property. */
static const struct {
    const char *name;
    const char *desc;
} ofnic_property_help[] = {
    { "queues", "queue pairs (1..128), each with its own MSI-X vector" },
    { "speed", "link speed the device reports, Mbit/s (100..6553500, "
               "a multiple of 100); it does not limit throughput" },
    { "tx-csum", "TCP/UDP checksum insertion (NETIF_F_HW_CSUM)" },
    { "tx-sctp-crc", "SCTP CRC32c insertion" },
    { "tx-ip4-csum", "IPv4 header checksum insertion" },
    { "tso4", "TCP segmentation of IPv4 packets" },
    { "tso6", "TCP segmentation of IPv6 packets" },
    { "tso-ecn", "TSO of packets with CWR set (CWR on the first segment)" },
    { "tso-mangleid", "TSO may keep the IPv4 ID of the first segment" },
    { "uso", "UDP segmentation (one datagram per MSS, UDP_SEGMENT)" },
    { "ufo", "UDP fragmentation into IP fragments" },
    { "tx-vlan", "802.1Q tag insertion from the descriptor" },
    { "tso", "off clears every TSO capability (tso4, tso6, ecn, mangleid)" },
    { "rx-csum", "receive checksum validation (needed by lro and hw-gro)" },
    { "lro", "large receive offload: coalesced frames, not re-segmentable" },
    { "hw-gro", "hardware GRO: coalesced frames the stack can re-segment" },
    { "rss-contexts", "additional RSS contexts (ethtool -X context new)" },
    { "ntuple", "ntuple flow steering and drop rules (ethtool -N)" },
    { "rss-sym", "symmetric RSS input transforms (ethtool -X ... xfrm)" },
    { "rss-flow-label", "the IPv6 flow label as an RSS hash field" },
    { "rx-vlan", "802.1Q tag stripping and VLAN filtering" },
    { "pause", "802.3x flow control: PAUSE frames sent and obeyed" },
    { "fec", "BASE-R and RS forward error correction of the wire's bit "
             "errors (those of fault-corrupt), counted" },
    { "tunnel", "off clears every tunnel capability" },
    { "tunnel-tso", "TSO/USO of VXLAN/GENEVE encapsulated packets" },
    { "tunnel-outer-csum", "outer UDP checksum of segmented tunnel packets" },
    { "geneve", "GENEVE as well as VXLAN tunnel ports" },
    { "ip-tunnel-tso", "TSO/USO of GRE and IP-in-IP encapsulated packets" },
    { "rsc-timeout-min", "coalescing flushes a queue quiet for at least "
                         "this many microseconds (0..100000), whatever the "
                         "driver programs: for guests under TCG, whose "
                         "senders stall for milliseconds on a busy host" },
    { "fault-drop", "wire fault injection: frames dropped per 10000" },
    { "fault-corrupt", "wire fault injection: frames with one bit flipped "
                       "per 10000" },
    { "fault-dup", "wire fault injection: frames delivered twice per 10000" },
    { "fault-reorder", "wire fault injection: frames swapped with the next "
                       "per 10000" },
    { "fault-seed", "seed of the fault injection's generator (repeatable)" },
};

static void ofnic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    unsigned int i;

    k->realize = ofnic_realize;
    k->exit = ofnic_exit;
    k->vendor_id = OFNIC_PCI_VENDOR_ID;
    k->device_id = OFNIC_PCI_DEVICE_ID;
    k->revision = OFNIC_PCI_REVISION;
    k->class_id = PCI_CLASS_NETWORK_ETHERNET;
    rc->phases.hold = ofnic_qdev_reset_hold;
    dc->desc = "ofnic virtual PCIe Ethernet controller";
    dc->vmsd = &vmstate_ofnic;
    device_class_set_props(dc, ofnic_properties);
    for (i = 0; i < ARRAY_SIZE(ofnic_property_help); i++) {
        object_class_property_set_description(klass,
                                              ofnic_property_help[i].name,
                                              ofnic_property_help[i].desc);
    }
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);
}

static const TypeInfo ofnic_info = {
    .name = TYPE_OFNIC,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(OfnicState),
    .instance_init = ofnic_instance_init,
    .class_init = ofnic_class_init,
    .interfaces = (InterfaceInfo[]){ { INTERFACE_PCIE_DEVICE }, {} },
};

static void ofnic_register_types(void)
{
    type_register_static(&ofnic_info);
}

type_init(ofnic_register_types)
