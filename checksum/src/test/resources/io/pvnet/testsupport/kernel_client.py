#!/usr/bin/env python3
"""Kernel-side traffic for pvnet port tests, run inside a test's network namespace.

  ping ADDR COUNT [SIZE]   ICMP/ICMPv6 echo through the kernel's raw sockets (SIZE payload bytes, fragmented by the
                           kernel when over the MTU); exit 0 when every echo is answered
  udp ADDR PORT TEXT       send one datagram, print the echo
  tcp ADDR PORT BYTES      connect, send BYTES, half-close, wait for the peer's FIN
  server ADDR PORT         accept one TCP connection, count what it sends
  udp-echo ADDR PORT SECS  echo every UDP datagram for SECS seconds
  tcp-sink ADDR PORT SECS  accept TCP connections for SECS seconds, read each to its end; print "closed PORT BYTES"
                           per connection (PORT: the peer's)
  tcp-reset ADDR PORT SECS PEERPORT BYTES
                           as tcp-sink, but the connection from PEERPORT is reset (SO_LINGER 0, then close: the kernel
                           sends a RST) once it read BYTES; it prints "closed PEERPORT BYTES-READ" too
  tcp-source ADDR PORT SECS
                           accept TCP connections for SECS seconds and write to each until the peer closes or resets
                           it (as iperf3 -R's server sends); print "closed PORT BYTES" (bytes the socket took)
  source ADDR SECS         pvnet gen's stream source (engine StreamRequestDescriptor) on UDP port 5201 for SECS
                           seconds: a start request streams datagrams with a probe (sequence, CLOCK_MONOTONIC send
                           time) and the pattern to the requester, a stop request ends its stream
"""
import os
import socket
import struct
import sys
import threading
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


def bound(addr, port, kind):
    """A socket bound to ADDR:PORT even before ADDR is configured (IP_FREEBIND): a test may start this server while
    its harness still sets the namespace's addresses up; connections arrive once the address exists."""
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, kind)
    if kind == socket.SOCK_STREAM:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if ":" in addr:
        s.setsockopt(socket.IPPROTO_IPV6, 78, 1)  # IPV6_FREEBIND
    else:
        s.setsockopt(socket.IPPROTO_IP, 15, 1)  # IP_FREEBIND
    s.bind((addr, int(port)))
    return s


def server(addr, port):
    s = bound(addr, port, socket.SOCK_STREAM)
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


def udp_echo(addr, port, seconds):
    s = bound(addr, port, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.settimeout(0.2)
    print("listening", flush=True)
    deadline = time.monotonic() + float(seconds)
    echoed = 0
    while time.monotonic() < deadline:
        try:
            data, peer = s.recvfrom(65536)
        except socket.timeout:
            continue
        s.sendto(data, peer)
        echoed += 1
    print("echoed %d" % echoed, flush=True)
    return 0


def tcp_serve(addr, port, seconds, handle):
    s = bound(addr, port, socket.SOCK_STREAM)
    s.listen(64)
    s.settimeout(0.2)
    print("listening", flush=True)
    deadline = time.monotonic() + float(seconds)
    lock = threading.Lock()

    def run(conn, peer):
        conn.settimeout(None)
        total = handle(conn, peer) if handle.__code__.co_argcount == 2 else handle(conn)
        conn.close()
        with lock:
            print("closed %d %d" % (peer[1], total), flush=True)

    while time.monotonic() < deadline:
        try:
            conn, peer = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=run, args=(conn, peer), daemon=True).start()
    return 0


def sink(conn):
    total = 0
    try:
        while True:
            data = conn.recv(1 << 20)
            if not data:
                return total
            total += len(data)
    except OSError:
        return total


def resetting_sink(peer_port, after):
    def handle(conn, peer):
        if peer[1] != peer_port:
            return sink(conn)
        total = 0
        try:
            while total < after:
                data = conn.recv(1 << 20)
                if not data:
                    return total
                total += len(data)
            # linger 0: close sends a RST at once instead of a FIN (and drops what the socket holds unread)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        return total
    return handle


