#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test of ofnic's TX offloads through QEMU (no guest kernel).

Runs qemu-system-x86_64 with the qtest accelerator, programs the device's registers and TX ring
through the qtest protocol like a driver would, and receives what the device puts on the wire
through a UDP socket netdev on 127.0.0.1. Every frame is re-parsed here (Python's own checksum
and CRC code) and checked against the packet that was posted. Prints TAP.

    selftests/device/tx_offload.py QEMU_BINARY [PC_BIOS_DIR]
"""
import base64
import os
import re
import select
import socket
import struct
import subprocess
import sys
import tempfile


# ---- datasheet values used here (include/ofnic_hw.h) ----
REG_CAP_LO, REG_CTRL, REG_STATS_LO, REG_STATS_HI, REG_STATS_CMD = 0x08, 0x40, 0x90, 0x94, 0x98
CTRL_ENABLE = 2
TXQ0 = 0x8000
Q_BASE_LO, Q_BASE_HI, Q_SIZE, Q_CTRL, Q_TAIL, Q_HEAD = 0x00, 0x04, 0x08, 0x0c, 0x10, 0x14
TXD_CTX, TXD_EOP = 1, 4
SEG_NONE, SEG_TCP4, SEG_TCP6, SEG_UDP4, SEG_UDP6, SEG_UFO4, SEG_UFO6 = range(7)
TXC_L4_CSUM, TXC_SCTP_CRC, TXC_IP4_CSUM, TXC_VLAN, TXC_FIXEDID = 0x100, 0x200, 0x400, 0x800, 0x1000
TXC_TUNNEL = 0x10
CAP_TX_BITS = 0x3ff



def stat_names(enum):
    """Counter names of enum ofnic_gstat / ofnic_qstat, in order, from the datasheet."""
    hdr = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include",
                       "ofnic_hw.h")
    with open(hdr) as f:
        body = re.search(r"enum %s \{(.*?)\};" % enum, f.read(), re.S).group(1)
    return re.findall(r"^\s*OFNIC_[GQ]STAT_(\w+),", body, re.M)


GSTATS, QSTATS = stat_names("ofnic_gstat"), stat_names("ofnic_qstat")
GSTAT_NUM, QSTAT_NUM = len(GSTATS), len(QSTATS)

BAR = 0xe0000000
RING = 0x100000
DATA = 0x200000
STATS = 0x180000
RSIZE = 64

n_test = 0
n_fail = 0
n_planned = None


def plan(n):
    """Declares the number of results before the first: a test that stops early prints fewer,
    which the runner (tools/test) and done() report."""
    global n_planned
    n_planned = n
    print("1..%d" % n)
    sys.stdout.flush()


def done():
    """The exit status: 1 if a result failed or the count differs from the plan."""
    if n_planned != n_test:
        print("# planned %s results, printed %d" % (n_planned, n_test))
        return 1
    return 1 if n_fail else 0


def ok(cond, name, diag=None):
    global n_test, n_fail
    n_test += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n_test, name))
    if not cond:
        n_fail += 1
        if diag:
            print("# " + str(diag))
    sys.stdout.flush()
    return cond


# ---- checksums, our own ----
def csum(data, s=0):
    if len(data) % 2:
        data += b"\0"
    s += sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def crc32c(data):
    c = 0xffffffff
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)
    return ~c & 0xffffffff


def pseudo(ip, proto, l4len):
    if ip[0] >> 4 == 6:
        return csum(ip[8:40]) + proto + (l4len >> 16) + (l4len & 0xffff)
    return csum(ip[12:20]) + proto + l4len


# ---- packet builder ----
MACS = bytes.fromhex("020000000002" "020000000001")


def build(v6=False, proto=6, payload=1000, ip4_opts=b"", exts=(), tcp_opts=b"", flags=0x10,
          tos=0, ip_id=0x1000, seq=1000, df=False, seed=1):
    pl = bytes((i * 7 + seed) & 0xff for i in range(payload))
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", 40000, 5001, seq, 7, (20 + len(tcp_opts)) // 4 << 4, flags,
                         1000, 0, 0) + tcp_opts
    elif proto == 17:
        l4 = struct.pack("!HHHH", 40000, 5001, 8 + payload, 0)
    else:
        l4 = struct.pack("!HHII", 40000, 5001, 0xdeadbeef, 0)
    if v6:
        ext = b""
        nh = proto
        for t, ln in reversed(exts):
            body = bytes([nh, ln // 8 - 1]) + (b"\x04\x00" if t == 43 else b"\x01" + bytes([ln - 4]))
            ext = body + bytes(ln - 4) + ext
            nh = t
        ip = struct.pack("!IHBB", 0x60000000 | tos << 20, len(ext) + len(l4) + payload, nh, 64)
        ip += bytes(range(0x20, 0x30)) + bytes(range(0x40, 0x50)) + ext
        et = 0x86dd
    else:
        ihl = (20 + len(ip4_opts)) // 4
        ip = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, (20 + len(ip4_opts) + len(l4) + payload) & 0xffff,
                         ip_id, 0x4000 if df else 0, 64, proto, 0, bytes([192, 168, 0, 1]),
                         bytes([192, 168, 0, 2])) + ip4_opts
        et = 0x0800
    eth = MACS + struct.pack("!H", et)
    return bytearray(eth + ip + l4 + pl), len(eth), len(ip), len(l4)


# ---- frame parser ----
def parse(f):
    """Returns a dict or raises ValueError."""
    r = {"tags": []}
    off = 12
    et = struct.unpack_from("!H", f, off)[0]
    while et in (0x8100, 0x88a8):
        r["tags"].append(struct.unpack_from("!H", f, off + 2)[0])
        off += 4
        et = struct.unpack_from("!H", f, off)[0]
    l3 = off + 2
    ip = f[l3:]
    r["l3"] = l3
    if et == 0x0800:
        hl = (ip[0] & 15) * 4
        if struct.unpack_from("!H", ip, 2)[0] != len(ip):
            raise ValueError("IPv4 total length")
        if fold(csum(bytes(ip[:hl]))):
            raise ValueError("IPv4 header checksum")
        fo = struct.unpack_from("!H", ip, 6)[0]
        r.update(v=4, hl=hl, proto=ip[9], id=struct.unpack_from("!H", ip, 4)[0],
                 foff=(fo & 0x1fff) * 8, more=bool(fo & 0x2000), df=bool(fo & 0x4000))
        r["frag"] = r["foff"] or r["more"]
        data_off = hl
    elif et == 0x86dd:
        if struct.unpack_from("!H", ip, 4)[0] != len(ip) - 40:
            raise ValueError("IPv6 payload length")
        nh, o = ip[6], 40
        r.update(v=6, frag=False)
        while nh in (0, 43, 60, 44):
            if nh == 44:
                fo = struct.unpack_from("!H", ip, o + 2)[0]
                r.update(frag=True, foff=fo & 0xfff8, more=bool(fo & 1),
                         id=struct.unpack_from("!I", ip, o + 4)[0], frag_nh=ip[o], hl=o)
                o += 8
                break
            nh, o = ip[o], o + (ip[o + 1] + 1) * 8
        if not r["frag"]:
            r["hl"] = o
        r["proto"] = nh
        data_off = o
    else:
        raise ValueError("not IP")
    r["data"] = bytes(ip[data_off:])
    r["ip"] = bytes(ip)
    if r["frag"]:
        return r
    l4 = bytes(ip[data_off:])
    if r["proto"] == 6:
        if fold(csum(l4, pseudo(ip, 6, len(l4)))):
            raise ValueError("TCP checksum")
        thl = (l4[12] >> 4) * 4
        r.update(seq=struct.unpack_from("!I", l4, 4)[0], flags=l4[13], payload=l4[thl:])
    elif r["proto"] == 17:
        if struct.unpack_from("!H", l4, 4)[0] != len(l4) or struct.unpack_from("!H", l4, 6)[0] == 0:
            raise ValueError("UDP length/zero checksum")
        if fold(csum(l4, pseudo(ip, 17, len(l4)))):
            raise ValueError("UDP checksum")
        r["payload"] = l4[8:]
    return r


# ---- QEMU under qtest ----
class Dev:
    """One ofnic in a qtest QEMU. netdev: the backend (default: a UDP socket to self.rx);
    program=False leaves the device as QEMU made it (a migration destination)."""

    def __init__(self, qemu, bios, opts="", extra=(), netdev=None, program=True):
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.rx.bind(("127.0.0.1", 0))
        port = self.rx.getsockname()[1]
        tmp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tmp.bind(("127.0.0.1", 0))
        lport = self.lport = tmp.getsockname()[1]
        tmp.close()
        self.log = tempfile.NamedTemporaryFile(prefix="ofnic-qtest-", suffix=".log", delete=False).name
        args = [qemu, "-M", "q35", "-accel", "qtest", "-qtest", "stdio", "-qtest-log", "/dev/null", "-display", "none",
                "-nodefaults", "-no-user-config", "-m", "64M",
                "-L", bios, "-L", "/usr/share/qemu", "-L", "/usr/share/seabios",
                "-d", "guest_errors", "-D", self.log,
                "-netdev", netdev or "socket,id=n0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (port, lport),
                "-device", "ofnic,netdev=n0,addr=0x4,queues=1" + ("," + opts if opts else "")] + list(extra)
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.tail = 0
        if not program:
            return
        cfg = 0x80000000 | 4 << 11
        self.cmd("outl 0xcf8 0x%x" % (cfg | 0x10))
        self.cmd("outl 0xcfc 0x%x" % BAR)
        self.cmd("outl 0xcf8 0x%x" % (cfg | 0x14))
        self.cmd("outl 0xcfc 0x0")
        self.cmd("outl 0xcf8 0x%x" % (cfg | 0x04))
        self.cmd("outw 0xcfc 0x6")
        self.w(REG_CTRL, CTRL_ENABLE)
        self.w(TXQ0 + Q_BASE_LO, RING)
        self.w(TXQ0 + Q_BASE_HI, 0)
        self.w(TXQ0 + Q_SIZE, RSIZE)
        self.w(TXQ0 + Q_CTRL, 1 | 1 << 16)

    def cmd(self, c):
        self.p.stdin.write(c + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("QEMU exited: " + self.p.stderr.read())
            if line.startswith("OK"):
                return line[2:].strip()
            if line.startswith("ERR") or line.startswith("FAIL"):
                raise RuntimeError(line)

    def w(self, reg, val):
        self.cmd("writel 0x%x 0x%x" % (BAR + reg, val))

    def r(self, reg):
        return int(self.cmd("readl 0x%x" % (BAR + reg)), 16)

    def mem_w(self, addr, data):
        for o in range(0, len(data), 16384):
            part = bytes(data[o:o + 16384])
            self.cmd("b64write 0x%x %d %s" % (addr + o, len(part), base64.b64encode(part).decode()))

    def mem_r(self, addr, n):
        return base64.b64decode(self.cmd("b64read 0x%x %d" % (addr, n)))

    def send(self, pkt, ctx=None, chunk=32768):
        """Post one packet (optional context tuple), wait for it to complete, return the frames."""
        descs = []
        if ctx:
            seg, off, mss, l2, l3, l4, tci, cs, co = ctx[:9]
            tun, inl3 = ctx[9:] or (0, 0)
            descs.append(struct.pack("<HHHBBBBBBHH", mss, tci, cs, co, l2, l3, l4, tun, inl3,
                                     seg | off, TXD_CTX))
        self.mem_w(DATA, pkt)
        pos = 0
        while pos < len(pkt):
            n = min(chunk, len(pkt) - pos)
            eop = TXD_EOP if pos + n == len(pkt) else 0
            descs.append(struct.pack("<QIHH", DATA + pos, n, 0, eop))
            pos += n
        for d in descs:
            self.mem_w(RING + 16 * self.tail, d)
            self.tail = (self.tail + 1) % RSIZE
        self.w(TXQ0 + Q_TAIL, self.tail)
        for _ in range(1000):
            if self.r(TXQ0 + Q_HEAD) == self.tail:
                break
        frames = []
        while True:
            rd, _, _ = select.select([self.rx], [], [], 0.3)
            if not rd:
                break
            frames.append(bytearray(self.rx.recv(65536)))
        return frames

    def stats(self):
        self.w(REG_STATS_LO, STATS)
        self.w(REG_STATS_HI, 0)
        self.w(REG_STATS_CMD, 1)
        b = self.mem_r(STATS, 8 * (GSTAT_NUM + QSTAT_NUM))
        v = struct.unpack("<%dQ" % (GSTAT_NUM + QSTAT_NUM), b)
        g = dict(zip(GSTATS, v[:len(GSTATS)]))
        q = dict(zip(QSTATS, v[GSTAT_NUM:GSTAT_NUM + len(QSTATS)]))
        return g, q

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
        self.rx.close()
        with open(self.log) as f:
            text = f.read()
        os.unlink(self.log)
        return text


# ---- checks ----
def untag(f, tci):
    if tci is None:
        return f
    if f[12:16] != struct.pack("!HH", 0x8100, tci):
        raise ValueError("inserted tag missing")
    return f[:12] + f[16:]


def check_seg(name, frames, pkt, l2, l3, l4, mss, tcp, tci=None, fixedid=False):
    """TSO/USO frames: every one valid, payload reassembles, per-segment fields right."""
    orig_hdr, payload = bytes(pkt[:l2 + l3 + l4]), bytes(pkt[l2 + l3 + l4:])
    want = max(1, -(-len(payload) // mss))
    if not ok(len(frames) == want, "%s: %d frames" % (name, want), "got %d" % len(frames)):
        return
    got = b""
    try:
        for i, f in enumerate(frames):
            f = untag(f, tci)
            r = parse(f)
            if len(r["payload"]) != min(mss, len(payload) - len(got)):
                raise ValueError("frame %d: segment size %d" % (i, len(r["payload"])))
            if f[:l2] != orig_hdr[:l2]:
                raise ValueError("frame %d: Ethernet header" % i)
            if r["v"] == 4 and r["id"] != (struct.unpack_from("!H", pkt, l2 + 4)[0] + (0 if fixedid else i)) & 0xffff:
                raise ValueError("frame %d: IPv4 ID" % i)
            if tcp:
                fl = pkt[l2 + l3 + 13]
                if i:
                    fl &= ~0x80
                if i + 1 < len(frames):
                    fl &= ~0x09
                if r["flags"] != fl:
                    raise ValueError("frame %d: TCP flags 0x%x, want 0x%x" % (i, r["flags"], fl))
                if r["seq"] != (struct.unpack_from("!I", pkt, l2 + l3 + 4)[0] + len(got)) & 0xffffffff:
                    raise ValueError("frame %d: sequence number" % i)
            got += r["payload"]
        ok(got == payload, "%s: every frame valid, payload intact" % name)
    except ValueError as e:
        ok(False, "%s: every frame valid, payload intact" % name, e)


def check_ufo(name, frames, pkt, l2, l3, mss, tci=None):
    payload = bytes(pkt[l2 + l3 + 8:])
    try:
        rs = [parse(untag(f, tci)) for f in frames]
        if len(rs) < 2 or not all(r["frag"] for r in rs):
            raise ValueError("not fragments")
        if len({r["id"] for r in rs}) != 1:
            raise ValueError("fragment IDs differ")
        data = bytearray()
        for i, r in enumerate(rs):
            if r["foff"] != len(data) or r["more"] != (i + 1 < len(rs)):
                raise ValueError("fragment %d: offset/MF" % i)
            if len(r["data"]) > mss or (r["more"] and len(r["data"]) % 8):
                raise ValueError("fragment %d: size %d" % (i, len(r["data"])))
            if r["v"] == 4 and r["df"]:
                raise ValueError("DF on a fragment")
            data += r["data"]
        ip0 = rs[0]["ip"]
        if rs[0]["v"] == 6:
            # the fragmentable extension headers come first in the data
            nh, o = rs[0]["frag_nh"], 0
            while nh in (0, 43, 60):
                nh, o = data[o], o + (data[o + 1] + 1) * 8
            udp = bytes(data[o:])
        else:
            udp = bytes(data)
        if struct.unpack_from("!H", udp, 4)[0] != len(udp):
            raise ValueError("UDP length")
        if fold(csum(udp, pseudo(ip0, 17, len(udp)))):
            raise ValueError("UDP checksum over the reassembled datagram")
        ok(udp[8:] == payload, "%s: %d valid fragments, datagram intact" % (name, len(rs)))
        return rs
    except ValueError as e:
        ok(False, "%s: valid fragments, datagram intact" % name, e)
        return []


def main():
    plan(32)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    d = Dev(qemu, bios)
    try:
        caps = d.r(REG_CAP_LO)
        ok(caps & CAP_TX_BITS == CAP_TX_BITS, "all TX offload capabilities advertised (0x%x)" % caps)

        pkt, l2, l3, l4 = build(payload=100)
        fr = d.send(pkt)
        ok(len(fr) == 1 and fr[0] == pkt, "plain packet sent as is")

        pkt, l2, l3, l4 = build(payload=1001)
        struct.pack_into("!H", pkt, l2 + l3 + 16, ~fold(pseudo(pkt[l2:], 6, len(pkt) - l2 - l3)) & 0xffff)
        fr = d.send(pkt, (SEG_NONE, TXC_L4_CSUM | TXC_IP4_CSUM, 0, l2, l3, l4, 0, l2 + l3, 16))
        try:
            ok(len(fr) == 1 and parse(fr[0])["payload"] == pkt[l2 + l3 + l4:],
               "L4 + IPv4 checksum insertion")
        except ValueError as e:
            ok(False, "L4 + IPv4 checksum insertion", e)

        pkt, l2, l3, l4 = build(proto=132, payload=301)
        fr = d.send(pkt, (SEG_NONE, TXC_SCTP_CRC | TXC_VLAN, 0, l2, l3, l4, 0x123, l2 + l3, 8))
        if ok(len(fr) == 1 and len(fr[0]) == len(pkt) + 4, "SCTP CRC + VLAN: one tagged frame"):
            f = untag(fr[0], 0x123)
            crc = struct.unpack_from("<I", f, l2 + l3 + 8)[0]
            f[l2 + l3 + 8:l2 + l3 + 12] = bytes(4)
            ok(crc == crc32c(bytes(f[l2 + l3:])), "SCTP CRC32c")

        opts = b"\x01\x01\x01\x01"
        tcpo = b"\x01\x01\x08\x0a" + bytes(8)
        pkt, l2, l3, l4 = build(payload=65536, ip4_opts=opts, tcp_opts=tcpo, flags=0x10 | 0x80 | 0x40 | 0x09,
                                tos=2, ip_id=0xfffe, seq=0xffffff00)
        fr = d.send(pkt, (SEG_TCP4, TXC_VLAN, 1448, l2, l3, l4, 0x0a05, 0, 0))
        check_seg("TSO4 64 KiB, options, ECN flags, VLAN", fr, pkt, l2, l3, l4, 1448, True, 0x0a05)
        fr = d.send(pkt, (SEG_TCP4, TXC_FIXEDID, 64, l2, l3, l4, 0, 0, 0))
        check_seg("TSO4 64 KiB at mss 64 (1024 frames), FIXEDID", fr, pkt, l2, l3, l4, 64, True,
                  fixedid=True)

        pkt, l2, l3, l4 = build(v6=True, payload=30001, exts=((0, 8), (60, 16)), tcp_opts=tcpo, flags=0x19)
        fr = d.send(pkt, (SEG_TCP6, 0, 1400, l2, l3, l4, 0, 0, 0))
        check_seg("TSO6 with extension headers", fr, pkt, l2, l3, l4, 1400, True)

        pkt, l2, l3, l4 = build(proto=17, payload=9000)
        fr = d.send(pkt, (SEG_UDP4, 0, 1400, l2, l3, l4, 0, 0, 0))
        check_seg("USO4", fr, pkt, l2, l3, l4, 1400, False)
        pkt, l2, l3, l4 = build(v6=True, proto=17, payload=9000)
        fr = d.send(pkt, (SEG_UDP6, TXC_VLAN, 1232, l2, l3, l4, 5, 0, 0))
        check_seg("USO6 + VLAN", fr, pkt, l2, l3, l4, 1232, False, 5)

        pkt, l2, l3, l4 = build(proto=17, payload=5000, ip4_opts=b"\x07\x07\x04" + bytes(4) + b"\x01")
        fr = d.send(pkt, (SEG_UFO4, 0, 1480, l2, l3, l4, 0, 0, 0))
        check_ufo("UFO4 with options", fr, pkt, l2, l3, 1480)
        pkt, l2, l3, l4 = build(v6=True, proto=17, payload=5000, exts=((0, 8), (43, 8), (60, 16)))
        fr = d.send(pkt, (SEG_UFO6, TXC_VLAN, 1448, l2, l3, l4, 9, 0, 0))
        rs = check_ufo("UFO6 with extension headers + VLAN", fr, pkt, l2, l3, 1448, 9)
        fr = d.send(pkt, (SEG_UFO6, 0, 1448, l2, l3, l4, 0, 0, 0))
        rs2 = check_ufo("UFO6 again", fr, pkt, l2, l3, 1448)
        ok(rs and rs2 and rs2[0]["id"] == (rs[0]["id"] + 1) & 0xffffffff,
           "UFO6: fragment ID from a per-device counter")

        g0, q0 = d.stats()
        pkt, l2, l3, l4 = build(payload=3000)
        fr = d.send(pkt, (SEG_TCP4, 0, 10, l2, l3, l4, 0, 0, 0))
        fr += d.send(pkt, (SEG_UFO4, TXC_TUNNEL, 1000, l2, l3, l4, 0, 0, 0))
        fr += d.send(pkt, (SEG_TCP6, 0, 1000, l2, l3, l4, 0, 0, 0))
        fr += d.send(pkt, (SEG_NONE, TXC_L4_CSUM, 0, l2, l3, l4, 0, len(pkt), 0))
        fr += d.send(pkt, (SEG_TCP4, 0, 1000, l2, l3, l4, 0, 0, 0))
        g1, q1 = d.stats()
        ok(len(fr) == 3, "bad requests dropped, the next packet goes out", "%d frames" % len(fr))
        ok(g1["TX_DROP_MSS"] - g0["TX_DROP_MSS"] == 1 and
           g1["TX_DROP_UNSUPP"] - g0["TX_DROP_UNSUPP"] == 1 and
           g1["TX_DROP_HDR"] - g0["TX_DROP_HDR"] == 2 and q1["TX_DROPS"] - q0["TX_DROPS"] == 4,
           "drops counted by reason")
        ok(d.r(TXQ0 + Q_HEAD) == d.tail, "dropped packets completed")

        g, q = d.stats()
        ok(g["TX_TSO_PKTS"] == 4 and g["TX_TSO_SEGS"] == 46 + 1024 + 22 + 3, "TSO counters", g)
        ok(g["TX_USO_PKTS"] == 2 and g["TX_USO_SEGS"] == 7 + 8, "USO counters", g)
        ok(g["TX_UFO_PKTS"] == 3 and g["TX_UFO_FRAGS"] == 4 + 4 + 4, "UFO counters", g)
        ok(g["TX_VLAN"] == 1 + 46 + 8 + 4 and g["TX_SCTP_CRC"] == 1, "VLAN and SCTP counters", g)
        ok(g["TX_CSUM"] == 1 + 1095 + 15 + 3 and g["TX_IP4_CSUM"] == 1 + 1073 + 7 + 4,
           "checksum counters", g)
        ok(q["TX_GSO_PKTS"] == 9 and q["TX_GSO_WIRE_PKTS"] == 1095 + 15 + 12 and
           q["TX_CSUM"] == g["TX_CSUM"] + 1, "per-queue GSO and csum counters", q)
        ok(g["TX_FRAMES"] == q["TX_WIRE_PKTS"] == 3 + 1095 + 15 + 12, "wire frames counted", (g, q))
    finally:
        log = d.close()
    ok("TXQ0: dropped packet" in log and "mss below OFNIC_TSO_MIN_MSS" in log,
       "drops logged as guest errors")

    # Properties clear capabilities; a request for a cleared one is dropped as unsupported.
    d = Dev(qemu, bios, "tso=off,uso=off,tx-csum=off")
    try:
        caps = d.r(REG_CAP_LO)
        ok(caps & CAP_TX_BITS == CAP_TX_BITS & ~(0x78 | 0x80 | 0x01),
           "tso=off,uso=off,tx-csum=off clear their capabilities (0x%x)" % caps)
        pkt, l2, l3, l4 = build(payload=3000)
        fr = d.send(pkt, (SEG_TCP4, 0, 1000, l2, l3, l4, 0, 0, 0))
        fr += d.send(pkt, (SEG_NONE, TXC_L4_CSUM, 0, l2, l3, l4, 0, l2 + l3, 16))
        fr += d.send(pkt, (SEG_NONE, TXC_IP4_CSUM, 0, l2, l3, l4, 0, 0, 0))
        g, q = d.stats()
        ok(len(fr) == 1 and g["TX_DROP_UNSUPP"] == 2, "offloads switched off are refused")
    finally:
        d.close()

    return done()


if __name__ == "__main__":
    sys.exit(main())
