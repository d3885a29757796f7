#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""vhost_user_peer.py: the control-plane half of a vhost-user backend, to test
the guest tooling's vhost-user wiring without dpx.

It answers QEMU's vhost-user handshake (features, protocol features, queue
count, memory table, vrings) but moves no packets: the guest's NIC comes up
with the negotiated features, and what QEMU sent is written to --report as
KEY=VALUE lines:
    ACKED_FEATURES=0x...    the virtio features QEMU set (SET_FEATURES)
    MEM_REGIONS=n           regions in the last SET_MEM_TABLE
    MEM_BYTES=n             their total size
    MEM_MAPPED=n            regions whose fd mmap()s MAP_SHARED at their size
    VRINGS_KICKED=n         distinct vrings given a kick fd
    MAX_VRING_ENABLED=n     highest vring index enabled + 1
Packet flow is the business of dpx's vhost-user backend and its tests.

    vhost_user_peer.py --listen PATH --report FILE [--timeout S]   (QEMU is client)
    vhost_user_peer.py --connect PATH --report FILE [--timeout S]  (QEMU is server)
"""

import argparse
import array
import mmap
import os
import socket
import struct
import sys
import time

# vhost-user requests (QEMU docs/interop/vhost-user.rst)
GET_FEATURES, SET_FEATURES, SET_OWNER = 1, 2, 3
SET_MEM_TABLE = 5
GET_VRING_BASE, SET_VRING_KICK = 11, 12
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE = 15, 16, 17, 18

FLAG_VERSION, FLAG_REPLY = 0x1, 0x4
HEADER = struct.Struct("<III")
MAX_QUEUE_PAIRS = 8

# virtio-net features offered: MRG_RXBUF(15) CTRL_VQ(17) STATUS(16) MQ(22)
# PROTOCOL_FEATURES(30) VERSION_1(32) RING_PACKED(34)
FEATURES = sum(1 << b for b in (15, 16, 17, 22, 30, 32, 34))
PROTOCOL_FEATURES = 1 << 0  # MQ; no REPLY_ACK, so only GET_* need replies


def recv_msg(sock):
    """One message: (request, payload, fds), or None when QEMU hung up."""
    fds = array.array("i")
    data, anc, _, _ = sock.recvmsg(HEADER.size, socket.CMSG_SPACE(8 * fds.itemsize))
    if len(data) < HEADER.size:
        return None
    for level, kind, cdata in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(cdata[:len(cdata) - len(cdata) % fds.itemsize])
    req, _, size = HEADER.unpack(data)
    payload = b""
    while len(payload) < size:
        chunk = sock.recv(size - len(payload))
        if not chunk:
            return None
        payload += chunk
    return req, payload, list(fds)


def reply_u64(sock, req, value):
    sock.sendall(HEADER.pack(req, FLAG_VERSION | FLAG_REPLY, 8) + struct.pack("<Q", value))


def mem_table(payload, fds, report):
    nregions = struct.unpack_from("<I", payload)[0]
    total = mapped = 0
    for i in range(nregions):
        _, size, _, offset = struct.unpack_from("<QQQQ", payload, 8 + 32 * i)
        total += size
        if i < len(fds):
            try:
                m = mmap.mmap(fds[i], size + offset, mmap.MAP_SHARED)
                m.close()
                mapped += 1
            except (OSError, ValueError) as e:
                print(f"vhost_user_peer: region {i}: mmap failed: {e}", file=sys.stderr)
    report.update(MEM_REGIONS=nregions, MEM_BYTES=total, MEM_MAPPED=mapped)


def serve(sock, report):
    kicked = set()
    while True:
        msg = recv_msg(sock)
        if msg is None:
            return
        req, payload, fds = msg
        if req == GET_FEATURES:
            reply_u64(sock, req, FEATURES)
        elif req == GET_PROTOCOL_FEATURES:
            reply_u64(sock, req, PROTOCOL_FEATURES)
        elif req == GET_QUEUE_NUM:
            reply_u64(sock, req, MAX_QUEUE_PAIRS)
        elif req == GET_VRING_BASE:
            index = struct.unpack_from("<I", payload)[0]
            sock.sendall(HEADER.pack(req, FLAG_VERSION | FLAG_REPLY, 8) +
                         struct.pack("<II", index, 0))
        elif req == SET_FEATURES:
            report["ACKED_FEATURES"] = hex(struct.unpack_from("<Q", payload)[0])
        elif req == SET_MEM_TABLE:
            mem_table(payload, fds, report)
        elif req == SET_VRING_KICK:
            kicked.add(struct.unpack_from("<Q", payload)[0] & 0xff)
            report["VRINGS_KICKED"] = len(kicked)
        elif req == SET_VRING_ENABLE:
            index, enable = struct.unpack_from("<II", payload)
            if enable:
                report["MAX_VRING_ENABLED"] = max(report.get("MAX_VRING_ENABLED", 0), index + 1)
        for fd in fds:
            os.close(fd)
        write_report(report)


def write_report(report):
    tmp = report["_path"] + ".tmp"
    with open(tmp, "w") as f:
        for k, v in report.items():
            if not k.startswith("_"):
                f.write(f"{k}={v}\n")
    os.replace(tmp, report["_path"])


def connect(args):
    deadline = time.monotonic() + args.timeout
    if args.listen:
        if os.path.exists(args.listen):
            os.unlink(args.listen)
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(args.listen)
        srv.listen(1)
        srv.settimeout(args.timeout)
        try:
            sock, _ = srv.accept()
        finally:
            srv.close()
            os.unlink(args.listen)
        return sock
    while True:  # QEMU as server: wait for its socket
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(args.connect)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--listen", help="listen on this socket (QEMU connects)")
    mode.add_argument("--connect", help="connect to QEMU's socket")
    ap.add_argument("--report", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    report = {"_path": args.report, "CONNECTED": 0}
    write_report(report)
    try:
        sock = connect(args)
    except OSError as e:
        print(f"vhost_user_peer: no connection: {e}", file=sys.stderr)
        return 1
    # Bounded: QEMU hangs up when it exits; the timeout covers a stuck QEMU.
    sock.settimeout(args.timeout)
    report["CONNECTED"] = 1
    try:
        serve(sock, report)
    except (OSError, struct.error) as e:
        print(f"vhost_user_peer: {e}", file=sys.stderr)
    finally:
        sock.close()
        write_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
