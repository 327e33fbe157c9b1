#!/usr/bin/env python3
"""Traffic for the ofnic TX offload tests (selftests/guest/tx_offloads.sh), run in the guest.

  txgen.py udp-send DST PORT SIZE COUNT [GSO]   datagrams of SIZE bytes; with GSO, UDP_SEGMENT
                                               (USO): each send is SIZE bytes cut into GSO-byte
                                               datagrams by the stack or the device
  txgen.py udp-recv ADDR PORT N SIZE SECS       wait for N datagrams of SIZE bytes with the
                                               pattern; prints "<datagrams> <bytes> <bad>"
  txgen.py ufo-send IFACE DSTMAC SRC DST PORT SIZE GSO
                                               one UDP datagram of SIZE bytes as a UFO packet
                                               (SKB_GSO_UDP) from a PACKET_VNET_HDR socket,
                                               GSO bytes of IP payload per fragment
  txgen.py tcp-send DST PORT SIZE [dstopts]     SIZE bytes over TCP, optionally with an IPv6
                                               destination options header
  txgen.py tcp-recv ADDR PORT SECS              one connection; prints "<bytes> <bad>"

Payloads follow pattern() so that the receiver can check every byte.
"""
import random
import socket
import struct
import sys
import time

SOL_PACKET = 263
PACKET_VNET_HDR = 15
UDP_SEGMENT = 103
VIRTIO_NET_HDR_F_NEEDS_CSUM = 1
VIRTIO_NET_HDR_GSO_UDP = 3


# Pseudo-random bytes repeating every 65521 (a prime): a segment that is lost, repeated or
# put at the wrong offset shows, as MSS, page and buffer sizes never divide the period.
# Slicing a repeated block keeps 8 MB cheap on a TCG guest, where a per-byte Python loop
# took ~45 s and ran into the receiver's 30 s timeout.
PATTERN_PERIOD = 65521
PATTERN_BLOCK = random.Random(7).randbytes(PATTERN_PERIOD)


def pattern(n, off=0):
    o = off % PATTERN_PERIOD
    return (PATTERN_BLOCK * ((o + n) // PATTERN_PERIOD + 1))[o:o + n]


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def udp_send(dst, port, size, count, gso=0):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    if gso:
        s.setsockopt(socket.SOL_UDP, UDP_SEGMENT, gso)
    seg = gso or size
    # every datagram the receiver sees starts the pattern afresh
    buf = b"".join(pattern(min(seg, size - o)) for o in range(0, size, seg))
    for _ in range(count):
        s.sendto(buf, (dst, port))
        time.sleep(0.02)


def udp_recv(addr, port, n, size, secs):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    s.settimeout(0.2)
    want = pattern(size)
    got = nbytes = bad = 0
    end = time.time() + secs
    print("ready", file=sys.stderr, flush=True)
    while got < n and time.time() < end:
        try:
            d = s.recv(1 << 17)
        except socket.timeout:
            continue
        got += 1
        nbytes += len(d)
        bad += d != want
    print(got, nbytes, bad)


def ufo_send(ifname, dmac, src, dst, port, size, gso):
    v6 = family(dst) == socket.AF_INET6
    proto = 0x86DD if v6 else 0x0800
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.bind((ifname, proto))
    with open("/sys/class/net/%s/address" % ifname) as f:
        smac = bytes.fromhex(f.read().strip().replace(":", ""))
    ulen = 8 + size
    if v6:
        sa = socket.inet_pton(socket.AF_INET6, src)
        da = socket.inet_pton(socket.AF_INET6, dst)
        iph = struct.pack("!IHBB", 6 << 28, ulen, 17, 64) + sa + da
        pseudo = sa + da + struct.pack("!I3xB", ulen, 17)
    else:
        sa = socket.inet_aton(src)
        da = socket.inet_aton(dst)
        iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0x4f46, 0, 64, 17, 0, sa, da)
        iph = iph[:10] + struct.pack("!H", ~csum16(iph) & 0xFFFF) + iph[12:]
        pseudo = sa + da + struct.pack("!xBH", 17, ulen)
    # CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, not its complement
    udph = struct.pack("!HHHH", 40000 + port % 1000, port, ulen, csum16(pseudo))
    eth = bytes.fromhex(dmac.replace(":", "")) + smac + struct.pack("!H", proto)
    l3 = len(iph)
    vnet = struct.pack("<BBHHHH", VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP,
                       14 + l3 + 8, gso, 14 + l3, 6)
    s.send(vnet + eth + iph + udph + pattern(size))


def tcp_send(dst, port, size, dstopts=False):
    s = socket.socket(family(dst), socket.SOCK_STREAM)
    if dstopts:
        # 8 bytes: next header and length (the kernel fills them), one PadN option
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
    s.connect((dst, port))
    s.sendall(pattern(size))
    s.close()


def tcp_recv(addr, port, secs):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(secs)
    print("ready", file=sys.stderr, flush=True)
    nbytes = bad = 0
    try:
        c, _ = ls.accept()
        c.settimeout(secs)
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            bad += d != pattern(len(d), nbytes)
            nbytes += len(d)
    except socket.timeout:
        pass
    print(nbytes, bad)


def main(argv):
    cmd, a = argv[1], argv[2:]
    if cmd == "udp-send":
        udp_send(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]) if len(a) > 4 else 0)
    elif cmd == "udp-recv":
        udp_recv(a[0], int(a[1]), int(a[2]), int(a[3]), float(a[4]))
    elif cmd == "ufo-send":
        ufo_send(a[0], a[1], a[2], a[3], int(a[4]), int(a[5]), int(a[6]))
    elif cmd == "tcp-send":
        tcp_send(a[0], int(a[1]), int(a[2]), len(a) > 3 and a[3] == "dstopts")
    elif cmd == "tcp-recv":
        tcp_recv(a[0], int(a[1]), float(a[2]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
