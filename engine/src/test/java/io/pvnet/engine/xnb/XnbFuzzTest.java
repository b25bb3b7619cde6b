package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static io.pvnet.engine.netif.NetifConstants.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Drives xnb with random and adversarial ring contents for {@code -Dpvnet.fuzz.seconds} and checks that it never throws,
 * never touches guest memory outside writable grants, and keeps its counters consistent. The suite fuzzes 6 s in all
 * (2 s a seed: some 3,000 episodes a seed on a quiet 2-core VM, a few hundred under load); a longer hunt is a run on
 * demand, e.g. {@code -Dtest=XnbFuzzTest -Dpvnet.fuzz.seconds=120} (356,692 episodes, nothing found, when last run).
 * <p>
 * Structured episodes send packets that each carry at most one known defect, so the expected outcome of every packet is
 * known by construction (delivered, dropped for a reason, or fatal) and the counters must match exactly:
 * sent = delivered + dropped per reason. Chaos episodes write random bytes into request slots, random producer indices
 * and rewrite slots after pushing them (double-fetch attempts); there only safety and self-consistency are checked.
 */
class XnbFuzzTest
{
    /** Seconds of fuzzing in all: split between the suite's seeds, or all of it for a seed given. */
    private static final long SECONDS = Long.getLong("pvnet.fuzz.seconds", 6);
    /** Episodes a seed runs at least, however slow the machine (a quiet 2-core VM runs 200 in about 0.1 s). */
    private static final long MIN_EPISODES = 200;
    /**
     * The suite runs fixed seeds so that its result does not depend on the day; explore others with
     * {@code -Dpvnet.fuzz.seed=N -Dpvnet.fuzz.seconds=S} (a failure names its seed and episode). Seed 17945149554998
     * once failed: the generator gave a size-mismatch packet a last slot of 1 byte at offset 4096, a second (fatal)
     * defect; the backend was right ({@code XnbHardeningTest.shouldDisableTheVifForASlotCrossingItsPageAfterASizeMismatch}).
     * The third is one of 69 random seeds (about 130,000 episodes in all) that passed at the time.
     */
    private static final long[] SUITE_SEEDS = {20_261_206L, 17_945_149_554_998L, 18_326_324_413_257L};

    /** The seed and episode being run, for failure messages (tests of this class run one after another). */
    private static long seed;
    private static long episode;

    private static final int NONE = 0;
    private static final int[] DEFECTS = {
        NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, -1, -1,
        DropReason.FIRST_SLOT_SHORT, DropReason.TOO_MANY_SLOTS, DropReason.SIZE_MISMATCH, DropReason.COPY_FAILED,
        DropReason.OVERSIZE, DropReason.FIRST_SLOT_SHORT, DropReason.TOO_MANY_SLOTS, DropReason.SIZE_MISMATCH,
        DropReason.COPY_FAILED, DropReason.OVERSIZE, DropReason.FATAL_SLOT_COUNT, DropReason.SLOT_CROSSES_PAGE,
        DropReason.EXTRA_MALFORMED, DropReason.GSO_MALFORMED, -1 /* zero-length continuation: valid */};


    private static long rxAccepted;
    /**
     * Set when the chaos guest posted one of its own ring pages as an rx buffer: the backend may then legally write
     * frame bytes over the guest's shared ring header (the guest granted that page read-write), so the response
     * indices the test reads back are the guest's own scribbles, not the backend's answers.
     */
    private static boolean ringPagePostedAsRxBuffer;

    private final long[] expectedDrops = new long[DropReason.COUNT];
    private long expectedDelivered;
    private long expectedBytes;

