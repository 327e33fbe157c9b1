#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive an ofnic port from guest user space, with no driver, and do malformed things to it.

selftests/guest/robustness.sh runs one case per call:

    ofnic_poke.py list                                  "name<TAB>description" per case
    ofnic_poke.py --bdf BDF [--peer IFACE] run CASE     exit 0 pass, 1 fail, 77 skip
    ofnic_poke.py --bdf BDF quiesce                     reset the device, stop bus mastering

Every case starts from OFNIC_CTRL_RESET, does one malformed thing and then checks that
  - QEMU logged it: /ofnic-out/guest-errors.log (QEMU's -d guest_errors log, shared over 9p)
    gained the lines the case expects;
  - the device still answers (ID, QUEUES, VECTORS read back sane) and counted what the
    datasheet says it counts (statistics block, CTRL.ERROR, MISC_CAUSE);
  - the device still works: after another reset a frame goes out and comes back in loopback.
A QEMU crash or hang shows up as this process never returning (robustness.sh runs it under
timeout) or as the whole guest dying (tools/vm then fails).

Only the standard library: the guest has python3 but no compiler. Register offsets, limits and
the statistics layout are read from the datasheet, include/ofnic_hw.h, so this file follows it.
DMA memory is a few separate 4 KiB anonymous pages, locked, translated through
/proc/self/pagemap; the guest has no IOMMU, so physical == DMA address. Nothing relies on two
pages being contiguous.
"""

import argparse
import ctypes
import mmap
import os
import re
import socket
import struct
import sys
import time

PAGE = 4096
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATASHEET = os.path.join(REPO, "include", "ofnic_hw.h")
GUEST_ERRORS = "/ofnic-out/guest-errors.log"

# Addresses nothing answers at on q35: the last page of the 48-bit space, and one that makes
# a 64-byte access wrap past 2^64 to address 0.
UNMAPPED = 0xFFFFFFFFF000
WRAP_ADDR = 0xFFFFFFFFFFFFFFE0

EXIT_PASS, EXIT_FAIL, EXIT_SKIP = 0, 1, 77


class Skip(Exception):
    """The model cannot express this case (a capability it lacks): TAP SKIP."""


class Fatal(Exception):
    """The case could not even be set up, or the device stopped answering."""


# ---- The datasheet, read from include/ofnic_hw.h -------------------------------------------

class Datasheet:
    """Every #define of ofnic_hw.h as an attribute without the OFNIC_ prefix (function-like
    macros become functions), and the statistics enums as name lists. Reading the header rather
    than copying numbers keeps this test honest when the datasheet changes."""

    _define = re.compile(r"^#define\s+OFNIC_(\w+)(\(([\w\s,]*)\))?\s+(.*?)\s*(/\*.*)?$")
    _safe = re.compile(r"^[\w\s()+\-*/<>|&~,]*$")

    def __init__(self, path):
        with open(path) as f:
            text = f.read()
        # One namespace for everything, so function-like macros find the others when called.
        g = {"__builtins__": {}}
        for prefix, enum in (("GSTAT_", "ofnic_gstat"), ("QSTAT_", "ofnic_qstat")):
            names = self._enum(text, enum, prefix)
            g.update({prefix + n: i for i, n in enumerate(names)})
            g[prefix + "NUM"] = len(names)
            setattr(self, prefix.lower().rstrip("_") + "s", names)
        for line in text.splitlines():
            m = self._define.match(line)
            if not m or not m.group(4):
                continue
            name, params, body = m.group(1), m.group(3), m.group(4)
            # C to Python: BIT_ULL(n), OFNIC_ prefixes, integer division.
            body = re.sub(r"BIT_ULL\((\w+)\)", r"(1 << (\1))", body)
            body = body.replace("OFNIC_", "").replace("/", "//")
            if not self._safe.match(body):
                continue
            try:
                if params is not None:
                    g[name] = eval("lambda %s: %s" % (params, body), g)
                else:
                    g[name] = eval(body, g)
            except Exception:
                continue	# a define this test does not need
        del g["__builtins__"]
        self.__dict__.update(g)

    @staticmethod
    def _enum(text, name, prefix):
        m = re.search(r"enum\s+%s\s*\{(.*?)\};" % name, text, re.S)
        if not m:
            raise Fatal("datasheet: no enum %s" % name)
        body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
        names = [n.strip().split("=")[0].strip() for n in body.split(",")]
        names = [n.replace("OFNIC_" + prefix, "") for n in names if n]
        return [n for n in names if n != "NUM"]


D = Datasheet(DATASHEET)


# ---- Memory: BARs and DMA pages ----------------------------------------------------------

_ctype = {1: ctypes.c_uint8, 2: ctypes.c_uint16, 4: ctypes.c_uint32, 8: ctypes.c_uint64}


class Bar:
    """A memory BAR mapped through sysfs. ctypes makes each access one load or store of the
    given width (struct/bytes slicing could split or merge them)."""

    def __init__(self, path, size):
        fd = os.open(path, os.O_RDWR | os.O_SYNC)
        try:
            self.mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self.size = size
        self._anchor = ctypes.c_char.from_buffer(self.mm)	# keeps the mapping alive
        self.va = ctypes.addressof(self._anchor)

    def read(self, off, width=4):
        return _ctype[width].from_address(self.va + off).value

    def write(self, off, val, width=4):
        _ctype[width].from_address(self.va + off).value = val


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def virt_to_phys(va):
    """Physical address of a resident page of ours: /proc/self/pagemap, bit 63 present,
    bits 0-54 the PFN (which reads as 0 without CAP_SYS_ADMIN)."""
    with open("/proc/self/pagemap", "rb") as f:
        f.seek(va // PAGE * 8)
        entry = struct.unpack("<Q", f.read(8))[0]
    pfn = entry & ((1 << 55) - 1)
    if not entry >> 63 or not pfn:
        raise Fatal("pagemap gives no PFN for 0x%x (not root?)" % va)
    return pfn * PAGE + va % PAGE


class DmaPage:
    """One locked 4 KiB page the device may read and write."""

    def __init__(self):
        self.mm = mmap.mmap(-1, PAGE, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self._anchor = ctypes.c_char.from_buffer(self.mm)
        self.va = ctypes.addressof(self._anchor)
        self.mm[:] = b"\0" * PAGE	# fault it in before locking and translating
        if _libc.mlock(self.va, PAGE):
            raise Fatal("mlock: %s" % os.strerror(ctypes.get_errno()))
        self.pa = virt_to_phys(self.va)

    def fill(self, byte=0):
        self.mm[:] = bytes([byte]) * PAGE

    def put(self, off, data):
        self.mm[off:off + len(data)] = data

    def get(self, off, n):
        return bytes(self.mm[off:off + n])


def iomem():
    """/proc/iomem as (start, end exclusive, name) (root sees the real addresses)."""
    out = []
    with open("/proc/iomem") as f:
        for line in f:
            span, name = line.strip().split(" : ", 1)
            a, b = span.split("-")
            out.append((int(a, 16), int(b, 16) + 1, name))
    return out


def ram_ranges():
    return [(a, b) for a, b, name in iomem() if name == "System RAM"]


def ram_end_below_4g():
    """The first address after RAM below 4 GiB, if nothing but a PCI bus window claims it,
    else None. The firmware's "Reserved" ranges at the top of RAM are RAM too."""
    res = iomem()
    end = max((b for a, b in ram_ranges() if b <= 1 << 32), default=None)
    while end is not None:
        nxt = [b for a, b, name in res if a == end and name == "Reserved"]
        if not nxt:
            break
        end = max(nxt)
    if end is None or any(a <= end < b for a, b, name in res if not name.startswith("PCI Bus")):
        return None
    return end


# ---- The device ---------------------------------------------------------------------------

def q_base(tx, q=0):
    return D.TXQ(q) if tx else D.RXQ(q)