def writer(conn):
    import select
    block = b"pvnet-tcp-source" * 4096
    # a bounded send buffer: what it still holds when the peer closes drains within its close timeout
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 << 10)
    conn.setblocking(False)
    total = 0
    try:
        while True:
            readable, writable, _ = select.select([conn], [conn], [], 1.0)
            if readable and not conn.recv(65536):
                return total  # the peer closed: close too (FIN after what the socket still holds)
            if writable:
                try:
                    total += conn.send(block)
                except BlockingIOError:
                    pass
    except OSError:
        return total  # reset


PATTERN = bytes((i * 7 + 3) & 0xFF for i in range(65536))
STREAM_PORT = 5201


def source(addr, seconds):
    s = bound(addr, STREAM_PORT, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    print("listening", flush=True)
    streams = {}
    lock = threading.Lock()

    def stream(peer, count, duration_ns, rate, sizes, stop):
        end = time.monotonic_ns() + duration_ns
        gap = 1e9 / rate if rate > 0 else 0
        start = time.monotonic_ns()
        seq = 0
        while not stop.is_set() and (count == 0 or seq < count) and time.monotonic_ns() < end:
            if gap and time.monotonic_ns() < start + seq * gap:
                time.sleep(max(0.0, min(0.001, (start + seq * gap - time.monotonic_ns()) / 1e9)))
                continue
            size = sizes[seq % len(sizes)]
            probe = struct.pack("!Iq", seq & 0xFFFFFFFF, time.monotonic_ns())
            payload = (probe + PATTERN[len(probe):size]) if size >= len(probe) else PATTERN[:size]
            try:
                s.sendto(payload, peer)
            except OSError:  # ENOBUFS: the TAP's queue is full (the switch reads it later); send it again
                time.sleep(0.0005)
                continue
            seq += 1
        with lock:
            streams.pop(peer, None)

    deadline = time.monotonic() + float(seconds)
    requests = 0
    while time.monotonic() < deadline:
        try:
            data, peer = s.recvfrom(65536)
        except socket.timeout:
            continue
        if len(data) < 34:
            continue
        magic, version, command, size_count, count, duration_ns, rate = struct.unpack("!IBBHqqq", data[:32])
        if magic != 0x50564753 or version != 1 or not 1 <= size_count <= 16 or len(data) < 32 + 2 * size_count:
            continue
        requests += 1
        sizes = list(struct.unpack("!%dH" % size_count, data[32:32 + 2 * size_count]))
        with lock:
            if command == 2 and peer in streams:
                streams[peer].set()
            elif command == 1 and peer not in streams:
                stop = threading.Event()
                streams[peer] = stop
                threading.Thread(target=stream, args=(peer, count, duration_ns, rate, sizes, stop), daemon=True).start()
    print("requests %d" % requests, flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "server":
        sys.exit(server(sys.argv[2], sys.argv[3]))
    if sys.argv[1] == "udp-echo":
        sys.exit(udp_echo(sys.argv[2], sys.argv[3], sys.argv[4]))
    if sys.argv[1] == "tcp-sink":
        sys.exit(tcp_serve(sys.argv[2], sys.argv[3], sys.argv[4], sink))
    if sys.argv[1] == "tcp-reset":
        sys.exit(tcp_serve(sys.argv[2], sys.argv[3], sys.argv[4],
                           resetting_sink(int(sys.argv[5]), int(sys.argv[6]))))
    if sys.argv[1] == "tcp-source":
        sys.exit(tcp_serve(sys.argv[2], sys.argv[3], sys.argv[4], writer))
    if sys.argv[1] == "source":
        sys.exit(source(sys.argv[2], sys.argv[3]))
    command = sys.argv[1]
    if command == "ping":
        sys.exit(ping(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0))
    if command == "udp":
        sys.exit(udp(sys.argv[2], sys.argv[3], sys.argv[4]))
    if command == "tcp":
        sys.exit(tcp(sys.argv[2], sys.argv[3], sys.argv[4]))
    sys.exit(2)
