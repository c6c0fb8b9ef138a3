"""A handshake benchmark server guarded by pyzmq's ThreadAuthenticator.

Usage: handshake_server.py '<json settings>'
  mechanism            "NULL", "PLAIN" or "CURVE"
  domain               ZAP domain of the server socket
  serverSecretKey      the server's CURVE secret key (Z85)
  plainUsers           {username: password}
  certificateDirectory public client certificates for configure_curve
  callbackDelayMilliseconds  optional: decide CURVE keys with a credentials provider that
                       sleeps this long (pyzmq calls it synchronously on the auth thread)

Prints the server's tcp endpoint on one line, then serves until stdin ends, answering each
stdin line with one JSON line {"processCpuNs": CPU nanoseconds of this process so far, every
thread included}.
"""
import json
import resource
import sys
import time

import zmq
from zmq.auth.certs import load_certificates
from zmq.auth.thread import ThreadAuthenticator


class SlowKeyStore:
    """A credentials provider that takes a fixed time per lookup, like a remote key store."""

    def __init__(self, keys, delay_seconds):
        self.keys = keys
        self.delay_seconds = delay_seconds

    def callback(self, domain, key):
        time.sleep(self.delay_seconds)
        return key in self.keys


def main():
    settings = json.loads(sys.argv[1])
    mechanism = settings["mechanism"]
    domain = settings["domain"]
    context = zmq.Context.instance()

    authenticator = ThreadAuthenticator(context)
    authenticator.start()
    authenticator.configure_plain(domain, settings["plainUsers"])
    delay = settings.get("callbackDelayMilliseconds")
    if delay is None:
        authenticator.configure_curve(domain, settings["certificateDirectory"])
    else:
        keys = set(load_certificates(settings["certificateDirectory"]).keys())
        authenticator.configure_curve_callback(domain, SlowKeyStore(keys, delay / 1000))

    server = context.socket(zmq.ROUTER)
    server.linger = 0
    if mechanism == "PLAIN":
        server.plain_server = True
    elif mechanism == "CURVE":
        server.curve_server = True
        server.curve_secretkey = settings["serverSecretKey"].encode("ascii")
    server.zap_domain = domain.encode("utf-8")
    server.bind("tcp://127.0.0.1:*")
    # The configuration messages reach the auth thread before any ZAP request: it reads its
    # pipe before its ZAP socket, and they were sent before the endpoint is published.
    time.sleep(0.05)
    print(server.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)

    for line in sys.stdin:
        if line.strip():
            usage = resource.getrusage(resource.RUSAGE_SELF)
            cpu_ns = round((usage.ru_utime + usage.ru_stime) * 1e9)
            print(json.dumps({"processCpuNs": cpu_ns}), flush=True)
    server.close()
    authenticator.stop()
    context.term()


if __name__ == "__main__":
    main()