class Ofnic:
    """One ofnic function, unbound from its driver, enabled and bus master."""

    def __init__(self, bdf):
        self.sysfs = "/sys/bus/pci/devices/" + bdf
        ids = [self._sysfs_int(n) for n in ("vendor", "device")]
        if ids != [D.PCI_VENDOR_ID, D.PCI_DEVICE_ID]:
            raise Fatal("%s is %04x:%04x, not ofnic" % (bdf, ids[0], ids[1]))
        if os.path.exists(self.sysfs + "/driver"):
            raise Fatal("%s is still bound to a driver: unbind it first" % bdf)
        if self._sysfs_int("enable") == 0:
            with open(self.sysfs + "/enable", "w") as f:
                f.write("1")
        # Memory decoding and bus mastering (setpci is not in the guest).
        self.config_write16(4, self.config_read16(4) | 0x6)
        with open(self.sysfs + "/resource") as f:
            bars = [[int(x, 16) for x in line.split()] for line in f]
        self.bars = [(a, b - a + 1 if b else 0) for a, b, _ in bars]	# (address, size)
        self.bar0_pa = self.bars[D.BAR_REGS][0]
        self.bar = Bar(self.sysfs + "/resource%d" % D.BAR_REGS, D.BAR_REGS_SIZE)
        if self.r32(D.REG_ID) != D.ID_MAGIC:
            raise Fatal("BAR0 ID reads 0x%08x, not the ofnic magic" % self.r32(D.REG_ID))
        self.queues = self.r32(D.REG_QUEUES)
        self.nvec = self.r32(D.REG_VECTORS)
        self.caps = self.r32(D.REG_CAP_LO) | self.r32(D.REG_CAP_HI) << 32

    def _sysfs_int(self, name):
        with open(self.sysfs + "/" + name) as f:
            return int(f.read().strip(), 0)

    def config_read16(self, off):
        with open(self.sysfs + "/config", "rb") as f:
            f.seek(off)
            return struct.unpack("<H", f.read(2))[0]

    def config_write16(self, off, val):
        with open(self.sysfs + "/config", "r+b", buffering=0) as f:
            f.seek(off)
            f.write(struct.pack("<H", val))

    def r32(self, off):
        return self.bar.read(off)

    def w32(self, off, val):
        self.bar.write(off, val & 0xFFFFFFFF)

    def qr(self, tx, reg, q=0):
        return self.r32(q_base(tx, q) + reg)

    def qw(self, tx, reg, val, q=0):
        self.w32(q_base(tx, q) + reg, val)

    def reset(self, timeout=2.0):
        """OFNIC_CTRL_RESET, then wait for the bit to clear (the datasheet's handshake)."""
        self.w32(D.REG_CTRL, D.CTRL_RESET)
        if not wait(lambda: not self.r32(D.REG_CTRL) & D.CTRL_RESET, timeout):
            raise Fatal("CTRL.RESET still set after %.1f s" % timeout)

    def sane(self):
        """None if the read-only identity registers read back as they should, else why not."""
        got = (self.r32(D.REG_ID), self.r32(D.REG_QUEUES), self.r32(D.REG_VECTORS),
               self.r32(D.REG_RING_MAX))
        want = (D.ID_MAGIC, self.queues, self.queues + 1, got[3])
        if got != want or not 1 <= self.queues <= D.MAX_QUEUES or \
                not D.RING_MIN <= got[3] <= D.RING_MAX:
            return "ID/QUEUES/VECTORS/RING_MAX read %s" % ", ".join("0x%x" % v for v in got)
        return None


def wait(cond, timeout, step=0.005):
    """Poll cond() until true or timeout seconds pass; returns its last value."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)


# ---- QEMU's guest-error log -----------------------------------------------------------------

class GuestErrors:
    """Lines appended to guest-errors.log since this object was made. QEMU flushes the log
    after every message; 9p (no cache) shows the host file as it grows."""

    def __init__(self, path=GUEST_ERRORS):
        self.path = path
        try:
            self.start = os.path.getsize(path)
        except OSError as e:
            raise Fatal("cannot read QEMU's guest-error log %s: %s" % (path, e))

    def lines(self):
        with open(self.path, "rb") as f:
            f.seek(self.start)
            return f.read().decode("utf-8", "replace").splitlines()

    def count(self, regex):
        r = re.compile(regex)
        return sum(1 for line in self.lines() if r.search(line))


# ---- Frames, descriptors --------------------------------------------------------------------

def frame(n, seed=0, dst=b"\x02\x00\x00\x00\x00\x01"):
    """An Ethernet frame of n bytes (local experimental ethertype, a counting payload)."""
    hdr = dst + b"\x02\x00\x00\x00\x00\x02" + b"\x88\xb5"
    return (hdr + bytes((seed + i) & 0xFF for i in range(max(0, n - len(hdr)))))[:n]


def csum16(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data[:len(data) & ~1]))
    if len(data) & 1:
        s += data[-1] << 8
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp4_frame(payload_len, sport=1234, dport=5678):
    """A well-formed Ethernet/IPv4/TCP frame (RSS hashes it; TSO cases segment it)."""
    payload = bytes(i & 0xFF for i in range(payload_len))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + payload_len, 1, 0x4000, 64, 6, 0,
                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    ip = ip[:10] + struct.pack("!H", csum16(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
    return eth + ip + tcp + payload


def tx_desc(addr, length, cmd):
    return struct.pack("<QIHH", addr & (2**64 - 1), length & 0xFFFFFFFF, 0, cmd)


def tx_ctx(mss=0, vlan=0, csum_start=0, csum_offset=0, l2=0, l3=0, l4=0, tun=0, in_l3=0,
           offload=0):
    return struct.pack("<HHHBBBBBBHH", mss, vlan, csum_start, csum_offset, l2, l3, l4, tun,
                       in_l3, offload, D.TXD_TYPE_CTX)


DATA, EOP = D.TXD_TYPE_DATA, D.TXD_TYPE_DATA | D.TXD_EOP
RXC = struct.Struct("<IHHIHH")	# struct ofnic_rx_cmpl


# ---- A case's context ------------------------------------------------------------------------

class Case:
    """State and helpers shared by the cases: the device, DMA pages, expectations."""

    def __init__(self, dev, peer=None):
        self.dev = dev
        self.peer = peer
        self.fails = []
        self.notes = []
        self.expect = []	# (regex, minimum count, what)
        self.log = GuestErrors()
        self.pg = {n: DmaPage() for n in ("txring", "rxring", "txbuf", "rxbuf", "stats")}
        if D.STATS_SIZE(dev.queues) > PAGE:
            raise Fatal("statistics block of %d queues is larger than a page: run this test with"
                        " --queues <= %d" % (dev.queues, (PAGE // 8 - len(D.gstats)) //
                                             len(D.qstats)))

    # -- bookkeeping
    def check(self, cond, what):
        if not cond:
            self.fails.append(what)
        return cond

    def note(self, msg):
        self.notes.append(msg)

    def expect_log(self, regex, count=1, what=None):
        """The case must add at least count lines matching regex to guest-errors.log."""
        self.expect.append((regex, count, what or regex))

    # -- device set-up
    def start(self, loopback=False, offload=0):
        """Reset, then enable the device (with loopback: TX frames return on RX)."""
        d = self.dev
        d.reset()
        d.w32(D.REG_OFFLOAD_CTRL, offload | (D.OFFLOAD_LOOPBACK if loopback else 0))
        d.w32(D.REG_CTRL, D.CTRL_ENABLE)

    def txq(self, size=64, base=None, wb=None, vector=None, enable=True, q=0):
        """Program TX queue q (ring in the txring page unless base says otherwise)."""
        d = self.dev
        base = self.pg["txring"].pa if base is None else base
        d.qw(True, D.Q_BASE_LO, base, q)
        d.qw(True, D.Q_BASE_HI, base >> 32, q)
        d.qw(True, D.Q_SIZE, size, q)
        if wb is not None:
            d.qw(True, D.TXQ_HEAD_WB_LO, wb, q)
            d.qw(True, D.TXQ_HEAD_WB_HI, wb >> 32, q)
        if enable:
            self.q_enable(True, vector, q)

    def rxq(self, size=64, base=None, buf_size=2048, bufs=None, vector=None, enable=True,
            post=True, q=0):
        """Program RX queue q; bufs are buffer addresses written to descriptors 0.., and TAIL
        is moved past them (default: the two 2 KiB halves of the rxbuf page)."""
        d = self.dev
        if bufs is None:
            bufs = [self.pg["rxbuf"].pa, self.pg["rxbuf"].pa + 2048]
        ring = self.pg["rxring"]
        ring.fill(0)
        for i, a in enumerate(bufs):
            ring.put(16 * i, struct.pack("<QQ", a & (2**64 - 1), 0))
        base = ring.pa if base is None else base
        d.qw(False, D.Q_BASE_LO, base, q)
        d.qw(False, D.Q_BASE_HI, base >> 32, q)
        d.qw(False, D.Q_SIZE, size, q)
        d.qw(False, D.RXQ_BUF_SIZE, buf_size, q)
        if enable:
            self.q_enable(False, vector, q)
            if post and bufs:
                d.qw(False, D.Q_TAIL, len(bufs) % size if size else len(bufs), q)

    def q_enable(self, tx, vector=None, q=0):
        vector = q + 1 if vector is None else vector
        self.dev.qw(tx, D.Q_CTRL, D.Q_CTRL_ENABLE | vector << 16, q)

    def q_disable(self, tx, q=0):
        self.dev.qw(tx, D.Q_CTRL, (q + 1) << 16, q)

    def q_error(self, tx, q=0):
        return bool(self.dev.qr(tx, D.Q_CTRL, q) & D.Q_CTRL_ERROR)

    def tx_put(self, idx, raw):
        self.pg["txring"].put(16 * idx, raw)

    def tx_kick(self, tail, q=0):
        self.dev.qw(True, D.Q_TAIL, tail, q)

    def tx_wait_head(self, want, timeout=2.0, q=0):
        """Wait for TX HEAD to reach want; then make sure it stays there."""
        ok = wait(lambda: self.dev.qr(True, D.Q_HEAD, q) == want, timeout)
        time.sleep(0.05)
        head = self.dev.qr(True, D.Q_HEAD, q)
        self.check(ok and head == want, "TX HEAD is %d, expected %d" % (head, want))
        return head

    def rx_cmpl(self, idx):
        """struct ofnic_rx_cmpl at RX descriptor idx as a dict."""
        h, ln, tci, st, seg, mss = RXC.unpack(self.pg["rxring"].get(16 * idx, 16))
        return {"hash": h, "len": ln, "vlan": tci, "status": st, "seg": seg, "mss": mss}

    def rx_wait(self, idx, timeout=2.0):
        return wait(lambda: self.rx_cmpl(idx)["status"] & D.RXC_DD, timeout)

    def stats(self):
        """Dump the statistics block: (global counters, queue 0 counters) as dicts."""
        d, pg = self.dev, self.pg["stats"]
        pg.fill(0xEE)
        d.w32(D.REG_STATS_ADDR_LO, pg.pa)
        d.w32(D.REG_STATS_ADDR_HI, pg.pa >> 32)
        d.w32(D.REG_STATS_CMD, D.STATS_CMD_DUMP)
        if not wait(lambda: not d.r32(D.REG_STATS_CMD) & D.STATS_CMD_DUMP, 2.0):
            raise Fatal("STATS_CMD never completed")
        n = len(D.gstats) + len(D.qstats)
        vals = struct.unpack("<%dQ" % n, pg.get(0, 8 * n))
        g = dict(zip(D.gstats, vals))
        return g, dict(zip(D.qstats, vals[len(D.gstats):]))

    def settle(self, t=0.1):
        """Let bottom halves and timers run (TX is processed asynchronously)."""
        time.sleep(t)

    def need_cap(self, *names):
        for n in names:
            if not self.dev.caps & getattr(D, "CAP_" + n):
                raise Skip("the device lacks OFNIC_CAP_%s" % n)

    # -- the "still works" check
    def loopback_roundtrip(self, nbytes=60, reset=True):
        """One good frame out of TX queue 0 and back on RX queue 0 in loopback; returns None
        or what went wrong."""
        if reset:
            self.start(loopback=True)
            self.rxq()
            self.txq()
        data = frame(nbytes, seed=0x5A)
        self.pg["txbuf"].put(0, data)
        head = self.dev.qr(True, D.Q_HEAD)
        rx_head = self.dev.qr(False, D.Q_HEAD)	# before the doorbell: the frame is quick
        self.tx_put(head, tx_desc(self.pg["txbuf"].pa, len(data), EOP))
        self.tx_kick((head + 1) % self.dev.qr(True, D.Q_SIZE))
        if not self.rx_wait(rx_head):
            g, q = self.stats()
            nz = ", ".join("%s %d" % (k, v) for k, v in list(g.items()) + list(q.items()) if v)
            return "no RX completion for a loopback frame: TX HEAD %d, RX HEAD %d TAIL %d, " \
                "CTRL 0x%x/0x%x; counters: %s" % (
                    self.dev.qr(True, D.Q_HEAD), self.dev.qr(False, D.Q_HEAD),
                    self.dev.qr(False, D.Q_TAIL), self.dev.qr(True, D.Q_CTRL),
                    self.dev.qr(False, D.Q_CTRL), nz)
        c = self.rx_cmpl(rx_head)
        got = self.pg["rxbuf"].get(2048 * (rx_head % 2), c["len"])
        if c["len"] != len(data) or got != data or not c["status"] & D.RXC_EOP or \
                not c["status"] & D.RXC_LOOPBACK:
            return "loopback frame came back wrong: len %d status 0x%x" % (c["len"],
                                                                           c["status"])
        return None


# ---- The cases --------------------------------------------------------------------------------

CASES = []


def case(desc):
    """Register a case: its name is the function's, desc says what it does."""
    def reg(fn):
        CASES.append((fn.__name__, desc, fn))
        return fn
    return reg


