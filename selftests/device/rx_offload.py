#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test of ofnic's RX offloads through QEMU (no guest kernel).

Frames go into the device through its UDP socket netdev; the test reads the RX completions and
buffers from guest memory over qtest. Checks checksum validation, VLAN strip and filter, RSS
(the hash against this file's own Toeplitz), RSS contexts and ntuple rules, HW-GRO and LRO
coalescing (including the timeout, driven by qtest's virtual clock), and that properties clear
the RX capabilities. Prints TAP.

    selftests/device/rx_offload.py QEMU_BINARY [PC_BIOS_DIR]
"""
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tx_offload as T  # noqa: E402  (Dev, build, parse, checksums, ok)
from tx_offload import ok, build, csum, fold, pseudo  # noqa: E402

# ---- datasheet values used here (include/ofnic_hw.h) ----
REG_CAP_LO, REG_OFFLOAD, REG_RSC_CTRL, REG_RSC_FLOWS = 0x08, 0x48, 0x80, 0x84
OFF_RX_CSUM, OFF_LRO, OFF_HW_GRO, OFF_STRIP, OFF_FILTER, OFF_RSS, OFF_NTUPLE = (
    0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40)
CAP_RX_BITS = 0x2803fc00  # bits 10..17, 27 and 29
RXQ = 0x8080
Q_BASE_LO, Q_BASE_HI, Q_SIZE, Q_CTRL, Q_TAIL, Q_HEAD, Q_ITR, RXQ_BUF = (
    0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x20)
RXC_DD, RXC_EOP, RXC_VLAN, RXC_IP_OK, RXC_L4_OK, RXC_ERR = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20
RXC_COALESCED, RXC_NTUPLE, RXC_FIXEDID, RXC_LRO = 0x4000, 0x40000, 0x100000, 0x400000
OFF_RSC_FIXEDID_NO_DF = 0x1000
VLAN_FILTER = 0x0800
RSS_BASE = 0x10000
RSS_STRIDE = 0x400
INDIR = 512  # OFNIC_RSS_INDIR_SIZE
RSS_CTRL_SYM_XOR, RSS_CTRL_SYM_OR_XOR = 0x2, 0x4
RSS_FIELDS_FLOW_LABEL, RSS_FIELD_FL_UDP6 = 0x07000000, 0x02000000
NTUPLE_BASE = 0x3000
FLOW_TCP4, FLOW_UDP4, FLOW_IP4 = 0, 1, 2

QUEUES = 4
RSIZE = 64
BUF = 2048
RING0 = 0x300000          # queue q's ring at RING0 + q * 0x1000
BUFS0 = 0x400000          # queue q's buffers at BUFS0 + q * 0x40000
TIMEOUT_US = 500
DST_MAC = bytes.fromhex("020000000002")


def toeplitz(key, data):
    k = int.from_bytes(key, "big")
    kbits = len(key) * 8
    h = 0
    for i, byte in enumerate(data):
        for b in range(8):
            if byte & (0x80 >> b):
                pos = i * 8 + b
                h ^= (k >> (kbits - 32 - pos)) & 0xffffffff
    return h


def fill(pkt, l2, l3, l4):
    """Correct IPv4 header and TCP/UDP checksums (our own code)."""
    ip = pkt[l2:]
    if ip[0] >> 4 == 4:
        struct.pack_into("!H", pkt, l2 + 10, 0)
        struct.pack_into("!H", pkt, l2 + 10, fold(csum(bytes(pkt[l2:l2 + l3]))))
    proto = pkt[l2 + 9] if ip[0] >> 4 == 4 else pkt[l2 + 6]
    co = {6: 16, 17: 6}.get(proto)
    if co is not None:
        l4len = len(pkt) - l2 - l3
        struct.pack_into("!H", pkt, l2 + l3 + co, 0)
        c = fold(csum(bytes(pkt[l2 + l3:]), pseudo(bytes(pkt[l2:]), proto, l4len)))
        struct.pack_into("!H", pkt, l2 + l3 + co, c or 0xffff)
    return pkt


def tcp4(seq=1000, payload=1000, flags=0x10, sport=40000, ack=7, ip_id=0x1000, df=True):
    pkt, l2, l3, l4 = build(payload=payload, seq=seq, flags=flags, ip_id=ip_id, df=df)
    pkt[0:6] = DST_MAC
    struct.pack_into("!H", pkt, l2 + l3, sport)
    struct.pack_into("!I", pkt, l2 + l3 + 8, ack)
    return fill(pkt, l2, l3, l4)


def udp6(label, sport=40000):
    src, dst = bytes.fromhex("20010db8" + "00" * 11 + "01"), bytes.fromhex("20010db8" + "00" * 11 + "02")
    udp = struct.pack("!HHHH", sport, 5001, 8 + 32, 0) + bytes(32)
    ip6 = struct.pack("!IHBB", 0x60000000 | label, len(udp), 17, 64) + src + dst
    pkt = bytearray(DST_MAC + bytes.fromhex("020000000001") + b"\x86\xdd" + ip6 + udp)
    return fill(pkt, 14, 40, 8), src, dst


class RxDev(T.Dev):
    def __init__(self, qemu, bios, opts="", extra=()):
        super().__init__(qemu, bios, ("queues=%d,mac=02:00:00:00:00:02" % QUEUES) +
                         ("," + opts if opts else ""), extra)
        self.inj = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.head = [0] * QUEUES
        for q in range(QUEUES):
            base = RXQ + 0x100 * q
            self.w(base + Q_BASE_LO, RING0 + q * 0x1000)
            self.w(base + Q_BASE_HI, 0)
            self.w(base + Q_SIZE, RSIZE)
            self.w(base + RXQ_BUF, BUF)
            self.w(base + Q_CTRL, 1 | (q + 1) << 16)
            self.post(q)
        self.w(REG_RSC_CTRL, TIMEOUT_US << 17)

    def post(self, q):
        """Fill queue q's ring with fresh descriptors."""
        descs = b"".join(struct.pack("<QQ", BUFS0 + q * 0x40000 + i * BUF, 0) for i in range(RSIZE))
        self.mem_w(RING0 + q * 0x1000, descs)
        self.head[q] = 0
        self.w(RXQ + 0x100 * q + Q_TAIL, RSIZE - 1)

    def refill(self, q):
        """Post every free slot of queue q again (its buffers were taken)."""
        descs = b"".join(struct.pack("<QQ", BUFS0 + q * 0x40000 + i * BUF, 0) for i in range(RSIZE))
        self.mem_w(RING0 + q * 0x1000, descs)
        self.w(RXQ + 0x100 * q + Q_TAIL, (self.head[q] - 1) % RSIZE)

    def rewind(self):
        """Re-enable every queue: HEAD and TAIL back to 0, fresh descriptors."""
        for q in range(QUEUES):
            self.w(RXQ + 0x100 * q + Q_CTRL, (q + 1) << 16)
            self.w(RXQ + 0x100 * q + Q_CTRL, 1 | (q + 1) << 16)
            self.post(q)

    def inject(self, frame):
        self.inj.sendto(bytes(frame), ("127.0.0.1", self.lport))

    def gstat(self, name):
        self.w(T.REG_STATS_LO, T.STATS)
        self.w(T.REG_STATS_HI, 0)
        self.w(T.REG_STATS_CMD, 1)
        i = T.GSTATS.index(name)
        return struct.unpack("<Q", self.mem_r(T.STATS + 8 * i, 8))[0]

    def send_wait(self, frames, counter="RX_FRAMES"):
        """Inject frames and wait until the device has taken them all in."""
        before = self.gstat(counter)
        for f in frames:
            self.inject(f)
        for _ in range(400):
            if self.gstat(counter) >= before + len(frames):
                return True
            time.sleep(0.005)
        return False

    def completions(self):
        """Every completed packet on every queue since the last call: (queue, meta, bytes)."""
        out = []
        for q in range(QUEUES):
            hw = self.r(RXQ + 0x100 * q + Q_HEAD)
            data, meta = b"", None
            while self.head[q] != hw:
                i = self.head[q]
                c = self.mem_r(RING0 + q * 0x1000 + 16 * i, 16)
                h, ln, tci, st, segs, mss = struct.unpack("<IHHIHH", c)
                if meta is None:
                    meta = dict(hash=h, tci=tci, status=st, segs=segs, mss=mss, bufs=0)
                data += self.mem_r(BUFS0 + q * 0x40000 + i * BUF, ln)
                meta["bufs"] += 1
                self.head[q] = (i + 1) % RSIZE
                if st & RXC_EOP:
                    out.append((q, meta, data))
                    data, meta = b"", None
        return out


def set_rss(d, ctx, key, indir, fields=None, enable=True):
    base = RSS_BASE + RSS_STRIDE * ctx
    for n in range(10):
        d.w(base + 4 * n, struct.unpack_from("<I", key, 4 * n)[0])
    for n in range(INDIR // 4):
        d.w(base + 0x200 + 4 * n, struct.unpack_from("<I", bytes(indir), 4 * n)[0])
    if fields is not None:
        d.w(base + 0x34, fields)
    if ctx:
        d.w(base + 0x30, 1 if enable else 0)


def set_rule(d, r, flow, action, queue=0, ctx=0, dport=None, dst=None):
    base = NTUPLE_BASE + 0x80 * r
    for w in range(20):
        d.w(base + 4 * w, 0)
    d.w(base + 4, queue | ctx << 8)
    if dport is not None:
        d.w(base + 8, dport << 16)
        d.w(base + 12, 0xffff0000)
    if dst is not None:
        d.w(base + 0x30, struct.unpack("<I", dst)[0])
        d.w(base + 0x40, 0xffffffff)
    d.w(base, 1 | flow << 4 | action << 8)


def main():
    T.plan(48)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    key = bytes((i * 37 + 11) & 0xff for i in range(40))
    d = RxDev(qemu, bios)
    try:
        caps = d.r(REG_CAP_LO)
        ok(caps & CAP_RX_BITS == CAP_RX_BITS, "all RX offload capabilities advertised (0x%x)" % caps)
        ok(d.r(REG_RSC_FLOWS) == 512, "RSC_FLOWS reads 512 (flow contexts per queue)")

        # ---- checksums ----
        d.w(REG_OFFLOAD, OFF_RX_CSUM)
        good = tcp4(payload=300)
        bad = bytearray(good)
        bad[-1] ^= 0x20
        badip = bytearray(good)
        badip[14 + 10] ^= 1
        ok(d.send_wait([good, bad, badip]), "three frames received")
        c = d.completions()
        st = [m["status"] for _, m, _ in c]
        ok(len(c) == 3 and st[0] & (RXC_IP_OK | RXC_L4_OK | RXC_ERR) == RXC_IP_OK | RXC_L4_OK,
           "good TCP/IPv4: IP and L4 checksums OK", st)
        ok(len(c) == 3 and st[1] & (RXC_L4_OK | RXC_ERR) == RXC_ERR, "bad TCP checksum: CSUM_ERR", st)
        ok(len(c) == 3 and st[2] & (RXC_IP_OK | RXC_L4_OK | RXC_ERR) == RXC_ERR,
           "bad IPv4 header checksum: CSUM_ERR, L4 not claimed", st)
        ok(len(c) == 3 and c[0][2] == bytes(good), "frame delivered as it came")
        d.w(REG_OFFLOAD, 0)
        d.send_wait([bad])
        c = d.completions()
        ok(len(c) == 1 and c[0][1]["status"] & (RXC_IP_OK | RXC_L4_OK | RXC_ERR) == 0,
           "RX_CSUM off: nothing reported")

        # ---- VLAN ----
        tagged = bytearray(good[:12] + struct.pack("!HH", 0x8100, 100) + good[12:])
        d.w(REG_OFFLOAD, OFF_RX_CSUM | OFF_STRIP | OFF_FILTER)
        before = d.gstat("RX_DROP_VLAN")
        d.inject(tagged)
        d.send_wait([good])
        ok(d.gstat("RX_DROP_VLAN") == before + 1, "VLAN filter: VID 100 not admitted is dropped")
        d.completions()
        d.w(VLAN_FILTER + 4 * (100 // 32), 1 << (100 % 32))
        d.send_wait([tagged])
        c = d.completions()
        ok(len(c) == 1 and c[0][1]["status"] & RXC_VLAN and c[0][1]["tci"] == 100 and
           c[0][2] == bytes(good) and c[0][1]["status"] & RXC_L4_OK,
           "VLAN strip: tag 100 reported, frame without it, checksum checked behind the tag")

        # ---- RSS ----
        set_rss(d, 0, key, [2] * INDIR)
        d.w(REG_OFFLOAD, OFF_RSS)
        d.send_wait([good])
        c = d.completions()
        want = toeplitz(key, bytes([192, 168, 0, 1, 192, 168, 0, 2]) + struct.pack("!HH", 40000, 5001))
        ok(len(c) == 1 and c[0][0] == 2 and c[0][1]["hash"] == want and
           (c[0][1]["status"] >> 8) & 0xf == 2,
           "RSS: Toeplitz L4 hash 0x%08x, queue from the table" % want,
           [(q, hex(m["hash"])) for q, m, _ in c])
        set_rss(d, 0, key, [2] * INDIR, fields=0x003ff3f3)  # TCP4: addresses only
        d.send_wait([good])
        c = d.completions()
        want3 = toeplitz(key, bytes([192, 168, 0, 1, 192, 168, 0, 2]))
        ok(len(c) == 1 and c[0][1]["hash"] == want3 and (c[0][1]["status"] >> 8) & 0xf == 1,
           "RSS field selection: TCP4 hashed on addresses only (L3 type)")
        # symmetric input: the reverse direction hashes alike, the input built here
        set_rss(d, 0, key, [2] * INDIR, fields=0x003ff3ff)
        rev = bytearray(good)
        rev[26:30], rev[30:34] = good[30:34], good[26:30]
        rev[34:36], rev[36:38] = good[36:38], good[34:36]
        rev = fill(rev, 14, 20, 20)
        a, b = bytes([192, 168, 0, 1]), bytes([192, 168, 0, 2])
        x = bytes(i ^ j for i, j in zip(a, b))
        o = bytes(i | j for i, j in zip(a, b))
        for ctrl, name, want_in in (
                (RSS_CTRL_SYM_XOR, "SYM_XOR", x + x + struct.pack("!HH", 40000 ^ 5001, 40000 ^ 5001)),
                (RSS_CTRL_SYM_OR_XOR, "SYM_OR_XOR",
                 o + x + struct.pack("!HH", 40000 | 5001, 40000 ^ 5001))):
            d.w(RSS_BASE + 0x30, ctrl)
            d.send_wait([good, rev])
            c = d.completions()
            want_s = toeplitz(key, want_in)
            ok(len(c) == 2 and c[0][1]["hash"] == c[1][1]["hash"] == want_s,
               "RSS %s: both directions hash 0x%08x" % (name, want_s),
               [hex(m["hash"]) for _, m, _ in c])
        d.w(RSS_BASE + 0x30, 0)
        d.send_wait([good, rev])
        c = d.completions()
        ok(len(c) == 2 and c[0][1]["hash"] == want and c[1][1]["hash"] != want,
           "RSS_CTRL 0: the directions hash apart again")
        # the IPv6 flow label after the ports: 40 input bytes, the key read again from bit 0
        labels = (0x12345, 0xabcde)
        frames = [udp6(lb)[0] for lb in labels]
        _, src6, dst6 = udp6(0)
        set_rss(d, 0, key, [2] * INDIR, fields=0x003ff3ff | RSS_FIELD_FL_UDP6)
        ok(d.r(RSS_BASE + 0x34) == 0x003ff3ff | RSS_FIELD_FL_UDP6, "RSS_FIELDS flow-label bit reads back")
        d.send_wait(frames)
        c = d.completions()
        want_fl = [toeplitz(key + key, src6 + dst6 + struct.pack("!HHI", 40000, 5001, lb)) for lb in labels]
        ok(len(c) == 2 and [m["hash"] for _, m, _ in c] == want_fl and want_fl[0] != want_fl[1] and
           all((m["status"] >> 8) & 0xf == 2 for _, m, _ in c),
           "RSS flow label: UDP6 hashed on its 4-tuple and label (0x%08x, 0x%08x)" % tuple(want_fl),
           [hex(m["hash"]) for _, m, _ in c])
        set_rss(d, 0, key, [2] * INDIR, fields=0x003ff3ff)
        d.send_wait(frames)
        c = d.completions()
        want6 = toeplitz(key, src6 + dst6 + struct.pack("!HH", 40000, 5001))
        ok(len(c) == 2 and all(m["hash"] == want6 for _, m, _ in c),
           "RSS flow label off: labels hash alike, the standard 4-tuple hash 0x%08x" % want6,
           [hex(m["hash"]) for _, m, _ in c])
        set_rss(d, 0, key, [i % QUEUES for i in range(INDIR)], fields=0x003ff3ff)
        flows = [tcp4(sport=30000 + i, payload=10) for i in range(64)]
        d.send_wait(flows)
        c = d.completions()
        per_q = [sum(1 for q, _, _ in c if q == i) for i in range(QUEUES)]
        exp_q = [0] * QUEUES
        for i in range(64):
            h = toeplitz(key, bytes([192, 168, 0, 1, 192, 168, 0, 2]) + struct.pack("!HH", 30000 + i, 5001))
            exp_q[(h % INDIR) % QUEUES] += 1
        ok(per_q == exp_q and min(per_q) > 0, "64 flows spread over %d queues as the table says: %s"
           % (QUEUES, per_q))

        # ---- contexts and ntuple ----
        key2 = bytes((i * 91 + 5) & 0xff for i in range(40))
        set_rss(d, 1, key2, [1] * INDIR)
        set_rule(d, 5, FLOW_TCP4, 1, queue=2, ctx=1, dport=5001)
        d.w(REG_OFFLOAD, OFF_RSS | OFF_NTUPLE)
        d.send_wait([good])
        c = d.completions()
        want2 = toeplitz(key2, bytes([192, 168, 0, 1, 192, 168, 0, 2]) + struct.pack("!HH", 40000, 5001))
        ok(len(c) == 1 and c[0][0] == 3 and c[0][1]["hash"] == want2 and c[0][1]["status"] & RXC_NTUPLE,
           "ntuple to RSS context 1 (own key): table entry 1 + offset 2 = queue 3")
        last = 63  # OFNIC_RSS_MAX_CONTEXTS - 1
        key3 = bytes((i * 37 + 11) & 0xff for i in range(40))
        set_rss(d, last, key3, [0] * INDIR)
        set_rule(d, 5, FLOW_TCP4, 1, queue=1, ctx=last, dport=5001)
        d.send_wait([good])
        c = d.completions()
        want3 = toeplitz(key3, bytes([192, 168, 0, 1, 192, 168, 0, 2]) + struct.pack("!HH", 40000, 5001))
        ok(len(c) == 1 and c[0][0] == 1 and c[0][1]["hash"] == want3,
           "ntuple to RSS context 63, the last (own key): table entry 0 + offset 1 = queue 1")
        set_rss(d, last, key3, [0] * INDIR, enable=False)
        set_rule(d, 2, FLOW_TCP4, 0, queue=1, dport=5001)
        d.send_wait([good])
        c = d.completions()
        ok(len(c) == 1 and c[0][0] == 1, "the lowest matching rule wins: queue 1")
        set_rule(d, 1, FLOW_IP4, 2, dst=bytes([192, 168, 0, 2]))
        before = d.gstat("RX_DROP_NTUPLE")
        d.inject(good)
        d.send_wait([tcp4(payload=10)[:14] + b"\x00" * 46])  # a non-IP frame still passes
        ok(d.gstat("RX_DROP_NTUPLE") == before + 1, "ntuple drop rule on the destination address")
        d.completions()
        for r in (1, 2, 5):
            d.w(NTUPLE_BASE + 0x80 * r, 0)

        # ---- HW-GRO ----
        d.rewind()
        d.w(REG_OFFLOAD, OFF_RX_CSUM | OFF_HW_GRO)
        segs = [tcp4(seq=1000 + 1448 * i, payload=1448, ip_id=0x1000 + i) for i in range(3)]
        d.send_wait(segs)
        ok(d.completions() == [], "HW-GRO: three in-order segments are held")
        d.cmd("clock_step %d" % ((TIMEOUT_US - 10) * 1000))
        ok(d.completions() == [], "HW-GRO: still held just before the timeout")
        d.cmd("clock_step %d" % (20 * 1000))
        c = d.completions()
        ok(len(c) == 1, "HW-GRO: one frame at the timeout", len(c))
        if len(c) == 1:
            q, m, f = c[0]
            try:
                p = T.parse(bytearray(f))
                good_pl = p["payload"] == b"".join(bytes(s[54:]) for s in segs)
            except ValueError as e:
                good_pl = False
                print("# " + str(e))
            ok(good_pl and m["status"] & RXC_COALESCED and m["segs"] == 3 and m["mss"] == 1448 and
               m["bufs"] == 3 and m["status"] & RXC_L4_OK,
               "HW-GRO: 3 segments, mss 1448, over 3 buffers, valid IP length and TCP checksum", m)
        # the timeout counts from the queue's last frame, not from the flow's first
        d.send_wait([tcp4(seq=5000, payload=1448, ip_id=0x5000)])
        d.cmd("clock_step %d" % ((TIMEOUT_US - 100) * 1000))
        d.send_wait([tcp4(seq=5000 + 1448, payload=1448, ip_id=0x5001)])
        d.cmd("clock_step %d" % ((TIMEOUT_US - 100) * 1000))
        ok(d.completions() == [], "HW-GRO: a flow older than the timeout is held while its queue is busy")
        d.cmd("clock_step %d" % (200 * 1000))
        c = d.completions()
        ok(len(c) == 1 and c[0][1]["segs"] == 2, "HW-GRO: flushed once the queue is quiet for the timeout",
           [m for _, m, _ in c])
        psh = [tcp4(seq=1000 + 1448 * i, payload=1448, ip_id=0x2000 + i, flags=0x18 if i == 1 else 0x10)
               for i in range(2)]
        d.send_wait(psh)
        c = d.completions()
        ok(len(c) == 1 and c[0][1]["segs"] == 2 and c[0][2][14 + 20 + 13] & 0x08,
           "HW-GRO: PSH flushes at once, and the merged header has PSH")
        acks = [tcp4(seq=1000 + 100 * i, payload=100, ack=7 + i, ip_id=0x3000 + i) for i in range(2)]
        d.send_wait(acks)
        d.cmd("clock_step %d" % (TIMEOUT_US * 1000))
        c = d.completions()
        ok(len(c) == 2, "HW-GRO: an ack number change is not merged")

        # fixed IPv4 IDs: with DF always; without DF only with RSC_FIXEDID_NO_DF
        for df, mode, n in ((True, 0, 1), (False, 0, 2), (False, OFF_RSC_FIXEDID_NO_DF, 1)):
            d.w(REG_OFFLOAD, OFF_RX_CSUM | OFF_HW_GRO | mode)
            fixed = [tcp4(seq=5000 + 100 * i, payload=100, ip_id=0x4000, df=df) for i in range(2)]
            d.send_wait(fixed)
            d.cmd("clock_step %d" % (TIMEOUT_US * 1000))
            c = d.completions()
            ok(len(c) == n and (n == 2 or c[0][1]["status"] & RXC_FIXEDID),
               "HW-GRO: fixed IPv4 ID, DF=%d, RSC_FIXEDID_NO_DF=%d: %d frame(s)%s" %
               (df, mode != 0, n, ", FIXEDID" if n == 1 else ""),
               [(m["segs"], hex(m["status"])) for _, m, _ in c])
        inc = [tcp4(seq=6000 + 100 * i, payload=100, ip_id=0x5000 + i, df=False) for i in range(2)]
        d.send_wait(inc)
        d.cmd("clock_step %d" % (TIMEOUT_US * 1000))
        c = d.completions()
        ok(len(c) == 1 and not c[0][1]["status"] & RXC_FIXEDID,
           "HW-GRO: incrementing IPv4 ID: no FIXEDID", [hex(m["status"]) for _, m, _ in c])

        # a flow is bounded by what its ring can hold: 63 buffers of 512 bytes here
        d.w(REG_OFFLOAD, OFF_RX_CSUM)
        d.completions()
        d.w(RXQ + Q_CTRL, 1 << 16)
        d.w(RXQ + RXQ_BUF, 512)
        d.w(RXQ + Q_CTRL, 1 | 1 << 16)
        d.post(0)
        d.w(REG_OFFLOAD, OFF_RX_CSUM | OFF_HW_GRO)
        big = [tcp4(seq=20000 + 1400 * i, payload=1400, ip_id=0x6000 + i) for i in range(30)]
        d.send_wait(big)
        d.cmd("clock_step %d" % (TIMEOUT_US * 1000))
        c = d.completions()
        d.refill(0)
        c += d.completions()
        segs_in = [m["segs"] for _, m, _ in c]
        pay = b"".join(f[54:] for _, _, f in c)
        ok(len(c) == 2 and sum(segs_in) == 30 and max(len(f) for _, _, f in c) <= 63 * 512 and
           pay == b"".join(bytes(s[54:]) for s in big),
           "HW-GRO on a ring of 63 x 512 bytes: 30 segments of 1400 in two frames that fit it",
           (segs_in, [len(f) for _, _, f in c]))
        d.w(RXQ + Q_CTRL, 1 << 16)
        d.w(RXQ + RXQ_BUF, BUF)
        d.w(RXQ + Q_CTRL, 1 | 1 << 16)
        d.post(0)

        # ---- LRO ----
        d.w(REG_OFFLOAD, OFF_RX_CSUM | OFF_LRO)
        d.send_wait(acks)
        d.cmd("clock_step %d" % (TIMEOUT_US * 1000))
        c = d.completions()
        ok(len(c) == 1 and c[0][1]["segs"] == 2 and struct.unpack_from("!I", c[0][2], 14 + 20 + 8)[0] == 8,
           "LRO: an ack number change is merged, the last ack kept")
        ok(len(c) == 1 and c[0][1]["status"] & RXC_LRO, "LRO: the completion says LRO merged it")
        # a flow held by LRO when HW-GRO takes over goes up as LRO made it
        d.send_wait(acks)
        d.w(REG_OFFLOAD, OFF_RX_CSUM | OFF_HW_GRO)
        c = d.completions()
        ok(len(c) == 1 and c[0][1]["segs"] == 2 and c[0][1]["status"] & RXC_LRO,
           "LRO -> HW-GRO: the flow LRO held is flushed marked LRO",
           [(m["segs"], hex(m["status"])) for _, m, _ in c])
        d.send_wait(segs[:2])
        d.cmd("clock_step %d" % (TIMEOUT_US * 1000))
        c = d.completions()
        ok(len(c) == 1 and c[0][1]["segs"] == 2 and not c[0][1]["status"] & RXC_LRO,
           "HW-GRO: the completion does not say LRO", [hex(m["status"]) for _, m, _ in c])
        d.w(REG_OFFLOAD, OFF_RX_CSUM | OFF_LRO)
        d.send_wait(segs[:2])
        d.w(REG_OFFLOAD, OFF_RX_CSUM)
        c = d.completions()
        ok(len(c) == 1 and c[0][1]["segs"] == 2, "turning coalescing off flushes the held flow")
        g = {n: d.gstat(n) for n in ("RX_COALESCED", "RX_COALESCED_SEGS", "RX_FLUSH_TIMEOUT",
                                      "RX_FLUSH_FLAGS", "RX_FLUSH_MISMATCH")}
        ok(g["RX_COALESCED"] == 12 and g["RX_COALESCED_SEGS"] == 51 and g["RX_FLUSH_TIMEOUT"] >= 2,
           "coalescing counters", g)
    finally:
        log = d.close()
    print("# guest errors logged: %d lines" % len(log.splitlines()))

    # rsc-timeout-min: a floor on the quiet time the driver programs
    d = RxDev(qemu, bios, "rsc-timeout-min=%d" % (TIMEOUT_US * 4))
    try:
        d.w(REG_OFFLOAD, OFF_RX_CSUM | OFF_HW_GRO)
        d.send_wait([tcp4(seq=1000, payload=1448)])
        d.cmd("clock_step %d" % ((TIMEOUT_US * 4 - 10) * 1000))
        ok(d.completions() == [], "rsc-timeout-min=%d: held past the driver's %d us" % (TIMEOUT_US * 4, TIMEOUT_US))
        d.cmd("clock_step %d" % (20 * 1000))
        ok(len(d.completions()) == 1, "rsc-timeout-min: flushed at the floor")
    finally:
        d.close()

    d = RxDev(qemu, bios, "rx-csum=off,rx-vlan=off,rss-contexts=off,ntuple=off,rss-sym=off,"
              "rss-flow-label=off")
    try:
        caps = d.r(REG_CAP_LO)
        ok(caps & CAP_RX_BITS == 0x8000,
           "rx-csum=off (with LRO and HW-GRO), rx-vlan, rss-contexts, ntuple, rss-sym, rss-flow-label=off "
           "clear them (0x%x)" % caps)
        d.w(RSS_BASE + 0x34, 0x003ff3ff | RSS_FIELDS_FLOW_LABEL)
        ok(d.r(RSS_BASE + 0x34) == 0x003ff3ff, "RSS_FIELDS flow-label bits without rss-flow-label read back 0")
        d.w(RSS_BASE + 0x30, RSS_CTRL_SYM_XOR | RSS_CTRL_SYM_OR_XOR)
        ok(d.r(RSS_BASE + 0x30) == 0, "RSS_CTRL symmetric bits without rss-sym read back 0")
        d.w(REG_OFFLOAD, 0xffff)
        ok(d.r(REG_OFFLOAD) & (OFF_RX_CSUM | OFF_LRO | OFF_HW_GRO | OFF_STRIP | OFF_FILTER | OFF_NTUPLE) == 0,
           "OFFLOAD_CTRL bits without their capability read back 0")
        d.w(REG_OFFLOAD, 0)
    finally:
        d.close()

    return T.done()


if __name__ == "__main__":
    sys.exit(main())
