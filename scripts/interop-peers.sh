#!/usr/bin/env bash
# Makes sure the real interop peers the tests run against are installed: pyzmq (Debian
# python3-zmq), CZMQ (libczmq-dev, compiled with gcc) and redis-server (the Redis store's tests).
# Installs them with apt when they are missing and apt can be used (root, or sudo without a
# password); otherwise says what to install.
set -euo pipefail

missing=0
/usr/bin/python3 -c "import zmq, zmq.auth" >/dev/null 2>&1 || missing=1
pkg-config --exists libczmq >/dev/null 2>&1 || missing=1
command -v gcc >/dev/null 2>&1 || missing=1
command -v redis-server >/dev/null 2>&1 || missing=1
[ "$missing" = 0 ] && exit 0

packages="python3 python3-zmq libczmq-dev pkg-config gcc libc6-dev redis-server"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "interop peers missing: install pyzmq for /usr/bin/python3, CZMQ (libczmq + pkg-config)," \
    "gcc and redis-server" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "interop peers missing: run  sudo apt-get install $packages" >&2
  exit 1
fi
echo "installing the interop peers with apt: $packages" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
