/*
 * ofnic: migration and VM run state. Registers, rings, interrupt state and
 * counters travel; what the device derives from registers (RSS tables, address
 * filter) is rebuilt on load. A stopped VM sees no DMA or interrupt: frames
 * held for coalescing stay held, and are dropped and counted at the save (a
 * DMA after the last RAM pass would be lost).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/msix.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "net/net.h"
#include "ofnic_int.h"

static const VMStateDescription vmstate_ofnic_queue = {
    .name = "ofnic/queue",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(stalled, OfnicQueue),
        VMSTATE_UINT32(base_lo, OfnicQueue),
        VMSTATE_UINT64(base, OfnicQueue),
        VMSTATE_UINT32(size, OfnicQueue),
        VMSTATE_UINT32(ctrl, OfnicQueue),
        VMSTATE_UINT32(tail, OfnicQueue),
        VMSTATE_UINT32(head, OfnicQueue),
        VMSTATE_UINT32(itr, OfnicQueue),
        VMSTATE_UINT32(wb_lo, OfnicQueue),
        VMSTATE_UINT64(wb_addr, OfnicQueue),
        VMSTATE_UINT32(buf_size, OfnicQueue),
        VMSTATE_UINT32(irq_pending, OfnicQueue),
        VMSTATE_END_OF_LIST()
    },
};

static int ofnic_pre_save(void *opaque)
{
    OfnicState *s = opaque;

    ofnic_rx_pre_save(s);
    s->mig_link_down = qemu_get_queue(s->nic)->link_down;
    return 0;
}

static int ofnic_pre_load(void *opaque)
{
    OfnicState *s = opaque;

    s->mig_link_down = false; /* no "link" subsection: the link was up */
    return 0;
}

/* The stream is input like any other: a running ring must be a sane one. */
static int ofnic_post_load(void *opaque, int version_id)
{
    OfnicState *s = opaque;
    const char *why = "";
    unsigned int i, j;

    if (s->tx_rr >= s->queues || s->max_frame < OFNIC_MIN_FRAME ||
        s->max_frame > OFNIC_MAX_FRAME || (s->offload & ~s->offload_mask)) {
        return -EINVAL;
    }
    for (i = 0; i < OFNIC_MAX_QUEUES; i++) {
        OfnicQueue *qs[2] = { &s->txq[i], &s->rxq[i] };

        for (j = 0; j < 2; j++) {
            OfnicQueue *q = qs[j];

            q->timer_running = false; /* re-armed when the VM runs */
            timer_del(q->itr_timer);
            if (ofnic_q_running(q) &&
                (!ofnic_q_config_ok(q, &why) || q->head >= q->size ||
                 q->tail >= q->size)) {
                error_report("ofnic: %cXQ%u in the migration stream: %s",
                             q->is_rx ? 'R' : 'T', i,
                             *why ? why : "HEAD or TAIL >= SIZE");
                return -EINVAL;
            }
        }
    }
    s->filt.offload = s->offload;
    s->tx_db_count = 0;
    s->tx_waiting = false;
    qemu_get_queue(s->nic)->link_down = s->mig_link_down;
    ofnic_rx_post_load(s);
    return 0;
}

void ofnic_vm_state_change(void *opaque, bool running, RunState state)
{
    OfnicState *s = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    unsigned int i, j;

    if (!running) {
        /* no DMA or interrupt until it runs again: held flows stay held */
        qemu_bh_cancel(s->tx_bh);
        return;
    }
    /* after a load: moderation timers, and work the source left queued */
    for (i = 0; i < s->queues; i++) {
        OfnicQueue *qs[2] = { &s->txq[i], &s->rxq[i] };

        for (j = 0; j < 2; j++) {
            if (qs[j]->irq_pending && !qs[j]->timer_running) {
                qs[j]->timer_running = true;
                timer_mod(qs[j]->itr_timer, now);
            }
        }
    }
    if (s->ctrl & OFNIC_CTRL_ENABLE) {
        qemu_bh_schedule(s->tx_bh);
        ofnic_rx_flush(s);
    }
}

