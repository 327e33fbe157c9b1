#!/usr/bin/env python3
"""Differential GSO check for ofnic (selftests/guest/gso_diff.sh), run in the guest.

  gsodiff.py list                          the cases, one a line: NAME hw|sw (who segments
                                           it with the offloads on)
  gsodiff.py send IFACE DSTMAC CASE        one super-packet of CASE from a PACKET_VNET_HDR
                                           socket (the same bytes every time)
  gsodiff.py compare CASE HW.pcap SW.pcap  the frames the device made (HW) against those the
                                           stack's software GSO made (SW) from the same packet

compare checks each capture on its own (frames within the MTU, IPv4 header, TCP/UDP checksums,
payload reassembled equal to what was sent) and then that the two are the same frames, byte for
byte; the one field allowed to differ is the IPv6 fragment identification, which the stack
draws at random and the device from its own counter. Prints what differs and exits 1.
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from txgen import csum16, pattern  # noqa: E402  (the payload pattern and sum the tests share)

SOL_PACKET = 263
PACKET_VNET_HDR = 15
F_NEEDS_CSUM = 1
GSO_TCPV4, GSO_UDP, GSO_TCPV6, GSO_UDP_L4, GSO_ECN = 1, 3, 4, 5, 0x80
SRC4, DST4 = "192.0.2.1", "192.0.2.2"
SRC6, DST6 = "2001:db8::1", "2001:db8::2"
PORT = 9300
MTU = 1500

# name: (ip version, l4, gso type, payload bytes, gso_size, extras)
CASES = {
    "tcp4": (4, "tcp", GSO_TCPV4, 30000, 1448, {}),
    "tcp4-opts-ecn-fin": (4, "tcp", GSO_TCPV4 | GSO_ECN, 20001, 1400,
                          {"ipopts": b"\x01\x01\x01\x01", "flags": 0x80 | 0x40 | 0x18 | 0x01,
                           "tos": 0x02}),
    "tcp6": (6, "tcp", GSO_TCPV6, 30000, 1428, {}),
    "tcp6-dstopts": (6, "tcp", GSO_TCPV6, 12345, 1300, {"dstopts": True}),
    "uso4": (4, "udp", GSO_UDP_L4, 14000, 1400, {}),
    "uso6": (6, "udp", GSO_UDP_L4, 14001, 1232, {}),
    "ufo4": (4, "udp", GSO_UDP, 8000, 1480, {}),
    "ufo6": (6, "udp", GSO_UDP, 8000, 1448, {}),
    # below OFNIC_TSO_MIN_MSS: ndo_features_check must leave it to software GSO
    "tcp4-mss40": (4, "tcp", GSO_TCPV4, 1000, 40, {"sw": True}),
}


def pseudo(v6, src, dst, proto, length):
    if v6:
        return src + dst + struct.pack("!I3xB", length, proto)
    return src + dst + struct.pack("!xBH", proto, length)


def build(case, dmac, smac):
    """The super-packet of CASE and its virtio-net header."""
    ver, l4, gso, size, mss, x = CASES[case]
    v6 = ver == 6
    proto = 6 if l4 == "tcp" else 17
    if l4 == "tcp":
        hdr = struct.pack("!HHIIBBHHH", 40000, PORT, 0x1000, 0x2000, (32 // 4) << 4,
                          x.get("flags", 0x18), 1024, 0, 0)
        hdr += b"\x01\x01\x08\x0a" + struct.pack("!II", 12345, 67890)  # NOP NOP timestamps
    else:
        hdr = struct.pack("!HHHH", 40000, PORT, 8 + size, 0)
    l4len = len(hdr) + size
    if v6:
        src, dst = socket.inet_pton(socket.AF_INET6, SRC6), socket.inet_pton(socket.AF_INET6, DST6)
        ext = b""
        nh = proto
        if x.get("dstopts"):
            ext = bytes([proto, 0, 1, 4, 0, 0, 0, 0])  # destination options, PadN
            nh = 60
        ip = struct.pack("!IHBB", 6 << 28, len(ext) + l4len, nh, 64) + src + dst + ext
        etype = 0x86DD
    else:
        src, dst = socket.inet_aton(SRC4), socket.inet_aton(DST4)
        opts = x.get("ipopts", b"")
        ihl = (20 + len(opts)) // 4
        ip = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, x.get("tos", 0), 4 * ihl + l4len, 0x1234,
                         0, 64, proto, 0, src, dst) + opts
        ip = ip[:10] + struct.pack("!H", ~csum16(ip) & 0xFFFF) + ip[12:]
        etype = 0x0800
    # CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum over the whole length
    coff = 16 if l4 == "tcp" else 6
    hdr = hdr[:coff] + struct.pack("!H", csum16(pseudo(v6, src, dst, proto, l4len))) + hdr[coff + 2:]
    eth = dmac + smac + struct.pack("!H", etype)
    l2l3 = len(eth) + len(ip)
    vnet = struct.pack("<BBHHHH", F_NEEDS_CSUM, gso, l2l3 + len(hdr), mss, l2l3, coff)
    return vnet, eth + ip + hdr + pattern(size)


def send(ifname, dmac, case):
    v6 = CASES[case][0] == 6
    etype = 0x86DD if v6 else 0x0800
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(etype))
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.bind((ifname, etype))
    with open("/sys/class/net/%s/address" % ifname) as f:
        smac = bytes.fromhex(f.read().strip().replace(":", ""))
    vnet, pkt = build(case, bytes.fromhex(dmac.replace(":", "")), smac)
    s.send(vnet + pkt)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data)[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    if struct.unpack_from(end + "I", data, 20)[0] != 1:
        raise ValueError("%s: not an Ethernet capture" % path)
    frames, off = [], 24
    while off + 16 <= len(data):
        incl, orig = struct.unpack_from(end + "II", data, off + 8)
        if incl != orig:
            raise ValueError("%s: frame truncated by the capture" % path)
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


class Bad(Exception):
    pass


def parse(f):
    """The fields of one received frame the checks need; raises Bad."""
    etype = struct.unpack_from("!H", f, 12)[0]
    if len(f) - 14 > MTU:
        raise Bad("frame of %d bytes exceeds the MTU" % len(f))
    r = {"frag": None}
    if etype == 0x0800:
        ihl = (f[14] & 15) * 4
        ip = f[14:14 + ihl]
        tot, ident, fo, proto = struct.unpack_from("!HHHxB", ip, 2)
        if csum16(ip) != 0xFFFF:
            raise Bad("IPv4 header checksum wrong")
        if 14 + tot != len(f):
            raise Bad("IPv4 total length %d, frame carries %d" % (tot, len(f) - 14))
        r.update(v6=False, src=ip[12:16], dst=ip[16:20], proto=proto, l4=14 + ihl, id=ident)
        if fo & 0x3FFF:
            r["frag"] = ((fo & 0x1FFF) * 8, bool(fo & 0x2000))
        return r
    if etype != 0x86DD:
        raise Bad("ethertype 0x%04x" % etype)
    plen, nh = struct.unpack_from("!HB", f, 18)
    if 54 + plen != len(f):
        raise Bad("IPv6 payload length %d, frame carries %d" % (plen, len(f) - 54))
    off = 54
    while nh in (0, 43, 60, 44):
        if nh == 44:
            fo = struct.unpack_from("!H", f, off + 2)[0]
            r["frag"] = (fo & 0xFFF8, bool(fo & 1))
            r["fragid_at"] = off + 4
            nh = f[off]
            off += 8
            break
        nh, off = f[off], off + 8 * (f[off + 1] + 1)
    r.update(v6=True, src=f[22:38], dst=f[38:54], proto=nh, l4=off)
    return r


def check_one(case, frames, name):
    """One capture on its own: valid frames carrying exactly the payload sent."""
    ver, l4, gso, size, mss, x = CASES[case]
    if not frames:
        raise Bad("%s: no frame received" % name)
    parsed = [parse(f) for f in frames]
    for i, p in enumerate(parsed):
        if p["proto"] != (6 if l4 == "tcp" else 17):
            raise Bad("%s: frame %d carries IP protocol %d" % (name, i, p["proto"]))
    want = pattern(size)
    if gso == GSO_UDP:  # one datagram in fragments: reassemble, then check it whole
        data = {}
        for f, p in zip(frames, parsed):
            if p["frag"] is None:
                if len(frames) != 1:
                    raise Bad("%s: unfragmented frame among fragments" % name)
                data[0] = f[p["l4"]:]
            else:
                data[p["frag"][0]] = f[p["l4"]:]
        dgram, off = b"", 0
        for o in sorted(data):
            if o != off:
                raise Bad("%s: fragment at %d, expected %d" % (name, o, off))
            dgram += data[o]
            off += len(data[o])
        p = parsed[0]
        if csum16(pseudo(p["v6"], p["src"], p["dst"], 17, len(dgram)) + dgram) != 0xFFFF:
            raise Bad("%s: UDP checksum of the reassembled datagram wrong" % name)
        if dgram[8:] != want:
            raise Bad("%s: datagram payload differs from what was sent" % name)
        return "%d fragments" % len(frames)
    stream, seq0 = b"", None
    for i, (f, p) in enumerate(zip(frames, parsed)):
        seg = f[p["l4"]:]
        if p["frag"] is not None:
            raise Bad("%s: frame %d is an IP fragment" % (name, i))
        if csum16(pseudo(p["v6"], p["src"], p["dst"], p["proto"], len(seg)) + seg) != 0xFFFF:
            raise Bad("%s: frame %d: L4 checksum wrong" % (name, i))
        if l4 == "tcp":
            seq = struct.unpack_from("!I", seg, 4)[0]
            hl = (seg[12] >> 4) * 4
            seq0 = seq if seq0 is None else seq0
            if seq - seq0 != len(stream):
                raise Bad("%s: frame %d: sequence %d, expected %d" % (name, i, seq - seq0, len(stream)))
            stream += seg[hl:]
        else:
            if struct.unpack_from("!H", seg, 4)[0] != len(seg):
                raise Bad("%s: frame %d: UDP length wrong" % (name, i))
            stream += seg[8:]
    if stream != want:
        raise Bad("%s: payload stream differs from what was sent" % name)
    return "%d segments" % len(frames)


def compare(case, hw_path, sw_path):
    hw, sw = read_pcap(hw_path), read_pcap(sw_path)
    try:
        what_hw = check_one(case, hw, "device")
        check_one(case, sw, "software GSO")
    except Bad as e:
        print(e)
        return 1
    if len(hw) != len(sw):
        print("device made %d frames, software GSO %d" % (len(hw), len(sw)))
        return 1
    for i, (a, b) in enumerate(zip(hw, sw)):
        if len(a) != len(b):
            print("frame %d: %d bytes from the device, %d from software GSO" % (i, len(a), len(b)))
            return 1
        skip = set()
        p = parse(a)
        if "fragid_at" in p:
            skip = set(range(p["fragid_at"], p["fragid_at"] + 4))
        diff = [o for o in range(len(a)) if a[o] != b[o] and o not in skip]
        if diff:
            print("frame %d differs at byte offsets %s (device %s, software %s)" %
                  (i, diff[:8], a[diff[0]:diff[0] + 4].hex(), b[diff[0]:diff[0] + 4].hex()))
            return 1
    print("%s: %s, identical to software GSO" % (case, what_hw))
    return 0


def main(argv):
    if argv[1] == "list":
        for name, c in CASES.items():
            print(name, "sw" if c[5].get("sw") else "hw")
        return 0
    if argv[1] == "send":
        send(argv[2], argv[3], argv[4])
        return 0
    if argv[1] == "compare":
        return compare(argv[2], argv[3], argv[4])
    sys.exit("usage: gsodiff.py list | send IFACE DSTMAC CASE | compare CASE HW.pcap SW.pcap")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
