#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The malformed-input corpus on the device alone, through QEMU's qtest protocol.

selftests/guest/ofnic_poke.py holds the cases (bad ring sizes, tails and bases, broken
descriptor chains, DMA to unmapped memory, across 2^64 and into the device itself, bad MSI-X
vectors and messages, unassigned and misaligned MMIO, doorbell storms...) and runs them from a
guest through sysfs. Here the same cases run against one QEMU with the qtest accelerator and
no guest kernel: register accesses, config space and DMA memory go through qtest commands,
the virtual clock is stepped so the device's timers run, and QEMU's -d guest_errors log is a
host file. Each case starts from a reset and must log its guest error, leave the device
answering sanely and working (a frame out and back in loopback), and never crash or hang QEMU.
Prints TAP.

    selftests/device/malformed.py QEMU_BINARY [PC_BIOS_DIR] [CASE...]
"""
import base64
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
import ofnic_poke as P  # noqa: E402

D = P.D
RAM = 512 << 20          # guest RAM; on q35 nothing answers between its end and 0xb0000000
DMA_BASE = 16 << 20      # DMA pages come from here up
SLOT = 4
BARS = {P.D.BAR_REGS: 0xE0000000, P.D.BAR_MSIX: 0xE1000000}
CASE_TIMEOUT = 60        # seconds of real time per case


class Qtest:
    def __init__(self, qemu, bios):
        self.log = tempfile.NamedTemporaryFile(prefix="ofnic-malformed-", suffix=".log",
                                               delete=False).name
        args = [qemu, "-M", "q35", "-accel", "qtest", "-qtest", "stdio", "-qtest-log",
                "/dev/null", "-display", "none", "-nodefaults", "-no-user-config",
                "-m", "%dM" % (RAM >> 20), "-L", bios, "-L", "/usr/share/qemu",
                "-L", "/usr/share/seabios", "-d", "guest_errors", "-D", self.log,
                "-netdev", "hubport,id=n0,hubid=0",
                "-device", "ofnic,netdev=n0,addr=0x%x" % SLOT]
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.deadline = None

    def cmd(self, c):
        if self.deadline and time.monotonic() > self.deadline:
            raise P.Fatal("no result within %d s: the device (or QEMU) hangs" % CASE_TIMEOUT)
        self.p.stdin.write(c + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise P.Fatal("QEMU exited (status %s): %s" %
                              (self.p.poll(), self.p.stderr.read()[-500:]))
            if line.startswith("OK"):
                return line[2:].strip()
            if line.startswith("ERR") or line.startswith("FAIL"):
                raise P.Fatal("qtest: " + line.strip())

    def step(self, ns):
        self.cmd("clock_step %d" % ns)

    def cfg_addr(self, off):
        self.cmd("outl 0xcf8 0x%x" % (0x80000000 | SLOT << 11 | (off & 0xFC)))

    def close(self):
        """Ends QEMU; its exit status."""
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.terminate()	# qtest does not end with its input; QEMU exits 0 on SIGTERM
        try:
            return self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return "killed: no exit within 10 s of SIGTERM"


QT = None


class QtBar:
    """A BAR as the device's qtest address window."""

    def __init__(self, base, size):
        self.base, self.size = base, size

    def read(self, off, width=4):
        op = {1: "readb", 2: "readw", 4: "readl", 8: "readq"}[width]
        return int(QT.cmd("%s 0x%x" % (op, self.base + off)), 16)

    def write(self, off, val, width=4):
        op = {1: "writeb", 2: "writew", 4: "writel", 8: "writeq"}[width]
        QT.cmd("%s 0x%x 0x%x" % (op, self.base + off, val))


class QtOfnic(P.Ofnic):
    """ofnic_poke's device, reached through qtest instead of sysfs."""

    def __init__(self):
        self.sysfs = "qtest"
        for bar, addr in BARS.items():	# both are 64-bit memory BARs
            self.config_write32(0x10 + 4 * bar, addr)
            self.config_write32(0x14 + 4 * bar, 0)
        self.config_write16(4, self.config_read16(4) | 0x6)
        self.bars = [(BARS.get(i, 0), D.BAR_REGS_SIZE if i in BARS else 0) for i in range(6)]
        self.bar0_pa = BARS[D.BAR_REGS]
        self.bar = QtBar(self.bar0_pa, D.BAR_REGS_SIZE)
        if self.r32(D.REG_ID) != D.ID_MAGIC:
            raise P.Fatal("BAR0 ID reads 0x%08x, not the ofnic magic" % self.r32(D.REG_ID))
        self.queues = self.r32(D.REG_QUEUES)
        self.nvec = self.r32(D.REG_VECTORS)
        self.caps = self.r32(D.REG_CAP_LO) | self.r32(D.REG_CAP_HI) << 32

    def config_read16(self, off):
        QT.cfg_addr(off)
        return int(QT.cmd("inw 0x%x" % (0xCFC + (off & 2))), 16)

    def config_write16(self, off, val):
        QT.cfg_addr(off)
        QT.cmd("outw 0x%x 0x%x" % (0xCFC + (off & 2), val))

    def config_write32(self, off, val):
        QT.cfg_addr(off)
        QT.cmd("outl 0xcfc 0x%x" % val)

    def config_bytes(self, n=256):
        out = b""
        for off in range(0, n, 4):
            QT.cfg_addr(off)
            out += int(QT.cmd("inl 0xcfc"), 16).to_bytes(4, "little")
        return out


