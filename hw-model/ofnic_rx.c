/*
 * ofnic: the receive path (datasheet "Receive pipeline"). Classification and
 * coalescing are the engine's (engine/ofnic_rx_offload.c, engine/ofnic_rsc.c);
 * this file feeds them frames, places what they deliver in the guest's RX
 * ring, runs the coalescing timeout and keeps the RSS contexts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "net/queue.h"
#include "system/runstate.h"
#include "hw/qdev-core.h"
#include "ofnic_int.h"
#include "trace.h"

#define GSTAT(s, e) ((s)->gstats[OFNIC_GSTAT_##e])
#define QSTAT(s, q, e) ((s)->qstats[(q)->index][OFNIC_QSTAT_##e])

enum ofnic_deliver {
    OFNIC_DELIVERED,
    OFNIC_DELIVER_NO_SPACE, /* nothing written: the caller may retry */
    OFNIC_DELIVER_DROPPED,  /* DMA failed: the frame is lost, counted */
};

/* Place one frame (plain, or a flushed flow of segs segments) in q's ring. */
static enum ofnic_deliver ofnic_rx_deliver(OfnicQueue *q, const uint8_t *frame,
                                           size_t len,
                                           const struct ofnic_rx_meta *meta,
                                           uint16_t segs, uint64_t wire_bytes)
{
    OfnicState *s = q->s;
    struct ofnic_ring r = {
        .base = q->base, .size = q->size, .head = q->head, .tail = q->tail,
    };
    uint32_t used;

    switch (ofnic_rx_place(&s->dma, &r, q->buf_size, frame, len, meta,
                           &used)) {
    case OFNIC_RX_DONE:
        break;
    case OFNIC_RX_NO_SPACE:
        trace_ofnic_rx_no_space(q->index, q->head, q->tail);
        if (!q->stalled) {
            q->stalled = true;
            QSTAT(s, q, RX_STALLS)++;
        }
        return OFNIC_DELIVER_NO_SPACE;
    case OFNIC_RX_RING_DMA_ERROR:
        q->head = r.head;
        ofnic_ring_error(s, q, "descriptor access failed");
        GSTAT(s, RX_DROP_DMA)++;
        QSTAT(s, q, RX_DROPS)++;
        return OFNIC_DELIVER_DROPPED;
    case OFNIC_RX_TOO_LONG:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: RXQ%u: a %zu-byte frame needs more buffers of %u "
                      "bytes than %u descriptors can post: dropped\n",
                      q->index, len, q->buf_size, q->size);
        QSTAT(s, q, RX_DROPS)++;
        return OFNIC_DELIVER_DROPPED;
    case OFNIC_RX_BUF_DMA_ERROR:
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: RXQ%u: buffer write failed at %u\n", q->index,
                      q->head);
        GSTAT(s, RX_DROP_DMA)++;
        QSTAT(s, q, RX_DROPS)++;
        return OFNIC_DELIVER_DROPPED;
    }

    q->head = r.head;
    q->stalled = false;
    QSTAT(s, q, RX_PKTS)++;
    QSTAT(s, q, RX_BYTES) += len;
    if (meta->status & OFNIC_RXC_CSUM_ERR) {
        GSTAT(s, RX_CSUM_BAD)++;
        QSTAT(s, q, RX_CSUM_BAD)++;
    } else if (meta->status & OFNIC_RXC_L4_CSUM_OK) {
        GSTAT(s, RX_CSUM_GOOD)++;
        QSTAT(s, q, RX_CSUM_OK)++;
    } else {
        GSTAT(s, RX_CSUM_NONE)++;
        QSTAT(s, q, RX_CSUM_NONE)++;
    }
    if (segs >= 2) {
        QSTAT(s, q, RX_GRO_PKTS)++;
        QSTAT(s, q, RX_GRO_BYTES) += len;
        QSTAT(s, q, RX_GRO_WIRE_PKTS) += segs;
        QSTAT(s, q, RX_GRO_WIRE_BYTES) += wire_bytes;
    }
    ofnic_q_event(q, 1);
    return OFNIC_DELIVERED;
}

