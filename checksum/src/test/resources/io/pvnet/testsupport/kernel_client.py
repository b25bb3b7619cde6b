#!/usr/bin/env python3
"""Kernel-side traffic for pvnet port tests, run inside a test's network namespace.

  ping ADDR COUNT [SIZE]   ICMP/ICMPv6 echo through the kernel's raw sockets (SIZE payload bytes, fragmented by the
                           kernel when over the MTU); exit 0 when every echo is answered
  udp ADDR PORT TEXT       send one datagram, print the echo
  tcp ADDR PORT BYTES      connect, send BYTES, half-close, wait for the peer's FIN
"""
import os
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ping(addr, count, size=0):
    six = ":" in addr
    family = socket.AF_INET6 if six else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if six else socket.IPPROTO_ICMP
    request, reply = (128, 129) if six else (8, 0)
    s = socket.socket(family, socket.SOCK_RAW, proto)
    s.settimeout(2.0)
    ident = os.getpid() & 0xFFFF
    answered = 0
    for seq in range(count):
        payload = b"pvnet-ping-%d" % seq + bytes(range(48))
        payload += bytes(i & 0xFF for i in range(max(0, size - len(payload))))
        header = struct.pack("!BBHHH", request, 0, 0, ident, seq)
        csum = 0 if six else checksum(header + payload)  # the kernel fills the ICMPv6 sum
        packet = struct.pack("!BBHHH", request, 0, csum, ident, seq) + payload
        s.sendto(packet, (addr, 0))
        deadline = time.time() + 2.0
        while time.time() < deadline:
            try:
                data = s.recv(70000)
            except socket.timeout:
                break
            icmp = data if six else data[(data[0] & 0xF) * 4:]
            if icmp[0] == reply and struct.unpack("!HH", icmp[4:8]) == (ident, seq) and icmp[8:] == payload:
                answered += 1
                break
    print("answered %d of %d" % (answered, count))
    return 0 if answered == count else 1


def udp(addr, port, text):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    for _ in range(3):
        s.sendto(text.encode(), (addr, int(port)))
        try:
            print(s.recv(65536).decode())
            return 0
        except socket.timeout:
            pass
    return 1


def tcp(addr, port, count):
    s = socket.create_connection((addr, int(port)), timeout=10)
    block = b"p" * 65536
    left = int(count)
    while left > 0:
        n = s.send(block[:min(left, len(block))])
        left -= n
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
    print("sent %s" % count)
    return 0


def server(addr, port):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(1)
    s.settimeout(20)
    print("listening", flush=True)
    conn, _ = s.accept()
    conn.settimeout(20)
    total = 0
    digest = 0
    while True:
        data = conn.recv(65536)
        if not data:
            break
        total += len(data)
        digest = (digest + sum(data)) & 0xFFFFFFFF
    conn.close()
    print("received %d sum %d" % (total, digest), flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "server":
        sys.exit(server(sys.argv[2], sys.argv[3]))
    command = sys.argv[1]
    if command == "ping":
        sys.exit(ping(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0))
    if command == "udp":
        sys.exit(udp(sys.argv[2], sys.argv[3], sys.argv[4]))
    if command == "tcp":
        sys.exit(tcp(sys.argv[2], sys.argv[3], sys.argv[4]))
    sys.exit(2)
