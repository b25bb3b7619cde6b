#!/usr/bin/env python3
"""Let the Linux kernel segment frames in software, for LinuxGsoComparisonTest.

Run inside a network namespace holding a veth pair `va` <-> `vb` where `va` has TSO/USO and tx checksumming off:
each frame of IN.pcap is sent on `va` through an AF_PACKET socket with PACKET_VNET_HDR and a virtio_net_hdr asking for
GSO (gso_type, gso_size) and checksum completion, so dev_queue_xmit runs the kernel's software GSO
(tcp_gso_segment / __udp_gso_segment) and gso_make_checksum. Every frame arriving on `vb` for the test's destination MAC
is written to OUT.pcap in arrival order.

usage: linux_gso.py IN.pcap OUT.pcap GSO_TYPE:GSO_SIZE:HDR_LEN:CSUM_START:CSUM_OFFSET:EXPECTED ...  (one spec per frame)
"""
import socket
import struct
import sys
import time

SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_VNET_HDR = 15
TP_STATUS_VLAN_VALID = 1 << 4
TP_STATUS_VLAN_TPID_VALID = 1 << 6
ETH_P_ALL = 0x0003
DESTINATION = bytes.fromhex("020000000002")


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    position = 24
    frames = []
    while position < len(data):
        _, _, captured, _ = struct.unpack_from("<IIII", data, position)
        position += 16
        frames.append(data[position:position + captured])
        position += captured
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 262144, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", i, 0, len(frame), len(frame)))
            f.write(frame)


def receive(rx):
    """One frame, with a VLAN tag the receiving device stripped put back where it was (as libpcap does)."""
    data, ancillary, _, _ = rx.recvmsg(70000, socket.CMSG_SPACE(32))
    for level, kind, value in ancillary:
        if level == SOL_PACKET and kind == PACKET_AUXDATA:
            status, _, _, _, _, tci, tpid = struct.unpack_from("=IIIHHHH", value)
            if status & TP_STATUS_VLAN_VALID:
                tpid = tpid if status & TP_STATUS_VLAN_TPID_VALID else 0x8100
                data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


def main():
    frames = read_pcap(sys.argv[1])
    specs = [tuple(int(x) for x in spec.split(":")) for spec in sys.argv[3:]]
    assert len(specs) == len(frames), "one spec per frame"
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    rx.bind(("vb", 0))
    rx.settimeout(0.5)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    tx.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    tx.bind(("va", 0))
    received = []
    for frame, (gso_type, gso_size, hdr_len, csum_start, csum_offset, expected) in zip(frames, specs):
        # struct virtio_net_hdr: flags (NEEDS_CSUM), gso_type, hdr_len, gso_size, csum_start, csum_offset
        header = struct.pack("<BBHHHH", 1, gso_type, hdr_len, gso_size, csum_start, csum_offset)
        tx.send(header + frame)
        got = []
        deadline = time.monotonic() + 5
        while len(got) < expected and time.monotonic() < deadline:
            try:
                data = receive(rx)
            except socket.timeout:
                continue
            if data[:6] == DESTINATION:
                got.append(data)
        received.extend(got)
    write_pcap(sys.argv[2], received)


if __name__ == "__main__":
    main()
