#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test of ofnic's forward error correction through QEMU (no guest kernel).

The wire's bit errors are those of the fault-corrupt property (one bit flipped per frame; here
every frame). Checks FEC_CTRL, that with FEC off a flipped frame reaches the ring flipped and no
FEC counter moves, that BASE-R and RS deliver every frame as it was sent and count one corrected
block and bit per frame, that RS sorts the codewords of each frame into the histogram (the one
holding the flip in bin 1, the rest in bin 0), that a clean wire fills only bin 0, and fec=off.
Prints TAP.

    selftests/device/fec.py QEMU_BINARY [PC_BIOS_DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rx_offload as R  # noqa: E402
import tx_offload as T  # noqa: E402
from tx_offload import ok  # noqa: E402

# ---- datasheet values used here (include/ofnic_hw.h) ----
REG_FEC_CTRL, REG_CTRL = 0x6c, 0x40
FEC_OFF, FEC_BASER, FEC_RS = 0, 1, 2
CAP_FEC = 1 << 31
RS_DATA_BITS = 5140
FEC_STATS = ("FEC_CORRECTED", "FEC_UNCORRECTABLE", "FEC_CORRECTED_BITS", "FEC_RS_BIN_0", "FEC_RS_BIN_1")


def codewords(n):
    return (8 * (n + 24) + RS_DATA_BITS - 1) // RS_DATA_BITS


def fec(d):
    g = d.stats()[0]
    return tuple(g[k] for k in FEC_STATS)


def run(d, payloads, seq):
    """Inject TCP frames of these payload sizes; return (sent, received) frame bytes."""
    frames = [bytes(R.tcp4(seq=seq + 2000 * i, payload=p)) for i, p in enumerate(payloads)]
    d.rewind()
    d.send_wait(frames)
    got = [data for _, _, data in d.completions()]
    return frames, got


def main():
    T.plan(17)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    payloads = [100, 1000, 1400, 80, 1446]  # frames > 128 bytes: each gets its flip
    lens = [54 + p for p in payloads]
    cws = sum(codewords(n) for n in lens)

    d = R.RxDev(qemu, bios, opts="fault-corrupt=10000")
    try:
        ok(d.r(R.REG_CAP_LO) & CAP_FEC, "CAP_FEC advertised")
        ok(d.r(REG_FEC_CTRL) == FEC_OFF, "reset: FEC off")
        d.w(REG_FEC_CTRL, FEC_RS | 0xfffffffc)
        ok(d.r(REG_FEC_CTRL) == FEC_RS, "FEC_CTRL keeps bits 1:0 (RS)")
        d.w(REG_FEC_CTRL, 3)
        ok(d.r(REG_FEC_CTRL) == FEC_OFF, "reserved mode 3: FEC off (and a guest error)")

        sent, got = run(d, payloads, 1000)
        flipped = sum(1 for a, b in zip(sent, got) if a != b)
        ok(len(got) == len(sent) and flipped == len(sent),
           "FEC off: all %d frames delivered, each with its flipped bit" % len(sent), (len(got), flipped))
        ok(fec(d) == (0, 0, 0, 0, 0), "...and no FEC counter moved", fec(d))

        d.w(REG_FEC_CTRL, FEC_BASER)
        sent, got = run(d, payloads, 100000)
        ok(got == sent, "BASE-R: every frame delivered as it was sent", [len(g) for g in got])
        ok(fec(d) == (5, 0, 5, 0, 0), "...5 corrected blocks and bits, no RS histogram", fec(d))

        d.w(REG_FEC_CTRL, FEC_RS)
        sent, got = run(d, payloads, 200000)
        ok(got == sent, "RS: every frame delivered as it was sent")
        ok(fec(d) == (10, 0, 10, cws - 5, 5),
           "...5 more corrected; %d codewords: %d in bin 0, one per frame in bin 1" % (cws, cws - 5),
           fec(d))
        g = d.stats()[0]
        ok(g["FAULT_CORRUPT"] == 15, "FAULT_CORRUPT counts the 15 flips, corrected or not",
           g["FAULT_CORRUPT"])

        d.w(REG_CTRL, 1)
        ok(d.r(REG_FEC_CTRL) == FEC_OFF and fec(d) == (0, 0, 0, 0, 0),
           "device reset: FEC off, counters 0")
    finally:
        log = d.close()
    ok("FEC_CTRL mode 3 is reserved" in log, "the reserved mode was logged as a guest error")

    d = R.RxDev(qemu, bios)
    try:
        d.w(REG_FEC_CTRL, FEC_RS)
        sent, got = run(d, payloads, 1000)
        ok(got == sent and fec(d) == (0, 0, 0, cws, 0),
           "a clean wire under RS: %d codewords, all in bin 0" % cws, fec(d))
    finally:
        d.close()

    d = R.RxDev(qemu, bios, opts="fec=off,fault-corrupt=10000")
    try:
        ok(not d.r(R.REG_CAP_LO) & CAP_FEC, "fec=off: CAP_FEC clear")
        d.w(REG_FEC_CTRL, FEC_RS)
        ok(d.r(REG_FEC_CTRL) == FEC_OFF, "...FEC_CTRL reads 0, ignores writes")
        sent, got = run(d, payloads, 1000)
        ok(len(got) == len(sent) and all(a != b for a, b in zip(sent, got)),
           "...frames arrive with their flipped bit")
    finally:
        d.close()
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