    static LongStream seeds()
    {
        final Long chosen = Long.getLong("pvnet.fuzz.seed");
        return chosen != null ? LongStream.of(chosen) : LongStream.of(SUITE_SEEDS);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldSurviveRandomAndAdversarialRingsWithConsistentCounters(final long fuzzSeed)
    {
        seed = fuzzSeed;
        final SplittableRandom random = new SplittableRandom(fuzzSeed);
        rxAccepted = 0;
        final long seconds = Long.getLong("pvnet.fuzz.seed") != null ? SECONDS :
            Math.max(1, SECONDS / SUITE_SEEDS.length);
        long episodes = 0;
        long packets = 0;
        long fatals = 0;
        try (HostileFrontend front = new HostileFrontend(VifConfig.of(1, 0)))
        {
            front.connect();
            // the time counts from the connected vif, and a loaded machine still runs a floor of episodes
            final long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() - deadline < 0 || episodes < MIN_EPISODES)
            {
                episodes++;
                episode = episodes;
                if (random.nextInt(4) == 0)
                {
                    chaos(front, random);
                }
                else
                {
                    packets += structured(front, random);
                }
                assertTrue(front.memoryOutsideWritableGrantsIntact(), at());
                assertEquals(front.sink.frames, front.counters.get(VifCounters.TX_PACKETS), at());
                assertEquals(front.sink.bytes, front.counters.get(VifCounters.TX_BYTES), at());
                if (!front.xnb.isConnected())
                {
                    assertTrue(DropReason.isFatal(front.xnb.disabledReason()), at());
                    fatals++;
                }
                checkRxAccounting(front, "before reconnect");
                front.reconnect();
                assertTrue(front.xnb.isConnected(), "reconnects after every episode, " + at());
                assertEquals(rxAccepted, front.counters.get(VifCounters.RX_PACKETS) + front.counters.dropsToGuest(),
                    "every frame queued for the guest is delivered or dropped toward it, " + at());
                resync(front);
            }
        }
        System.out.println("XnbFuzzTest seed=" + fuzzSeed + " episodes=" + episodes + " packets=" + packets + " fatal=" + fatals);
        assertTrue(packets > 0 && fatals > 0);
    }

    private static String at()
    {
        return "seed=" + seed + " episode=" + episode;
    }

    private void resync(final HostileFrontend front)
    {
        for (int reason = 0; reason < DropReason.COUNT; reason++)
        {
            expectedDrops[reason] = front.counters.drops(reason);
        }
        expectedDelivered = front.counters.get(VifCounters.TX_PACKETS);
        expectedBytes = front.counters.get(VifCounters.TX_BYTES);
    }

    /** @return packets sent. */
    private int structured(final HostileFrontend front, final SplittableRandom random)
    {
        final int batches = 1 + random.nextInt(8);
        int sent = 0;
        for (int b = 0; b < batches && front.xnb.isConnected(); b++)
        {
            final int count = 1 + random.nextInt(6);
            boolean fatal = false;
            for (int p = 0; p < count && !fatal; p++)
            {
                final int defect = DEFECTS[random.nextInt(DEFECTS.length)];
                fatal = writePacket(front, random, defect);
                sent++;
            }
            front.pushTx();
            receiveSide(front, random);
            for (int i = 0; i < 4; i++)
            {
                front.xnb.doWork();
                checkRxAccounting(front, "structured");
            }
            if (front.xnb.isConnected())
            {
                assertEquals(front.txReqProd, front.txRspProd(), "every slot answered, " + at());
            }
            // every reason of the guest's direction, exactly: a packet's drop counted under a reason toward the guest (or
            // one of these for a frame toward it) fails here or in checkRxAccounting
            for (int reason = 0; reason < DropReason.COUNT; reason++)
            {
                if (DropReason.isFromGuest(reason))
                {
                    assertEquals(expectedDrops[reason], front.counters.drops(reason),
                        "drops of " + DropReason.name(reason) + ", " + at());
                }
            }
            assertEquals(expectedDelivered, front.counters.get(VifCounters.TX_PACKETS), at());
            assertEquals(expectedBytes, front.counters.get(VifCounters.TX_BYTES), at());
        }
        return sent;
    }

