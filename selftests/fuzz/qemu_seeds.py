#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed inputs for QEMU's generic-fuzz on ofnic (tools/fuzz-qemu), written to DIR.

generic-fuzz reads its input as commands separated by "FUZZ": an opcode byte, then the
command's struct (tests/qtest/fuzz/generic_fuzz.c). Memory regions are numbered in address
order among those matched by QEMU_FUZZ_OBJECTS: 0 = port 1's registers (BAR0), 1/2 = its MSI-X
table/PBA, 3 = port 2's registers. What the device reads by DMA is filled from the DMA
patterns in turn (ring, then buffer, ...). Each seed brings the device to a state a driver
would (queues enabled, offloads on, a packet posted), so the fuzzer mutates from there instead
of rediscovering the register map.

    selftests/fuzz/qemu_seeds.py DIR
"""
import os
import struct
import sys

OP_WRITE, OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 3, 7, 9
LONG = 2
PORT1, PORT2 = 0, 3

# ---- datasheet values (include/ofnic_hw.h) ----
CTRL, OFFLOAD, MAX_FRAME, RSC_CTRL = 0x40, 0x48, 0x60, 0x80
CTRL_ENABLE = 2
OFF_RX_CSUM, OFF_LRO, OFF_HW_GRO, OFF_STRIP, OFF_RSS, OFF_NTUPLE, OFF_LOOPBACK, OFF_TUNNEL = (
    0x1, 0x2, 0x4, 0x8, 0x20, 0x40, 0x80, 0x400)
TXQ, RXQ = 0x8000, 0x8080
Q_BASE_LO, Q_BASE_HI, Q_SIZE, Q_CTRL, Q_TAIL, Q_ITR, Q_X20 = 0, 4, 8, 0xc, 0x10, 0x18, 0x20
TUNNEL_PORT = 0x100
RSS_KEY, RSS_FIELDS, RSS_INDIR = 0x10000, 0x10034, 0x10200  # context 0 (ofnic_hw.h)
NTUPLE = 0x3000
TXD_EOP, TXD_CTX = 4, 1
SEG_TCP4, SEG_UDP4, SEG_UFO4, L4_CSUM, IP4_CSUM, TXC_TUNNEL = 1, 3, 5, 0x100, 0x400, 0x10

RING, WB, BUF, RXRING, RXBUF = 0x100000, 0x110000, 0x200000, 0x120000, 0x300000


def write(reg, val, base=PORT1):
    return bytes([OP_WRITE]) + struct.pack("<BBxxIQ", LONG, base, reg, val)


def pattern(data, index=0, stride=0):
    return bytes([OP_ADD_DMA_PATTERN, index, stride]) + bytes(data)


def step(n=1):
    return [bytes([OP_CLOCK_STEP])] * n


def tx_desc(addr, length, cmd=TXD_EOP):
    return struct.pack("<QIHH", addr, length, 0, cmd)


def tx_ctx(seg, offload, mss, l2=14, l3=20, l4=20, cs=0, co=0, tun=0, inl3=0):
    return struct.pack("<HHHBBBBBBHH", mss, 0, cs, co, l2, l3, l4, tun, inl3, seg | offload, TXD_CTX)


def tcp4(payload, dst="020000000001"):
    """An Ethernet/IPv4/TCP frame to port 1's address (checksums left to the device)."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + payload, 1, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    tcp = struct.pack("!HHIIBBHHH", 1234, 5678, 1, 0, 0x50, 0x18, 0xffff, 0, 0)
    return (bytes.fromhex(dst + "020000000009") + b"\x08\x00" + ip + tcp +
            bytes(i & 0xff for i in range(payload)))


def udp4(payload, dport=4789):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + payload, 1, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    udp = struct.pack("!HHHH", 1234, dport, 8 + payload, 0)
    return (bytes.fromhex("020000000001020000000002") + b"\x08\x00" + ip + udp +
            bytes(i & 0xff for i in range(payload)))


def txq(base=PORT1, q=0, size=64):
    r = TXQ + 0x100 * q
    return [write(r + Q_BASE_LO, RING + q * 0x1000, base), write(r + Q_BASE_HI, 0, base),
            write(r + Q_SIZE, size, base), write(r + Q_X20, WB + q * 64, base),
            write(r + Q_CTRL, 1 | (q + 1) << 16, base)]


def rxq(base=PORT1, q=0, size=64, buf=2048):
    r = RXQ + 0x100 * q
    return [write(r + Q_BASE_LO, RXRING + q * 0x1000, base), write(r + Q_BASE_HI, 0, base),
            write(r + Q_SIZE, size, base), write(r + Q_X20, buf, base),
            write(r + Q_CTRL, 1 | (q + 1) << 16, base), write(r + Q_TAIL, size - 1, base)]


