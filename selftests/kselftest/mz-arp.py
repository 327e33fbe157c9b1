#!/usr/bin/env python3
# A stand-in for mausezahn (netsniff-ng), which the guest rootfs lacks, covering only the one use
# kselftests make of it here: drivers/net/hw/loopback.sh runs `$MZ DEV -c N -t arp -q`.
# Sends N gratuitous ARP replies out of DEV: broadcast destination, sender = DEV's MAC and first
# IPv4 address, target IP = the same address (loopback.sh filters ingress on
# "arp_op reply arp_tip <DEV's address>"). Any other use fails loudly instead of guessing.
import json
import socket
import struct
import subprocess
import sys


def die(msg):
    print(f"mz-arp: {msg}", file=sys.stderr)
    sys.exit(2)


def main(argv):
    if not argv or argv[0].startswith("-"):
        die("usage: mz-arp DEV [-c COUNT] -t arp [-q]")
    dev, count, ptype = argv[0], 1, None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "-c" and i + 1 < len(argv):
            count = int(argv[i + 1])
            i += 2
        elif a == "-t" and i + 1 < len(argv):
            ptype = argv[i + 1]
            i += 2
        elif a == "-q":
            i += 1
        else:
            die(f"unsupported argument {a!r} (only DEV -c N -t arp -q)")
    if ptype != "arp":
        die("only -t arp is implemented")
    link = json.loads(subprocess.check_output(["ip", "-j", "addr", "show", "dev", dev]))[0]
    mac = bytes.fromhex(link["address"].replace(":", ""))
    v4 = [a["local"] for a in link.get("addr_info", []) if a.get("family") == "inet"]
    ip = socket.inet_aton(v4[0] if v4 else "0.0.0.0")
    bcast = b"\xff" * 6
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, mac, ip, bcast, ip)
    frame = bcast + mac + struct.pack("!H", 0x0806) + arp
    frame += b"\x00" * (60 - len(frame))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    for _ in range(count):
        s.send(frame)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
