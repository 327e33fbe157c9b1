#!/usr/bin/env python3
"""Traffic for the ofnic RX offload test (selftests/guest/rx_offloads.sh), run in the guest.

  rxgen.py udp-flows DST DPORT NDPORTS NSRC COUNT [SIZE]
        COUNT datagrams of SIZE bytes (default 64) on each of NDPORTS x NSRC flows: destination
        ports DPORT..DPORT+NDPORTS-1, NSRC source sockets (ephemeral source ports); prints the
        number of datagrams sent
  rxgen.py udp-from SPORT DST DPORT COUNT
        COUNT datagrams from source port SPORT to DST:DPORT, one flow
  rxgen.py udp-sockets SPORT DST DPORT COUNT
        COUNT datagrams from source port SPORT to DST:DPORT, each from a new connected socket:
        one 4-tuple, and (IPv6, auto_flowlabels) a flow label of each socket's own
  rxgen.py rx-flow-hash IFACE FLOWTYPE [HEX]
        the ETHTOOL_GRXFH/SRXFH ioctl: prints the RXH_* bits of FLOWTYPE (tcp4, udp4, tcp6,
        udp6) as hex, after setting them to HEX if given (for bits ethtool has no letter for)
  rxgen.py bad-csum DST PORT COUNT
        COUNT UDP datagrams whose checksum is wrong, from a raw socket (no offload touches it)
  rxgen.py qstats CLI IFINDEX
        the device's queue statistics from the netdev netlink family, through the kselftest
        ynl CLI at CLI (.../net/lib/ynl): one JSON object {"dev": {...}, "queues": [...]}
"""
import json
import os
import socket
import struct
import subprocess
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_flows(dst, dport, ndports, nsrc, count, size=64):
    socks = [socket.socket(family(dst), socket.SOCK_DGRAM) for _ in range(nsrc)]
    payload = bytes(size)
    sent = 0
    for _ in range(count):
        for s in socks:
            for p in range(ndports):
                try:
                    s.sendto(payload, (dst, dport + p))
                    sent += 1
                except OSError:
                    pass
                # a TCG guest drains its queues slowly: do not overrun the qdisc
                if sent % 32 == 0:
                    time.sleep(0.005)
    print(sent)


def udp_from(sport, dst, dport, count):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.bind(("", sport))
    for _ in range(count):
        s.sendto(bytes(64), (dst, dport))
        time.sleep(0.002)
    print(count)


def udp_sockets(sport, dst, dport, count):
    for _ in range(count):
        with socket.socket(family(dst), socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", sport))
            s.connect((dst, dport))
            s.send(bytes(64))
        time.sleep(0.002)
    print(count)


SIOCETHTOOL, ETHTOOL_GRXFH, ETHTOOL_SRXFH = 0x8946, 0x29, 0x2a
FLOW_TYPES = {"tcp4": 0x01, "udp4": 0x02, "tcp6": 0x05, "udp6": 0x06}


def rx_flow_hash(iface, flow, bits=None):
    import fcntl
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for cmd, data in ((ETHTOOL_SRXFH, bits), (ETHTOOL_GRXFH, 0)):
            if data is None:
                continue
            # struct ethtool_rxnfc up to rss_context: cmd, flow_type, data (u64), then zeros
            buf = bytearray(struct.pack("=IIQ", cmd, FLOW_TYPES[flow], data) + bytes(184))
            ifr = struct.pack("16sP", iface.encode(), (ctypes_addr(buf)))
            fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
        print("%x" % struct.unpack_from("=Q", buf, 8)[0])


def ctypes_addr(buf):
    import ctypes
    return ctypes.addressof((ctypes.c_char * len(buf)).from_buffer(buf))


def bad_csum(dst, port, count):
    fam = family(dst)
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_UDP)
    payload = b"ofnic-bad-checksum"
    # any fixed value is wrong for at least all but one payload; 0 would mean "none" on IPv4
    hdr = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0x1234)
    for _ in range(count):
        s.sendto(hdr + payload, (dst, 0))
        time.sleep(0.01)


def qstats(cli, ifindex):
    spec = os.path.join(cli, "..", "specs", "netdev.yaml")

    def dump(scope):
        req = {"ifindex": ifindex}
        if scope:
            req["scope"] = [scope]
        out = subprocess.run([sys.executable, os.path.join(cli, "cli.py"), "--spec", spec,
                              "--no-schema", "--output-json", "--dump", "qstats-get",
                              "--json", json.dumps(req)],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    print(json.dumps({"dev": dump(None)[0], "queues": dump("queue")}))


def feature_names(cli, ifname):
    """Every bit of the hw, wanted and active feature sets (ethtool netlink) has a name."""
    spec = os.path.join(cli, "..", "specs", "ethtool.yaml")
    out = subprocess.run([sys.executable, os.path.join(cli, "cli.py"), "--spec", spec,
                          "--no-schema", "--output-json", "--do", "features-get",
                          "--json", json.dumps({"header": {"dev-name": ifname}})],
                         check=True, capture_output=True, text=True).stdout
    feats = json.loads(out)
    bad = 0
    for group in ("hw", "wanted", "active"):
        bits = feats.get(group, {}).get("bits", {}).get("bit", [])
        # hw comes as every bit with a value flag on the set ones; wanted/active list set bits
        if group == "hw":
            bits = [b for b in bits if b.get("value", False)]
        nameless = [b.get("index") for b in bits if not b.get("name")]
        print(f"{group}: {len(bits)} bits set, nameless: {nameless or 'none'}")
        bad += len(nameless)
    return 1 if bad else 0


def main(argv):
    cmd, a = argv[1], argv[2:]
    if cmd == "udp-flows":
        udp_flows(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]),
                  int(a[5]) if len(a) > 5 else 64)
    elif cmd == "udp-from":
        udp_from(int(a[0]), a[1], int(a[2]), int(a[3]))
    elif cmd == "udp-sockets":
        udp_sockets(int(a[0]), a[1], int(a[2]), int(a[3]))
    elif cmd == "rx-flow-hash":
        try:
            rx_flow_hash(a[0], a[1], int(a[2], 16) if len(a) > 2 else None)
        except OSError as e:
            print("rx-flow-hash %s: %s" % (a[1], e), file=sys.stderr)
            return 1
    elif cmd == "bad-csum":
        bad_csum(a[0], int(a[1]), int(a[2]))
    elif cmd == "qstats":
        qstats(a[0], int(a[1]))
    elif cmd == "feature-names":
        return feature_names(a[0], a[1])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