def ring_stop(c, tx, what):
    """Common checks of a queue the device must have stopped on a ring error."""
    q = "TXQ0" if tx else "RXQ0"
    c.check(wait(lambda: c.q_error(tx), 2.0), "%s CTRL.ERROR not set after %s" % (q, what))
    g, _ = c.stats()
    c.check(g["RING_ERRORS"] == 1, "ring_errors is %d, expected 1" % g["RING_ERRORS"])
    c.check(c.dev.r32(D.REG_MISC_CAUSE) & D.MISC_QUEUE_ERR, "MISC_CAUSE.QUEUE_ERR not raised")
    c.expect_log(r"ofnic: %s\b.*stop" % q, what="'%s stopped' for %s" % (q, what))


def bad_size_case(tx, label, size, why):
    def run(c):
        c.start()
        if tx:
            c.txq(size=size)
        else:
            c.rxq(size=size, post=False)
        ring_stop(c, tx, "SIZE %d" % size)
    CASES.append(("%s_size_%s" % ("tx" if tx else "rx", label),
                  "%s ring SIZE %s (%s) stops the queue" % ("TX" if tx else "RX", size, why), run))


for _tx in (True, False):
    bad_size_case(_tx, "zero", 0, "zero")
    bad_size_case(_tx, "npot", 100, "not a power of two")
    bad_size_case(_tx, "small", D.RING_MIN // 2, "below OFNIC_RING_MIN")
    bad_size_case(_tx, "huge", D.RING_MAX * 2, "above OFNIC_RING_MAX")
    bad_size_case(_tx, "2g", 1 << 31, "power of two, 2^31")


def bad_buf_size_case(label, size, why):
    def run(c):
        c.start()
        c.rxq(buf_size=size, post=False)
        ring_stop(c, False, "BUF_SIZE %d" % size)
    CASES.append(("rx_buf_size_" + label, "RX BUF_SIZE %d (%s) stops the queue" % (size, why),
                  run))


bad_buf_size_case("zero", 0, "zero")
bad_buf_size_case("unaligned", 1000, "not a multiple of 64")
bad_buf_size_case("small", D.RX_BUF_MIN - 64, "below OFNIC_RX_BUF_MIN")
bad_buf_size_case("huge", D.RX_BUF_MAX * 2, "above OFNIC_RX_BUF_MAX")


@case("TX TAIL = SIZE stops the queue; disable+enable recovers it")
def tx_tail_ge_size(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 60, EOP))
    c.tx_kick(64)
    c.settle()
    ring_stop(c, True, "TAIL 64")
    c.check(c.dev.qr(True, D.Q_HEAD) == 0, "TX HEAD moved on a bad TAIL")
    c.tx_kick(1)	# latched while stopped: must not send
    c.settle()
    c.check(c.dev.qr(True, D.Q_HEAD) == 0, "a stopped TX queue processed a doorbell")
    # The datasheet: stopped until disabled and enabled again.
    c.q_disable(True)
    c.q_enable(True)
    c.check(not c.q_error(True), "CTRL.ERROR still set after disable+enable")
    err = c.loopback_roundtrip(reset=False)
    c.check(err is None, "after recovery: %s" % err)


@case("RX TAIL = 0xffffffff stops the queue")
def rx_tail_ge_size(c):
    c.start()
    c.rxq(post=False)
    c.dev.qw(False, D.Q_TAIL, 0xFFFFFFFF)
    ring_stop(c, False, "TAIL 0xffffffff")


@case("TX ring BASE at an unmapped address stops the queue at the doorbell")
def tx_base_unmapped(c):
    c.start()
    c.txq(base=UNMAPPED)
    c.tx_kick(1)
    c.settle()
    ring_stop(c, True, "descriptor read from 0x%x" % UNMAPPED)


@case("RX ring BASE unmapped, a frame arrives: queue stopped, frame dropped")
def rx_base_unmapped(c):
    c.start(loopback=True)
    c.rxq(base=UNMAPPED)
    c.txq()
    c.pg["txbuf"].put(0, frame(60))
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 60, EOP))
    c.tx_kick(1)
    c.tx_wait_head(1)
    ring_stop(c, False, "descriptor access at 0x%x" % UNMAPPED)
    g, q = c.stats()
    c.check(g["RX_DROP_DMA"] == 1, "rx_drop_dma_error is %d, expected 1" % g["RX_DROP_DMA"])


@case("TX ring whose span wraps past 2^64 is refused when enabled")
def tx_ring_wraps(c):
    c.start()
    c.txq(size=64, base=2**64 - 16 * 32)
    ring_stop(c, True, "enabling a ring at 2^64 - 512 (64 descriptors)")
    c.expect_log(r"ofnic: TXQ0\b.*wraps past 2\^64", what="the ring-wrap error")