/* A link set down (set_link) stays down on the destination. */
static bool ofnic_link_needed(void *opaque)
{
    return ((OfnicState *)opaque)->mig_link_down;
}

static const VMStateDescription vmstate_ofnic_link = {
    .name = "ofnic/link",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ofnic_link_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(mig_link_down, OfnicState),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_ofnic = {
    .name = "ofnic",
    .version_id = 3, /* datasheet 2.1: flow control, FEC */
    .minimum_version_id = 3,
    .pre_save = ofnic_pre_save,
    .pre_load = ofnic_pre_load,
    .post_load = ofnic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, OfnicState),
        VMSTATE_MSIX(parent_obj, OfnicState),
        /* the other side must be built with the same properties */
        VMSTATE_UINT32_EQUAL(queues, OfnicState, "queues differs"),
        VMSTATE_UINT64_EQUAL(caps, OfnicState, "offload properties differ"),
        VMSTATE_UINT32(ctrl, OfnicState),
        VMSTATE_UINT32(offload, OfnicState),
        VMSTATE_UINT32(max_frame, OfnicState),
        VMSTATE_UINT32(misc_cause, OfnicState),
        VMSTATE_UINT32(misc_mask, OfnicState),
        VMSTATE_UINT32(misc_vector, OfnicState),
        VMSTATE_UINT32(rsc_ctrl, OfnicState),
        VMSTATE_UINT32(mac_lo, OfnicState),
        VMSTATE_UINT8_ARRAY(filt.mac, OfnicState, 6),
        VMSTATE_UINT32_ARRAY(filt.mc_hash, OfnicState, OFNIC_MC_FILTER_REGS),
        VMSTATE_UINT32(stats_lo, OfnicState),
        VMSTATE_UINT64(stats_addr, OfnicState),
        VMSTATE_UINT32_ARRAY(tunnel_port, OfnicState, OFNIC_TUNNEL_PORTS),
        VMSTATE_UINT32_ARRAY(vlan_filter, OfnicState, OFNIC_VLAN_FILTER_REGS),
        VMSTATE_UINT32_2DARRAY(rss_regs, OfnicState, OFNIC_RSS_MAX_CONTEXTS,
                               OFNIC_RSS_CTX_REGS),
        VMSTATE_UINT32_2DARRAY(ntuple, OfnicState, OFNIC_NTUPLE_MAX_RULES,
                               OFNIC_NTUPLE_REGS),
        VMSTATE_BOOL_ARRAY(vec_armed, OfnicState, OFNIC_MAX_VECTORS),
        VMSTATE_BOOL_ARRAY(vec_pending, OfnicState, OFNIC_MAX_VECTORS),
        VMSTATE_STRUCT_ARRAY(txq, OfnicState, OFNIC_MAX_QUEUES, 1,
                             vmstate_ofnic_queue, OfnicQueue),
        VMSTATE_STRUCT_ARRAY(rxq, OfnicState, OFNIC_MAX_QUEUES, 1,
                             vmstate_ofnic_queue, OfnicQueue),
        VMSTATE_UINT32(tx_rr, OfnicState),
        VMSTATE_UINT32(txo.frag6_id, OfnicState),
        VMSTATE_UINT32(fc_ctrl, OfnicState),
        VMSTATE_UINT32(fc_quanta, OfnicState),
        VMSTATE_UINT64(fc_pause_until, OfnicState),
        VMSTATE_BOOL(fc_xoff_sent, OfnicState),
        VMSTATE_UINT32(fec_ctrl, OfnicState),
        VMSTATE_UINT64_ARRAY(gstats, OfnicState, OFNIC_GSTAT_NUM),
        VMSTATE_UINT64_2DARRAY(qstats, OfnicState, OFNIC_MAX_QUEUES,
                               OFNIC_QSTAT_NUM),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_ofnic_link,
        NULL
    },
};