/*
 * Coalescing glue.
 */
static bool ofnic_rsc_out(void *opaque, const uint8_t *frame, size_t len,
                          const struct ofnic_rx_meta *meta, uint16_t segs,
                          uint64_t wire_bytes)
{
    trace_ofnic_rsc_flush(((OfnicQueue *)opaque)->index, len, segs);
    return ofnic_rx_deliver(opaque, frame, len, meta, segs, wire_bytes) !=
           OFNIC_DELIVER_NO_SPACE;
}

/* A flow's buffer, when it first holds a frame (512 x 64 KiB only as used) */
static uint8_t *ofnic_rsc_buf_alloc(void *opaque)
{
    return g_malloc(OFNIC_RSC_BUF_SIZE);
}

static struct ofnic_rsc_cfg ofnic_rsc_cfg(OfnicQueue *q)
{
    OfnicState *s = q->s;
    /* never more than the ring can hold: size - 1 buffers posted at most */
    uint32_t ring_max = (q->size - 1) * q->buf_size;
    uint32_t max = s->rsc_ctrl & OFNIC_RSC_MAX_SIZE_MASK;
    struct ofnic_rsc_cfg c = {
        /* with both bits set the stricter HW-GRO rules apply */
        .lro = !(s->offload & OFNIC_OFFLOAD_HW_GRO),
        .fixedid_no_df = s->offload & OFNIC_OFFLOAD_RSC_FIXEDID_NO_DF,
        .max_size = max && max < ring_max ? max : ring_max,
        .gstats = s->gstats,
        .out = ofnic_rsc_out,
        .opaque = q,
        .buf_alloc = ofnic_rsc_buf_alloc,
    };

    return c;
}

static uint64_t ofnic_rsc_timeout_ns(OfnicState *s)
{
    uint32_t us = (s->rsc_ctrl & OFNIC_RSC_TIMEOUT_MASK) >> 17;

    return (uint64_t)MAX(MAX(us, 1), s->rsc_timeout_min) * SCALE_US;
}

static void ofnic_rsc_arm(OfnicQueue *q)
{
    uint64_t due = ofnic_rsc_due(q->rsc, ofnic_rsc_timeout_ns(q->s));

    if (due == UINT64_MAX || q->rsc_retry) {
        if (q->rsc_timer_running) {
            timer_del(q->rsc_timer);
            q->rsc_timer_running = false;
        }
        return;
    }
    timer_mod(q->rsc_timer, due);
    q->rsc_timer_running = true;
}

/* Flush what is due; a full ring makes the next TAIL write try again. */
static void ofnic_rsc_run_expiry(OfnicQueue *q)
{
    struct ofnic_rsc_cfg c = ofnic_rsc_cfg(q);

    q->rsc_retry = !ofnic_rsc_expire(q->rsc, &c,
                                     qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL),
                                     ofnic_rsc_timeout_ns(q->s));
    ofnic_rsc_arm(q);
}

static void ofnic_rsc_timer(void *opaque)
{
    OfnicQueue *q = opaque;
    bool engaged = ofnic_io_enter(q->s);

    q->rsc_timer_running = false;
    trace_ofnic_rsc_timeout(q->index);
    if (q->rsc && ofnic_q_running(q)) {
        ofnic_rsc_run_expiry(q);
    }
    ofnic_io_exit(q->s, engaged);
}

static struct ofnic_rsc_queue *ofnic_rsc_get(OfnicQueue *q)
{
    if (!q->rsc) {
        q->rsc = g_new0(struct ofnic_rsc_queue, 1);
    }
    return q->rsc;
}

/* Held frames that will never be delivered (queue stopped, reset). */
static void ofnic_rsc_drop(OfnicQueue *q)
{
    if (q->rsc) {
        QSTAT(q->s, q, RX_DROPS) += ofnic_rsc_discard(q->rsc);
    }
    q->rsc_retry = false;
    if (q->rsc_timer_running) {
        timer_del(q->rsc_timer);
        q->rsc_timer_running = false;
    }
}

