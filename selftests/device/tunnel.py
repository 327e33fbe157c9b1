#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Device-level test of ofnic's UDP tunnel offloads through QEMU (no guest kernel).

TX: VXLAN-encapsulated TCP and UDP handed to the device with OFNIC_TXC_TUNNEL come out on the
wire as MTU frames whose outer IPv4/IPv6 and UDP headers (length, ID, checksum or zero) and inner
segments (checked by tx_offload.check_seg) are right. RX: VXLAN frames to a port in the tunnel
port table are reported with OFNIC_RXC_TUNNEL, checksum level 1, the inner packet's types and the
Toeplitz hash of its inner addresses and ports; 64 flows inside one outer flow spread over the
queues. Properties clear the tunnel capabilities. Prints TAP.

    selftests/device/tunnel.py QEMU_BINARY [PC_BIOS_DIR]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rx_offload as R  # noqa: E402
import tx_offload as T  # noqa: E402
from tx_offload import ok, csum, fold, pseudo  # noqa: E402

# ---- datasheet values used here (include/ofnic_hw.h) ----
REG_TUNNEL_PORT = 0x100
TUNNEL_VXLAN = 1
OFF_TUNNEL_RX = 0x400
CAP_TUNNEL_BITS = 0x1f << 18 | 1 << 25 | 1 << 28
TXC_OUTER_IPV6, TXC_OUTER_UDP_CSUM = 0x20, 0x40
RXC_TUNNEL, RXC_LEVEL = 0x8000, 0xc0
VXLAN_PORT = 4789
OUTER_MACS = R.DST_MAC + bytes.fromhex("020000000001")


def wrap(inner, v6=False, ip_id=0x2000, sport=0xc001):
    """inner (an Ethernet frame) in VXLAN (VNI 42) over UDP over IPv4/IPv6; checksums 0."""
    udp = struct.pack("!HHHH", sport, VXLAN_PORT, 16 + len(inner), 0)
    body = udp + struct.pack("!II", 0x08000000, 42 << 8) + bytes(inner)
    if v6:
        ip = struct.pack("!IHBB", 0x60000000, len(body), 17, 64)
        ip += bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [1]) + bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [2])
        et = 0x86dd
    else:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), ip_id, 0x4000, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        et = 0x0800
    return bytearray(OUTER_MACS + struct.pack("!H", et) + ip + body), 14, len(ip)


def outer_ok(frames, l2, l3, ip_id, ucsum):
    """Outer IP and UDP of every frame: lengths, IDs, checksums."""
    for i, f in enumerate(frames):
        ip, uh = f[l2:], f[l2 + l3:]
        ulen = len(f) - l2 - l3
        if l3 == 20:
            if (struct.unpack_from("!H", ip, 2)[0] != len(f) - l2 or fold(csum(bytes(ip[:20]))) != 0 or
                    struct.unpack_from("!H", ip, 4)[0] != (ip_id + i) & 0xffff):
                return "frame %d: outer IPv4 length, checksum or ID" % i
        elif struct.unpack_from("!H", ip, 4)[0] != ulen:
            return "frame %d: outer IPv6 payload length" % i
        if struct.unpack_from("!H", uh, 4)[0] != ulen:
            return "frame %d: outer UDP length" % i
        c = struct.unpack_from("!H", uh, 6)[0]
        if ucsum and (c == 0 or fold(csum(bytes(uh[:ulen]), pseudo(bytes(ip), 17, ulen))) != 0):
            return "frame %d: outer UDP checksum %#x wrong" % (i, c)
        if not ucsum and c != 0:
            return "frame %d: outer UDP checksum %#x, not 0" % (i, c)
    return None


