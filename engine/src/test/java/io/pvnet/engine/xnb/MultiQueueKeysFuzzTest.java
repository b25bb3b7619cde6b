package io.pvnet.engine.xnb;

import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.ring.SharedRing;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.pvnet.engine.netif.NetifConstants.RX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifConstants.TX_SLOT_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile-frontend fuzz for the multi-queue keys: for {@code -Dpvnet.fuzz.multiQueueSeconds} (default 3) a
 * frontend writes random {@code multi-queue-num-queues}, ring references (its own, another queue's, ungranted,
 * read-only, malformed, missing) and event channels (single or split, free, taken, frontend-side, out of range,
 * malformed) and connects. A model of Linux's {@code connect()}/{@code connect_data_rings()} (plus pvnet's port and
 * page checks) predicts the verdict: either every requested queue connects and answers on its own ring, or the connect
 * fails with nothing attached, one more {@code connect-failed}, and the error key set; then the frontend closes and
 * comes back. {@code -Dpvnet.fuzz.seed} replays.
 */
class MultiQueueKeysFuzzTest
{
    private static final long SECONDS = Long.getLong("pvnet.fuzz.multiQueueSeconds", 3);
    private static final long SEED = Long.getLong("pvnet.fuzz.seed", System.nanoTime());
    private static final int MAX = 3;
    /** Queues the frontend's memory holds (ports 0..7, four queues' rings): one more than the backend allows. */
    private static final int ALLOCATED = 4;