/* Coalescing turned off or changed mode: deliver every flow now. */
static void ofnic_rsc_flush_queues(OfnicState *s)
{
    unsigned int i;

    for (i = 0; i < s->queues; i++) {
        OfnicQueue *q = &s->rxq[i];
        struct ofnic_rsc_cfg c;

        if (!q->rsc || !ofnic_q_running(q)) {
            continue;
        }
        c = ofnic_rsc_cfg(q);
        if (!ofnic_rsc_flush_all(q->rsc, &c, OFNIC_GSTAT_RX_FLUSH_EVICT)) {
            ofnic_rsc_drop(q); /* no room: they are lost, and counted */
        }
        ofnic_rsc_arm(q);
    }
}

void ofnic_rx_set_offload(OfnicState *s, uint32_t val)
{
    uint32_t old = s->offload & OFNIC_OFFLOAD_RSC;

    if (val & ~s->offload_mask) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: OFFLOAD_CTRL bits 0x%x without capability\n",
                      val & ~s->offload_mask);
    }
    /* the old mode's rules are used for the flush */
    if (old && old != (val & s->offload_mask & OFNIC_OFFLOAD_RSC)) {
        ofnic_rsc_flush_queues(s);
    }
    s->offload = val & s->offload_mask;
    s->filt.offload = s->offload;
}

void ofnic_rx_queue_disabled(OfnicQueue *q)
{
    ofnic_rsc_drop(q);
}

/*
 * Retry the frames QEMU holds for us, oldest first. qemu_flush_queued_packets()
 * flushes the hub's queues (newer frames) before our own incoming queue (the
 * frame we refused): flush ours first, the rest only once it is empty.
 */
void ofnic_rx_flush(OfnicState *s)
{
    NetClientState *nc = qemu_get_queue(s->nic);

    nc->receive_disabled = 0;
    if (qemu_net_queue_flush(nc->incoming_queue)) {
        qemu_flush_queued_packets(nc);
    }
}

void ofnic_rx_tail_written(OfnicQueue *q)
{
    if (q->rsc_retry && q->rsc) {
        ofnic_rsc_run_expiry(q);
    }
    ofnic_rx_flush(q->s);
}

/*
 * A frame from the wire found q short of buffers: true to wait (the port takes
 * nothing else meanwhile), false to drop it. The wait is bounded so that a
 * queue the host does not refill holds up the others once, not for ever.
 */
static bool ofnic_rx_wait(OfnicState *s, OfnicQueue *q)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    if (q->overrun) {
        return false;
    }
    if (!s->rx_waiting) {
        s->rx_waiting = true;
        s->rx_wait_since = now;
        timer_mod(s->rx_wait_timer, now + OFNIC_RX_WAIT_MAX_MS * SCALE_MS);
        return true;
    }
    if (now - s->rx_wait_since < OFNIC_RX_WAIT_MAX_MS * SCALE_MS) {
        return true;
    }
    q->overrun = true;
    return false;
}

static void ofnic_rx_wait_end(OfnicState *s)
{
    if (s->rx_waiting) {
        s->rx_waiting = false;
        timer_del(s->rx_wait_timer);
    }
}

/* The wait is over: retry the frame, dropped if it still does not fit */
static void ofnic_rx_wait_timer(void *opaque)
{
    OfnicState *s = opaque;
    bool engaged = ofnic_io_enter(s);

    ofnic_rx_flush(s);
    ofnic_io_exit(s, engaged);
}

/*
 * One frame from the wire (or from our TX in loopback mode). Returns 0 to have
 * QEMU queue it until the guest posts buffers.
 */
