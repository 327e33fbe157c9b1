#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""802.3 MAC control frames on a port, for the flow-control tests.

    macctl.py send IFACE COUNT OPCODE PAUSE_TIME   COUNT frames to 01:80:c2:00:00:01, 10 ms apart
    macctl.py sniff IFACE SECONDS                  prints how many MAC control frames IFACE's
                                                   stack saw arriving in that time
"""
import socket
import struct
import sys
import time

ETH_P_ALL, ETH_P_MAC_CTRL = 0x0003, 0x8808


def send(iface, count, opcode, quanta):
    with open("/sys/class/net/%s/address" % iface) as f:
        src = bytes.fromhex(f.read().strip().replace(":", ""))
    frame = (bytes.fromhex("0180c2000001") + src + struct.pack("!HHH", ETH_P_MAC_CTRL, opcode, quanta)
             + bytes(42))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(count):
        s.send(frame)
        time.sleep(0.01)


def sniff(iface, secs):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.settimeout(0.1)
    n, end = 0, time.time() + secs
    while time.time() < end:
        try:
            f, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] != socket.PACKET_OUTGOING and f[12:14] == struct.pack("!H", ETH_P_MAC_CTRL):
            n += 1
    print(n)


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 0), int(sys.argv[5], 0))
    else:
        sniff(sys.argv[2], float(sys.argv[3]))
