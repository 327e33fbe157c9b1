#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a NIC's Linux driver offers, as ethtool and the netdev netlink family show it.

    features.py OUT.json MODEL=IFACE...

For each interface: every offload feature of interest as "on", "off" (switchable) or
"fixed on"/"fixed off" (ethtool -k); queue and ring limits (-l, -g); RSS (-x: key and table
sizes, whether a context can be created); coalescing parameters (-c);
counters (-S: how many, and whether the IEEE eth-mac group exists); flow control (-a: whether
-A can turn it on, whether -I -a has pause statistics); the active FEC; register dump (-d) and
self-test (-t); the UDP tunnel port table (--show-tunnels); largest MTU; per-queue statistics
through netlink (qstats, with the ynl CLI built by tools/build-selftests). Each probe runs the
command and records whether the driver supported it: nothing is assumed per model.
"""
import json
import os
import re
import subprocess
import sys

FEATURES = [
    ("rx-checksumming", "RX checksum"),
    ("tx-checksum-ipv4", "TX checksum IPv4"),
    ("tx-checksum-ipv6", "TX checksum IPv6"),
    ("tx-checksum-ip-generic", "TX checksum generic"),
    ("tx-checksum-sctp", "TX SCTP CRC32c"),
    ("scatter-gather", "scatter-gather"),
    ("tx-tcp-segmentation", "TSO IPv4"),
    ("tx-tcp6-segmentation", "TSO IPv6"),
    ("tx-tcp-ecn-segmentation", "TSO with ECN"),
    ("tx-tcp-mangleid-segmentation", "TSO mangle IP ID"),
    ("tx-udp-segmentation", "USO (UDP_SEGMENT)"),
    ("tx-udp_tnl-segmentation", "VXLAN/GENEVE TSO"),
    ("tx-udp_tnl-csum-segmentation", "tunnel TSO + outer csum"),
    ("rx-udp_tunnel-port-offload", "tunnel port table"),
    ("large-receive-offload", "LRO"),
    ("rx-gro-hw", "HW-GRO"),
    ("rx-vlan-offload", "VLAN strip"),
    ("tx-vlan-offload", "VLAN insert"),
    ("rx-vlan-filter", "VLAN filter"),
    ("receive-hashing", "RSS hash to the stack"),
    ("ntuple-filters", "ntuple filters"),
    ("loopback", "loopback"),
    ("rx-fcs", "RX FCS"),
    ("rx-all", "RX all (bad frames)"),
]
# tools/build-selftests --kernel SERIES installs the ynl CLI for the running kernel
# the ynl CLI of the guest kernel's selftests: net/lib/ynl/cli.py on 6.12, .../pyynl/cli.py on 7.x
NETLIB = "/ofnic/out/kselftest/%s/net/lib" % ".".join(os.uname().release.split(".")[:2])
YNL_CLI = next((p for p in (NETLIB + "/ynl/cli.py", NETLIB + "/ynl/pyynl/cli.py")
                if os.path.exists(p)), None)


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    return p.returncode, p.stdout + p.stderr


def number(text, label, section=None):
    """The number after LABEL: in ethtool's text output (in SECTION, if given)."""
    if section:
        i = text.find(section)
        text = text[i:] if i >= 0 else ""
    m = re.search(r"^%s:\s+(\d+)" % re.escape(label), text, re.M)
    return int(m.group(1)) if m else None


def probe(ifc):
    r = {}
    rc, out = run("ethtool", "--json", "-k", ifc)
    k = json.loads(out)[0] if rc == 0 else {}
    feats = {}
    for name, _ in FEATURES:
        f = k.get(name)
        if not isinstance(f, dict):
            feats[name] = "absent"
        else:
            feats[name] = ("fixed " if f.get("fixed") else "") + ("on" if f.get("active") else "off")
    r["features"] = feats
    rc, out = run("ethtool", "-l", ifc)
    r["queues_max"] = max(filter(None, [number(out, "Combined", "Pre-set"), number(out, "RX", "Pre-set")]),
                          default=None) if rc == 0 else None
    rc, out = run("ethtool", "-g", ifc)
    r["ring_max"] = number(out, "RX", "Pre-set") if rc == 0 else None
    rc, out = run("ethtool", "-x", ifc)
    # table rows are "  N:  q q q ..."; the key's row ("6d:5a:...") may start with digits too
    r["rss_table"] = sum(len(m.split()) for m in re.findall(r"^\s*\d+:((?:\s+\d+)+)\s*$", out, re.M)) \
        if rc == 0 else 0
    r["rss_key"] = bool(re.search(r"RSS hash key:\n[0-9a-f]{2}:", out)) if rc == 0 else False
    rc, out = run("ethtool", "-X", ifc, "context", "new")
    m = re.search(r"New RSS context is (\d+)", out)
    r["rss_contexts"] = rc == 0 and m is not None
    if m:
        run("ethtool", "-X", ifc, "context", m.group(1), "delete")
    rc, out = run("ethtool", "--json", "-c", ifc)
    c = json.loads(out)[0] if rc == 0 and out.strip().startswith("[") else {}
    r["coalesce"] = sorted(x for x in c if x != "ifname")
    rc, out = run("ethtool", "-S", ifc)
    r["stats"] = max(0, len(out.splitlines()) - 1) if rc == 0 else 0
    rc, out = run("ethtool", "--json", "-S", ifc, "--groups", "eth-mac")
    r["eth_mac_stats"] = rc == 0 and bool(json.loads(out)[0].get("eth-mac"))
    rc, out = run("ethtool", "-I", "-a", ifc)
    r["pause"] = None if rc else ("with statistics" if "rx_pause_frames" in out else "no statistics")
    if r["pause"]:
        r["pause_settable"] = run("ethtool", "-A", ifc, "rx", "on")[0] == 0
        run("ethtool", "-A", ifc, "rx", "off")
    rc, out = run("ethtool", "--show-fec", ifc)
    m = re.search(r"Active FEC encoding: (.*)", out)
    r["fec"] = m.group(1).strip() if rc == 0 and m else None
    rc, out = run("ethtool", "-d", ifc, "raw", "on")
    r["regs_dump"] = rc == 0
    rc, out = run("ethtool", "-t", ifc, "online")
    r["self_test"] = rc == 0 and "The test result is" in out
    rc, out = run("ethtool", "--show-tunnels", ifc)
    r["tunnel_table"] = rc == 0 and "Tunnel information" in out
    rc, out = run("ip", "-d", "-j", "link", "show", ifc)
    r["max_mtu"] = json.loads(out)[0].get("max_mtu") if rc == 0 else None
    r["qstats"] = None
    if YNL_CLI:
        ifindex = int(open("/sys/class/net/%s/ifindex" % ifc).read())
        rc, out = run(sys.executable, YNL_CLI, "--spec",
                      os.path.join(NETLIB, "specs", "netdev.yaml"), "--no-schema", "--output-json",
                      "--dump", "qstats-get", "--json", json.dumps({"ifindex": ifindex, "scope": ["queue"]}))
        r["qstats"] = rc == 0 and out.strip() not in ("", "[]")
    return r


def main():
    out = {"features": dict(FEATURES), "nics": {}}
    for arg in sys.argv[2:]:
        model, ifc = arg.split("=", 1)
        out["nics"][model] = probe(ifc)
        print("%s (%s): %s" % (model, ifc, json.dumps(out["nics"][model])))
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