@case("RX ring whose span wraps past 2^64 is refused when enabled")
def rx_ring_wraps(c):
    c.start()
    c.rxq(size=64, base=2**64 - 16 * 32, post=False)
    ring_stop(c, False, "enabling a ring at 2^64 - 512 (64 descriptors)")
    c.expect_log(r"ofnic: RXQ0\b.*wraps past 2\^64", what="the ring-wrap error")


@case("TX ring BASE = the device's own BAR0 (DMA to itself)")
def tx_base_own_bar(c):
    c.start()
    c.txq(base=c.dev.bar0_pa)
    c.tx_kick(1)
    c.settle()
    # Whether QEMU's re-entrancy guard refuses the access (ring error) or the device reads
    # its registers as descriptors (a drop), the queue must say so and the device survive.
    c.expect_log(r"ofnic: TXQ0\b", what="a TXQ0 error")
    c.check(c.dev.r32(D.REG_CTRL) == D.CTRL_ENABLE, "CTRL changed to 0x%x by a descriptor read"
            % c.dev.r32(D.REG_CTRL))


@case("RX ring BASE = the device's own BAR0, a frame arrives")
def rx_base_own_bar(c):
    c.start(loopback=True)
    c.rxq(base=c.dev.bar0_pa, post=False)
    c.dev.qw(False, D.Q_TAIL, 2)
    c.txq()
    c.pg["txbuf"].put(0, frame(60))
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 60, EOP))
    c.tx_kick(1)
    c.tx_wait_head(1)
    c.expect_log(r"ofnic: RXQ0\b", what="an RXQ0 error")


@case("TX head write-back to an unmapped address stops the queue")
def tx_head_wb_unmapped(c):
    c.start(loopback=True)
    c.rxq()
    c.txq(wb=UNMAPPED)
    c.pg["txbuf"].put(0, frame(60))
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 60, EOP))
    c.tx_kick(1)
    c.settle()
    ring_stop(c, True, "head write-back to 0x%x" % UNMAPPED)


@case("TX head write-back aimed at the device's own CTRL register")
def tx_head_wb_own_bar(c):
    c.start(loopback=True)
    c.rxq()
    # HEAD becomes 1 after the packet: written to CTRL it would be OFNIC_CTRL_RESET.
    c.txq(wb=c.dev.bar0_pa + D.REG_CTRL)
    c.pg["txbuf"].put(0, frame(60))
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 60, EOP))
    c.tx_kick(1)
    c.settle()
    c.expect_log(r"ofnic: TXQ0\b", what="a TXQ0 error for the write-back")
    c.check(c.dev.r32(D.REG_CTRL) == D.CTRL_ENABLE,
            "the head write-back reached CTRL (now 0x%x)" % c.dev.r32(D.REG_CTRL))


@case("statistics dump to an unmapped address")
def stats_unmapped(c):
    c.start()
    d = c.dev
    d.w32(D.REG_MISC_CAUSE, 0xFFFFFFFF)
    d.w32(D.REG_STATS_ADDR_LO, UNMAPPED)
    d.w32(D.REG_STATS_ADDR_HI, UNMAPPED >> 32)
    d.w32(D.REG_STATS_CMD, D.STATS_CMD_DUMP)
    c.check(wait(lambda: not d.r32(D.REG_STATS_CMD) & D.STATS_CMD_DUMP, 2.0),
            "STATS_CMD stuck at 1")
    c.check(not d.r32(D.REG_MISC_CAUSE) & D.MISC_STATS, "MISC_STATS raised for a failed dump")
    c.expect_log(r"ofnic: statistics", what="the failed statistics write")


@case("statistics dump aimed at the device's own BAR0")
def stats_own_bar(c):
    c.start()
    d = c.dev
    d.w32(D.REG_STATS_ADDR_LO, d.bar0_pa)
    d.w32(D.REG_STATS_ADDR_HI, d.bar0_pa >> 32)
    d.w32(D.REG_STATS_CMD, D.STATS_CMD_DUMP)
    c.settle()
    c.check(d.r32(D.REG_CTRL) == D.CTRL_ENABLE,
            "the dump reached the registers (CTRL now 0x%x)" % d.r32(D.REG_CTRL))
    c.expect_log(r"ofnic: statistics", what="the refused statistics write")


@case("TX chain without EOP over the whole ring (63 descriptors)")
def tx_no_eop_ring(c):
    c.start(loopback=True)
    c.rxq()
    c.txq(size=64)
    c.pg["txbuf"].put(0, frame(64))
    for i in range(63):	# the driver never fills the last slot
        c.tx_put(i, tx_desc(c.pg["txbuf"].pa, 64, DATA))
    c.tx_kick(63)
    # OFNIC_TX_MAX_DESCS_PER_PKT data descriptors without EOP are dropped as one bad packet;
    # the rest reaches TAIL without EOP and waits for more.
    c.tx_wait_head(D.TX_MAX_DESCS_PER_PKT)
    g, q = c.stats()
    c.check(g["TX_DROP_DESC"] == 1, "tx_drop_bad_descriptor is %d, expected 1" %
            g["TX_DROP_DESC"])
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.check(not c.q_error(True), "the queue stopped (it should only drop)")
    c.expect_log(r"ofnic: TXQ0\b.*(drop|descriptor)", what="the dropped chain")