ssize_t ofnic_rx_frame(OfnicState *s, const uint8_t *buf, size_t size,
                       bool loopback)
{
    enum ofnic_mac_verdict verdict = OFNIC_MAC_UNICAST;
    struct ofnic_rx_cfg cfg = {
        .offload = s->offload,
        .queues = s->queues,
        .need_csum = s->offload & OFNIC_OFFLOAD_RSC,
        .vlan_filter = s->vlan_filter,
        .rss = s->rss,
        .ntuple = (const uint32_t (*)[OFNIC_NTUPLE_REGS])s->ntuple,
        .tunnel_ports = s->tunnel_port,
        .geneve = s->caps & OFNIC_CAP_GENEVE,
    };
    struct ofnic_rx_result res;
    enum ofnic_rsc_result rr = OFNIC_RSC_PASS;
    OfnicQueue *q;

    if (!(s->ctrl & OFNIC_CTRL_ENABLE)) {
        GSTAT(s, RX_DROP_DISABLED)++;
        return size;
    }
    if (size < OFNIC_MIN_FRAME || size > s->max_frame) {
        GSTAT(s, RX_DROP_SIZE)++;
        return size;
    }
    if (!loopback && (s->caps & OFNIC_CAP_PAUSE) && ofnic_fc_rx(s, buf, size)) {
        return size; /* the MAC's own */
    }
    if (!loopback) {
        /* Loopback frames come from this port: no address filter. */
        verdict = ofnic_mac_filter(&s->filt, buf);
        if (verdict == OFNIC_MAC_DROP) {
            GSTAT(s, RX_DROP_FILTER)++;
            return size;
        }
    }

    switch (ofnic_rx_classify(&cfg, buf, size, s->rx_scratch, &res)) {
    case OFNIC_RXV_PASS:
        break;
    case OFNIC_RXV_DROP_VLAN:
        GSTAT(s, RX_DROP_VLAN)++;
        return size;
    case OFNIC_RXV_DROP_NTUPLE:
        GSTAT(s, RX_NTUPLE_HITS)++;
        GSTAT(s, RX_DROP_NTUPLE)++;
        return size;
    }
    if (res.bad_rule) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: ntuple rule %d names a missing queue/context\n",
                      res.rule);
    } else if (res.rule >= 0) {
        GSTAT(s, RX_NTUPLE_HITS)++;
    }
    if (res.bad_queue) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "ofnic: RSS table steers to queue %u of %u (wrapped)\n",
                      res.bad_queue, s->queues);
    }
    q = &s->rxq[res.queue];
    trace_ofnic_rx_frame(res.queue, size, res.meta.rss_hash, res.rule,
                         res.tunnel);
    if (!ofnic_q_running(q)) {
        GSTAT(s, RX_DROP_QUEUE_OFF)++;
        QSTAT(s, q, RX_DROPS)++;
        return size;
    }
    if (loopback) {
        res.meta.status |= OFNIC_RXC_LOOPBACK;
    }

    if (s->offload & OFNIC_OFFLOAD_RSC) {
        struct ofnic_rsc_cfg c = ofnic_rsc_cfg(q);

        rr = ofnic_rsc_rx(ofnic_rsc_get(q), &c, &res,
                          qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
        if (rr == OFNIC_RSC_HELD && !q->rsc_timer_running) {
            ofnic_rsc_arm(q);
        }
    }
    if (rr == OFNIC_RSC_PASS) {
        switch (ofnic_rx_deliver(q, res.frame, res.len, &res.meta, 1, size)) {
        case OFNIC_DELIVERED:
            break;
        case OFNIC_DELIVER_NO_SPACE:
            rr = OFNIC_RSC_BUSY;
            break;
        case OFNIC_DELIVER_DROPPED:
            return size;
        }
    }
    if (rr == OFNIC_RSC_BUSY) {
        if (!loopback && ofnic_rx_wait(s, q)) {
            ofnic_fc_congestion(s, true);
            return 0; /* QEMU keeps it until qemu_flush_queued_packets() */
        }
        /* TX does not wait for RX; nor does the wire wait for ever */
        trace_ofnic_rx_no_buf_drop(q->index, loopback);
        QSTAT(s, q, RX_DROPS)++;
        QSTAT(s, q, RX_NO_BUF_DROPS)++;
        return size;
    }

    if (!loopback) {
        GSTAT(s, RX_FRAMES)++;
        GSTAT(s, RX_BYTES) += size;
    }
    if (verdict == OFNIC_MAC_BROADCAST) {
        GSTAT(s, RX_BROADCAST)++;
    } else if (verdict == OFNIC_MAC_MULTICAST) {
        GSTAT(s, RX_MULTICAST)++;
    }
    if (res.meta.status & OFNIC_RXC_VLAN) {
        GSTAT(s, RX_VLAN_STRIP)++;
    }
    if (res.tunnel) {
        GSTAT(s, RX_TUNNEL)++;
    }
    return size;
}

