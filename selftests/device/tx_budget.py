#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test of the TX bottom half's budget in bytes as well as frames (no guest kernel).

One doorbell posts 63 jumbo frames (9014 bytes, 568 KB in all). A run of the bottom half ends
once its frames cost 256 units, a frame costing one unit per started 2 KiB (docs/ofnic.rst,
Ordering): 256 frames of up to 2 KiB, or about 512 KiB of larger ones. So the jumbo frames go
in two runs (52 frames of 5 units, then 11), while 63 frames of 1514 bytes go in one. The runs are read from the ofnic_tx_ring
trace; every frame must reach the wire, in order. Prints TAP.

    selftests/device/tx_budget.py QEMU_BINARY [PC_BIOS_DIR]
"""
import os
import re
import select
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tx_offload as T  # noqa: E402
from tx_offload import ok  # noqa: E402

SLOT = 0x4000        # buffer of ring slot i at T.DATA + i * SLOT
UNIT = 2048         # bytes per budget unit: 512 KiB / 256


def frame(n, size):
    return (b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x88\xb5" +
            struct.pack("!I", n) * (size // 4))[:size]


def walks(trace):
    """(packets, cost) of every TXQ0 ring walk, in order."""
    with open(trace) as f:
        return [(int(m.group(1)), int(m.group(2))) for m in
                re.finditer(r"ofnic_tx_ring TXQ0 head \d+: (\d+) packets, budget cost (\d+)", f.read())]


def run(qemu, bios, size, n):
    trace = tempfile.NamedTemporaryFile(prefix="ofnic-trace-", suffix=".log", delete=False).name
    d = T.Dev(qemu, bios, extra=("-trace", "enable=ofnic_tx_ring,file=" + trace))
    try:
        frames = [frame(i, size) for i in range(n)]
        for i, f in enumerate(frames):
            d.mem_w(T.DATA + i * SLOT, f)
            d.mem_w(T.RING + 16 * i, struct.pack("<QIHH", T.DATA + i * SLOT, len(f), 0, T.TXD_EOP))
        d.w(T.TXQ0 + T.Q_TAIL, n)
        got = []
        while True:
            rd, _, _ = select.select([d.rx], [], [], 0.5)
            if not rd:
                break
            got.append(d.rx.recv(65536))
    finally:
        d.close()
    w = walks(trace)
    os.unlink(trace)
    return frames, got, w


def main():
    T.plan(5)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    n = T.RSIZE - 1

    frames, got, w = run(qemu, bios, 9014, n)
    ok([bytes(g) for g in got] == frames, "%d jumbo frames of 9014 bytes on the wire, in order" % n,
       "%d received" % len(got))
    cost = -(-9014 // UNIT)
    first = -(-256 // cost)   # the run stops once its cost reached 256
    ok([p for p, _ in w] == [first, n - first],
       "two ring walks of %d and %d packets (%d budget units each)" % (first, n - first, cost), w)
    ok(w and w[0][1] == first * cost and (first - 1) * cost < 256 <= first * cost,
       "the first run ends with the frame that takes its cost to 256 (%d KB sent)"
       % (first * 9014 // 1000), w)

    frames, got, w = run(qemu, bios, 1514, n)
    ok([bytes(g) for g in got] == frames, "%d frames of 1514 bytes on the wire, in order" % n,
       "%d received" % len(got))
    ok([p for p, _ in w] == [n] and w[0][1] == n, "one ring walk, one unit per frame", w)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