@case("TX data descriptors with len 0 (alone, and inside a chain)")
def tx_zero_len(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    a = c.pg["txbuf"].pa
    c.pg["txbuf"].put(0, frame(64))
    c.tx_put(0, tx_desc(a, 0, EOP))
    c.tx_put(1, tx_desc(a, 30, DATA))
    c.tx_put(2, tx_desc(a, 0, DATA))
    c.tx_put(3, tx_desc(a + 30, 30, EOP))
    c.tx_kick(4)
    c.tx_wait_head(4)
    g, q = c.stats()
    c.check(g["TX_DROP_DESC"] == 2, "tx_drop_bad_descriptor is %d, expected 2" %
            g["TX_DROP_DESC"])
    c.check(q["TX_DROPS"] == 2, "q0 tx_hw_drops is %d, expected 2" % q["TX_DROPS"])
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.expect_log(r"ofnic: TXQ0\b", 2, "two TXQ0 drops")


def tx_bad_buffer(c, addr, what):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    c.tx_put(0, tx_desc(addr, 64, EOP))
    c.tx_kick(1)
    c.tx_wait_head(1)
    g, q = c.stats()
    c.check(g["TX_DROP_DMA"] == 1, "tx_drop_dma_error is %d, expected 1" % g["TX_DROP_DMA"])
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.check(not c.q_error(True), "the queue stopped (a buffer error only drops the packet)")
    c.expect_log(r"ofnic: TXQ0\b", what="the failed buffer read (%s)" % what)


@case("TX buffer at an unmapped address")
def tx_buf_unmapped(c):
    tx_bad_buffer(c, UNMAPPED, "unmapped")


@case("TX buffer that wraps past 2^64 (0x%x + 64)" % WRAP_ADDR)
def tx_buf_wrap(c):
    tx_bad_buffer(c, WRAP_ADDR, "wrapping")


@case("TX buffer straddling the end of RAM below 4 GiB")
def tx_buf_ram_end(c):
    end = ram_end_below_4g()
    if end is None:
        raise Skip("no unclaimed address right after the end of RAM below 4 GiB")
    c.note("RAM ends at 0x%x" % end)
    tx_bad_buffer(c, end - 32, "straddling 0x%x" % end)


@case("TX packet longer than OFNIC_TX_MAX_PKT_LEN (5 x 65535 bytes)")
def tx_too_long(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    n = D.TX_MAX_PKT_LEN // 0xFFFF + 1
    for i in range(n):	# never read: the lengths alone condemn the packet
        c.tx_put(i, tx_desc(c.pg["txbuf"].pa, 0xFFFF, EOP if i == n - 1 else DATA))
    c.tx_kick(n)
    c.tx_wait_head(n)
    g, q = c.stats()
    c.check(g["TX_DROP_LEN"] == 1, "tx_drop_bad_length is %d, expected 1" % g["TX_DROP_LEN"])
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.expect_log(r"ofnic: TXQ0\b", what="the over-long packet")


def ram_src(size):
    """An address of size bytes of RAM above 1 MiB, for buffers whose content does not matter."""
    src = next((a for a, b in ram_ranges() if a >= 1 << 20 and b - a >= size), None)
    if src is None:
        raise Skip("no %d KiB RAM range" % (size >> 10))
    return src


@case("TX packet of exactly OFNIC_TX_MAX_PKT_LEN is gathered, then refused as a frame (boundary)")
def tx_max_len(c):
    # The device gathers 256 KiB (its whole buffer): no "too long" from the descriptors, but
    # unsegmented it is no frame the wire carries. The buffers: 64 KiB of RAM read from one
    # address.
    src = ram_src(1 << 17)
    c.start(loopback=True)
    c.rxq()
    c.txq()
    lens = [0xFFFF] * (D.TX_MAX_PKT_LEN // 0xFFFF)
    lens.append(D.TX_MAX_PKT_LEN - sum(lens))
    for i, ln in enumerate(lens):
        c.tx_put(i, tx_desc(src, ln, EOP if i == len(lens) - 1 else DATA))
    c.tx_kick(len(lens))
    c.tx_wait_head(len(lens))
    g, q = c.stats()
    c.check(g["TX_LOOPBACK"] == 0 and g["TX_DROP_LEN"] == 1,
            "tx_loopback %d, tx_drop_bad_length %d; expected 0 and 1" %
            (g["TX_LOOPBACK"], g["TX_DROP_LEN"]))
    c.expect_log(r"ofnic: TXQ0\b.*frame longer than OFNIC_MAX_FRAME",
                 what="the frame-length refusal (not the descriptors' 'too long')")


@case("TX unsegmented frames: OFNIC_MAX_FRAME is sent, one byte more refused and counted")
def tx_frame_max(c):
    src = ram_src(1 << 15)
    c.start(loopback=True)
    c.rxq()
    c.txq()
    for i, n in enumerate((D.MAX_FRAME, D.MAX_FRAME + 1)):
        c.tx_put(2 * i, tx_desc(src, 8192, DATA))
        c.tx_put(2 * i + 1, tx_desc(src + 8192, n - 8192, EOP))
    c.tx_kick(4)
    c.tx_wait_head(4)
    g, q = c.stats()
    c.check(g["TX_LOOPBACK"] == 1, "tx_loopback %d, expected 1 (the OFNIC_MAX_FRAME one)"
            % g["TX_LOOPBACK"])
    c.check(g["TX_DROP_LEN"] == 1 and q["TX_DROPS"] == 1,
            "tx_drop_bad_length %d, q0 tx drops %d; expected 1 and 1" %
            (g["TX_DROP_LEN"], q["TX_DROPS"]))
    c.expect_log(r"ofnic: TXQ0\b.*frame longer than OFNIC_MAX_FRAME", what="the refusal")


@case("TX descriptors with len 65536 and 0xffffffff")
def tx_buf_len_64k(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 0x10000, EOP))
    c.tx_put(1, tx_desc(c.pg["txbuf"].pa, 0xFFFFFFFF, EOP))
    c.tx_kick(2)
    c.tx_wait_head(2)
    g, q = c.stats()
    c.check(q["TX_DROPS"] == 2, "q0 tx_hw_drops is %d, expected 2" % q["TX_DROPS"])
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.expect_log(r"ofnic: TXQ0\b", 2, "two TXQ0 drops")


@case("TX packet of 33 data descriptors (> OFNIC_TX_MAX_DESCS_PER_PKT)")
def tx_too_many_descs(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    n = D.TX_MAX_DESCS_PER_PKT + 1
    c.pg["txbuf"].put(0, frame(n * 2))
    for i in range(n):
        c.tx_put(i, tx_desc(c.pg["txbuf"].pa + 2 * i, 2, EOP if i == n - 1 else DATA))
    c.tx_kick(n)
    c.tx_wait_head(n)
    g, q = c.stats()
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.check(g["TX_DROP_DESC"] >= 1, "tx_drop_bad_descriptor is %d" % g["TX_DROP_DESC"])
    c.expect_log(r"ofnic: TXQ0\b", what="the over-long chain")


@case("TX packet shorter than OFNIC_MIN_FRAME")
def tx_too_short(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, D.MIN_FRAME - 1, EOP))
    c.tx_kick(1)
    c.tx_wait_head(1)
    g, q = c.stats()
    c.check(g["TX_DROP_LEN"] == 1, "tx_drop_bad_length is %d, expected 1" % g["TX_DROP_LEN"])
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.expect_log(r"ofnic: TXQ0\b", what="the runt")


@case("TX descriptors of the undefined types 2 and 3")
def tx_bad_type(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    c.pg["txbuf"].put(0, frame(60))
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 60, 2 | D.TXD_EOP))
    c.tx_put(1, tx_desc(c.pg["txbuf"].pa, 60, 3 | D.TXD_EOP))
    c.tx_kick(2)
    c.tx_wait_head(2)
    g, q = c.stats()
    c.check(g["TX_DROP_DESC"] == 2, "tx_drop_bad_descriptor is %d, expected 2" %
            g["TX_DROP_DESC"])
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.expect_log(r"ofnic: TXQ0\b", 2, "two TXQ0 drops")


@case("TX context descriptor in the middle of a packet")
def tx_ctx_misplaced(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    c.pg["txbuf"].put(0, frame(60))
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 30, DATA))
    c.tx_put(1, tx_ctx())
    c.tx_put(2, tx_desc(c.pg["txbuf"].pa + 30, 30, EOP))
    c.tx_kick(3)
    c.tx_wait_head(3)
    g, q = c.stats()
    c.check(g["TX_DROP_DESC"] >= 1, "tx_drop_bad_descriptor is %d" % g["TX_DROP_DESC"])
    c.expect_log(r"ofnic: TXQ0\b", what="the misplaced context")


@case("TX context asking for TSO+checksums with nonsense lengths and MSS 1")
def tx_ctx_nonsense(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    c.pg["txbuf"].put(0, frame(60))
    c.tx_put(0, tx_ctx(mss=1, csum_start=0xFFFF, csum_offset=255, l2=255, l3=255, l4=255,
                       tun=255, in_l3=255, offload=D.TXC_SEG_TCP4 | D.TXC_L4_CSUM |
                       D.TXC_IP4_CSUM))
    c.tx_put(1, tx_desc(c.pg["txbuf"].pa, 60, EOP))
    c.tx_kick(2)
    c.tx_wait_head(2)
    g, q = c.stats()
    drops = {k: g[k] for k in ("TX_DROP_DESC", "TX_DROP_HDR", "TX_DROP_MSS", "TX_DROP_UNSUPP")}
    c.check(sum(drops.values()) == 1 and q["TX_DROPS"] == 1,
            "expected one drop, counted %s, q0 tx_hw_drops %d" % (drops, q["TX_DROPS"]))
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.expect_log(r"ofnic: TXQ0\b", what="the refused context")


def tso_case(c, ctx, counters):
    """A well-formed 1000-byte TCP/IPv4 packet with one thing wrong in its context."""
    c.start(loopback=True)
    c.rxq()
    c.txq()
    f = tcp4_frame(1000 - 54)
    c.pg["txbuf"].put(0, f)
    c.tx_put(0, ctx)
    c.tx_put(1, tx_desc(c.pg["txbuf"].pa, len(f), EOP))
    c.tx_kick(2)
    c.tx_wait_head(2)
    g, q = c.stats()
    c.check(sum(g[k] for k in counters) == 1 and q["TX_DROPS"] == 1,
            "expected one drop in %s, q0 tx_hw_drops %d" % (counters, q["TX_DROPS"]))
    c.check(g["TX_LOOPBACK"] == 0, "%d frames were sent" % g["TX_LOOPBACK"])
    c.expect_log(r"ofnic: TXQ0\b", what="the bad context")


@case("TSO with MSS below OFNIC_TSO_MIN_MSS")
def tx_tso_mss_small(c):
    c.need_cap("TSO4")
    tso_case(c, tx_ctx(mss=D.TSO_MIN_MSS - 1, l2=14, l3=20, l4=20, offload=D.TXC_SEG_TCP4),
             ["TX_DROP_MSS"])


@case("TSO with header lengths that disagree with the packet")
def tx_tso_hdr_lens(c):
    c.need_cap("TSO4")
    tso_case(c, tx_ctx(mss=536, l2=14, l3=200, l4=60, offload=D.TXC_SEG_TCP4),
             ["TX_DROP_HDR"])


@case("checksum offload with csum_start past the end of the packet")
def tx_csum_start_beyond(c):
    c.need_cap("TX_CSUM")
    tso_case(c, tx_ctx(csum_start=4000, csum_offset=16, offload=D.TXC_L4_CSUM),
             ["TX_DROP_HDR", "TX_DROP_DESC"])


def rx_bad_buffer(c, addr, what):
    c.start(loopback=True)
    c.rxq(bufs=[addr])
    c.txq()
    c.pg["txbuf"].put(0, frame(100))
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 100, EOP))
    c.tx_kick(1)
    c.tx_wait_head(1)
    g, q = c.stats()
    c.check(g["RX_DROP_DMA"] == 1, "rx_drop_dma_error is %d, expected 1" % g["RX_DROP_DMA"])
    c.check(not c.rx_cmpl(0)["status"] & D.RXC_DD, "a completion was written")
    c.expect_log(r"ofnic: RXQ0\b", what="the failed buffer write (%s)" % what)