static bool ofnic_can_receive(NetClientState *nc)
{
    OfnicState *s = qemu_get_nic_opaque(nc);

    /* a stopped VM takes nothing: QEMU keeps the frames until it runs */
    return (s->ctrl & OFNIC_CTRL_ENABLE) && !nc->link_down &&
           runstate_is_running();
}

/*
 * Wire fault injection (properties fault-*), a test aid between the wire and
 * the receive path. A reordered frame waits for the next one, or 1 ms.
 */
#define OFNIC_FAULT_HOLD_NS SCALE_MS

/* A frame off the wire through the PHY's FEC (flipped: one bit in error). */
static ssize_t ofnic_wire_rx(OfnicState *s, const uint8_t *buf, size_t size,
                             bool flipped)
{
    ssize_t ret = ofnic_rx_frame(s, buf, size, false);

    if (ret) {
        /* taken in, or dropped: the port waits for buffers no longer */
        ofnic_rx_wait_end(s);
        ofnic_fc_congestion(s, false);
        ofnic_fec_rx(s, size, flipped);
    }
    return ret;
}

static void ofnic_fault_release(OfnicState *s)
{
    if (!s->fault_held_len) {
        return;
    }
    if (ofnic_wire_rx(s, s->fault_held, s->fault_held_len, false)) {
        s->fault_held_len = 0;
        timer_del(s->fault_timer);
    } else {
        timer_mod(s->fault_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                                      OFNIC_FAULT_HOLD_NS);
    }
}

static void ofnic_fault_timer(void *opaque)
{
    OfnicState *s = opaque;
    bool engaged = ofnic_io_enter(s);

    ofnic_fault_release(s);
    ofnic_io_exit(s, engaged);
}

static ssize_t ofnic_fault_receive(OfnicState *s, const uint8_t *buf,
                                   size_t size)
{
    ssize_t ret;
    bool flipped;

    if (size > OFNIC_MAX_FRAME) {
        return ofnic_wire_rx(s, buf, size, false); /* dropped as too long */
    }
    switch (ofnic_fault_pick(&s->fault)) {
    case OFNIC_FAULT_DROP:
        GSTAT(s, FAULT_DROP)++;
        return size;
    case OFNIC_FAULT_CORRUPT:
        /* too short for ofnic_fault_corrupt(): left alone, not counted */
        flipped = size > OFNIC_FAULT_CORRUPT_FROM;
        if (s->fec_ctrl != OFNIC_FEC_OFF || !flipped) {
            /* FEC repaired the flipped bit, or none was: the frame as sent */
            ret = ofnic_wire_rx(s, buf, size, flipped);
        } else {
            memcpy(s->fault_buf, buf, size);
            ofnic_fault_corrupt(&s->fault, s->fault_buf, size);
            ret = ofnic_wire_rx(s, s->fault_buf, size, false);
        }
        GSTAT(s, FAULT_CORRUPT) += ret != 0 && flipped;
        break;
    case OFNIC_FAULT_DUP:
        ret = ofnic_wire_rx(s, buf, size, false);
        if (ret) {
            GSTAT(s, FAULT_DUP)++;
            ofnic_wire_rx(s, buf, size, false); /* no room: just lost */
        }
        break;
    case OFNIC_FAULT_REORDER:
        if (!s->fault_held_len) {
            memcpy(s->fault_held, buf, size);
            s->fault_held_len = size;
            timer_mod(s->fault_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                                          OFNIC_FAULT_HOLD_NS);
            GSTAT(s, FAULT_REORDER)++;
            return size;
        }
        /* one frame is held at a time: this one goes as it is */
        /* fall through */
    default:
        ret = ofnic_wire_rx(s, buf, size, false);
        break;
    }
    if (ret) {
        ofnic_fault_release(s);
    }
    return ret;
}