def seeds():
    frame = tcp4(1000)
    rx_desc = struct.pack("<QQ", RXBUF, 0)
    s = {}
    s["tx-plain"] = ([pattern(tx_desc(BUF, 60), 0, 0x40), pattern(frame)] + [write(CTRL, CTRL_ENABLE)] +
                     txq() + [write(TXQ + Q_TAIL, 4)] + step(2))
    s["tx-tso"] = ([pattern(tx_ctx(SEG_TCP4, IP4_CSUM, 100) + tx_desc(BUF, len(frame))),
                    pattern(frame)] + [write(CTRL, CTRL_ENABLE)] + txq() +
                   [write(TXQ + Q_TAIL, 2)] + step(2))
    u = udp4(3000)
    s["tx-uso-ufo"] = ([pattern(tx_ctx(SEG_UDP4, L4_CSUM, 500, l4=8, cs=34, co=6) +
                                tx_desc(BUF, len(u)) + tx_ctx(SEG_UFO4, 0, 1000, l4=8) +
                                tx_desc(BUF, len(u))), pattern(u)] +
                       [write(CTRL, CTRL_ENABLE)] + txq() + [write(TXQ + Q_TAIL, 4)] + step(2))
    inner = tcp4(2000)
    outer = udp4(8 + len(inner))[:42] + struct.pack("!II", 0x08000000, 42 << 8) + inner
    s["tx-vxlan-tso"] = ([pattern(tx_ctx(SEG_TCP4, IP4_CSUM | TXC_TUNNEL, 500, l4=20, tun=30,
                                         inl3=20) + tx_desc(BUF, len(outer))), pattern(outer)] +
                         [write(CTRL, CTRL_ENABLE)] + txq() + [write(TXQ + Q_TAIL, 2)] + step(2))
    lro = OFF_RX_CSUM | OFF_LRO | OFF_LOOPBACK
    s["loopback-lro"] = ([pattern(tx_desc(BUF, len(frame))), pattern(frame), pattern(rx_desc, 0, 8)] +
                         [write(CTRL, CTRL_ENABLE), write(OFFLOAD, lro), write(RSC_CTRL, 100 << 17)] +
                         rxq() + txq() + [write(TXQ + Q_TAIL, 8)] + step(4))
    gro = OFF_RX_CSUM | OFF_HW_GRO | OFF_RSS | OFF_STRIP | OFF_LOOPBACK
    s["loopback-rss-hwgro"] = ([pattern(tx_desc(BUF, len(frame))), pattern(frame), pattern(rx_desc, 0, 8)] +
                               [write(CTRL, CTRL_ENABLE), write(OFFLOAD, gro)] +
                               [write(RSS_KEY + 4 * i, 0x6d5a6d5a) for i in range(10)] +
                               [write(RSS_FIELDS, 0xffffffff)] +
                               [write(RSS_INDIR + 4 * i, 0x03020100) for i in range(128)] +
                               rxq() + rxq(q=1) + rxq(q=2) + rxq(q=3) + txq() +
                               [write(TXQ + Q_TAIL, 8)] + step(4))
    nt = OFF_RX_CSUM | OFF_NTUPLE | OFF_TUNNEL | OFF_LOOPBACK
    s["loopback-ntuple-tunnel"] = ([pattern(tx_desc(BUF, len(outer))), pattern(outer), pattern(rx_desc, 0, 8)] +
                                   [write(CTRL, CTRL_ENABLE), write(OFFLOAD, nt),
                                    write(TUNNEL_PORT, 4789 | 1 << 16),
                                    write(NTUPLE + 4, 2), write(NTUPLE + 8, 5678 << 16),
                                    write(NTUPLE + 0xc, 0xffff0000), write(NTUPLE, 1 | 1 << 4)] +
                                   rxq() + rxq(q=2) + txq() + [write(TXQ + Q_TAIL, 4)] + step(4))
    wire = tcp4(1000, dst="020000000002")
    s["wire-port1-to-port2"] = ([pattern(tx_desc(BUF, len(wire))), pattern(wire), pattern(rx_desc, 0, 8)] +
                                [write(CTRL, CTRL_ENABLE), write(CTRL, CTRL_ENABLE, PORT2),
                                 write(OFFLOAD, OFF_RX_CSUM | OFF_LRO, PORT2),
                                 write(MAX_FRAME, 9022, PORT2)] +
                                rxq(PORT2) + txq() + [write(TXQ + Q_TAIL, 16)] + step(4))
    s["itr-moderation"] = ([pattern(tx_desc(BUF, 60))] + [write(CTRL, CTRL_ENABLE)] + txq() +
                           [write(TXQ + Q_ITR, 50 | 4 << 16), write(0x1000 + 4, 1),
                            write(TXQ + Q_TAIL, 6)] + step(6))
    s["reset-under-traffic"] = ([pattern(tx_desc(BUF, 600))] + [write(CTRL, CTRL_ENABLE)] + txq() +
                                [write(TXQ + Q_TAIL, 30), write(CTRL, 1), write(TXQ + Q_TAIL, 3)] +
                                txq() + step(2))
    return s


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, cmds in seeds().items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(b"FUZZ".join(cmds))
    print("%d seeds in %s" % (len(seeds()), out))


if __name__ == "__main__":
    main()
