#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test of ofnic's 802.3x flow control through QEMU (no guest kernel).

PAUSE frames go into the device through its UDP socket netdev, and what the device puts on the
wire comes back through the same socket, under qtest's virtual clock (speed=100: one quantum is
5.12 us). Checks the FC registers, that MAC control frames never reach a ring and are counted,
that a PAUSE holds TX for exactly its pause_time (and pause_time 0 resumes it), that a ring out
of buffers makes the device send PAUSE frames (refreshed at half their time) and a pause_time 0
frame once the ring has room, and that pause=off leaves MAC control frames to the address
filter. Prints TAP.

    selftests/device/flow_control.py QEMU_BINARY [PC_BIOS_DIR]
"""
import os
import select
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rx_offload as R  # noqa: E402
import tx_offload as T  # noqa: E402
from tx_offload import ok  # noqa: E402

# ---- datasheet values used here (include/ofnic_hw.h) ----
REG_FC_CTRL, REG_FC_QUANTA, REG_CTRL = 0x64, 0x68, 0x40
FC_RX_PAUSE, FC_TX_PAUSE = 0x1, 0x2
CAP_PAUSE = 1 << 30
CTRL_RESET = 1
PAUSE_DST = bytes.fromhex("0180c2000001")
STATION = R.DST_MAC
QUANTUM_NS = 512 * 1000 // 100  # at speed=100 (Mbit/s)


def mac_ctrl(dst=PAUSE_DST, opcode=1, quanta=0):
    return bytearray(dst + bytes.fromhex("525400000001") + struct.pack("!HHH", 0x8808, opcode, quanta)
                     + bytes(42))


def post_tx(d, pkt):
    """Post one plain packet on TXQ0 and ring the doorbell; no waiting."""
    d.mem_w(T.DATA, pkt)
    d.mem_w(T.RING + 16 * d.tail, struct.pack("<QIHH", T.DATA, len(pkt), 0, T.TXD_EOP))
    d.tail = (d.tail + 1) % T.RSIZE
    d.w(T.TXQ0 + T.Q_TAIL, d.tail)


def wire(d, wait=0.3):
    """Frames the device sent since the last call."""
    out = []
    while True:
        rd, _, _ = select.select([d.rx], [], [], wait)
        if not rd:
            return out
        out.append(bytes(d.rx.recv(65536)))


def step(d, ns):
    d.cmd("clock_step %d" % ns)


def is_pause(f, quanta):
    return (len(f) == 60 and f[:6] == PAUSE_DST and f[6:12] == STATION and
            struct.unpack("!HHH", f[12:18]) == (0x8808, 1, quanta) and not any(f[18:]))


def main():
    T.plan(32)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    pkt = T.build(payload=200)[0]

    d = R.RxDev(qemu, bios, opts="speed=100")
    try:
        ok(d.r(R.REG_CAP_LO) & CAP_PAUSE, "CAP_PAUSE advertised")
        ok((d.r(REG_FC_CTRL), d.r(REG_FC_QUANTA)) == (0, 0xffff), "reset: FC_CTRL 0, FC_QUANTA 0xffff",
           (d.r(REG_FC_CTRL), d.r(REG_FC_QUANTA)))
        d.w(REG_FC_CTRL, 0xffffffff)
        d.w(REG_FC_QUANTA, 0x12345)
        ok((d.r(REG_FC_CTRL), d.r(REG_FC_QUANTA)) == (3, 0x2345),
           "FC_CTRL keeps bits 1:0, FC_QUANTA bits 15:0", (d.r(REG_FC_CTRL), d.r(REG_FC_QUANTA)))
        d.w(REG_FC_CTRL, 0)

        # ---- MAC control frames never reach a ring ----
        frames0 = d.gstat("RX_FRAMES")
        ok(d.send_wait([mac_ctrl(quanta=100), mac_ctrl(dst=STATION, quanta=100)], "RX_PAUSE"),
           "PAUSE to 01:80:c2:00:00:01 and to the station address: RX_PAUSE counts both")
        ok(d.send_wait([mac_ctrl(opcode=0x0101), mac_ctrl(dst=bytes.fromhex("020000000009"))],
                       "RX_DROP_MAC_CTRL"),
           "PFC opcode and a PAUSE to another station: RX_DROP_MAC_CTRL counts both")
        ok(not d.completions() and d.gstat("RX_FRAMES") == frames0,
           "none of them reached a ring or RX_FRAMES")
        post_tx(d, pkt)
        ok(len(wire(d)) == 1, "FC_RX_PAUSE clear: a PAUSE does not hold TX")

        # ---- FC_RX_PAUSE: TX waits pause_time quanta ----
        d.w(REG_FC_CTRL, FC_RX_PAUSE)
        ok(d.send_wait([mac_ctrl(quanta=1000)], "RX_PAUSE"), "PAUSE 1000 quanta (5.12 ms) received")
        post_tx(d, pkt)
        got = wire(d)
        ok(not got and d.r(T.TXQ0 + T.Q_HEAD) != d.tail, "TX holds the packet while paused", len(got))
        step(d, 1000 * QUANTUM_NS - 20000)
        got = wire(d)
        ok(not got, "...still held 20 us before the pause ends", len(got))
        step(d, 20000)
        got = wire(d)
        ok(len(got) == 1 and got[0] == bytes(pkt) and d.r(T.TXQ0 + T.Q_HEAD) == d.tail,
           "...and sent when the 5.12 ms are over", len(got))
        ok(d.send_wait([mac_ctrl(quanta=0xffff)], "RX_PAUSE"), "PAUSE 0xffff quanta (335 ms) received")
        post_tx(d, pkt)
        ok(not wire(d), "TX held")
        ok(d.send_wait([mac_ctrl(quanta=0)], "RX_PAUSE"), "PAUSE 0 received")
        ok(len(wire(d)) == 1, "pause_time 0 resumes TX at once, no time passing")
        ok(d.send_wait([mac_ctrl(quanta=0xffff)], "RX_PAUSE"), "PAUSE 0xffff received again")
        post_tx(d, pkt)
        ok(not wire(d), "TX held")
        d.w(REG_FC_CTRL, 0)
        ok(len(wire(d)) == 1, "clearing FC_RX_PAUSE releases TX")

        # ---- FC_TX_PAUSE: an RX ring out of buffers pauses the link partner ----
        d.w(REG_FC_CTRL, FC_TX_PAUSE)
        d.w(REG_FC_QUANTA, 1000)
        wire(d, 0.05)
        tx0 = d.gstat("TX_PAUSE")
        frames = [R.tcp4(seq=1000 + 100 * i, payload=100) for i in range(R.RSIZE)]
        d.send_wait(frames[:R.RSIZE - 1])
        d.inject(frames[-1])
        for _ in range(400):
            if d.stats()[1]["RX_STALLS"]:
                break
            time.sleep(0.005)
        step(d, 1)
        got = wire(d)
        ok(len(got) == 1 and is_pause(got[0], 1000),
           "ring full with a frame waiting: one PAUSE of FC_QUANTA from the station address",
           [g.hex() for g in got])
        step(d, 500 * QUANTUM_NS - 1000)
        ok(not wire(d), "no refresh before half the pause time")
        step(d, 1000)
        got = wire(d)
        ok(len(got) == 1 and is_pause(got[0], 1000), "refreshed at half the pause time",
           [g.hex() for g in got])
        ok(len(d.completions()) == R.RSIZE - 1, "%d frames in the ring" % (R.RSIZE - 1))
        # fresh descriptors, 10 of them past HEAD (63): the waiting frame can go in
        d.mem_w(R.RING0, b"".join(struct.pack("<QQ", R.BUFS0 + i * R.BUF, 0) for i in range(R.RSIZE)))
        d.w(R.RXQ + R.Q_TAIL, 9)
        step(d, 1)
        got = wire(d)
        ok(len(got) == 1 and is_pause(got[0], 0), "the waiting frame taken in: PAUSE 0 resumes the partner",
           [g.hex() for g in got])
        ok(len(d.completions()) == 1, "...and the waiting frame was delivered")
        step(d, 10 * 1000 * QUANTUM_NS)
        ok(not wire(d), "nothing more while RX has room")
        ok(d.gstat("TX_PAUSE") - tx0 == 3 and d.gstat("TX_FRAMES") == 4,
           "TX_PAUSE counts the 3 PAUSE frames; TX_FRAMES only the 4 packets",
           (d.gstat("TX_PAUSE") - tx0, d.gstat("TX_FRAMES")))

        d.w(REG_CTRL, CTRL_RESET)
        ok((d.r(REG_FC_CTRL), d.r(REG_FC_QUANTA), d.gstat("RX_PAUSE")) == (0, 0xffff, 0),
           "device reset: flow control off, FC_QUANTA 0xffff, counters 0")
    finally:
        log = d.close()
    ok("ofnic:" not in log, "no guest error logged", log.strip()[-300:])

    # ---- pause=off: no capability, MAC control frames are ordinary frames ----
    d = R.RxDev(qemu, bios, opts="pause=off")
    try:
        ok(not d.r(R.REG_CAP_LO) & CAP_PAUSE, "pause=off: CAP_PAUSE clear")
        d.w(REG_FC_CTRL, 3)
        d.w(REG_FC_QUANTA, 5)
        ok((d.r(REG_FC_CTRL), d.r(REG_FC_QUANTA)) == (0, 0), "...FC registers read 0, ignore writes")
        ok(d.send_wait([mac_ctrl(quanta=100)], "RX_DROP_FILTER"),
           "...a PAUSE to 01:80:c2:00:00:01 meets the address filter")
        ok(d.gstat("RX_PAUSE") == 0, "...and is not counted as PAUSE")
    finally:
        d.close()
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
