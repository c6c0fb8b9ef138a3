"""Times pyzmq's load_certificates on a directory and measures the memory of a CURVE key table.

Usage: certificates.py <directory> <runs> <keys>
Prints {"loadSeconds": [...], "files": n, "keyTableBytes": n} as JSON. The key table is what
pyzmq's Authenticator keeps per domain after configure_curve: {z85 public key (bytes): True},
measured with tracemalloc.
"""
import json
import os
import sys
import time
import tracemalloc

from zmq.auth.certs import load_certificates
from zmq.utils import z85


def main():
    directory = sys.argv[1]
    runs = int(sys.argv[2])
    keys = int(sys.argv[3])

    load_certificates(directory)
    seconds = []
    files = 0
    for _ in range(runs):
        started = time.perf_counter()
        files = len(load_certificates(directory))
        seconds.append(time.perf_counter() - started)

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    table = {z85.encode(os.urandom(32)): True for _ in range(keys)}
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(table) == keys

    print(json.dumps({"loadSeconds": seconds, "files": files, "keyTableBytes": after - before}))


if __name__ == "__main__":
    main()