    /**
     * Writes one packet with at most one defect and records its expected outcome.
     *
     * @return whether the defect is fatal.
     */
    private boolean writePacket(final HostileFrontend front, final SplittableRandom random, final int defect)
    {
        int dataSlots = defect == DropReason.SIZE_MISMATCH ? 2 + random.nextInt(5) :
            1 + random.nextInt(defect == DropReason.OVERSIZE ? 1 : 6);
        if (defect == DropReason.TOO_MANY_SLOTS)
        {
            dataSlots = 20 + random.nextInt(2);
        }
        else if (defect == DropReason.FATAL_SLOT_COUNT)
        {
            dataSlots = 22 + random.nextInt(10);
        }
        final int[] sizes = new int[dataSlots];
        final int[] offsets = new int[dataSlots];
        int total = 0;
        for (int s = 0; s < dataSlots; s++)
        {
            final int maxSize = dataSlots > 18 ? 70 : (1400 / dataSlots);
            sizes[s] = (s == 0 ? 14 : 0) + random.nextInt(Math.max(1, maxSize - 14));
            offsets[s] = random.nextInt(PAGE_SIZE - sizes[s] + 1);
            total += sizes[s];
        }
        if (defect == DropReason.SIZE_MISMATCH && sizes[dataSlots - 1] == 0)
        {
            sizes[dataSlots - 1] = 1;
            total++;
            // its offset was drawn for a size of 0 and may be 4096: keep the slot inside its page, or the packet would
            // carry a second, fatal defect (slot-crosses-page, as Linux's xenvif_count_requests decides too)
            offsets[dataSlots - 1] = Math.min(offsets[dataSlots - 1], PAGE_SIZE - 1);
        }
        if (defect == -1 && dataSlots > 1)
        {
            total -= sizes[dataSlots - 1];
            sizes[dataSlots - 1] = 0;
        }
        if (defect == DropReason.FIRST_SLOT_SHORT)
        {
            total -= sizes[0];
            sizes[0] = random.nextInt(ETH_HLEN);
            total += sizes[0];
        }
        if (defect == DropReason.OVERSIZE)
        {
            total -= sizes[0];
            sizes[0] = 1519 + random.nextInt(PAGE_SIZE - 1519);
            offsets[0] = random.nextInt(PAGE_SIZE - sizes[0] + 1);
            total += sizes[0];
        }
        final int badSlot = random.nextInt(dataSlots);
        if (defect == DropReason.SLOT_CROSSES_PAGE)
        {
            offsets[badSlot] = PAGE_SIZE - sizes[badSlot] + 1 + random.nextInt(64);
        }
        assertOneDefect(defect, sizes, offsets);
        final boolean gso = defect == DropReason.GSO_MALFORMED || random.nextInt(4) == 0;
        final boolean badExtra = defect == DropReason.EXTRA_MALFORMED;
        int firstSizeField = total;
        if (defect == DropReason.SIZE_MISMATCH)
        {
            // the continuations claim more than the packet's total: some continuation exceeds what remains
            final int continuations = total - sizes[0];
            firstSizeField = random.nextInt(continuations);
        }
        int firstFlags = (dataSlots > 1 ? NETTXF_MORE_DATA : 0) | (gso || badExtra ? NETTXF_EXTRA_INFO : 0) |
            (random.nextBoolean() ? NETTXF_CSUM_BLANK | NETTXF_DATA_VALIDATED : 0);
        final int badGrefSlot = defect == DropReason.COPY_FAILED ? badSlot : -1;
        writeData(front, random, firstFlags, firstSizeField, offsets[0], 0, badGrefSlot == 0);
        if (gso)
        {
            final int gsoSize = defect == DropReason.GSO_MALFORMED && random.nextBoolean() ? 0 : 1 + random.nextInt(9000);
            final int gsoType = defect == DropReason.GSO_MALFORMED && gsoSize != 0 ? 3 + random.nextInt(250) :
                1 + random.nextInt(2);
            front.gso(badExtra ? XEN_NETIF_EXTRA_FLAG_MORE : 0, gsoSize, gsoType);
        }
        if (badExtra)
        {
            switch (random.nextInt(3))
            {
                case 0 -> front.extra(XEN_NETIF_EXTRA_TYPE_NONE, 0);
                case 1 -> front.extra(XEN_NETIF_EXTRA_TYPE_MAX + random.nextInt(200), 0);
                default ->
                {
                    for (int i = 0; i < 5; i++)
                    {
                        front.extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, XEN_NETIF_EXTRA_FLAG_MORE);
                    }
                    front.extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0);
                }
            }
        }
        for (int s = 1; s < dataSlots; s++)
        {
            writeData(front, random, s < dataSlots - 1 ? NETTXF_MORE_DATA : 0, sizes[s], offsets[s], s,
                badGrefSlot == s);
        }

        if (DropReason.isFatal(defect))
        {
            expectedDrops[defect]++;
            return true;
        }
        final boolean gsoFrame = gso;
        if (defect == DropReason.NONE || defect == -1)
        {
            if (!gsoFrame && total > 1518)
            {
                expectedDrops[DropReason.OVERSIZE]++;
            }
            else
            {
                expectedDelivered++;
                expectedBytes += total;
            }
        }
        else if (defect == DropReason.OVERSIZE && gsoFrame)
        {
            expectedDelivered++;
            expectedBytes += total;
        }
        else if (defect == DropReason.COPY_FAILED && sizes[badSlot] == 0)
        {
            // a zero-length slot is never copied, so its bad reference does no harm
            if (!gsoFrame && total > 1518)
            {
                expectedDrops[DropReason.OVERSIZE]++;
            }
            else
            {
                expectedDelivered++;
                expectedBytes += total;
            }
        }
        else
        {
            expectedDrops[defect]++;
        }
        return false;
    }

    /**
     * The generator's own check that a packet carries at most its one defect: no slot crosses its page unless that is
     * the defect (the expected counts would be wrong otherwise, as they once were for seed 17945149554998).
     */
    private static void assertOneDefect(final int defect, final int[] sizes, final int[] offsets)
    {
        if (defect == DropReason.SLOT_CROSSES_PAGE)
        {
            return;
        }
        for (int s = 0; s < sizes.length; s++)
        {
            assertTrue(offsets[s] + sizes[s] <= PAGE_SIZE, "generator: slot " + s + " of a " +
                DropReason.name(defect) + " packet crosses its page, " + at());
        }
    }

    private static void writeData(
        final HostileFrontend front, final SplittableRandom random, final int flags, final int size, final int offset,
        final int slot, final boolean badGref)
    {
        final int id = random.nextInt(0x10000);
        if (badGref)
        {
            final long gref = switch (random.nextInt(3))
            {
                case 0 -> 0;
                case 1 -> 2000 + random.nextInt(1 << 20);
                default -> front.readOnlyRxGref + 1 + random.nextInt(100);
            };
            front.txRaw(gref, flags, size, id, offset);
        }
        else
        {
            front.tx(flags, size, id, (slot * 7 + random.nextInt(HostileFrontend.GRANTED_TX)) % HostileFrontend.GRANTED_TX,
                offset);
        }
    }

    private static void receiveSide(final HostileFrontend front, final SplittableRandom random)
    {
        final int posts = random.nextInt(4);
        for (int i = 0; i < posts && front.rxReqProd - front.rxRspProd() < 250; i++)
        {
            final long gref = switch (random.nextInt(6))
            {
                case 0 -> front.readOnlyRxGref;
                case 1 -> random.nextInt(5000);
                default -> front.rxGref[random.nextInt(HostileFrontend.GRANTED_RX)];
            };
            ringPagePostedAsRxBuffer |= gref == front.txRingGref || gref == front.rxRingGref;
            front.postRx(gref, random.nextInt(0x10000));
        }
        final int offers = random.nextInt(3);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[70000]);
        for (int i = 0; i < offers; i++)
        {
            final int length = random.nextInt(10) == 0 ? random.nextInt(70000) : 1 + random.nextInt(1600);
            final int gsoSize = random.nextInt(8) == 0 ? 1 + random.nextInt(9000) : 0;
            final int result = front.xnb.offer(frame, 0, length, FrameMetadata.of(random.nextInt(4), gsoSize,
                1 + random.nextInt(2)));
            if (result == 0)
            {
                rxAccepted++;
            }
            else
            {
                assertTrue(DropReason.isToGuest(result), "refused toward the guest: " + DropReason.name(result) + ", " + at());
            }
        }
        if (random.nextInt(20) == 0)
        {
            front.nanoClock.advance(random.nextLong(20_000_000_000L));
        }
        checkRxAccounting(front, "receive side");
    }

    /**
     * Every frame the backend accepted for the guest is delivered, dropped for a counted reason toward the guest, or
     * still queued.
     */
    static void checkRxAccounting(final HostileFrontend front, final String where)
    {
        assertEquals(rxAccepted, front.counters.get(VifCounters.RX_PACKETS) + front.xnb.rxQueueFrames() +
            front.counters.dropsToGuest(), where + ", " + at());
    }

    private static void chaos(final HostileFrontend front, final SplittableRandom random)
    {
        // every episode starts on freshly connected rings (reconnect), so the guest's own scribbles start afresh too
        ringPagePostedAsRxBuffer = false;
        final int rounds = 1 + random.nextInt(20);
        for (int r = 0; r < rounds; r++)
        {
            switch (random.nextInt(6))
            {
                case 0 ->
                {
                    final int slots = random.nextInt(40);
                    for (int s = 0; s < slots; s++)
                    {
                        final int at = HostileFrontend.slot(front.txReqProd + s, TX_SLOT_LENGTH);
                        front.txRing.putLong(at, random.nextLong());
                        front.txRing.putInt(at + 8, random.nextInt());
                    }
                    front.txReqProd += random.nextInt(slots + 1);
                    front.pushTx();
                }
                case 1 ->
                {
                    // a structured-looking packet with random fields, then rewrite it after the push
                    final int slots = 1 + random.nextInt(25);
                    for (int s = 0; s < slots; s++)
                    {
                        front.tx(random.nextInt(16), random.nextInt(9000), random.nextInt(0x10000),
                            random.nextInt(HostileFrontend.GRANTED_TX), random.nextInt(4200));
                    }
                    front.pushTx();
                    front.xnb.doWork();
                    final int at = HostileFrontend.slot(front.txReqProd - 1 - random.nextInt(slots), TX_SLOT_LENGTH);
                    front.txRing.putShort(at + 10, (short)random.nextInt(), ByteOrder.LITTLE_ENDIAN);
                    front.txRing.putShort(at + 6, (short)random.nextInt(16), ByteOrder.LITTLE_ENDIAN);
                }
                case 2 -> front.txRing.putIntRelease(0, front.txReqProd + random.nextInt(600) - 300);
                case 3 ->
                {
                    for (int s = 0; s < random.nextInt(20); s++)
                    {
                        final int at = HostileFrontend.slot(front.rxReqProd + s, RX_SLOT_LENGTH);
                        front.rxRing.putLong(at, random.nextLong());
                        final int gref = front.rxRing.getInt(at + 4, ByteOrder.LITTLE_ENDIAN);
                        ringPagePostedAsRxBuffer |= gref == front.txRingGref || gref == front.rxRingGref;
                    }
                    front.rxReqProd += random.nextInt(30);
                    front.rxRing.putIntRelease(0, front.rxReqProd + (random.nextInt(10) == 0 ? random.nextInt() : 0));
                }
                case 4 -> receiveSide(front, random);
                default -> front.nanoClock.advance(random.nextLong(15_000_000_000L));
            }
            final int before = front.txRspProd();
            for (int i = 0; i < 1 + random.nextInt(3); i++)
            {
                front.xnb.doWork();
                checkRxAccounting(front, "chaos");
            }
            checkResponses(front, before);
        }
    }

    /** Responses written in this duty cycle (before the hostile frontend scribbles on them) carry only valid statuses. */
    private static void checkResponses(final HostileFrontend front, final int before)
    {
        if (ringPagePostedAsRxBuffer)
        {
            return;
        }
        final int produced = front.txRspProd() - before;
        assertTrue(produced >= 0 && produced <= io.pvnet.engine.vif.VifSections.RING_SIZE, "produced " + produced + ", " + at());
        for (int i = 0; i < produced; i++)
        {
            final int status = front.txRspStatus(before + i);
            assertTrue(status == NETIF_RSP_OKAY || status == NETIF_RSP_ERROR || status == NETIF_RSP_NULL,
                "tx status " + status + ", " + at());
        }
    }
}
