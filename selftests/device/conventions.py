#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU conventions of the ofnic device: documented properties and trace events.

-device ofnic,help: every property ofnic defines has a description. -trace help: every event in
hw-model/trace-events is known to the binary. docs/ofnic.rst (the device's page in the style of
QEMU's docs/system/devices) names every property and every event. Under qtest with -trace 'ofnic_*': ring enable,
doorbells, a TSO packet's offload decision (its wire frame count equal to the frames seen on the
wire), interrupts, RX classification and a HW-GRO coalescing flush (the segment count) are traced
with the values the device acted on. Prints TAP.

    selftests/device/conventions.py QEMU_BINARY [PC_BIOS_DIR]
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rx_offload as R  # noqa: E402
import tx_offload as T  # noqa: E402
from tx_offload import ok  # noqa: E402

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# Properties every PCI device has (QEMU documents or leaves them); the rest are ofnic's own.
GENERIC = {"acpi-index", "addr", "bootindex", "busnr", "failover_pair_id", "multifunction",
           "rombar", "romfile", "romsize"}


def device_help(qemu):
    out = subprocess.run([qemu, "-device", "ofnic,help"], capture_output=True, text=True,
                         timeout=30).stdout
    props = {}
    for line in out.splitlines():
        m = re.match(r"\s+([\w-]+)=<[^>]*>\s*(?:-\s*(.*))?$", line)
        if m:
            desc = re.sub(r"\s*\(default: [^)]*\)$", "", m.group(2) or "").strip()
            props[m.group(1)] = desc
    return props


def main():
    T.plan(17)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")

    props = device_help(qemu)
    own = sorted(p for p in props if p not in GENERIC and not p.startswith("x-"))
    bare = [p for p in own if not props[p]]
    ok(len(own) >= 25 and not bare, "-device ofnic,help: %d properties of ofnic's, each described" % len(own),
       "no description: %s" % bare)
    with open(os.path.join(TOP, "docs", "ofnic.rst")) as f:
        doc = f.read()
    undoc = [p for p in own if "``%s``" % p not in doc]
    ok(not undoc, "docs/ofnic.rst documents every property", "missing: %s" % undoc)
    out = subprocess.run([qemu, "-device", "help"], capture_output=True, text=True, timeout=30).stdout
    ok(re.search(r'name "ofnic", bus PCI, desc "[^"]+"', out) is not None,
       "-device help lists ofnic with a description")

    with open(os.path.join(TOP, "hw-model", "trace-events")) as f:
        events = [ln.split("(")[0] for ln in f if re.match(r"ofnic_\w+\(", ln)]
    known = set(subprocess.run([qemu, "-trace", "help"], capture_output=True, text=True,
                               timeout=30).stdout.split())
    missing = [e for e in events if e not in known]
    ok(len(events) >= 10 and not missing, "-trace help: all %d ofnic events built in" % len(events),
       "missing: %s" % missing)
    undoc = [e for e in events if "``%s``" % e not in doc]
    ok(not undoc, "docs/ofnic.rst documents every trace event", "missing: %s" % undoc)

    # the speed property: STATUS reports it; a bad value is refused with a message
    d = T.Dev(qemu, bios, opts="speed=40000")
    try:
        status = d.r(0x44)
    finally:
        d.close()
    ok(status >> 16 == 400 and status & 1, "speed=40000: STATUS reports 400 x 100 Mbit/s (0x%x)" % status)
    p = subprocess.run([qemu, "-M", "q35", "-nodefaults", "-display", "none", "-L", bios, "-L",
                        "/usr/share/seabios", "-netdev", "hubport,id=n0,hubid=0",
                        "-device", "ofnic,netdev=n0,speed=150"], capture_output=True, text=True,
                       timeout=30)
    ok(p.returncode != 0 and "speed must be a multiple of 100" in p.stderr,
       "speed=150 refused with a message", p.stderr.strip())

    d = R.RxDev(qemu, bios, extra=["-trace", "ofnic_*"])
    try:
        pkt, l2, l3, l4 = T.build(payload=4000)
        wire = d.send(pkt, (T.SEG_TCP4, 0, 1000, l2, l3, l4, 0, 0, 0))
        d.w(R.REG_OFFLOAD, R.OFF_RX_CSUM | R.OFF_HW_GRO)
        segs = [R.tcp4(seq=1000 + 1448 * i, payload=1448, ip_id=0x1000 + i) for i in range(3)]
        d.send_wait(segs)
        d.cmd("clock_step %d" % ((R.TIMEOUT_US + 10) * 1000))
        got = len(d.completions())
    finally:
        log = d.close()
    ok(len(wire) == 4 and got == 1, "traffic for the trace: TSO into 4 frames, 3 segments coalesced into 1",
       (len(wire), got))

    def has(pattern, name):
        ok(re.search(pattern, log, re.M) is not None, "trace: " + name, "no line matches %r" % pattern)

    has(r"^ofnic_ring_enable TXQ0 enabled: base 0x%x size %d vector 1$" % (T.RING, T.RSIZE),
        "TX ring enable with its base, size and vector")
    has(r"^ofnic_ring_enable RXQ0 enabled: base 0x%x size %d" % (R.RING0, R.RSIZE), "RX ring enable")
    has(r"^ofnic_doorbell TXQ0 tail [1-9]\d*, head 0$", "TX doorbell")
    has(r"^ofnic_tx_offload TXQ0 packet of %d bytes, offload 0x%x: segmentation %d, %d wire frames"
        % (len(pkt), T.SEG_TCP4, T.SEG_TCP4, len(wire)), "TSO decision with the frames it sent")
    has(r"^ofnic_tx_ring TXQ0 head \d+: 1 packets, budget cost %d" % len(wire), "TX ring walk")
    has(r"^ofnic_irq(_latched)? ", "interrupt request")
    has(r"^ofnic_rx_frame RXQ\d+ frame of %d bytes, hash 0x[0-9a-f]{8}, ntuple rule -1, tunnel 0$"
        % len(segs[0]), "RX classification")
    has(r"^ofnic_rsc_timeout RXQ\d+", "coalescing timer")
    has(r"^ofnic_rsc_flush RXQ\d+ coalesced frame of %d bytes from 3 segments$"
        % (54 + 3 * 1448), "coalescing flush with its segment count")
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
