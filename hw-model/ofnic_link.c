/*
 * ofnic device model: the link. 802.3x flow control (OFNIC_REG_FC_CTRL): PAUSE
 * frames from the wire hold TX; while a frame from the wire waits for RX
 * buffers the device tells its link partner to pause, and to resume once the
 * frame is in. FEC (OFNIC_REG_FEC_CTRL): the code that repairs the wire's bit
 * errors (those of fault-corrupt) and counts them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "trace.h"
#include "ofnic_int.h"

bool ofnic_link_is_reg(hwaddr addr)
{
    return addr == OFNIC_REG_FC_CTRL || addr == OFNIC_REG_FC_QUANTA ||
           addr == OFNIC_REG_FEC_CTRL;
}

uint32_t ofnic_link_read(OfnicState *s, hwaddr addr)
{
    if (addr == OFNIC_REG_FEC_CTRL) {
        return s->fec_ctrl;
    }
    if (!(s->caps & OFNIC_CAP_PAUSE)) {
        return 0;
    }
    return addr == OFNIC_REG_FC_CTRL ? s->fc_ctrl : s->fc_quanta;
}

static uint64_t ofnic_fc_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* Send the PAUSE frame the congestion state calls for, now or at the timer. */
static void ofnic_fc_send(OfnicState *s)
{
    uint8_t frame[OFNIC_PAUSE_FRAME_LEN];
    uint16_t quanta;

    if (qemu_get_queue(s->nic)->link_down) {
        s->fc_xoff_sent = false; /* a partner that lost the link resumes */
        return;
    }
    if (s->fc_congested && (s->fc_ctrl & OFNIC_FC_TX_PAUSE)) {
        quanta = s->fc_quanta;
    } else if (s->fc_xoff_sent) {
        quanta = 0;
    } else {
        return;
    }
    ofnic_pause_build(frame, s->filt.mac, quanta);
    trace_ofnic_pause_tx(quanta);
    GSTAT(s, TX_PAUSE)++;
    s->fc_xoff_sent = quanta != 0;
    qemu_send_packet(qemu_get_queue(s->nic), frame, sizeof(frame));
    if (quanta) {
        /* refresh at half the time, so the partner never resumes early */
        timer_mod(s->fc_send_timer,
                  ofnic_fc_now() + MAX(ofnic_pause_ns(quanta, s->speed) / 2,
                                       SCALE_US));
    }
}

static void ofnic_fc_send_timer(void *opaque)
{
    OfnicState *s = opaque;
    bool engaged = ofnic_io_enter(s);

    ofnic_fc_send(s);
    ofnic_io_exit(s, engaged);
}

static void ofnic_fc_tx_timer(void *opaque)
{
    OfnicState *s = opaque;

    qemu_bh_schedule(s->tx_bh);
}

void ofnic_link_write(OfnicState *s, hwaddr addr, uint32_t val)
{
    if (addr == OFNIC_REG_FEC_CTRL) {
        if (s->caps & OFNIC_CAP_FEC) {
            s->fec_ctrl = val & OFNIC_FEC_MODE_MASK;
            if (s->fec_ctrl > OFNIC_FEC_RS) {
                qemu_log_mask(LOG_GUEST_ERROR,
                              "ofnic: FEC_CTRL mode 3 is reserved: FEC off\n");
                s->fec_ctrl = OFNIC_FEC_OFF;
            }
        }
        return;
    }
    if (!(s->caps & OFNIC_CAP_PAUSE)) {
        return;
    }
    if (addr == OFNIC_REG_FC_QUANTA) {
        s->fc_quanta = val & OFNIC_FC_QUANTA_MASK;
        return;
    }
    s->fc_ctrl = val & (OFNIC_FC_RX_PAUSE | OFNIC_FC_TX_PAUSE);
    if (!(s->fc_ctrl & OFNIC_FC_RX_PAUSE) && s->fc_pause_until) {
        s->fc_pause_until = 0;
        timer_del(s->fc_tx_timer);
        qemu_bh_schedule(s->tx_bh);
    }
    if (!(s->fc_ctrl & OFNIC_FC_TX_PAUSE) && s->fc_xoff_sent) {
        timer_mod(s->fc_send_timer, ofnic_fc_now()); /* resume the partner */
    }
}

