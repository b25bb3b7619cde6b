package io.pvnet.checksum.hash;

import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Toeplitz against Microsoft's "Verifying the RSS Hash Calculation" table (the key and every IPv4 and IPv6 row, with
 * and without ports) and against the bit-serial definition of netif.h for random keys and inputs.
 */
class ToeplitzHashTest
{
    /** The verification key of the Microsoft RSS documentation (40 bytes). */
    static final byte[] MICROSOFT_KEY = hex(
        "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

    private static byte[] hex(final String text)
    {
        final byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    private static byte[] address(final String text) throws Exception
    {
        return InetAddress.getByName(text).getAddress();
    }

    /** Input in RSS order: source address, destination address, then (optionally) source and destination port. */
    private static byte[] input(final byte[] source, final byte[] destination, final int sourcePort,
        final int destinationPort, final boolean ports)
    {
        final ByteBuffer in = ByteBuffer.allocate(2 * source.length + (ports ? 4 : 0));
        in.put(source).put(destination);
        if (ports)
        {
            in.putShort((short)sourcePort).putShort((short)destinationPort);
        }
        return in.array();
    }

    /** An Ethernet + IP + TCP (or UDP) frame between those endpoints. */
    private static byte[] frame(final byte[] source, final byte[] destination, final int sourcePort,
        final int destinationPort, final int protocol)
    {
        final boolean v6 = source.length == 16;
        final int l4Length = protocol == 6 ? 20 : 8;
        final ByteBuffer frame = ByteBuffer.allocate(14 + (v6 ? 40 : 20) + l4Length);
        frame.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short)(v6 ? 0x86DD : 0x0800));
        if (v6)
        {
            frame.putInt(0x60000000).putShort((short)l4Length).put((byte)protocol).put((byte)64);
        }
        else
        {
            frame.put((byte)0x45).put((byte)0).putShort((short)(20 + l4Length)).putShort((short)1)
                .putShort((short)0x4000).put((byte)64).put((byte)protocol).putShort((short)0);
        }
        frame.put(source).put(destination).putShort((short)sourcePort).putShort((short)destinationPort);
        if (protocol == 6)
        {
            frame.putInt(1).putInt(0).putShort((short)0x5010).putShort((short)8192).putInt(0);
        }
        else
        {
            frame.putShort((short)8).putShort((short)0);
        }
        return frame.array();
    }