static ssize_t ofnic_receive(NetClientState *nc, const uint8_t *buf,
                             size_t size)
{
    OfnicState *s = qemu_get_nic_opaque(nc);

    if (s->fault_on) {
        return ofnic_fault_receive(s, buf, size);
    }
    return ofnic_wire_rx(s, buf, size, false);
}

static void ofnic_set_link_status(NetClientState *nc)
{
    OfnicState *s = qemu_get_nic_opaque(nc);

    trace_ofnic_link(!nc->link_down);
    ofnic_misc_raise(s, OFNIC_MISC_LINK);
    if (!nc->link_down) {
        ofnic_rx_flush(s);
    }
}

NetClientInfo ofnic_net_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = ofnic_can_receive,
    .receive = ofnic_receive,
    .link_status_changed = ofnic_set_link_status,
};

/*
 * RSS contexts: registers are kept as written, and decoded into the engine's
 * contexts (key, field selection, indirection table) as they are written.
 */
#define RSS_REG_CTRL 0x30
#define RSS_REG_FIELDS 0x34
#define RSS_REG_INDIR 0x200

bool ofnic_rss_is_reg(hwaddr addr)
{
    unsigned int r = (addr - OFNIC_REG_RSS_BASE(0)) % OFNIC_RSS_CTX_STRIDE;

    if (addr < OFNIC_REG_RSS_BASE(0) ||
        addr >= OFNIC_REG_RSS_BASE(OFNIC_RSS_MAX_CONTEXTS)) {
        return false;
    }
    return r < OFNIC_RSS_KEY_SIZE || r == RSS_REG_CTRL ||
           r == RSS_REG_FIELDS || r >= RSS_REG_INDIR;
}

uint32_t ofnic_rss_read(OfnicState *s, hwaddr addr)
{
    unsigned int c = (addr - OFNIC_REG_RSS_BASE(0)) / OFNIC_RSS_CTX_STRIDE;
    unsigned int r = (addr - OFNIC_REG_RSS_BASE(0)) % OFNIC_RSS_CTX_STRIDE;

    return s->rss_regs[c][r / 4];
}

void ofnic_rss_write(OfnicState *s, hwaddr addr, uint32_t val)
{
    unsigned int c = (addr - OFNIC_REG_RSS_BASE(0)) / OFNIC_RSS_CTX_STRIDE;
    unsigned int r = (addr - OFNIC_REG_RSS_BASE(0)) % OFNIC_RSS_CTX_STRIDE;
    struct ofnic_rss_ctx *ctx = &s->rss[c];

    if (r == RSS_REG_CTRL) {
        uint32_t sym = OFNIC_RSS_CTRL_SYM_XOR | OFNIC_RSS_CTRL_SYM_OR_XOR;

        val &= OFNIC_RSS_CTRL_ENABLE | (s->caps & OFNIC_CAP_RSS_SYM ? sym : 0);
        if (c == 0 || !(s->caps & OFNIC_CAP_RSS_CONTEXTS)) {
            /* context 0 always exists; others need the capability */
            val &= ~OFNIC_RSS_CTRL_ENABLE;
        }
        ctx->enabled = c == 0 || (val & OFNIC_RSS_CTRL_ENABLE);
        ctx->xfrm = val & sym;
    } else if (r == RSS_REG_FIELDS) {
        uint32_t fl = s->caps & OFNIC_CAP_RSS_FLOW_LABEL ?
                      OFNIC_RSS_FIELDS_FLOW_LABEL : 0;

        val &= ((1u << (4 * OFNIC_FLOW_TYPES)) - 1) | fl;
        ctx->fields = val;
    } else if (r < OFNIC_RSS_KEY_SIZE) {
        stl_le_p(&ctx->key[r], val);
        ctx->tbl_valid = false;
    } else {
        stl_le_p(&ctx->indir[r - RSS_REG_INDIR], val);
    }
    s->rss_regs[c][r / 4] = val;
}

/*
 * Migration: see ofnic.c. Held flows are not in the stream: a DMA after the
 * VM stopped could miss the last RAM pass, so they are dropped and counted.
 */