/* A frame from the wire: true if it was a MAC control frame, now consumed. */
bool ofnic_fc_rx(OfnicState *s, const uint8_t *buf, size_t size)
{
    uint16_t quanta = 0;

    switch (ofnic_mac_ctrl_parse(buf, size, s->filt.mac, &quanta)) {
    case OFNIC_MAC_CTRL_NONE:
        return false;
    case OFNIC_MAC_CTRL_OTHER:
        GSTAT(s, RX_DROP_MAC_CTRL)++;
        return true;
    case OFNIC_MAC_CTRL_PAUSE:
        break;
    }
    GSTAT(s, RX_PAUSE)++;
    trace_ofnic_pause_rx(quanta, !!(s->fc_ctrl & OFNIC_FC_RX_PAUSE));
    if (!(s->fc_ctrl & OFNIC_FC_RX_PAUSE)) {
        return true;
    }
    if (quanta) {
        s->fc_pause_until = ofnic_fc_now() + ofnic_pause_ns(quanta, s->speed);
    } else if (s->fc_pause_until) {
        s->fc_pause_until = 0;
        timer_del(s->fc_tx_timer);
        qemu_bh_schedule(s->tx_bh);
    }
    return true;
}

/* TX may not start a frame while paused; the timer restarts it. */
bool ofnic_fc_tx_paused(OfnicState *s)
{
    if (!s->fc_pause_until) {
        return false;
    }
    if (ofnic_fc_now() >= s->fc_pause_until) {
        s->fc_pause_until = 0;
        return false;
    }
    timer_mod(s->fc_tx_timer, s->fc_pause_until);
    return true;
}

/* RX refused a frame for want of buffers (true), or took one in (false). */
void ofnic_fc_congestion(OfnicState *s, bool congested)
{
    if (s->fc_congested == congested) {
        return;
    }
    s->fc_congested = congested;
    if ((congested && (s->fc_ctrl & OFNIC_FC_TX_PAUSE)) ||
        (!congested && s->fc_xoff_sent)) {
        timer_mod(s->fc_send_timer, ofnic_fc_now());
    }
}

/*
 * A frame from the wire, taken in (flipped: the fault injection flipped one of
 * its bits, which FEC repaired). Returns false if FEC is off: the flip stays.
 */
bool ofnic_fec_rx(OfnicState *s, size_t size, bool flipped)
{
    uint32_t cw;

    if (s->fec_ctrl == OFNIC_FEC_OFF) {
        return false;
    }
    if (flipped) {
        GSTAT(s, FEC_CORRECTED)++;
        GSTAT(s, FEC_CORRECTED_BITS)++;
    }
    if (s->fec_ctrl == OFNIC_FEC_RS) {
        cw = ofnic_fec_rs_codewords(size);
        GSTAT(s, FEC_RS_BIN_0) += cw - flipped;
        GSTAT(s, FEC_RS_BIN_1) += flipped;
    }
    return true;
}

void ofnic_link_reset(OfnicState *s)
{
    s->fec_ctrl = OFNIC_FEC_OFF;
    s->fc_ctrl = 0;
    s->fc_quanta = OFNIC_FC_QUANTA_MASK;
    s->fc_pause_until = 0;
    s->fc_congested = false;
    s->fc_xoff_sent = false;
    timer_del(s->fc_tx_timer);
    timer_del(s->fc_send_timer);
}

/*
 * The stream carries the registers, the pause deadline and whether the partner
 * was told to pause; not the frame QEMU held for RX: resume the partner.
 */
void ofnic_link_post_load(OfnicState *s)
{
    s->fc_congested = false;
    if (s->fc_pause_until) {
        timer_mod(s->fc_tx_timer, s->fc_pause_until);
    } else {
        timer_del(s->fc_tx_timer);
    }
    if (s->fc_xoff_sent) {
        timer_mod(s->fc_send_timer, ofnic_fc_now());
    } else {
        timer_del(s->fc_send_timer);
    }
}

void ofnic_link_realize(OfnicState *s)
{
    s->fc_tx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, ofnic_fc_tx_timer, s);
    s->fc_send_timer =
        timer_new_ns(QEMU_CLOCK_VIRTUAL, ofnic_fc_send_timer, s);
}

void ofnic_link_unrealize(OfnicState *s)
{
    timer_free(s->fc_tx_timer);
    timer_free(s->fc_send_timer);
}
