package io.pvnet.engine.netif;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.pvnet.engine.netif.NetifConstants.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The netif layouts byte for byte as Xen's {@code netif.h} lays them out on x86 (little-endian, no padding beyond the
 * declared fields), written at an odd offset to catch any alignment assumption.
 */
class NetifLayoutTest
{
    private static final int AT = 13;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

    private void assertBytes(final int... expected)
    {
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals((byte)expected[i], buffer.getByte(AT + i), "byte " + i);
        }
    }

    @Test
    void txRequestIsGrefOffsetFlagsIdSize()
    {
        assertEquals(12, TxRequestDescriptor.LENGTH);
        TxRequestDescriptor.write(buffer, AT, 0x11223344L, 0x0A0B, NETTXF_MORE_DATA | NETTXF_CSUM_BLANK, 0xBEEF, 0xFFFF);
        assertBytes(0x44, 0x33, 0x22, 0x11, 0x0B, 0x0A, 0x05, 0x00, 0xEF, 0xBE, 0xFF, 0xFF);
        assertEquals(0x11223344L, TxRequestDescriptor.gref(buffer, AT));
        assertEquals(0x0A0B, TxRequestDescriptor.offset(buffer, AT));
        assertEquals(NETTXF_MORE_DATA | NETTXF_CSUM_BLANK, TxRequestDescriptor.flags(buffer, AT));
        assertEquals(0xBEEF, TxRequestDescriptor.id(buffer, AT));
        assertEquals(0xFFFF, TxRequestDescriptor.size(buffer, AT));
    }

    @Test
    void txResponseIsIdStatusAndClearsTheRestOfTheSlot()
    {
        buffer.setMemory(AT, TX_SLOT_LENGTH, (byte)0x77);
        TxResponseDescriptor.write(buffer, AT, 0x1234, NETIF_RSP_DROPPED);
        assertBytes(0x34, 0x12, 0xFE, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(0x1234, TxResponseDescriptor.id(buffer, AT));
        assertEquals(NETIF_RSP_DROPPED, TxResponseDescriptor.status(buffer, AT));
    }

    @Test
    void rxRequestIsIdPadGref()
    {
        RxRequestDescriptor.write(buffer, AT, 0x0102, 0xA1B2C3D4L);
        assertBytes(0x02, 0x01, 0x00, 0x00, 0xD4, 0xC3, 0xB2, 0xA1);
        assertEquals(0x0102, RxRequestDescriptor.id(buffer, AT));
        assertEquals(0xA1B2C3D4L, RxRequestDescriptor.gref(buffer, AT));
    }

    @Test
    void rxResponseIsIdOffsetFlagsStatus()
    {
        RxResponseDescriptor.write(buffer, AT, 0x0102, 0x0304, NETRXF_DATA_VALIDATED | NETRXF_EXTRA_INFO, NETIF_RSP_ERROR);
        assertBytes(0x02, 0x01, 0x04, 0x03, 0x09, 0x00, 0xFF, 0xFF);
        assertEquals(NETIF_RSP_ERROR, RxResponseDescriptor.status(buffer, AT));
        RxResponseDescriptor.write(buffer, AT, 7, 0, NETRXF_MORE_DATA, 4096);
        assertEquals(4096, RxResponseDescriptor.status(buffer, AT));
        assertEquals(NETRXF_MORE_DATA, RxResponseDescriptor.flags(buffer, AT));
    }

    @Test
    void extraInfoGsoMcastAndHash()
    {
        ExtraInfoDescriptor.writeGso(buffer, AT, XEN_NETIF_EXTRA_FLAG_MORE, 1448, XEN_NETIF_GSO_TYPE_TCPV6, 0x0102);
        assertBytes(0x01, 0x01, 0xA8, 0x05, 0x02, 0x00, 0x02, 0x01);
        assertEquals(XEN_NETIF_EXTRA_TYPE_GSO, ExtraInfoDescriptor.type(buffer, AT));
        assertEquals(1448, ExtraInfoDescriptor.gsoSize(buffer, AT));
        assertEquals(XEN_NETIF_GSO_TYPE_TCPV6, ExtraInfoDescriptor.gsoType(buffer, AT));
        assertEquals(0x0102, ExtraInfoDescriptor.gsoFeatures(buffer, AT));

        ExtraInfoDescriptor.writeMcast(buffer, AT, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0x01005E0000FBL);
        assertBytes(0x02, 0x00, 0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB);
        assertEquals(0x01005E0000FBL, ExtraInfoDescriptor.mcastAddress(buffer, AT));

        ExtraInfoDescriptor.writeHash(buffer, AT, 0, XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP,
            XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0x51CCC178L);
        assertBytes(0x04, 0x00, 0x01, 0x01, 0x78, 0xC1, 0xCC, 0x51);
        assertEquals(0x51CCC178L, ExtraInfoDescriptor.hashValue(buffer, AT));
    }

    @Test
    void ringsOfAPageHoldTwoHundredFiftySixSlotsAsRingHComputesThem()
    {
        // (4096 - 64) / slot, rounded down to a power of two
        assertEquals(256, Integer.highestOneBit((PAGE_SIZE - 64) / TX_SLOT_LENGTH));
        assertEquals(256, Integer.highestOneBit((PAGE_SIZE - 64) / RX_SLOT_LENGTH));
        assertEquals(0x1, NETTXF_CSUM_BLANK);
        assertEquals(0x2, NETRXF_CSUM_BLANK, "bits 0/1 swapped between tx and rx");
        assertEquals(0x1, NETRXF_DATA_VALIDATED);
    }
}
