package io.pvnet.engine.offload;

import io.pvnet.engine.frame.OffloadPolicy;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.port.PortOffloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV6;
import static io.pvnet.engine.frame.OffloadPolicy.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The decision table of {@link OffloadPolicy}, row by row, against every capability set that matters. */
class OffloadPolicyTest
{
    private static final int SW = SOFTWARE_SEGMENTATION;
    private static final int CSUM = PortOffloads.CHECKSUM;
    private static final int TSO4 = PortOffloads.TSO4;
    private static final int TSO6 = PortOffloads.TSO6;
    private static final int MTU = 1500;

    private final FrameMetadata frame = new FrameMetadata();

    private int decide(final int capabilities, final int flags, final int gsoSize, final int gsoType, final int l3)
    {
        return OffloadPolicy.decide(capabilities, MTU, frame.set(flags, gsoSize, gsoType), l3);
    }

    @ParameterizedTest(name = "{0}: caps={1} flags={2} gso={3}/{4} l3={5} -> {6}")
    @CsvSource({
        // ordinary frames
        "complete frame passes to any peer,             0,  2, 0,    0, 1500, pass",
        "partial frame passes to a checksumming peer,   1,  1, 0,    0, 1500, pass",
        "partial frame is completed for a plain peer,   0,  1, 0,    0, 1500, complete",
        "partial frame is completed even with sw seg, 256,  1, 0,    0, 1500, complete",
        "oversize frame is fragmented,                  1,  0, 0,    0, 1501, fragment",
        "oversize partial frame is fragmented first,    0,  1, 0,    0, 9000, fragment",
        // GSO frames
        "tcpv4 gso passes to a tso4 peer,               3,  1, 1448, 1, 1500, pass",
        "tcpv6 gso passes to a tso6 peer,               5,  1, 1428, 2, 1500, pass",
        "tso4 peer without checksum completes,          2,  1, 1448, 1, 1500, complete",
        "tcpv6 gso to a tso4-only peer is segmented,  259,  1, 1428, 2, 1500, segment",
        "gso whose segments pass the mtu is segmented, 263, 1, 1460, 1, 1501, segment",
        "gso of unknown type is segmented,            263,  1, 1448, 9, 1500, segment",
        "gso to a plain peer is segmented,            256,  0, 1448, 1, 1500, segment",
        "gso without sw segmentation is dropped,        1,  1, 1448, 1, 1500, drop-unsupported",
        "gso over the mtu without sw seg is dropped,    3,  1, 1460, 1, 1501, drop-unsupported",
    })
    void shouldDecideAsTheTableSays(
        final String row, final int capabilities, final int flags, final int gsoSize, final int gsoType, final int l3,
        final String expected)
    {
        assertEquals(expected, name(decide(capabilities, flags, gsoSize, gsoType, l3)), row);
    }

    @Test
    void shouldMatchTheBackendRxRulesForEverySettingCombination()
    {
        // XnbRx before the policy: segment unless tso && txcsum && the frontend takes the kind; for the rest,
        // pass a partial frame when txcsum && the frontend takes csum-blank, else complete it
        for (int bits = 0; bits < 32; bits++)
        {
            final boolean tso = (bits & 1) != 0;
            final boolean txcsum = (bits & 2) != 0;
            final boolean frontendCsum = (bits & 4) != 0;
            final boolean frontendGso4 = (bits & 8) != 0;
            final boolean frontendGso6 = (bits & 16) != 0;
            final int capabilities = SW | (txcsum && frontendCsum ? CSUM : 0) |
                (tso && txcsum && frontendGso4 ? TSO4 : 0) | (tso && txcsum && frontendGso6 ? TSO6 : 0);
            for (final int gsoType : new int[] {XEN_NETIF_GSO_TYPE_TCPV4, XEN_NETIF_GSO_TYPE_TCPV6})
            {
                final boolean takesGso = tso && txcsum &&
                    (gsoType == XEN_NETIF_GSO_TYPE_TCPV4 ? frontendGso4 : frontendGso6);
                final int partialOutcome = txcsum && frontendCsum ? PASS : COMPLETE;
                assertEquals(takesGso ? partialOutcome : SEGMENT,
                    OffloadPolicy.decide(capabilities, NO_MTU, frame.set(FrameFlags.CSUM_PARTIAL, 1448, gsoType), 0),
                    "bits=" + bits + " gsoType=" + gsoType);
            }
            assertEquals(txcsum && frontendCsum ? PASS : COMPLETE,
                OffloadPolicy.decide(capabilities, NO_MTU, frame.set(FrameFlags.CSUM_PARTIAL, 0, 0), 65_000));
            assertEquals(PASS, OffloadPolicy.decide(capabilities, NO_MTU, frame.set(FrameFlags.DATA_VALIDATED, 0, 0),
                65_000));
        }
    }

    @Test
    void shouldMatchTheFrontendTxRules()
    {
        // Netfront before the policy: with the backend asking for complete checksums, segment GSO and complete
        // partial frames; otherwise pass, and refuse a GSO kind the backend did not offer
        final int stopped = SW;
        final int offeredV4 = CSUM | TSO4;
        assertEquals(SEGMENT, decide(stopped, 1, 1448, XEN_NETIF_GSO_TYPE_TCPV4, 0));
        assertEquals(COMPLETE, decide(stopped, FrameFlags.CSUM_PARTIAL, 0, 0, 0));
        assertEquals(PASS, decide(stopped, FrameFlags.DATA_VALIDATED, 0, 0, 0));
        assertEquals(PASS, decide(offeredV4, 1, 1448, XEN_NETIF_GSO_TYPE_TCPV4, 0));
        assertEquals(DROP_UNSUPPORTED, decide(offeredV4, 1, 1428, XEN_NETIF_GSO_TYPE_TCPV6, 0));
        assertEquals(PASS, decide(offeredV4, FrameFlags.CSUM_PARTIAL, 0, 0, 0));
    }

    @Test
    void shouldDescribeAFrameWithoutStaleFieldsWhenReused()
    {
        frame.set(FrameFlags.CSUM_PARTIAL, 1448, XEN_NETIF_GSO_TYPE_TCPV4).checksum(34, 16).hash(0x1234, 3);
        frame.set(FrameFlags.DATA_VALIDATED, 0, 0);
        assertEquals(FrameMetadata.UNKNOWN, frame.checksumStart());
        assertEquals(FrameMetadata.UNKNOWN, frame.checksumOffset());
        assertEquals(0, frame.hash());
        assertEquals(FrameMetadata.NO_HASH, frame.hashType(), "hash type 0 is IPV4: none is NO_HASH");
        assertEquals(false, frame.hasHash());
        assertEquals(false, frame.isGso());
        assertEquals(true, frame.isDataValidated());
    }

    @Test
    void shouldCopyEveryFieldSoACalleeCanKeepAFrameBeyondTheCall()
    {
        frame.set(FrameFlags.CSUM_PARTIAL, 1448, XEN_NETIF_GSO_TYPE_TCPV4).checksum(34, 16).hash(0x1234, 0);
        final FrameMetadata kept = new FrameMetadata().copyFrom(frame);
        frame.set(0, 0, 0);
        assertEquals(FrameFlags.CSUM_PARTIAL, kept.flags());
        assertEquals(1448, kept.gsoSize());
        assertEquals(XEN_NETIF_GSO_TYPE_TCPV4, kept.gsoType());
        assertEquals(34, kept.checksumStart());
        assertEquals(16, kept.checksumOffset());
        assertEquals(0x1234, kept.hash());
        assertEquals(0, kept.hashType());
        assertEquals(true, kept.hasHash());
    }
}
