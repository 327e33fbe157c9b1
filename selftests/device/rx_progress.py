#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test: receive makes progress when one queue is not refilled (no guest kernel).

Frames go into the device through its UDP socket netdev under qtest's virtual clock. An ntuple
rule steers TCP to port 5001 to queue 1, everything else goes to queue 0. Queue 1 is filled
and never refilled; the datasheet ("Receive pipeline", step 7) says a frame for it waits at
most OFNIC_RX_WAIT_MAX_MS, holding up the port (nothing lost while the host is just slow),
then is dropped and counted, and the queue drops what does not fit at once until its TAIL is
written, while queue 0 keeps receiving. Also: writing TAIL brings the wait back, and a queue
re-enabled starts without the overrun state. Prints TAP.

    selftests/device/rx_progress.py QEMU_BINARY [PC_BIOS_DIR]
"""
import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rx_offload as R  # noqa: E402
import tx_offload as T  # noqa: E402
from tx_offload import ok  # noqa: E402


def wait_max_ms():
    """OFNIC_RX_WAIT_MAX_MS from the datasheet."""
    hdr = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../include/ofnic_hw.h")
    return int(re.search(r"#define OFNIC_RX_WAIT_MAX_MS\s+(\d+)", open(hdr).read()).group(1))


WAIT_NS = wait_max_ms() * 1000000
TO_Q0 = R.tcp4(payload=10)[:14] + b"\x00" * 46   # not IP: no rule, no RSS: queue 0


def qstat(d, q, name):
    d.w(T.REG_STATS_LO, T.STATS)
    d.w(T.REG_STATS_HI, 0)
    d.w(T.REG_STATS_CMD, 1)
    off = 8 * (T.GSTAT_NUM + q * T.QSTAT_NUM + T.QSTATS.index(name))
    return struct.unpack("<Q", d.mem_r(T.STATS + off, 8))[0]


def until(cond, secs=2.0):
    """Wait (real time: the UDP netdev is asynchronous) until cond() is true."""
    for _ in range(int(secs / 0.005)):
        if cond():
            return True
        time.sleep(0.005)
    return cond()


def to_q1(n, seq0=1000):
    return [R.tcp4(seq=seq0 + 100 * i, payload=100) for i in range(n)]


def on_queue(c, q):
    return [x for x in c if x[0] == q]


def fill_q1(d, n=R.RSIZE - 1):
    """Queue 1 full: n frames placed fill the buffers posted."""
    d.send_wait(to_q1(n))
    return len(on_queue(d.completions(), 1)) == n and d.r(R.RXQ + 0x100 + R.Q_HEAD) == \
        d.r(R.RXQ + 0x100 + R.Q_TAIL)


def main():
    T.plan(20)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")

    d = R.RxDev(qemu, bios)
    try:
        d.w(R.REG_OFFLOAD, R.OFF_NTUPLE)
        R.set_rule(d, 0, R.FLOW_TCP4, 0, queue=1, dport=5001)
        ok(fill_q1(d), "queue 1 holds %d frames: full" % (R.RSIZE - 1))

        # ---- the wait: lossless while it lasts ----
        frames0 = d.gstat("RX_FRAMES")
        d.inject(to_q1(1, 50000)[0])
        ok(until(lambda: qstat(d, 1, "RX_STALLS") == 1), "a frame for full queue 1 waits (RX_STALLS 1)")
        d.inject(TO_Q0)
        time.sleep(0.2)
        ok(d.gstat("RX_FRAMES") == frames0 and not d.completions(),
           "...and holds up the port: the frame for queue 0 behind it is not taken in")
        d.cmd("clock_step %d" % (WAIT_NS - 1000))
        time.sleep(0.1)
        ok(d.gstat("RX_FRAMES") == frames0 and qstat(d, 1, "RX_NO_BUF_DROPS") == 0,
           "still waiting 1 us before OFNIC_RX_WAIT_MAX_MS (%d ms), nothing dropped" % (WAIT_NS // 1000000))

        # ---- the wait is over: dropped, and queue 0 gets its frame ----
        d.cmd("clock_step 1000")
        ok(until(lambda: d.gstat("RX_FRAMES") == frames0 + 1),
           "after OFNIC_RX_WAIT_MAX_MS the port takes in the next frame", d.gstat("RX_FRAMES") - frames0)
        c = d.completions()
        ok(len(c) == 1 and c[0][0] == 0, "...the frame for queue 0 is delivered on queue 0",
           [x[0] for x in c])
        ok((qstat(d, 1, "RX_NO_BUF_DROPS"), qstat(d, 1, "RX_DROPS")) == (1, 1),
           "the waiting frame is dropped: queue 1 RX_NO_BUF_DROPS 1, RX_DROPS 1",
           (qstat(d, 1, "RX_NO_BUF_DROPS"), qstat(d, 1, "RX_DROPS")))

        # ---- overrun: queue 1 drops at once, queue 0 keeps receiving ----
        for f in to_q1(5, 60000):
            d.inject(f)
        d.inject(TO_Q0)
        ok(until(lambda: d.gstat("RX_FRAMES") == frames0 + 2),
           "queue 1 not refilled: 5 more frames for it do not hold up queue 0's (no time passing)")
        ok(qstat(d, 1, "RX_NO_BUF_DROPS") == 6 and len(on_queue(d.completions(), 0)) == 1,
           "...they are dropped at once, counted (RX_NO_BUF_DROPS 6); queue 0 got its frame",
           qstat(d, 1, "RX_NO_BUF_DROPS"))
        ok(qstat(d, 0, "RX_DROPS") == 0 and qstat(d, 1, "RX_STALLS") == 1,
           "queue 0 dropped nothing; one stall counted on queue 1")

        # ---- TAIL written: the queue waits again instead of dropping ----
        d.refill(1)
        ok(d.send_wait(to_q1(R.RSIZE - 1, 70000)) and len(on_queue(d.completions(), 1)) == R.RSIZE - 1,
           "queue 1 refilled: %d frames delivered, full again" % (R.RSIZE - 1))
        drops = qstat(d, 1, "RX_NO_BUF_DROPS")
        frames0 = d.gstat("RX_FRAMES")
        d.inject(to_q1(1, 90000)[0])
        d.inject(TO_Q0)
        time.sleep(0.3)
        ok(d.gstat("RX_FRAMES") == frames0 and qstat(d, 1, "RX_NO_BUF_DROPS") == drops,
           "after a TAIL write a frame for the full queue waits again (nothing dropped, port held)")
        d.refill(1)
        ok(until(lambda: d.gstat("RX_FRAMES") == frames0 + 2),
           "buffers posted within the wait: both frames taken in, no time passing")
        c = d.completions()
        ok(sorted(x[0] for x in c) == [0, 1] and qstat(d, 1, "RX_NO_BUF_DROPS") == drops,
           "...one on each queue, none dropped", [x[0] for x in c])

        # ---- queue re-enabled: no overrun left; device reset ends a wait ----
        ok(fill_q1(d, R.RSIZE - 2), "queue 1 full again")
        d.inject(to_q1(1, 95000)[0])
        until(lambda: qstat(d, 1, "RX_STALLS") == 3)
        d.cmd("clock_step %d" % WAIT_NS)
        ok(until(lambda: qstat(d, 1, "RX_NO_BUF_DROPS") == drops + 1), "dropped after the wait: overrun")
        d.rewind()
        ok(fill_q1(d), "queue 1 re-enabled and filled")
        d.inject(to_q1(1, 99000)[0])
        ok(until(lambda: qstat(d, 1, "RX_STALLS") == 4), "a frame for it finds it full")
        time.sleep(0.2)
        ok(qstat(d, 1, "RX_NO_BUF_DROPS") == drops + 1,
           "after re-enable the queue waits again instead of dropping at once")
    finally:
        log = d.close()
    ok("ofnic:" not in log, "no guest error logged", log.strip()[-300:])
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