@case("RX buffer at an unmapped address, a frame arrives (loopback)")
def rx_buf_unmapped(c):
    rx_bad_buffer(c, UNMAPPED, "unmapped")


@case("RX buffer = the device's own BAR0, a frame arrives (loopback)")
def rx_buf_own_bar(c):
    rx_bad_buffer(c, c.dev.bar0_pa, "own BAR0")
    c.check(c.dev.r32(D.REG_CTRL) == D.CTRL_ENABLE,
            "the frame reached the registers (CTRL now 0x%x)" % c.dev.r32(D.REG_CTRL))


def phys_low(c, n, data=None):
    """Read (or, with data, write) the first n bytes of physical memory, through the device
    itself: a loopback frame whose TX (RX) buffer is address 0. Linux leaves the first page
    unused, which is what makes it a safe place to look for DMA that wrapped past 2^64."""
    c.start(loopback=True)
    c.rxq(bufs=None if data is None else [0])
    c.txq()
    if data is None:
        c.tx_put(0, tx_desc(0, n, EOP))
    else:
        c.pg["txbuf"].put(0, data)
        c.tx_put(0, tx_desc(c.pg["txbuf"].pa, n, EOP))
    c.tx_kick(1)
    if not c.rx_wait(0):
        raise Fatal("could not reach physical address 0 through loopback")
    return c.pg["rxbuf"].get(0, n)


def wrap_case(c, n, poke, wrapped=None):
    """poke(c) makes the device access memory across 2^64: the part past it must not land at
    address 0 (PCIe has no wrapping requests). wrapped: the bytes expected there if it did."""
    before = phys_low(c, n)
    poke(c)
    after = phys_low(c, n)
    if after != before:
        phys_low(c, n, before)	# put back what was there
    changed = sum(1 for x, y in zip(before, after) if x != y)
    m = min(n, len(wrapped or b""))
    c.check(after == before, "DMA wrapped past 2^64: %s at physical address 0" %
            ("the bytes past 2^64 landed" if m and after[:m] == wrapped[:m] else
             "%d of the first %d bytes changed" % (changed, n)))


@case("RX buffer that wraps past 2^64 (0x%x + 100): nothing lands at 0" % WRAP_ADDR)
def rx_buf_wrap(c):
    wrap_case(c, 64, lambda c: rx_bad_buffer(c, WRAP_ADDR, "wrapping"),
              frame(100)[2**64 - WRAP_ADDR:])


@case("statistics dump at 2^64 - 8: refused, nothing lands at 0")
def stats_wrap(c):
    def poke(c):
        c.start()
        d = c.dev
        d.w32(D.REG_STATS_ADDR_LO, 0xFFFFFFF8)
        d.w32(D.REG_STATS_ADDR_HI, 0xFFFFFFFF)
        d.w32(D.REG_STATS_CMD, D.STATS_CMD_DUMP)
        c.settle()
        c.check(not d.r32(D.REG_MISC_CAUSE) & D.MISC_STATS, "MISC_STATS raised")
        c.expect_log(r"ofnic: statistics", what="the failed statistics write")
    wrap_case(c, D.STATS_SIZE(c.dev.queues), poke)


@case("TX head write-back at 2^64 - 2: queue stopped, nothing lands at 0")
def tx_head_wb_wrap(c):
    def poke(c):
        c.start(loopback=True)
        c.rxq()
        c.txq(wb=2**64 - 2)
        c.pg["txbuf"].put(0, frame(60))
        c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 60, EOP))
        c.tx_kick(1)
        ring_stop(c, True, "head write-back at 2^64 - 2")
    wrap_case(c, 16, poke)


@case("RX frame over 4 small buffers stays inside them (no overrun)")
def rx_multi_buf_bounds(c):
    bs = D.RX_BUF_MIN
    pg = c.pg["rxbuf"]
    pg.fill(0xA5)	# canary everywhere; buffers are 8 x bs from offset 0
    c.start(loopback=True)
    c.rxq(buf_size=bs, bufs=[pg.pa + bs * i for i in range(8)])
    c.txq()
    data = frame(3 * bs + 100, seed=7)
    c.pg["txbuf"].put(0, data)
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, len(data), EOP))
    c.tx_kick(1)
    c.check(c.rx_wait(3), "no completion on the 4th buffer")
    lens = [c.rx_cmpl(i)["len"] for i in range(4)]
    c.check(lens == [bs, bs, bs, 100], "completion lengths %s" % lens)
    c.check(pg.get(0, len(data)) == data, "frame bytes differ")
    c.check(pg.get(len(data), PAGE - len(data)) == b"\xa5" * (PAGE - len(data)),
            "bytes written past the frame in the RX buffers")
    c.check(not c.rx_cmpl(4)["status"], "descriptor 4 was touched")


@case("RX frame larger than the posted buffers: dropped, nothing written")
def rx_no_space(c):
    bs = D.RX_BUF_MIN
    pg = c.pg["rxbuf"]
    pg.fill(0xA5)
    c.start(loopback=True)
    c.rxq(buf_size=bs, bufs=[pg.pa, pg.pa + bs])	# 2 buffers for a 4-buffer frame
    c.txq()
    data = frame(3 * bs + 100)
    c.pg["txbuf"].put(0, data)
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, len(data), EOP))
    c.tx_kick(1)
    c.tx_wait_head(1)
    g, q = c.stats()
    c.check(q["RX_DROPS"] == 1 and q["RX_STALLS"] == 1 and q["RX_NO_BUF_DROPS"] == 1,
            "rx_hw_drops %d, rx_no_buffer_stalls %d, rx_no_buffer_drops %d; expected 1, 1, 1" %
            (q["RX_DROPS"], q["RX_STALLS"], q["RX_NO_BUF_DROPS"]))
    c.check(pg.get(0, PAGE) == b"\xa5" * PAGE, "the RX buffers were written")
    c.check(not c.rx_cmpl(0)["status"], "a completion was written")


@case("queue VECTOR beyond the device's vectors, then completions on it")
def q_vector_range(c):
    c.start(loopback=True)
    tv, rv = 200, 201
    c.rxq(vector=rv)
    c.txq(vector=tv)
    c.expect_log(r"(?i)TXQ0\b.*vector %d\b" % tv, what="TXQ0 vector %d out of range" % tv)
    c.expect_log(r"(?i)RXQ0\b.*vector %d\b" % rv, what="RXQ0 vector %d out of range" % rv)
    err = c.loopback_roundtrip(reset=False)
    c.check(err is None, "with bad vectors: %s" % err)
    c.expect_log(r"(?i)interrupt.*vector %d\b" % tv, what="an interrupt on vector %d" % tv)
    c.expect_log(r"(?i)interrupt.*vector %d\b" % rv, what="an interrupt on vector %d" % rv)


@case("MISC_VECTOR beyond the device's vectors, then a queue error")
def misc_vector_range(c):
    c.start()
    c.dev.w32(D.REG_MISC_VECTOR, 99)
    c.dev.w32(D.REG_MISC_MASK, D.MISC_QUEUE_ERR)
    c.txq(size=0)	# a ring error raises MISC_QUEUE_ERR
    c.check(c.dev.r32(D.REG_MISC_CAUSE) & D.MISC_QUEUE_ERR, "MISC_QUEUE_ERR not raised")
    c.expect_log(r"MISC_VECTOR\D*99\b", what="MISC_VECTOR 99 out of range")
    c.expect_log(r"(?i)interrupt.*vector 99\b", what="an interrupt on vector 99")


