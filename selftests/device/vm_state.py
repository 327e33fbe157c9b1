#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test of ofnic across VM stop, resume and migration (no guest kernel).

QEMU runs with the qtest accelerator and a QMP socket. Checks that a stopped VM sees no DMA
from the device (a coalesced flow held at `stop` stays held, a frame from the wire waits) and
that both arrive after `cont`; that a migration (to a file, loaded by a second QEMU) carries a
link set down with `set_link` and drops, and counts, the flows held at the save. Prints TAP.

    selftests/device/vm_state.py QEMU_BINARY [PC_BIOS_DIR]
"""
import json
import os
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rx_offload as R  # noqa: E402
import tx_offload as T  # noqa: E402
from tx_offload import ok  # noqa: E402

REG_STATUS, STATUS_LINK_UP = 0x44, 0x1


class Qmp:
    def __init__(self, path):
        for _ in range(200):
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                time.sleep(0.05)
        else:
            raise RuntimeError("no QMP socket at " + path)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())  # greeting
        self.run("qmp_capabilities")

    def run(self, cmd, **args):
        self.f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError("%s: %s" % (cmd, r["error"]))

    def wait_migration(self, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            st = self.run("query-migrate").get("status")
            if st in ("completed", "failed", "cancelled"):
                return st
            time.sleep(0.05)
        return "timeout"


def ring_untouched(d, q=0):
    """No completion written in queue q's next slot (the DD bit of its first word is clear)."""
    c = d.mem_r(R.RING0 + q * 0x1000 + 16 * d.head[q], 16)
    return d.r(R.RXQ + 0x100 * q + R.Q_HEAD) == d.head[q] and not c[8] & R.RXC_DD


def main():
    T.plan(13)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    tmp = tempfile.mkdtemp(prefix="ofnic-vmstate-")
    src_qmp, dst_qmp, stream = (os.path.join(tmp, n) for n in ("src.qmp", "dst.qmp", "stream"))
    d = R.RxDev(qemu, bios, extra=("-qmp", "unix:%s,server=on,wait=off" % src_qmp))
    dst = None
    try:
        qmp = Qmp(src_qmp)
        d.w(R.REG_OFFLOAD, R.OFF_RX_CSUM | R.OFF_HW_GRO)
        segs = [R.tcp4(seq=1000 + 1448 * i, payload=1448, ip_id=0x1000 + i) for i in range(3)]
        ok(d.send_wait(segs) and d.completions() == [], "HW-GRO holds a flow of 3 segments")

        # ---- stop: no DMA, nothing taken from the wire ----
        qmp.run("stop")
        ok(ring_untouched(d), "stopped: the held flow is not written to the ring")
        d.cmd("clock_step %d" % ((R.TIMEOUT_US + 100) * 1000))
        ok(ring_untouched(d), "stopped: not at its timeout either")
        before = d.gstat("RX_FRAMES")
        late = R.tcp4(seq=1, payload=100, sport=41000)
        d.inject(late)
        time.sleep(0.3)
        ok(d.gstat("RX_FRAMES") == before and ring_untouched(d),
           "stopped: a frame from the wire waits outside the device")

        # ---- cont: both arrive ----
        qmp.run("cont")
        for _ in range(200):
            if d.gstat("RX_FRAMES") > before:
                break
            time.sleep(0.01)
        d.cmd("clock_step %d" % ((R.TIMEOUT_US + 100) * 1000))
        c = d.completions()
        merged = [m for _, m, _ in c if m["segs"] == 3]
        other = [f for _, m, f in c if f == bytes(late)]
        ok(len(merged) == 1 and len(other) == 1,
           "after cont: the flow (3 segments) and the waiting frame are delivered",
           [(m["segs"], len(f)) for _, m, f in c])

        # ---- migration: held flows dropped and counted, link state carried ----
        d.send_wait(segs[:2])
        ok(d.completions() == [], "a flow of 2 segments held before the migration")
        drops = d.stats()[1]["RX_DROPS"]
        qmp.run("set_link", name="n0", up=False)
        ok(not d.r(REG_STATUS) & STATUS_LINK_UP, "set_link n0 off: STATUS link down on the source")
        qmp.run("migrate", uri="file:" + stream)
        ok(qmp.wait_migration() == "completed", "migration to a file completed")
        ok(ring_untouched(d), "the flow held at the save was not written after the VM stopped")

        # a second QEMU loads the stream (the device as QEMU made it, not programmed)
        dst = T.Dev(qemu, bios, "queues=%d,mac=02:00:00:00:00:02" % R.QUEUES, program=False,
                    extra=("-qmp", "unix:%s,server=on,wait=off" % dst_qmp, "-incoming", "defer"))
        dq = Qmp(dst_qmp)
        dq.run("migrate-incoming", uri="file:" + stream)
        st = ""
        for _ in range(400):
            st = dq.run("query-status")["status"]
            if st == "running":
                break
            time.sleep(0.05)
        ok(st == "running", "the destination loaded the stream and runs", st)
        ok(not dst.r(REG_STATUS) & STATUS_LINK_UP,
           "destination: the link is still down (STATUS 0x%x)" % dst.r(REG_STATUS))
        ok(dst.r(R.RXQ + R.Q_HEAD) == d.head[0], "destination: RX HEAD as saved")
        ok(dst.stats()[1]["RX_DROPS"] == drops + 2,
           "destination: the 2 segments held at the save counted as drops")
    finally:
        d.close()
        if dst:
            dst.close()
        for f in (src_qmp, dst_qmp, stream):
            if os.path.exists(f):
                os.unlink(f)
        os.rmdir(tmp)

    return T.done()


if __name__ == "__main__":
    sys.exit(main())