    @Test
    void shouldConnectAllQueuesOrNoneAsTheModelPredicts()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
        long episodes = 0;
        long connected = 0;
        try (MultiQueueFrontend front = new MultiQueueFrontend(VifConfig.of(1, 0).withQueues(MAX), ALLOCATED))
        {
            final String dir = front.config.frontendDir();
            front.store.write(dir + "/request-rx-copy", 1);
            while (System.nanoTime() - deadline < 0)
            {
                episodes++;
                final long failedBefore = front.counters.get(VifCounters.CONNECT_FAILED);
                boolean ok = true;
                int queues = 1;
                switch (random.nextInt(8))
                {
                    case 0 -> front.store.remove(dir + "/multi-queue-num-queues");
                    case 1 -> front.store.write(dir + "/multi-queue-num-queues", pick(random, "x", "-2", "", "1 ", "99999999999"));
                    default ->
                    {
                        queues = random.nextInt(ALLOCATED + 1); // 0..4: 0 and 4 are out of range
                        front.store.write(dir + "/multi-queue-num-queues", queues);
                    }
                }
                final String count = front.store.read(dir + "/multi-queue-num-queues");
                if (count != null && !count.matches("[0-9]+"))
                {
                    ok = false;
                }
                else if (count != null)
                {
                    final long requested = Long.parseLong(count);
                    ok = requested >= 1 && requested <= MAX;
                    queues = ok ? (int)requested : 0;
                }
                final long[] ports = new long[2 * ALLOCATED];
                final int[] frames = new int[2 * ALLOCATED];
                final boolean[] ownTxRing = new boolean[ALLOCATED];
                for (int q = 0; q < (ok ? queues : 0) && ok; q++)
                {
                    final String queueDir = queues == 1 ? dir : dir + "/queue-" + q;
                    final int tx = ringRef(front, random, q, true);
                    final int rx = ringRef(front, random, q, false);
                    write(front, queueDir + "/tx-ring-ref", tx);
                    write(front, queueDir + "/rx-ring-ref", rx);
                    final int single = port(random, q);
                    final int splitTx = random.nextInt(4) == 0 ? port(random, q) : Integer.MIN_VALUE;
                    final int splitRx = random.nextInt(4) == 0 ? port(random, q) : Integer.MIN_VALUE;
                    write(front, queueDir + "/event-channel", single);
                    write(front, queueDir + "/event-channel-tx", splitTx);
                    write(front, queueDir + "/event-channel-rx", splitRx);
                    if (tx < 0 || rx < 0)
                    {
                        ok = false;
                        break;
                    }
                    long txPort = splitTx;
                    long rxPort = splitRx;
                    if (splitTx < 0 || splitRx < 0)
                    {
                        txPort = single;
                        rxPort = single;
                    }
                    if (txPort < 0)
                    {
                        ok = false;
                        break;
                    }
                    if (!freePort(txPort, ports, 2 * q) || (rxPort != txPort && !freePort(rxPort, ports, 2 * q)))
                    {
                        ok = false;
                        break;
                    }
                    ports[2 * q] = txPort;
                    ports[2 * q + 1] = rxPort;
                    final int txFrame = frameOf(front, tx);
                    final int rxFrame = frameOf(front, rx);
                    if (txFrame < 0 || rxFrame < 0 || txFrame == rxFrame || used(txFrame, frames, 2 * q) ||
                        used(rxFrame, frames, 2 * q))
                    {
                        ok = false;
                        break;
                    }
                    ownTxRing[q] = tx == front.txRingRef[q];
                    frames[2 * q] = txFrame;
                    frames[2 * q + 1] = rxFrame;
                }
                front.connect();
                final String where = "seed=" + SEED + " episode=" + episodes + " count=" + count;
                if (ok)
                {
                    connected++;
                    assertEquals(XenbusState.CONNECTED, front.xnb.state(), where + " error=" + front.backendKey("error"));
                    assertEquals(queues, front.xnb.queueCount(), where);
                    assertNull(front.backendKey("error"), where);
                    assertEquals(failedBefore, front.counters.get(VifCounters.CONNECT_FAILED), where);
                    for (int q = 0; q < queues; q++)
                    {
                        if (ownTxRing[q])
                        {
                            // the queue serves the ring its key named: a packet there is answered there
                            front.transmit(q, 1, 60, (byte)q);
                            front.xnb.doWork();
                            assertEquals(1, front.txResponses(q), where + " queue " + q);
                        }
                    }
                }
                else
                {
                    assertEquals(XenbusState.CLOSING, front.xnb.state(), where);
                    assertEquals(0, front.xnb.queueCount(), where);
                    assertTrue(front.backendKey("error").startsWith("connect: "), where);
                    assertEquals(failedBefore + 1, front.counters.get(VifCounters.CONNECT_FAILED), where);
                }
                closeAndComeBack(front);
            }
        }
        System.out.println("MultiQueueKeysFuzzTest seed=" + SEED + " episodes=" + episodes + " connected=" + connected);
        assertTrue(episodes > connected && connected > 0, "both verdicts were exercised");
    }

    private static String pick(final SplittableRandom random, final String... values)
    {
        return values[random.nextInt(values.length)];
    }

    /** @return a ring reference to write (negative: a malformed or missing key, written by {@link #write}). */
    private static int ringRef(final MultiQueueFrontend front, final SplittableRandom random, final int q, final boolean tx)
    {
        return switch (random.nextInt(12))
        {
            case 0 -> -1;                                                     // missing
            case 1 -> -2;                                                     // malformed
            case 2 -> 999;                                                    // never granted
            case 3 -> front.txGref[q][0];                                     // read-only buffer grant
            case 4 -> tx ? front.rxRingRef[q] : front.txRingRef[q];           // its other ring
            case 5 -> tx ? front.txRingRef[(q + 1) % ALLOCATED] : front.rxRingRef[(q + 1) % ALLOCATED];
            default -> tx ? front.txRingRef[q] : front.rxRingRef[q];
        };
    }

    /** @return a port value to write: its own backend port mostly, else any (MIN_VALUE: absent). */
    private static int port(final SplittableRandom random, final int q)
    {
        return switch (random.nextInt(10))
        {
            case 0 -> Integer.MIN_VALUE;
            case 1 -> -2;                       // malformed
            case 2 -> random.nextInt(2 * ALLOCATED + 2);
            default -> 2 * q;
        };
    }

    private static void write(final MultiQueueFrontend front, final String key, final int value)
    {
        if (value == Integer.MIN_VALUE || value == -1)
        {
            front.store.remove(key);
        }
        else if (value == -2)
        {
            front.store.write(key, "0x1");
        }
        else
        {
            front.store.write(key, value);
        }
    }

    private static boolean freePort(final long port, final long[] taken, final int count)
    {
        if (port < 0 || (port & 1) != 0 || port + 1 >= 2 * ALLOCATED)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (taken[i] == port)
            {
                return false;
            }
        }
        return true;
    }

    private static int frameOf(final MultiQueueFrontend front, final int ref)
    {
        for (int q = 0; q < ALLOCATED; q++)
        {
            if (ref == front.txRingRef[q])
            {
                return 2 * q;
            }
            if (ref == front.rxRingRef[q])
            {
                return 2 * q + 1;
            }
        }
        return -1; // ungranted, or a read-only grant: not mappable writable
    }

    private static boolean used(final int frame, final int[] frames, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (frames[i] == frame)
            {
                return true;
            }
        }
        return false;
    }

    private static void closeAndComeBack(final MultiQueueFrontend front)
    {
        final String dir = front.config.frontendDir();
        front.store.writeState(dir, XenbusState.CLOSED);
        front.xnb.doWork();
        front.xnb.doWork();
        front.store.writeState(dir, XenbusState.INITIALISING);
        front.xnb.doWork();
        front.xnb.doWork();
        assertEquals(XenbusState.INIT_WAIT, front.xnb.state(), "seed=" + SEED);
        front.store.removeTree(dir + "/queue-");
        for (final String key : new String[] {"tx-ring-ref", "rx-ring-ref", "event-channel", "event-channel-tx",
            "event-channel-rx"})
        {
            front.store.remove(dir + "/" + key);
        }
        for (int q = 0; q < ALLOCATED; q++)
        {
            // fresh rings for the next connect (the backend checks their indices)
            new SharedRing(front.txRing[q], TX_SLOT_LENGTH).init();
            new SharedRing(front.rxRing[q], RX_SLOT_LENGTH).init();
            front.txReqProd[q] = 0;
            front.rxReqProd[q] = 0;
        }
    }
}
