package io.pvnet.engine.xnb;

import io.pvnet.engine.VifConfig;
import io.pvnet.engine.netif.ExtraInfoDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvnet.engine.netif.NetifConstants.NETIF_RSP_ERROR;
import static io.pvnet.engine.netif.NetifConstants.NETIF_RSP_NULL;
import static io.pvnet.engine.netif.NetifConstants.NETIF_RSP_OKAY;
import static io.pvnet.engine.netif.NetifConstants.NETTXF_EXTRA_INFO;
import static io.pvnet.engine.netif.NetifConstants.TX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_EXTRA_FLAG_MORE;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_EXTRA_TYPE_MCAST_DEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MCAST_ADD/DEL extras on the tx ring, answered slot by slot as Linux netback answers them. */
class MulticastControlTxTest
{
    private HostileFrontend front;
    private int id;

    @BeforeEach
    void setUp()
    {
        front = new HostileFrontend(VifConfig.of(1, 0));
        front.connect();
    }

    @AfterEach
    void tearDown()
    {
        front.close();
    }

    /** A dummy request (size 0) with the given extras; returns the ring index of its first slot. */
    private int dummy(final int[] types, final long[] macs)
    {
        final int first = front.tx(NETTXF_EXTRA_INFO, 0, id++ & 0xFF, 0, 0);
        for (int i = 0; i < types.length; i++)
        {
            final int index = front.txReqProd++;
            ExtraInfoDescriptor.writeMcast(front.txRing, HostileFrontend.slot(index, TX_SLOT_LENGTH), types[i],
                i < types.length - 1 ? XEN_NETIF_EXTRA_FLAG_MORE : 0, macs[i]);
        }
        front.pushTx();
        front.xnb.doWork();
        return first;
    }

    @Test
    void shouldAnswerTheFirstSlotWithTheOutcomeAndEachExtraWithNull()
    {
        for (int i = 0; i < MulticastFilter.MAX_ADDRESSES; i++)
        {
            final int first = dummy(new int[] {XEN_NETIF_EXTRA_TYPE_MCAST_ADD}, new long[] {0x01_00_5E_00_00_00L + i});
            assertEquals(NETIF_RSP_OKAY, front.txRspStatus(first), "add " + i);
            assertEquals(NETIF_RSP_NULL, front.txRspStatus(first + 1));
        }
        final int refused = dummy(new int[] {XEN_NETIF_EXTRA_TYPE_MCAST_ADD}, new long[] {0x01_00_5E_00_0F_FFL});
        assertEquals(NETIF_RSP_ERROR, front.txRspStatus(refused), "the 65th group");
        assertEquals(NETIF_RSP_NULL, front.txRspStatus(refused + 1));
        assertEquals(0, front.sink.frames, "no data reached the bridge");

        final int delete = dummy(new int[] {XEN_NETIF_EXTRA_TYPE_MCAST_DEL}, new long[] {0x01_00_5E_00_00_05L});
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(delete));
        final int absent = dummy(new int[] {XEN_NETIF_EXTRA_TYPE_MCAST_DEL}, new long[] {0x01_00_5E_77_77_77L});
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(absent), "a DEL is always OKAY");
        assertEquals(front.txReqProd, front.txRspProd(), "every slot answered");
        assertTrue(front.xnb.isConnected());
    }

    @Test
    void shouldRunOnlyTheAddWhenADummyCarriesBoth()
    {
        final int first = dummy(new int[] {XEN_NETIF_EXTRA_TYPE_MCAST_DEL, XEN_NETIF_EXTRA_TYPE_MCAST_ADD},
            new long[] {0x01_00_5E_00_00_01L, 0x01_00_5E_00_00_02L});
        assertEquals(NETIF_RSP_OKAY, front.txRspStatus(first));
        assertEquals(NETIF_RSP_NULL, front.txRspStatus(first + 1));
        assertEquals(NETIF_RSP_NULL, front.txRspStatus(first + 2));
        assertEquals(front.txReqProd, front.txRspProd());
        assertEquals(1, front.xnb.multicastFilter().count());
        assertEquals(0x01_00_5E_00_00_02L, front.xnb.multicastFilter().address(0));
    }
}
