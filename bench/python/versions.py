"""Prints the versions of Python, pyzmq and its libzmq as JSON."""
import json
import platform

import zmq

print(json.dumps({"python": platform.python_version(), "pyzmq": zmq.pyzmq_version(), "libzmq": zmq.zmq_version()}))