class QtDmaPage:
    """A page of guest RAM at a fixed address (a bump allocator, reset per case)."""
    next_pa = DMA_BASE

    def __init__(self):
        self.pa = QtDmaPage.next_pa
        QtDmaPage.next_pa += P.PAGE
        self.fill(0)

    def fill(self, byte=0):
        self.put(0, bytes([byte]) * P.PAGE)

    def put(self, off, data):
        QT.cmd("b64write 0x%x %d %s" % (self.pa + off, len(data),
                                         base64.b64encode(bytes(data)).decode()))

    def get(self, off, n):
        return base64.b64decode(QT.cmd("b64read 0x%x %d" % (self.pa + off, n)))


def qt_bar(path, size):
    m = re.search(r"resource(\d+)$", path)
    return QtBar(BARS[int(m.group(1))], size)


def qt_wait(cond, timeout, step=0.005):
    """ofnic_poke's poll loop, with the virtual clock stepped 1 ms per poll: under qtest it
    only moves when told to, and the device's moderation and coalescing timers run on it."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() > end:
            return v
        QT.step(1000000)
        time.sleep(step / 5)


def qt_sleep(t):
    QT.step(int(t * 1e9))


def qt_msix_table(dev):
    cfg = dev.config_bytes()
    ptr, seen = cfg[0x34] & ~3, set()
    while ptr and ptr not in seen:
        seen.add(ptr)
        if cfg[ptr] == 0x11:
            tbl = int.from_bytes(cfg[ptr + 4:ptr + 8], "little")
            return ptr, tbl & 7, tbl & ~7
        ptr = cfg[ptr + 1] & ~3
    return None


class QtGuestErrors(P.GuestErrors):
    def __init__(self, path=None):
        super().__init__(QT.log)


def patch():
    P.DmaPage = QtDmaPage
    P.Bar = qt_bar
    P.wait = qt_wait
    P.msix_table = qt_msix_table
    P.GuestErrors = QtGuestErrors
    P.ram_ranges = lambda: [(0x1000, 0x9F000), (0x100000, RAM)]
    P.ram_end_below_4g = lambda: RAM
    P.Case.settle = lambda self, t=0.1: qt_sleep(t)
    P.time.sleep = lambda t: QT.step(int(t * 1e9)) if QT else None


def main():
    global QT
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    qemu = sys.argv[1]
    bios = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(qemu), "pc-bios")
    want = sys.argv[3:]
    cases = [c for c in P.CASES if not want or c[0] in want]
    real_sleep = time.sleep
    patch()
    QT = Qtest(qemu, bios)
    print("TAP version 13")
    print("1..%d" % len(cases))
    n = failed = 0
    t0 = time.monotonic()
    try:
        dev = QtOfnic()
    except P.Fatal as e:
        print("Bail out! %s" % e)
        return 1
    for name, desc, fn in cases:
        n += 1
        QtDmaPage.next_pa = DMA_BASE
        if name.endswith("_wire"):
            print("ok %d - %s: %s # SKIP frames from the other port: robustness.sh runs it in a"
                  " guest" % (n, name, desc))
            continue
        QT.deadline = time.monotonic() + CASE_TIMEOUT
        out = []
        real_print = P.print if hasattr(P, "print") else None
        P.print = lambda *a, **k: out.append(" ".join(str(x) for x in a))
        try:
            rc = P.run_case(dev, name, fn, None)
        except P.Fatal as e:
            out.append("FAIL: %s" % e)
            rc = P.EXIT_FAIL
        finally:
            if real_print:
                P.print = real_print
            else:
                del P.print
            QT.deadline = None
        if rc == P.EXIT_SKIP:
            why = next((o[6:] for o in out if o.startswith("SKIP: ")), "")
            print("ok %d - %s: %s # SKIP %s" % (n, name, desc, why))
        else:
            print("%s %d - %s: %s" % ("ok" if rc == P.EXIT_PASS else "not ok", n, name, desc))
            failed += rc != P.EXIT_PASS
        for o in out:
            if not o.startswith("SKIP: "):
                print("# " + o)
        if QT.p.poll() is not None:
            print("Bail out! QEMU exited with status %s" % QT.p.returncode)
            return 1
    time.sleep = real_sleep
    lines = open(QT.log, errors="replace").read().count("\n")
    rc = QT.close()
    os.unlink(QT.log)
    print("# %d cases in %.1f s, %d guest-error lines; QEMU exited with status %s" %
          (len(cases), time.monotonic() - t0, lines, rc))
    return 1 if failed or rc else 0


if __name__ == "__main__":
    sys.exit(main())
