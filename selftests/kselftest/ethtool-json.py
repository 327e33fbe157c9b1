#!/usr/bin/python3
# ethtool in front of the guest's ethtool for the Linux 7.x selftests: trixie's ethtool 6.14 has
# no JSON output for -l (--show-channels), which napi_threaded.py and netpoll_basic.py ask for
# ("ethtool --json -l DEV"). This answers that one form from the text output, with the keys newer
# ethtool prints (rx/tx/other/combined and their -max), and hands every other command line to
# the real ethtool unchanged. run.sh puts it first in PATH only when the real one refuses it.
import json
import os
import subprocess
import sys

REAL = "/usr/sbin/ethtool"
args = sys.argv[1:]
js = [a for a in args if a in ("--json", "-j")]
rest = [a for a in args if a not in ("--json", "-j")]
if not js or len(rest) != 2 or rest[0] not in ("-l", "--show-channels"):
    os.execv(REAL, [REAL] + args)

dev = rest[1]
p = subprocess.run([REAL, "-l", dev], capture_output=True, text=True)
if p.returncode != 0:
    sys.stderr.write(p.stderr)
    sys.exit(p.returncode)
out = {"ifname": dev}
suffix = None
for line in p.stdout.splitlines():
    s = line.strip()
    if s.startswith("Pre-set maximums"):
        suffix = "-max"
    elif s.startswith("Current hardware settings"):
        suffix = ""
    elif suffix is not None and ":" in s:
        k, v = (x.strip() for x in s.split(":", 1))
        k = k.lower()
        if k in ("rx", "tx", "other", "combined") and v.isdigit():
            out[k + suffix] = int(v)
print(json.dumps([out], indent=4))
