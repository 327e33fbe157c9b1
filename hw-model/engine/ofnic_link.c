/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link's own frames and codes: recognising MAC control frames from the
 * wire and building the PAUSE frames the device sends (OFNIC_REG_FC_CTRL), and
 * the RS-FEC codewords a frame fills (OFNIC_REG_FEC_CTRL).
 */
#include "ofnic_engine.h"

/* 01:80:c2:00:00:01, the address PAUSE frames are sent to (802.3 31B.1) */
static const uint8_t ofnic_pause_dst[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x01 };

enum ofnic_mac_ctrl ofnic_mac_ctrl_parse(const uint8_t *frame, size_t len,
                                         const uint8_t station[6],
                                         uint16_t *quanta)
{
    /* destination, source, EtherType, opcode, pause_time */
    if (len < 14 || (frame[12] << 8 | frame[13]) != OFNIC_ETH_P_MAC_CTRL) {
        return OFNIC_MAC_CTRL_NONE;
    }
    if (len < 18 || (frame[14] << 8 | frame[15]) != OFNIC_MAC_CTRL_OP_PAUSE ||
        (memcmp(frame, ofnic_pause_dst, 6) && memcmp(frame, station, 6))) {
        return OFNIC_MAC_CTRL_OTHER;
    }
    *quanta = frame[16] << 8 | frame[17];
    return OFNIC_MAC_CTRL_PAUSE;
}

void ofnic_pause_build(uint8_t *buf, const uint8_t src[6], uint16_t quanta)
{
    memset(buf, 0, OFNIC_PAUSE_FRAME_LEN);
    memcpy(buf, ofnic_pause_dst, 6);
    memcpy(buf + 6, src, 6);
    buf[12] = OFNIC_ETH_P_MAC_CTRL >> 8;
    buf[13] = OFNIC_ETH_P_MAC_CTRL & 0xff;
    buf[14] = OFNIC_MAC_CTRL_OP_PAUSE >> 8;
    buf[15] = OFNIC_MAC_CTRL_OP_PAUSE & 0xff;
    buf[16] = quanta >> 8;
    buf[17] = quanta & 0xff;
}

uint64_t ofnic_pause_ns(uint16_t quanta, uint32_t speed_mbps)
{
    /* bits / (Mbit/s) = microseconds */
    if (!speed_mbps) {
        return 0;
    }
    return (uint64_t)quanta * OFNIC_PAUSE_QUANTUM_BITS * 1000 / speed_mbps;
}

uint32_t ofnic_fec_rs_codewords(size_t len)
{
    /* preamble and SFD 8, FCS 4, inter-frame gap 12 bytes */
    uint64_t bits = 8 * ((uint64_t)len + 24);

    return (bits + OFNIC_FEC_RS_DATA_BITS - 1) / OFNIC_FEC_RS_DATA_BITS;
}
