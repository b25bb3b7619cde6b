package io.pvnet.engine.bridge;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.xnb.MulticastFilter;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multicast control through the bridge ({@code feature-multicast-control}, {@code request-multicast-control},
 * MCAST_ADD/DEL extras): a guest that asked for filtering gets only the groups it added (and broadcast), a guest that
 * never asked gets every group; filtering follows the frontend's key while connected; past 64 groups the filter
 * accepts all.
 */
class MulticastControlBridgeTest
{
    private static final long[] MACS = {0x02_00_00_00_0B_01L, 0x02_00_00_00_0B_02L, 0x02_00_00_00_0B_03L};
    private static final long GROUP_A = 0x01_00_5E_00_00_01L;
    private static final long GROUP_B = 0x01_00_5E_00_00_02L;
    private static final long GROUP_C = 0x33_33_00_00_00_09L;

    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final VifBridgeTest.Received[] received = {
        new VifBridgeTest.Received(), new VifBridgeTest.Received(), new VifBridgeTest.Received()};
    private BridgedVifs vifs;
    private VifBackend[] backends;
    private VifFrontend[] frontends;

    /** Three vifs with their guests started. */
    private BridgedVifs threeGuests()
    {
        vifs = new BridgedVifs(VifConfig.of(1, 0), VifConfig.of(2, 0), VifConfig.of(3, 0));
        vifs.startGuests();
        backends = vifs.backends;
        frontends = vifs.frontends;
        return vifs;
    }

    private void pump()
    {
        vifs.pump(received);
    }

    /** Guest 1 sends one frame to {@code destination}; returns how many frames guests 2 and 3 got. */
    private List<Integer> sendFromGuest1(final long destination)
    {
        for (final VifBridgeTest.Received r : received)
        {
            r.clear();
        }
        final int length = TestFrames.raw(frame, 0, destination, MACS[0], -1, 100);
        assertEquals(VifFrontend.OK, frontends[0].transmit(frame, 0, length));
        frontends[0].flush();
        pump();
        return List.of(received[1].lengths.size(), received[2].lengths.size());
    }

    private void control(final int guest, final boolean add, final long mac)
    {
        assertEquals(VifFrontend.OK, frontends[guest].multicastControl(add, mac));
        frontends[guest].flush();
        pump();
    }

    @Test
    void shouldDeliverMulticastOnlyToGuestsThatAddedTheGroupOrNeverAsked()
    {
        try (BridgedVifs closed = threeGuests())
        {
            pump();
            for (int i = 0; i < 3; i++)
            {
                assertTrue(backends[i].isConnected() && frontends[i].isConnected(), "vif " + i);
            }
            assertEquals("1", vifs.vifRegion.store().read(VifConfig.of(2, 0).backendDir() + "/feature-multicast-control"));
            assertEquals("1",
                vifs.vifRegion.store().read(VifConfig.of(2, 0).backendDir() + "/feature-dynamic-multicast-control"));

            assertEquals(List.of(1, 1), sendFromGuest1(GROUP_A), "nobody asked: everyone gets every group");

            // guest 2 adds A, then turns filtering on (the list may be edited at any time)
            control(1, true, GROUP_A);
            assertEquals(List.of(1, 1), sendFromGuest1(GROUP_B), "filtering not asked for yet");
            frontends[1].requestMulticastControl(true);
            pump();
            assertEquals(List.of(1, 1), sendFromGuest1(GROUP_A), "A was added");
            assertEquals(List.of(0, 1), sendFromGuest1(GROUP_B), "B was not: only guest 3, which never asked");
            assertEquals(List.of(1, 1), sendFromGuest1(TestFrames.BROADCAST), "broadcast is not filtered");
            assertEquals(List.of(1, 1), sendFromGuest1(MACS[1]), "unicast is not filtered");
            final VifCounters counters = backends[1].counters();
            assertEquals(1, counters.drops(DropReason.RX_MCAST_FILTERED));

            // a duplicate ADD needs two DELs, as Linux keeps duplicates
            control(1, true, GROUP_A);
            control(1, false, GROUP_A);
            assertEquals(List.of(1, 1), sendFromGuest1(GROUP_A), "one A left");
            control(1, false, GROUP_A);
            assertEquals(List.of(0, 1), sendFromGuest1(GROUP_A), "both removed");

            // dynamic: turning the request off stops filtering at once
            frontends[1].requestMulticastControl(false);
            pump();
            assertEquals(List.of(1, 1), sendFromGuest1(GROUP_B));
        }
    }

    @Test
    void shouldAcceptAllMulticastOnceTheGuestAddedMoreThan64Groups()
    {
        try (BridgedVifs closed = threeGuests())
        {
            pump();
            frontends[1].requestMulticastControl(true);
            pump();
            final List<Long> groups = new ArrayList<>();
            for (int i = 0; i < MulticastFilter.MAX_ADDRESSES; i++)
            {
                groups.add(0x01_00_5E_00_01_00L + i);
                control(1, true, groups.get(i));
            }
            assertEquals(List.of(0, 1), sendFromGuest1(GROUP_C), "64 groups, C not among them");
            assertEquals(List.of(1, 1), sendFromGuest1(groups.get(63)));
            control(1, true, GROUP_B);
            assertEquals(List.of(1, 1), sendFromGuest1(GROUP_C), "the 65th ADD was refused: every group passes");
        }
    }
}
