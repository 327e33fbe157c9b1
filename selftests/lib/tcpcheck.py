#!/usr/bin/env python3
"""A TCP transfer whose bytes are checked end to end (iperf3 does not look at its data).

  tcpcheck.py serve ADDR PORT          accept one connection, print "BYTES SHA256" of all it
                                       received
  tcpcheck.py send ADDR PORT MB SEED   send MB MiB of seeded pseudo-random bytes, print
                                       "BYTES SHA256" of what was sent
"""
import hashlib
import random
import socket
import sys


def serve(addr, port):
    srv = socket.create_server((addr, port))
    srv.settimeout(120)
    conn, _ = srv.accept()
    conn.settimeout(120)
    h, n = hashlib.sha256(), 0
    while True:
        b = conn.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    print(n, h.hexdigest(), flush=True)


def send(addr, port, mb, seed):
    rnd = random.Random(seed)
    h, n = hashlib.sha256(), 0
    with socket.create_connection((addr, port), timeout=120) as s:
        for _ in range(mb * 4):
            b = rnd.randbytes(1 << 18)
            s.sendall(b)
            h.update(b)
            n += len(b)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)  # wait for the receiver to close
    print(n, h.hexdigest(), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 6 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
