package io.pvnet.engine.port.tap;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.netif.NetifConstants;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The virtio-net header ({@code struct virtio_net_hdr_mrg_rxbuf}, Linux {@code include/uapi/linux/virtio_net.h}) that
 * precedes every frame read from or written to a TAP opened with {@code IFF_VNET_HDR}. pvnet sets the header size to
 * {@link #LENGTH} (12, with {@code num_buffers}) through {@code TUNSETVNETHDRSZ}. Fields are little-endian (tun uses
 * little-endian virtio on x86 and for any modern (VERSION_1) header).
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------+---------------+-------------------------------+
 *   |     flags     |   gso_type    |            hdr_len            |  0
 *   +---------------+---------------+-------------------------------+
 *   |           gso_size            |          csum_start           |  4
 *   +-------------------------------+-------------------------------+
 *   |          csum_offset          |          num_buffers          |  8
 *   +-------------------------------+-------------------------------+
 * </pre>
 * {@code flags}: {@link #F_NEEDS_CSUM} (the L4 checksum at {@code csum_start + csum_offset} holds only the pseudo-header
 * sum), {@link #F_DATA_VALID} (checksums verified). {@code gso_type}: {@link #GSO_NONE}, {@link #GSO_TCPV4},
 * {@link #GSO_UDP}, {@link #GSO_TCPV6}, {@link #GSO_UDP_L4}, or'ed with {@link #GSO_ECN}. {@code hdr_len}: bytes of
 * Ethernet + IP + L4 headers of a GSO frame; {@code gso_size}: payload bytes per segment.
 */
public final class VirtioNetHeaderDescriptor
{
    /** Offset of {@code flags} (u8): {@link #F_NEEDS_CSUM}, {@link #F_DATA_VALID}. */
    public static final int FLAGS_OFFSET = 0;
    /** Offset of {@code gso_type} (u8): one of the {@code GSO_*} values, possibly or'ed with {@link #GSO_ECN}. */
    public static final int GSO_TYPE_OFFSET = 1;
    /** Offset of {@code hdr_len} (u16): bytes of Ethernet + IP + L4 headers of a GSO frame. */
    public static final int HDR_LEN_OFFSET = 2;
    /** Offset of {@code gso_size} (u16): payload bytes per segment of a GSO frame. */
    public static final int GSO_SIZE_OFFSET = 4;
    /** Offset of {@code csum_start} (u16): where checksumming starts, from the Ethernet header. */
    public static final int CSUM_START_OFFSET = 6;
    /** Offset of {@code csum_offset} (u16): where the checksum is stored, from {@code csum_start}. */
    public static final int CSUM_OFFSET_OFFSET = 8;
    /** Offset of {@code num_buffers} (u16): always 0 here (no mergeable receive buffers). */
    public static final int NUM_BUFFERS_OFFSET = 10;
    /** Header bytes with {@code num_buffers}; what pvnet sets with TUNSETVNETHDRSZ. */
    public static final int LENGTH = 12;

    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: the L4 checksum holds only the pseudo-header sum; complete it. */
    public static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_F_DATA_VALID}: the checksums were verified. */
    public static final int F_DATA_VALID = 2;

    /** {@code VIRTIO_NET_HDR_GSO_NONE}: not a GSO frame. */
    public static final int GSO_NONE = 0;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV4}: TCP over IPv4 to be segmented (TSO). */
    public static final int GSO_TCPV4 = 1;
    /** {@code VIRTIO_NET_HDR_GSO_UDP}: UDP to be fragmented (UFO); never produced or accepted by pvnet. */
    public static final int GSO_UDP = 3;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV6}: TCP over IPv6 to be segmented (TSO). */
    public static final int GSO_TCPV6 = 4;
    /** {@code VIRTIO_NET_HDR_GSO_UDP_L4}: UDP to be split into datagrams of {@code gso_size} (USO). */
    public static final int GSO_UDP_L4 = 5;
    /** {@code VIRTIO_NET_HDR_GSO_ECN}: flag or'ed into {@code gso_type}; the TCP segments carry ECN (CWR). */
    public static final int GSO_ECN = 0x80;

    /** pvnet's GSO type for UDP segmentation (USO), which netif.h lacks; next after Xen's TCPV6 (2). */
    public static final int PVNET_GSO_TYPE_UDP_L4 = 3;

    private VirtioNetHeaderDescriptor()
    {
    }

    /**
     * {@return the {@link FrameFlags} a header's {@code flags} byte means}
     *
     * @param virtioFlags the header's {@code flags} byte.
     */
    public static int frameFlags(final int virtioFlags)
    {
        int flags = 0;
        if ((virtioFlags & F_NEEDS_CSUM) != 0)
        {
            flags |= FrameFlags.CSUM_PARTIAL;
        }
        if ((virtioFlags & F_DATA_VALID) != 0)
        {
            flags |= FrameFlags.DATA_VALIDATED;
        }
        return flags;
    }

    /**
     * {@return the {@code XEN_NETIF_GSO_TYPE_*} of a virtio gso_type (ECN bit ignored), or -1 when none maps}
     *
     * @param virtioGsoType the header's {@code gso_type} byte.
     */
    public static int xenGsoType(final int virtioGsoType)
    {
        return switch (virtioGsoType & ~GSO_ECN)
        {
            case GSO_TCPV4 -> NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4;
            case GSO_TCPV6 -> NetifConstants.XEN_NETIF_GSO_TYPE_TCPV6;
            case GSO_UDP_L4 -> PVNET_GSO_TYPE_UDP_L4;
            default -> -1;
        };
    }

    /**
     * {@return the virtio gso_type of a {@code XEN_NETIF_GSO_TYPE_*}, or -1 when none maps}
     *
     * @param xenGsoType a {@code XEN_NETIF_GSO_TYPE_*} or {@link #PVNET_GSO_TYPE_UDP_L4}.
     */
    public static int virtioGsoType(final int xenGsoType)
    {
        return switch (xenGsoType)
        {
            case NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 -> GSO_TCPV4;
            case NetifConstants.XEN_NETIF_GSO_TYPE_TCPV6 -> GSO_TCPV6;
            case PVNET_GSO_TYPE_UDP_L4 -> GSO_UDP_L4;
            default -> -1;
        };
    }

    /**
     * Writes a whole header at {@code offset}, {@code num_buffers} 0.
     *
     * @param buffer     where the header is written.
     * @param offset     where it starts in {@code buffer}; {@link #LENGTH} bytes are written.
     * @param flags      the {@code flags} byte ({@code F_*}).
     * @param gsoType    the virtio {@code gso_type} ({@code GSO_*}).
     * @param hdrLen     header bytes (Ethernet + IP + L4) of a GSO frame, else 0.
     * @param gsoSize    payload bytes per segment of a GSO frame, else 0.
     * @param csumStart  where checksumming starts from the Ethernet header, with {@link #F_NEEDS_CSUM}, else 0.
     * @param csumOffset where the checksum lies from {@code csumStart}, with {@link #F_NEEDS_CSUM}, else 0.
     */
    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int flags, final int gsoType, final int hdrLen,
        final int gsoSize, final int csumStart, final int csumOffset)
    {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        buffer.putByte(offset + GSO_TYPE_OFFSET, (byte)gsoType);
        buffer.putShort(offset + HDR_LEN_OFFSET, (short)hdrLen, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + GSO_SIZE_OFFSET, (short)gsoSize, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + CSUM_START_OFFSET, (short)csumStart, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + CSUM_OFFSET_OFFSET, (short)csumOffset, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + NUM_BUFFERS_OFFSET, (short)0, ByteOrder.LITTLE_ENDIAN);
    }
}