void ofnic_rx_pre_save(OfnicState *s)
{
    unsigned int i;

    for (i = 0; i < OFNIC_MAX_QUEUES; i++) {
        ofnic_rsc_drop(&s->rxq[i]);
    }
}

/*
 * What this process held before a load (loadvm) is not the loaded state's:
 * forgotten. The RSS contexts: the registers from the stream written again.
 */
void ofnic_rx_post_load(OfnicState *s)
{
    unsigned int c, r;

    for (c = 0; c < OFNIC_MAX_QUEUES; c++) {
        OfnicQueue *q = &s->rxq[c];

        if (q->rsc) {
            ofnic_rsc_discard(q->rsc);
        }
        q->rsc_retry = false;
        q->rsc_timer_running = false;
        timer_del(q->rsc_timer);
    }
    s->fault_held_len = 0;
    timer_del(s->fault_timer);
    ofnic_rx_wait_end(s);
    ofnic_link_post_load(s);
    for (c = 0; c < OFNIC_RSS_MAX_CONTEXTS; c++) {
        for (r = 0; r < 4 * OFNIC_RSS_CTX_REGS; r += 4) {
            hwaddr addr = OFNIC_REG_RSS_BASE(c) + r;

            if (ofnic_rss_is_reg(addr)) {
                ofnic_rss_write(s, addr, s->rss_regs[c][r / 4]);
            }
        }
    }
}

/*
 * Life cycle.
 */
void ofnic_rx_reset(OfnicState *s)
{
    unsigned int i;

    for (i = 0; i < OFNIC_MAX_QUEUES; i++) {
        ofnic_rsc_drop(&s->rxq[i]);
    }
    s->fault_held_len = 0;
    timer_del(s->fault_timer);
    ofnic_rx_wait_end(s);
    ofnic_link_reset(s);
    memset(s->rss_regs, 0, sizeof(s->rss_regs));
    for (i = 0; i < OFNIC_RSS_MAX_CONTEXTS; i++) {
        struct ofnic_rss_ctx *ctx = &s->rss[i];

        s->rss_regs[i][RSS_REG_FIELDS / 4] = OFNIC_RSS_FIELDS_DEFAULT;
        memset(ctx->key, 0, sizeof(ctx->key));
        memset(ctx->indir, 0, sizeof(ctx->indir));
        ctx->fields = OFNIC_RSS_FIELDS_DEFAULT;
        ctx->enabled = i == 0;
        ctx->xfrm = 0;
        ctx->tbl_valid = false;
    }
}

void ofnic_rx_realize(OfnicState *s)
{
    unsigned int i;

    ofnic_link_realize(s);
    ofnic_fault_seed(&s->fault, s->fault_seed);
    s->fault_on = ofnic_fault_active(&s->fault);
    if (s->fault_on) {
        s->fault_buf = g_malloc(OFNIC_MAX_FRAME);
        s->fault_held = g_malloc(OFNIC_MAX_FRAME);
    }
    s->fault_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, ofnic_fault_timer, s);
    s->rx_wait_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, ofnic_rx_wait_timer, s);

    for (i = 0; i < OFNIC_MAX_QUEUES; i++) {
        s->rxq[i].rsc_timer =
            timer_new_ns(QEMU_CLOCK_VIRTUAL, ofnic_rsc_timer, &s->rxq[i]);
    }
}

void ofnic_rx_unrealize(OfnicState *s)
{
    unsigned int i, j;

    ofnic_link_unrealize(s);
    timer_free(s->fault_timer);
    timer_free(s->rx_wait_timer);
    g_free(s->fault_buf);
    g_free(s->fault_held);

    for (i = 0; i < OFNIC_MAX_QUEUES; i++) {
        OfnicQueue *q = &s->rxq[i];

        timer_free(q->rsc_timer);
        if (q->rsc) {
            for (j = 0; j < OFNIC_RSC_FLOWS; j++) {
                g_free(q->rsc->flow[j].buf);
            }
            g_free(q->rsc);
            q->rsc = NULL;
        }
    }
}