    @ParameterizedTest(name = "{0}:{1} -> {2}:{3}")
    @CsvSource({
        // destination, destination port, source, source port, IPv4/IPv6 only, with TCP ports
        "161.142.100.80, 1766, 66.9.149.187, 2794, 0x323e8fc2, 0x51ccc178",
        "65.69.140.83, 4739, 199.92.111.2, 14230, 0xd718262a, 0xc626b0ea",
        "12.22.207.184, 38024, 24.19.198.95, 12898, 0xd2d0a5de, 0x5c2b394a",
        "209.142.163.6, 2217, 38.27.205.30, 48228, 0x82989176, 0xafc7327f",
        "202.188.127.2, 1303, 153.39.163.191, 44251, 0x5d1809c5, 0x10e828a2",
        "3ffe:2501:200:3::1, 1766, 3ffe:2501:200:1fff::7, 2794, 0x2cc18cd5, 0x40207d3d",
        "ff02::1, 4739, 3ffe:501:8::260:97ff:fe40:efab, 14230, 0x0f0c461c, 0xdde51bbf",
        "fe80::200:f8ff:fe21:67cf, 38024, 3ffe:1900:4545:3:200:f8ff:fe21:67cf, 44251, 0x4b61e985, 0x02d1feef"})
    void shouldMatchMicrosoftsRssVerificationTable(
        final String destination, final int destinationPort, final String source, final int sourcePort,
        final String addressesOnly, final String withPorts) throws Exception
    {
        final int expectedL3 = Integer.parseUnsignedInt(addressesOnly.substring(2), 16);
        final int expectedL4 = Integer.parseUnsignedInt(withPorts.substring(2), 16);
        final byte[] src = address(source);
        final byte[] dst = address(destination);
        final ToeplitzHash toeplitz = new ToeplitzHash();
        toeplitz.key(MICROSOFT_KEY);

        final byte[] l3 = input(src, dst, sourcePort, destinationPort, false);
        final byte[] l4 = input(src, dst, sourcePort, destinationPort, true);
        assertEquals(expectedL3, toeplitz.hash(new UnsafeBuffer(l3), 0, l3.length), "table, addresses");
        assertEquals(expectedL4, toeplitz.hash(new UnsafeBuffer(l4), 0, l4.length), "table, addresses and ports");
        assertEquals(expectedL3, ToeplitzHash.reference(MICROSOFT_KEY, l3, l3.length), "bit-serial, addresses");
        assertEquals(expectedL4, ToeplitzHash.reference(MICROSOFT_KEY, l4, l4.length), "bit-serial, with ports");

        // the same from frames, as netback hashes them for the HASH extra and queue steering
        final boolean v6 = src.length == 16;
        final FlowHash flows = new FlowHash(toeplitz);
        final PacketHeaders headers = new PacketHeaders();
        final UnsafeBuffer tcp = new UnsafeBuffer(frame(src, dst, sourcePort, destinationPort, 6));
        assertEquals(ParseStatus.OK, HeaderParser.parse(tcp, 0, tcp.capacity(), headers));
        final long l4Hash = flows.hash(tcp, headers, FlowHash.ALL);
        assertEquals(expectedL4, FlowHash.value(l4Hash));
        assertEquals(v6 ? FlowHash.TYPE_IPV6_TCP : FlowHash.TYPE_IPV4_TCP, FlowHash.type(l4Hash));
        final long l3Hash = flows.hash(tcp, headers, v6 ? FlowHash.IPV6 : FlowHash.IPV4);
        assertEquals(expectedL3, FlowHash.value(l3Hash), "TCP ports not enabled: the address hash");
        assertEquals(v6 ? FlowHash.TYPE_IPV6 : FlowHash.TYPE_IPV4, FlowHash.type(l3Hash));
        assertEquals(FlowHash.NONE, flows.hash(tcp, headers, v6 ? FlowHash.IPV4 | FlowHash.IPV4_TCP :
            FlowHash.IPV6 | FlowHash.IPV6_TCP), "the other family's types only: no hash");

        final UnsafeBuffer udp = new UnsafeBuffer(frame(src, dst, sourcePort, destinationPort, 17));
        assertEquals(ParseStatus.OK, HeaderParser.parse(udp, 0, udp.capacity(), headers));
        assertEquals(expectedL3, FlowHash.value(flows.hash(udp, headers, FlowHash.ALL)), "UDP: addresses only");
        assertEquals(FlowHash.NONE, flows.hash(udp, headers, FlowHash.IPV4_TCP | FlowHash.IPV6_TCP),
            "UDP with only the TCP types: no hash");
    }

    @Test
    void shouldAgreeWithTheBitSerialDefinitionForRandomKeysAndInputs()
    {
        final Random random = new Random(2016);
        final ToeplitzHash toeplitz = new ToeplitzHash();
        final byte[] input = new byte[ToeplitzHash.MAX_INPUT_BYTES + 5];
        final UnsafeBuffer buffer = new UnsafeBuffer(input);
        for (int round = 0; round < 200; round++)
        {
            final byte[] key = new byte[random.nextInt(ToeplitzHash.MAX_KEY_BYTES + 1)];
            random.nextBytes(key);
            toeplitz.key(key);
            for (final int length : new int[] {0, 1, 4, 8, 12, 13, 32, 36})
            {
                random.nextBytes(input);
                final int offset = random.nextInt(5);
                final byte[] in = java.util.Arrays.copyOfRange(input, offset, offset + length);
                final int expected = ToeplitzHash.reference(key, in, length);
                assertEquals(expected, toeplitz.hash(buffer, offset, length), "key " + key.length + " input " + length);
                final int split = length == 0 ? 0 : random.nextInt(length);
                assertEquals(expected, toeplitz.hash(buffer, offset, split, 0) ^
                    toeplitz.hash(buffer, offset + split, length - split, split), "hashed in two pieces");
            }
        }
    }

    @Test
    void shouldHashToZeroWithTheInitialZeroKeyAndRefuseLongKeys()
    {
        final ToeplitzHash toeplitz = new ToeplitzHash();
        final byte[] in = new byte[36];
        java.util.Arrays.fill(in, (byte)0xFF);
        assertEquals(0, toeplitz.hash(new UnsafeBuffer(in), 0, 36));
        assertThrows(IllegalArgumentException.class, () -> toeplitz.key(new byte[41]));
        toeplitz.key(MICROSOFT_KEY);
        toeplitz.key(new byte[] {(byte)0x80});
        assertEquals(0, toeplitz.hash(new UnsafeBuffer(new byte[] {0x7F, (byte)0xFF, (byte)0xFF, (byte)0xFF}), 0, 4),
            "a shorter key clears the rest: only the first bit is set, and the input's first bit is 0");
    }
}
