#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test of TX backpressure from a congested backend (no guest kernel).

The device's netdev is a stream socket whose other end is this test. While the test does not
read, the socket fills and QEMU queues frames for it; the device must then stop taking
packets from its TX ring (HEAD stops) until QEMU has sent what it queued, instead of queueing
without end. Once the test reads, every frame posted arrives, in order. Prints TAP.

    selftests/device/tx_backpressure.py QEMU_BINARY [PC_BIOS_DIR]
"""
import os
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tx_offload as T  # noqa: E402
from tx_offload import ok  # noqa: E402

FRAME = 9000           # bytes: a socket buffer holds a few dozen
TOTAL = 400            # frames posted in all (3.6 MB)
SLOT_BYTES = 0x4000    # buffer of ring slot i at T.DATA + i * SLOT_BYTES


def frame(n):
    return (b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x88\xb5" +
            struct.pack("!I", n) * ((FRAME - 14) // 4))[:FRAME]


class Poster:
    """Keeps the TX ring as full as it can, frames numbered 0.. in ring order."""

    def __init__(self, d):
        self.d, self.sent = d, 0

    def head(self):
        return self.d.r(T.TXQ0 + T.Q_HEAD)

    def post(self):
        d = self.d
        free = (self.head() - d.tail - 1) % T.RSIZE
        n = min(free, TOTAL - self.sent)
        for _ in range(n):
            d.mem_w(T.DATA + d.tail * SLOT_BYTES, frame(self.sent))
            d.mem_w(T.RING + 16 * d.tail, struct.pack("<QIHH", T.DATA + d.tail * SLOT_BYTES,
                                                      FRAME, 0, T.TXD_EOP))
            d.tail = (d.tail + 1) % T.RSIZE
            self.sent += 1
        if n:
            d.w(T.TXQ0 + T.Q_TAIL, d.tail)
        return n


def read_frames(conn, want, timeout):
    got, buf = [], b""
    end = time.monotonic() + timeout
    conn.settimeout(0.2)
    while len(got) < want and time.monotonic() < end:
        try:
            chunk = conn.recv(1 << 20)
        except socket.timeout:
            yield None
            continue
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 4 and len(buf) >= 4 + struct.unpack("!I", buf[:4])[0]:
            n = struct.unpack("!I", buf[:4])[0]
            got.append(buf[4:4 + n])
            buf = buf[4 + n:]
            yield got[-1]


def main():
    T.plan(4)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    tmp = tempfile.mkdtemp(prefix="ofnic-bp-")
    path = os.path.join(tmp, "wire")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    d = T.Dev(qemu, bios, netdev="stream,id=n0,server=off,addr.type=unix,addr.path=%s" % path)
    try:
        srv.settimeout(10)
        conn, _ = srv.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
        p = Poster(d)

        # ---- nobody reads: the device must stop taking packets ----
        for _ in range(50):
            p.post()
            time.sleep(0.02)
        consumed = p.sent - (d.tail - p.head()) % T.RSIZE
        ok(consumed < 100 and p.sent < TOTAL,
           "peer not reading: the device took %d of %d frames posted, then waited" %
           (consumed, p.sent))
        g, _ = d.stats()
        print("# device counted %d frames sent; the ring holds %d" %
              (g["TX_FRAMES"], (d.tail - p.head()) % T.RSIZE))

        # ---- the peer reads: everything arrives, in order ----
        nums = []
        for f in read_frames(conn, TOTAL, 60):
            if f is not None:
                nums.append(struct.unpack("!I", f[14:18])[0] if len(f) == FRAME else -1)
            p.post()
        ok(len(nums) == TOTAL and nums == list(range(TOTAL)),
           "peer reading: all %d frames arrive, in order (got %d)" % (TOTAL, len(nums)))
        ok(p.head() == d.tail, "the ring is empty at the end")
        g, _ = d.stats()
        ok(g["TX_FRAMES"] == TOTAL, "tx frames counted: %d" % g["TX_FRAMES"])
    finally:
        d.close()
        srv.close()
        os.unlink(path)
        os.rmdir(tmp)

    return T.done()


if __name__ == "__main__":
    sys.exit(main())
