package io.pvnet.checksum;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChecksumsTest
{
    @Test
    void shouldFoldCarriesTwice()
    {
        assertEquals(0xFFFF, Checksums.fold(0xFFFF));
        assertEquals(0x0001, Checksums.fold(0x10000));
        assertEquals(0xFFFF, Checksums.fold(0x1FFFEL), "0xFFFF + 0xFFFF = 0x1FFFE folds to 0xFFFF");
        assertEquals(0, Checksums.fold(0));
        assertEquals(Checksums.fold(Long.MAX_VALUE % 65535 == 0 ? 65535 : Long.MAX_VALUE % 65535), Checksums.fold(Long.MAX_VALUE));
    }

    @Test
    void shouldUpdateIncrementallyAsRfc1624Section4()
    {
        // RFC 1624 section 4: other octets sum to 0xCD7A, m = 0x5555 -> 0x3285; HC = 0xDD2F, HC' = 0x0000 (eqn 3),
        // where RFC 1141's eqn 2 gave 0xFFFF.
        assertEquals(0xDD2F, Checksums.complement(Checksums.add(0xCD7A, 0x5555)));
        assertEquals(0x0000, Checksums.updateWord(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    void shouldMatchRecomputationAfterRandomRewrites()
    {
        final SplittableRandom random = new SplittableRandom(1624);
        final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(60));
        for (int i = 0; i < 100_000; i++)
        {
            for (int j = 0; j < 60; j += 4)
            {
                header.putInt(j, random.nextInt());
            }
            final int before = Checksums.complement(Checksums.reference().sum(header, 0, 60));
            final int at = 4 * random.nextInt(15);
            final int oldValue = header.getInt(at, ByteOrder.BIG_ENDIAN);
            final int newValue = random.nextInt();
            header.putInt(at, newValue, ByteOrder.BIG_ENDIAN);
            final int recomputed = Checksums.complement(Checksums.reference().sum(header, 0, 60));
            // a 32-bit field is two 16-bit words: RFC 1624 once per word
            final int updated = Checksums.updateWord(Checksums.updateWord(before, oldValue >>> 16, newValue >>> 16),
                oldValue & 0xFFFF, newValue & 0xFFFF);
            // both are the same one's complement number; only the representation of zero may differ
            assertEquals(recomputed % 0xFFFF, updated % 0xFFFF, "i=" + i);
        }
    }

    @Test
    void shouldRejectUnknownVariantsAtConfiguration()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Checksums.byName("fast"));
        assertEquals("checksum=fast unknown: use reference, long, vector or best", ex.getMessage());
        assertEquals("reference", Checksums.byName("reference").name());
        assertEquals("long", Checksums.byName("long").name());
    }

    @Test
    void shouldSumPseudoHeaders()
    {
        // IPv4 192.168.0.1 -> 192.168.0.199, UDP, length 0x5f: c0a8 + 0001 + c0a8 + 00c7 + 0011 + 005f
        final UnsafeBuffer ip = new UnsafeBuffer(ByteBuffer.allocateDirect(40));
        ip.putBytes(0, InternetChecksumContractTest.hex("4500007300004000401100 00c0a80001c0a800c7".replace(" ", "")));
        assertEquals(Checksums.fold(0xc0a8 + 0x0001 + 0xc0a8 + 0x00c7 + 0x11 + 0x5f), PseudoHeader.ipv4(ip, 0, 17, 0x5f));

        final UnsafeBuffer ip6 = new UnsafeBuffer(ByteBuffer.allocateDirect(40));
        ip6.putBytes(8, InternetChecksumContractTest.hex("fe800000000000000000000000000001"));
        ip6.putBytes(24, InternetChecksumContractTest.hex("ff020000000000000000000000000002"));
        final long length = 0x12345L;
        final int expected = Checksums.fold(0xfe80L + 1 + 0xff02 + 2 + 58 + 0x1 + 0x2345);
        assertEquals(expected, PseudoHeader.ipv6(ip6, 8, 24, 58, length));
    }
}