@case("RSS indirection entries naming queue 200, a TCP frame arrives")
def rss_indir_range(c):
    c.need_cap("RSS")
    c.start(loopback=True, offload=D.OFFLOAD_RSS)
    d = c.dev
    for n in range(D.RSS_KEY_SIZE // 4):
        d.w32(D.REG_RSS_KEY(0, n), 0x6D5A6D5A)
    for n in range(D.RSS_INDIR_SIZE // 4):
        d.w32(D.REG_RSS_INDIR(0, n), 0xC8C8C8C8)
    for q in range(d.queues):	# wherever the model sends it, a ring is there
        c.rxq(q=q)
    c.txq()
    f = tcp4_frame(60)
    c.pg["txbuf"].put(0, f)
    c.tx_put(0, tx_desc(c.pg["txbuf"].pa, len(f), EOP))
    c.tx_kick(1)
    c.tx_wait_head(1)
    c.expect_log(r"RSS.*\b200\b", what="indirection entry naming queue 200")
    g, q = c.stats()
    c.check(g["TX_LOOPBACK"] == 1, "the frame was not sent")


def unassigned_offsets(dev):
    """Offsets in BAR0 the datasheet assigns nothing to."""
    offs = [0x0028, 0x003c, 0x004c, 0x007c, 0x0088, 0x009c, 0x00fc,
            D.REG_TUNNEL_PORT(D.TUNNEL_PORTS), 0x0400, 0x07fc,
            D.REG_MC_FILTER(D.MC_FILTER_REGS), D.REG_VEC_ARM(dev.nvec), 0x1ffc,
            0x2000, 0x2ffc, D.REG_NTUPLE_BASE(0) + 0x50, D.REG_NTUPLE_BASE(0) + 0x7c,
            D.REG_NTUPLE_BASE(D.NTUPLE_MAX_RULES - 1) + 0x7c, 0x4000, 0x7ffc,
            D.REG_RSS_BASE(0) + 0x38, D.REG_RSS_BASE(0) + 0x7c, D.REG_RSS_BASE(0) + 0x1fc,
            D.REG_RSS_BASE(D.RSS_MAX_CONTEXTS - 1) + 0x1fc,
            D.TXQ(0) + 0x1c, D.TXQ(0) + 0x28, D.TXQ(0) + 0x7c, D.RXQ(0) + 0x24,
            D.RXQ(0) + 0x7c, D.TXQ(dev.queues), D.RXQ(D.MAX_QUEUES - 1) + 0x7c]
    return sorted(set(o for o in offs if o < D.BAR_REGS_SIZE))


def register_snapshot(dev):
    """The registers (none has read side effects), for "nothing else changed"; only assigned
    offsets, so that taking a snapshot logs nothing."""
    offs = [v for k, v in vars(D).items() if k.startswith("REG_") and isinstance(v, int)]
    offs += [D.REG_TUNNEL_PORT(0), D.REG_VLAN_FILTER(0), D.REG_MC_FILTER(0),
             D.REG_RSS_KEY(0, 0), D.REG_RSS_CTRL(1), D.REG_RSS_FIELDS(0),
             D.REG_RSS_INDIR(0, 0), D.REG_NTUPLE_CTRL(0), D.REG_NTUPLE_DST_MASK(0, 3)]
    offs += [D.REG_VEC_ARM(v) for v in range(dev.nvec)]
    common = [D.Q_BASE_LO, D.Q_BASE_HI, D.Q_SIZE, D.Q_CTRL, D.Q_TAIL, D.Q_HEAD, D.Q_ITR]
    for q in range(dev.queues):
        offs += [D.TXQ(q) + r for r in common + [D.TXQ_HEAD_WB_LO, D.TXQ_HEAD_WB_HI]]
        offs += [D.RXQ(q) + r for r in common + [D.RXQ_BUF_SIZE]]
    return {o: dev.r32(o) for o in sorted(set(offs))}


@case("MMIO reads and writes of unassigned offsets")
def mmio_unassigned(c):
    c.start()
    d = c.dev
    offs = unassigned_offsets(d)
    before = register_snapshot(d)
    for o in offs:
        d.r32(o)
        d.w32(o, 0xFFFFFFFF)
        d.r32(o)
    after = register_snapshot(d)
    changed = ["0x%x: 0x%x -> 0x%x" % (o, before[o], after[o]) for o in before
               if before[o] != after[o]]
    c.check(not changed, "registers changed: %s" % ", ".join(changed[:6]))
    c.expect_log(r"ofnic: read of unknown register", 2 * len(offs),
                 "%d 'read of unknown register' lines" % (2 * len(offs)))
    c.expect_log(r"ofnic: write .*unknown register", len(offs),
                 "%d 'write to unknown register' lines" % len(offs))


@case("MMIO writes to read-only registers (identity, STATUS, HEAD)")
def mmio_readonly(c):
    c.start()
    d = c.dev
    c.txq()
    c.rxq(post=False)
    regs = [D.REG_ID, D.REG_VERSION, D.REG_CAP_LO, D.REG_CAP_HI, D.REG_QUEUES, D.REG_VECTORS,
            D.REG_RING_MAX, D.REG_MTU_MAX, D.REG_TSO_LIMITS, D.REG_TSO_MAX_PAYLOAD,
            D.REG_STATUS, D.REG_PERM_MAC_LO, D.REG_PERM_MAC_HI, D.TXQ(0) + D.Q_HEAD,
            D.RXQ(0) + D.Q_HEAD]
    before = register_snapshot(d)
    for r in regs:
        d.w32(r, ~d.r32(r))
    after = register_snapshot(d)
    changed = ["0x%x" % o for o in before if before[o] != after[o]]
    c.check(not changed, "registers changed: %s" % ", ".join(changed))
    c.expect_log(r"ofnic: write to read-only", len(regs),
                 "%d read-only write lines" % len(regs))


@case("MMIO accesses of 1, 2 and 8 bytes and misaligned 4-byte ones")
def mmio_misaligned(c):
    c.start()
    d = c.dev
    before = register_snapshot(d)
    # Reads anywhere; writes only where a wrongly accepted access would change nothing that
    # matters (RSC registers, then MAC_LO which CTRL reset restores).
    accesses = [("r", D.REG_ID + 1, 4), ("r", D.REG_ID + 2, 4), ("r", D.REG_QUEUES + 3, 4),
                ("r", D.REG_ID, 1), ("r", D.REG_ID + 1, 1), ("r", D.REG_ID, 2),
                ("r", D.REG_ID, 8), ("r", D.TXQ(0) + D.Q_HEAD, 2),
                ("w", D.REG_RSC_CTRL + 1, 4), ("w", D.REG_RSC_CTRL, 1),
                ("w", D.REG_RSC_CTRL + 2, 2), ("w", D.REG_RSC_CTRL, 8)]
    got = []
    for kind, off, width in accesses:
        if kind == "r":
            got.append("%d@0x%x=0x%x" % (width, off, d.bar.read(off, width)))
        else:
            d.bar.write(off, 0, width)
    c.note("reads returned " + " ".join(got))
    after = register_snapshot(d)
    changed = ["0x%x: 0x%x -> 0x%x" % (o, before[o], after[o]) for o in before
               if before[o] != after[o]]
    c.check(not changed, "registers changed: %s" % ", ".join(changed))
    # QEMU's memory core refuses sizes and alignments outside ofnic_mmio_ops.valid before
    # ofnic sees them; it reports them under -d invalid_mem, which is not -d guest_errors.
    c.expect_log(r"ofnic", len(accesses), "a line for each of the %d accesses (QEMU's memory "
                 "core refuses them before ofnic sees them and logs that only under "
                 "-d invalid_mem)" % len(accesses))


@case("CTRL with every reserved bit set")
def ctrl_reserved(c):
    c.start()
    c.dev.w32(D.REG_CTRL, 0xFFFFFFFF & ~D.CTRL_RESET)
    ctrl = c.dev.r32(D.REG_CTRL)
    c.check(ctrl == D.CTRL_ENABLE, "CTRL reads 0x%x" % ctrl)
    c.expect_log(r"ofnic: reserved CTRL", what="reserved CTRL bits")


@case("MAX_FRAME 0 and 0xffffffff are clamped")
def max_frame_range(c):
    c.start()
    d = c.dev
    d.w32(D.REG_MAX_FRAME, 0)
    lo = d.r32(D.REG_MAX_FRAME)
    d.w32(D.REG_MAX_FRAME, 0xFFFFFFFF)
    hi = d.r32(D.REG_MAX_FRAME)
    c.check((lo, hi) == (D.MIN_FRAME, D.MAX_FRAME), "MAX_FRAME reads %d and %d" % (lo, hi))
    c.expect_log(r"ofnic: MAX_FRAME", 2, "two MAX_FRAME range lines")


@case("BASE, SIZE and BUF_SIZE written while the queues run")
def config_while_enabled(c):
    c.start(loopback=True)
    c.rxq()
    c.txq()
    d = c.dev
    before = register_snapshot(d)
    for tx in (True, False):
        d.qw(tx, D.Q_BASE_LO, UNMAPPED)
        d.qw(tx, D.Q_BASE_HI, UNMAPPED >> 32)
        d.qw(tx, D.Q_SIZE, 0)
    d.qw(False, D.RXQ_BUF_SIZE, 64)
    after = register_snapshot(d)
    changed = ["0x%x" % o for o in before if before[o] != after[o]]
    c.check(not changed, "registers changed: %s" % ", ".join(changed))
    c.expect_log(r"ofnic: [TR]XQ0\b.*while enabled", 7, "7 'written while enabled' lines")
    err = c.loopback_roundtrip(reset=False)
    c.check(err is None, "the queues no longer work: %s" % err)


@case("20000 TX doorbells, a reset in the middle, 10000 RX doorbells")
def doorbell_storm(c):
    c.start(loopback=True)	# RX queue left disabled: every frame is a counted drop
    c.txq(size=64)
    c.pg["txbuf"].put(0, frame(60))
    for i in range(64):
        c.tx_put(i, tx_desc(c.pg["txbuf"].pa, 60, EOP))
    d, reg = c.dev, D.TXQ(0) + D.Q_TAIL
    bar, n = d.bar, 20000
    t0 = time.monotonic()
    for i in range(n // 2):
        bar.write(reg, (i + 1) & 63)
    c.check(wait(lambda: d.qr(True, D.Q_HEAD) == d.qr(True, D.Q_TAIL), 5.0),
            "TX did not drain after the storm")
    g, q = c.stats()
    c.note("%d packets sent during the first %d doorbells" % (q["TX_PKTS"], n // 2))
    c.check(q["TX_PKTS"] > 0 and g["RX_DROP_QUEUE_OFF"] == g["TX_LOOPBACK"],
            "tx_packets %d, loopback %d, rx_drop_queue_disabled %d" %
            (q["TX_PKTS"], g["TX_LOOPBACK"], g["RX_DROP_QUEUE_OFF"]))
    d.w32(D.REG_CTRL, D.CTRL_RESET)	# reset with doorbells in flight, then keep ringing
    for i in range(n // 2, n):
        bar.write(reg, (i + 1) & 63)
    wait(lambda: not d.r32(D.REG_CTRL) & D.CTRL_RESET, 2.0)
    c.start()
    c.rxq(bufs=[c.pg["rxbuf"].pa] * 63, post=False)
    rreg = D.RXQ(0) + D.Q_TAIL
    for i in range(n // 2):
        bar.write(rreg, (i + 1) & 63)
    dt = time.monotonic() - t0
    t1 = time.monotonic()
    for _ in range(1000):
        d.r32(D.REG_ID)
    lat = time.monotonic() - t1
    c.note("%d doorbells in %.1f s, then 1000 register reads in %.2f s" % (n * 3 // 2, dt, lat))
    c.check(lat < 10, "register reads slowed to %.1f ms each" % lat)


@case("200 enable cycles each stopped by a bad TAIL, 2000 latched TAILs")
def doorbell_storm_bad(c):
    c.start()
    c.txq(enable=False)
    c.rxq(enable=False)
    d = c.dev
    cycles = 100
    t0 = time.monotonic()
    for i in range(cycles):
        for tx in (True, False):
            c.q_enable(tx)
            d.qw(tx, D.Q_TAIL, 64 + i)
            for _ in range(10):	# latched by a stopped queue: no processing, no log
                d.qw(tx, D.Q_TAIL, 0xFFFFFFFF)
            c.q_disable(tx)
    c.note("%d doorbells in %.1f s" % (cycles * 24, time.monotonic() - t0))
    g, q = c.stats()
    c.check(g["RING_ERRORS"] == 2 * cycles, "ring_errors %d, expected %d" %
            (g["RING_ERRORS"], 2 * cycles))
    c.expect_log(r"ofnic: [TR]XQ0 stopped.*TAIL", 2 * cycles,
                 "%d 'TAIL >= SIZE' lines" % (2 * cycles))


def msix_table(dev):
    """(config offset of the MSI-X capability, BAR index, table offset) or None."""
    with open(dev.sysfs + "/config", "rb") as f:
        cfg = f.read(256)
    ptr, seen = cfg[0x34] & ~3, set()
    while ptr and ptr not in seen:
        seen.add(ptr)
        if cfg[ptr] == 0x11:
            tbl = struct.unpack_from("<I", cfg, ptr + 4)[0]
            return ptr, tbl & 7, tbl & ~7
        ptr = cfg[ptr + 1] & ~3
    return None


@case("MSI-X message aimed at the device's own CTRL (reset) from the ITR"
      " timer")
def msix_self_target(c):
    # Not malformed on PCIe (a peer-to-peer write), so no log is required. The timer runs
    # under the device's re-entrancy guard, so QEMU blocks the write: no reset happens.
    d = c.dev
    t = msix_table(d)
    if t is None:
        raise Skip("no MSI-X capability")
    cap, bir, toff = t
    msix = Bar(d.sysfs + "/resource%d" % bir, d.bars[bir][1])
    ctl = d.config_read16(cap + 2)
    try:
        # TX completion only (RX queue off), moderated: the interrupt comes from the ITR
        # timer, outside the bottom half and MMIO paths QEMU's re-entrancy guard covers.
        c.start(loopback=True)
        c.txq()
        d.qw(True, D.Q_ITR, 50)
        e = toff + 16 * 1	# vector 1: TX/RX queue 0
        msix.write(e, d.bar0_pa + D.REG_CTRL)
        msix.write(e + 4, (d.bar0_pa + D.REG_CTRL) >> 32)
        msix.write(e + 8, D.CTRL_RESET)
        msix.write(e + 12, 0)	# unmasked
        d.config_write16(cap + 2, (ctl | 0x8000) & ~0x4000)	# MSI-X on, function unmasked
        d.w32(D.REG_VEC_ARM(1), D.VEC_ARM)
        c.pg["txbuf"].put(0, frame(60))
        c.tx_put(0, tx_desc(c.pg["txbuf"].pa, 60, EOP))
        c.tx_kick(1)
        c.settle(0.3)
        ctrl = d.r32(D.REG_CTRL)
        c.check(ctrl & D.CTRL_ENABLE, "the interrupt's write to CTRL was blocked (CTRL 0x%x)" % ctrl)
        irqs = c.stats()[1]["IRQS"]
        c.check(irqs >= 1, "the interrupt fired (queue 0 counts %d interrupts)" % irqs)
    finally:
        d.config_write16(cap + 2, ctl & ~0x8000)
        msix.write(toff + 16 + 12, 1)	# masked again
        for w in range(3):
            msix.write(toff + 16 + 4 * w, 0)


@case("RX buffer unmapped, frames arrive from the other port's driver")
def rx_buf_unmapped_wire(c):
    if not c.peer:
        raise Skip("no peer interface given (--peer)")
    c.start()
    c.rxq(bufs=[UNMAPPED])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    try:
        s.bind((c.peer, 0))
        for i in range(3):
            s.send(frame(100, seed=i, dst=b"\xff" * 6))
    finally:
        s.close()
    c.check(wait(lambda: c.stats()[0]["RX_DROP_DMA"] >= 3, 3.0, 0.05),
            "rx_drop_dma_error is %d, expected 3" % c.stats()[0]["RX_DROP_DMA"])
    c.check(not c.q_error(False), "the queue stopped (a buffer error only drops the frame)")
    c.expect_log(r"ofnic: RXQ0\b", 3, "three failed buffer writes")


# ---- Running a case ---------------------------------------------------------------------------

def run_case(dev, name, fn, peer):
    c = Case(dev, peer)
    t0 = time.monotonic()
    try:
        fn(c)
    except Skip as e:
        dev.reset()
        print("SKIP: %s" % e)
        return EXIT_SKIP
    except Fatal as e:
        c.fails.append(str(e))
    # The log: QEMU writes synchronously, but give 9p and the main loop a moment.
    for regex, count, what in c.expect:
        if not wait(lambda: c.log.count(regex) >= count, 2.0, 0.05):
            c.fails.append("guest-errors.log lacks %s (has %d of %d matching /%s/)" %
                           (what, c.log.count(regex), count, regex))
    insane = dev.sane()
    if insane:
        c.fails.append("device no longer answers sanely: " + insane)
    else:
        try:
            err = c.loopback_roundtrip()
            if err:
                c.fails.append("after the case: " + err)
            dev.reset()
        except Fatal as e:
            c.fails.append("after the case: %s" % e)
    new = c.log.lines()
    print("%.2f s, %d new guest-error lines" % (time.monotonic() - t0, len(new)))
    for line in new[:3]:
        print("log: " + line)
    if len(new) > 3:
        print("log: ... (%d more)" % (len(new) - 3))
    for n in c.notes:
        print("note: " + n)
    for f in c.fails:
        print("FAIL: " + f)
    return EXIT_FAIL if c.fails else EXIT_PASS


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bdf", help="PCI address of the (unbound) ofnic port")
    ap.add_argument("--peer", help="interface of the other port, for frames from the wire")
    ap.add_argument("cmd", choices=["list", "run", "quiesce"])
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.cmd == "list":
        for name, desc, _ in CASES:
            print("%s\t%s" % (name, desc))
        return EXIT_PASS
    if not a.bdf:
        ap.error("--bdf is required")
    try:
        dev = Ofnic(a.bdf)
        if a.cmd == "quiesce":
            dev.reset()
            dev.config_write16(4, dev.config_read16(4) & ~0x4)	# bus master off
            return EXIT_PASS
        for name, _, fn in CASES:
            if name == a.case:
                return run_case(dev, name, fn, a.peer)
        ap.error("no case %r" % a.case)
    except Fatal as e:
        print("FAIL: %s" % e)
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
