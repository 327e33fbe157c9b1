/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link in the engine: which frames are MAC control frames and which of
 * those are PAUSE frames to us, the PAUSE frame the device sends, how long
 * pause_time quanta last, and how many RS-FEC codewords a frame fills.
 */
#include <string.h>
#include "tap.h"
#include "ofnic_engine.h"

static const uint8_t station[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t pause_dst[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x01 };

static void frame(uint8_t *f, const uint8_t dst[6], uint16_t type, uint16_t opcode,
                  uint16_t quanta)
{
    memset(f, 0, OFNIC_PAUSE_FRAME_LEN);
    memcpy(f, dst, 6);
    memset(f + 6, 0x52, 6);
    f[12] = type >> 8;
    f[13] = type & 0xff;
    f[14] = opcode >> 8;
    f[15] = opcode & 0xff;
    f[16] = quanta >> 8;
    f[17] = quanta & 0xff;
}

static void test_parse(void)
{
    uint8_t f[OFNIC_PAUSE_FRAME_LEN];
    uint16_t q = 0;

    frame(f, pause_dst, 0x8808, 1, 0x1234);
    is(ofnic_mac_ctrl_parse(f, sizeof(f), station, &q), OFNIC_MAC_CTRL_PAUSE,
       "PAUSE to 01:80:c2:00:00:01");
    is(q, 0x1234, "...its pause_time (big-endian)");
    frame(f, station, 0x8808, 1, 0);
    q = 7;
    is(ofnic_mac_ctrl_parse(f, sizeof(f), station, &q), OFNIC_MAC_CTRL_PAUSE,
       "PAUSE to the station address");
    is(q, 0, "...pause_time 0");
    frame(f, (const uint8_t[6]){ 0x02, 0, 0, 0, 0, 9 }, 0x8808, 1, 5);
    is(ofnic_mac_ctrl_parse(f, sizeof(f), station, &q), OFNIC_MAC_CTRL_OTHER,
       "PAUSE to another station: a MAC control frame, not ours to obey");
    frame(f, pause_dst, 0x8808, 0x0101, 5);
    is(ofnic_mac_ctrl_parse(f, sizeof(f), station, &q), OFNIC_MAC_CTRL_OTHER,
       "priority flow control (opcode 0x0101): MAC control, not PAUSE");
    frame(f, pause_dst, 0x8808, 1, 5);
    is(ofnic_mac_ctrl_parse(f, 17, station, &q), OFNIC_MAC_CTRL_OTHER,
       "PAUSE cut before its pause_time: MAC control, not PAUSE");
    is(ofnic_mac_ctrl_parse(f, 13, station, &q), OFNIC_MAC_CTRL_NONE,
       "13 bytes: no EtherType, not MAC control");
    frame(f, pause_dst, 0x0800, 1, 5);
    is(ofnic_mac_ctrl_parse(f, sizeof(f), station, &q), OFNIC_MAC_CTRL_NONE,
       "IPv4 to the PAUSE address: not MAC control");
    frame(f, pause_dst, 0x8100, 0x8808, 5);
    is(ofnic_mac_ctrl_parse(f, sizeof(f), station, &q), OFNIC_MAC_CTRL_NONE,
       "a VLAN-tagged frame is not MAC control (31B: never tagged)");
}

static void test_build(void)
{
    uint8_t f[OFNIC_PAUSE_FRAME_LEN + 4], want[OFNIC_PAUSE_FRAME_LEN];
    uint16_t q = 0;

    memset(f, 0xee, sizeof(f));
    ofnic_pause_build(f, station, 0xabcd);
    frame(want, pause_dst, 0x8808, 1, 0xabcd);
    memcpy(want + 6, station, 6);
    ok(!memcmp(f, want, sizeof(want)), "built PAUSE: DA, SA, 0x8808, opcode 1, pause_time, zero pad");
    is(f[OFNIC_PAUSE_FRAME_LEN], 0xee, "...and not a byte more");
    is(ofnic_mac_ctrl_parse(f, OFNIC_PAUSE_FRAME_LEN, station, &q), OFNIC_MAC_CTRL_PAUSE,
       "...which the parser takes as PAUSE");
    is(q, 0xabcd, "...with the same pause_time");
}

static void test_time(void)
{
    is(ofnic_pause_ns(1, 1000), 512, "1 quantum at 1 Gbit/s: 512 ns");
    is(ofnic_pause_ns(0xffff, 25000), 1342156, "0xffff quanta at 25 Gbit/s: 1.342 ms");
    is(ofnic_pause_ns(0xffff, 100), 335539200, "0xffff quanta at 100 Mbit/s: 335.5 ms");
    is(ofnic_pause_ns(0, 25000), 0, "pause_time 0: no pause");
    is(ofnic_pause_ns(100, 0), 0, "no link speed: no pause");
}

static void test_fec(void)
{
    /* 8 * (len + 24) bits of line, 5140 data bits per codeword */
    is(ofnic_fec_rs_codewords(60), 1, "60-byte frame: 1 RS codeword");
    is(ofnic_fec_rs_codewords(618), 1, "618 bytes: 5136 bits, still 1");
    is(ofnic_fec_rs_codewords(619), 2, "619 bytes: 5144 bits, 2");
    is(ofnic_fec_rs_codewords(1514), 3, "1514 bytes: 3");
    is(ofnic_fec_rs_codewords(9022), 15, "9022 bytes: 15");
}

int main(void)
{
    plan(24);
    test_parse();
    test_build();
    test_time();
    test_fec();
    return done_testing();
}