def test_tx(d):
    g0, _ = d.stats()
    inner, l2, l3, l4 = T.build(payload=5000, df=True)
    pkt, ol2, ol3 = wrap(inner)
    tun = 16 + l2
    ioff = ol2 + ol3 + 16
    fr = d.send(pkt, (T.SEG_TCP4, T.TXC_TUNNEL | TXC_OUTER_UDP_CSUM, 1400, ol2, ol3, l4, 0, 0, 0,
                      tun, l3))
    err = outer_ok(fr, ol2, ol3, 0x2000, True)
    ok(len(fr) == 4 and err is None, "VXLAN/IPv4 TSO4, outer UDP checksum: outer headers right",
       err or "%d frames" % len(fr))
    T.check_seg("VXLAN/IPv4 TSO4 inner", [f[ioff:] for f in fr], inner, l2, l3, l4, 1400, True)

    inner, l2, l3, l4 = T.build(v6=True, payload=4000)
    pkt, ol2, ol3 = wrap(inner, v6=True)
    ioff = ol2 + ol3 + 16
    fr = d.send(pkt, (T.SEG_TCP6, T.TXC_TUNNEL | TXC_OUTER_IPV6, 1300, ol2, ol3, l4, 0, 0, 0,
                      16 + l2, l3))
    err = outer_ok(fr, ol2, ol3, 0, False)
    ok(len(fr) == 4 and err is None, "VXLAN/IPv6 TSO6, no outer checksum: outer headers right, "
       "UDP checksum 0", err or "%d frames" % len(fr))
    T.check_seg("VXLAN/IPv6 TSO6 inner", [f[ioff:] for f in fr], inner, l2, l3, l4, 1300, True)

    inner, l2, l3, l4 = T.build(proto=17, payload=3000)
    pkt, ol2, ol3 = wrap(inner, ip_id=0xfffe)
    ioff = ol2 + ol3 + 16
    fr = d.send(pkt, (T.SEG_UDP4, T.TXC_TUNNEL | TXC_OUTER_UDP_CSUM, 1000, ol2, ol3, l4, 0, 0, 0,
                      16 + l2, l3))
    err = outer_ok(fr, ol2, ol3, 0xfffe, True)
    ok(len(fr) == 3 and err is None, "VXLAN/IPv4 USO4: outer headers right, IDs wrap",
       err or "%d frames" % len(fr))
    T.check_seg("VXLAN/IPv4 USO4 inner", [f[ioff:] for f in fr], inner, l2, l3, l4, 1000, False)

    g1, _ = d.stats()
    ok(g1["TX_TUNNEL_PKTS"] - g0["TX_TUNNEL_PKTS"] == 3 and
       g1["TX_TUNNEL_SEGS"] - g0["TX_TUNNEL_SEGS"] == 11, "tunnel TX counters",
       (g1["TX_TUNNEL_PKTS"] - g0["TX_TUNNEL_PKTS"], g1["TX_TUNNEL_SEGS"] - g0["TX_TUNNEL_SEGS"]))


def rx_frame(sport, v6=False, ucsum=True, corrupt=False):
    """A VXLAN frame to port B's MAC carrying a valid inner TCP segment from sport."""
    inner = R.tcp4(payload=200, sport=sport)
    if corrupt:
        inner[-1] ^= 1
    pkt, l2, l3 = wrap(inner, v6=v6)
    R.fill(pkt, l2, l3, 8)
    if not ucsum:
        struct.pack_into("!H", pkt, l2 + l3 + 6, 0)
    return pkt


