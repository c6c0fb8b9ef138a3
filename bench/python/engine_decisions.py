"""Times pyzmq's Authenticator.handle_zap_message on pre-built ZAP requests, without sockets.

Usage: engine_decisions.py <workload.json> <decisions per run> <runs>
The workload file (written by engine-decisions.ts) holds the domain, the PLAIN users, the
CURVE keys (Z85) and, per mechanism, the indices of the users/keys the requests carry.
Prints {"PLAIN": [decisions per second, ...], "CURVE": [...]} as JSON.
"""
import json
import sys
import time

import zmq
from zmq.auth.base import Authenticator
from zmq.utils import z85


class StubZapSocket:
    """Stands in for the ZAP socket: replies are built by pyzmq, then dropped."""

    def __init__(self):
        self.replies = 0
        self.allowed = 0

    def send_multipart(self, frames):
        self.replies += 1
        if frames[2] == b"200":
            self.allowed += 1


def build_requests(workload):
    domain = workload["domain"].encode("utf-8")
    users = workload["users"]
    keys = workload["curveKeys"]
    plain = []
    for number, index in enumerate(workload["plainRequests"]):
        username, password = users[index]
        frames = [b"1.0", b"%d" % number, domain, b"127.0.0.1", b"", b"PLAIN", username.encode(), password.encode()]
        plain.append(frames)
    curve = []
    for number, index in enumerate(workload["curveRequests"]):
        frames = [b"1.0", b"%d" % number, domain, b"127.0.0.1", b"", b"CURVE", z85.decode(keys[index].encode("ascii"))]
        curve.append(frames)
    return {"PLAIN": plain, "CURVE": curve}


def time_decisions(authenticator, requests, count):
    socket = authenticator.zap_socket
    socket.allowed = 0
    handle = authenticator.handle_zap_message
    size = len(requests)
    started = time.perf_counter()
    for number in range(count):
        handle(requests[number % size])
    elapsed = time.perf_counter() - started
    if socket.allowed != count:
        raise SystemExit(f"only {socket.allowed} of {count} requests were allowed")
    return count / elapsed


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        workload = json.load(file)
    count = int(sys.argv[2])
    runs = int(sys.argv[3])
    domain = workload["domain"]

    authenticator = Authenticator(zmq.Context.instance())
    authenticator.zap_socket = StubZapSocket()
    authenticator.configure_plain(domain, dict(workload["users"]))
    # configure_curve reads a certificate directory into {z85 public key: True}; 100k files would
    # only slow the set-up, so the same table is built directly.
    authenticator.certs[domain] = {key.encode("ascii"): True for key in workload["curveKeys"]}

    requests = build_requests(workload)
    rates = {}
    for mechanism, prebuilt in requests.items():
        time_decisions(authenticator, prebuilt, min(count, len(prebuilt)))
        rates[mechanism] = [time_decisions(authenticator, prebuilt, count) for _ in range(runs)]
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