def test_rx(d, key):
    R.set_rss(d, 0, key, [i % R.QUEUES for i in range(R.INDIR)])
    d.w(REG_TUNNEL_PORT + 4 * 3, VXLAN_PORT | TUNNEL_VXLAN << 16)
    d.w(R.REG_OFFLOAD, R.OFF_RX_CSUM | R.OFF_RSS | OFF_TUNNEL_RX)
    before = d.gstat("RX_TUNNEL")
    d.send_wait([rx_frame(40000)])
    c = d.completions()
    want = R.toeplitz(key, bytes([192, 168, 0, 1, 192, 168, 0, 2]) + struct.pack("!HH", 40000, 5001))
    st = c[0][1]["status"] if len(c) == 1 else 0
    ok(len(c) == 1 and st & RXC_TUNNEL and st & R.RXC_L4_OK and st & R.RXC_IP_OK and
       (st & RXC_LEVEL) >> 6 == 1 and not st & R.RXC_ERR,
       "VXLAN RX: TUNNEL, IP and L4 checksums OK, level 1", "status %#x" % st)
    ok(len(c) == 1 and c[0][1]["hash"] == want and (st >> 8) & 0xf == 2 and (st >> 12) & 3 == 1 and
       (st >> 16) & 3 == 1, "VXLAN RX: L4 hash of the inner addresses and ports, inner types "
       "IPv4/TCP", c and "hash %#x want %#x status %#x" % (c[0][1]["hash"], want, st))
    ok(d.gstat("RX_TUNNEL") == before + 1, "rx_tunnel_packets counted")

    d.send_wait([rx_frame(40001, v6=True, ucsum=False)])
    c = d.completions()
    st = c[0][1]["status"] if len(c) == 1 else 0
    ok(len(c) == 1 and st & RXC_TUNNEL and st & R.RXC_L4_OK and (st & RXC_LEVEL) >> 6 == 1,
       "VXLAN over IPv6, outer UDP checksum 0: level 1", "status %#x" % st)
    d.send_wait([rx_frame(40002, corrupt=True)])
    c = d.completions()
    st = c[0][1]["status"] if len(c) == 1 else 0
    ok(len(c) == 1 and st & R.RXC_ERR and not st & (R.RXC_L4_OK | RXC_LEVEL),
       "VXLAN RX, inner payload corrupted: CSUM_ERR, nothing OK", "status %#x" % st)

    counts = [0] * R.QUEUES
    d.send_wait([rx_frame(30000 + i) for i in range(64)])
    for q, meta, _ in d.completions():
        counts[q] += 1
    ok(sum(counts) == 64 and min(counts) > 0, "64 flows inside one outer flow spread over the "
       "queues by the inner hash: %s" % counts)

    d.w(R.REG_OFFLOAD, R.OFF_RX_CSUM | R.OFF_RSS)
    d.send_wait([rx_frame(40000)])
    c = d.completions()
    st = c[0][1]["status"] if len(c) == 1 else 0
    ok(len(c) == 1 and not st & RXC_TUNNEL and (st >> 16) & 3 == 2 and st & R.RXC_L4_OK and
       not st & RXC_LEVEL, "TUNNEL_RX off: the outer UDP packet, level 0", "status %#x" % st)
    d.w(R.REG_OFFLOAD, R.OFF_RX_CSUM | R.OFF_RSS | OFF_TUNNEL_RX)
    d.w(REG_TUNNEL_PORT + 4 * 3, 0)
    d.send_wait([rx_frame(40000)])
    c = d.completions()
    st = c[0][1]["status"] if len(c) == 1 else 0
    ok(len(c) == 1 and not st & RXC_TUNNEL, "port removed from the table: not a tunnel",
       "status %#x" % st)


def main():
    T.plan(24)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    key = bytes((i * 37 + 11) & 0xff for i in range(40))
    d = R.RxDev(qemu, bios)
    try:
        caps = d.r(R.REG_CAP_LO)
        ok(caps & CAP_TUNNEL_BITS == CAP_TUNNEL_BITS, "tunnel capabilities advertised (%#x)" % caps)
        d.w(REG_TUNNEL_PORT + 4 * 7, 0xffffffff)
        ok(d.r(REG_TUNNEL_PORT + 4 * 7) == 0x3ffff, "tunnel port entry keeps port and type only")
        d.w(REG_TUNNEL_PORT + 4 * 7, 0)
        test_tx(d)
        test_rx(d, key)
    finally:
        d.close()

    d = R.RxDev(qemu, bios, "tunnel=off")
    try:
        caps = d.r(R.REG_CAP_LO)
        ok(caps & CAP_TUNNEL_BITS == 0, "tunnel=off clears every tunnel capability (%#x)" % caps)
        g0, _ = d.stats()
        inner, l2, l3, l4 = T.build(payload=3000)
        pkt, ol2, ol3 = wrap(inner)
        fr = d.send(pkt, (T.SEG_TCP4, T.TXC_TUNNEL, 1400, ol2, ol3, l4, 0, 0, 0, 16 + l2, l3))
        g1, _ = d.stats()
        ok(not fr and g1["TX_DROP_UNSUPP"] == g0["TX_DROP_UNSUPP"] + 1,
           "tunnel TSO without the capability: dropped as unsupported")
        d.w(REG_TUNNEL_PORT + 4 * 3, VXLAN_PORT | TUNNEL_VXLAN << 16)
        d.w(R.REG_OFFLOAD, R.OFF_RX_CSUM | OFF_TUNNEL_RX)
        d.send_wait([rx_frame(40000)])
        c = d.completions()
        ok(len(c) == 1 and not c[0][1]["status"] & RXC_TUNNEL, "TUNNEL_RX without the capability: "
           "ignored")
    finally:
        d.close()

    d = R.RxDev(qemu, bios, "geneve=off,tunnel-outer-csum=off")
    try:
        caps = d.r(R.REG_CAP_LO)
        ok(caps & CAP_TUNNEL_BITS == CAP_TUNNEL_BITS & ~(1 << 25 | 1 << 21),
           "geneve=off,tunnel-outer-csum=off clear those two (%#x)" % caps)
    finally:
        d.close()
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
