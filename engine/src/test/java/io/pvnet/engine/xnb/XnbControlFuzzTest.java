package io.pvnet.engine.xnb;

import io.pvnet.engine.VifConfig;
import io.pvnet.engine.netif.CtrlRequestDescriptor;
import io.pvnet.engine.netif.CtrlResponseDescriptor;
import io.pvnet.engine.netif.ExtraInfoDescriptor;
import io.pvnet.engine.store.XenbusState;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_INVALID_PARAMETER;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_NOT_SUPPORTED;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_SUCCESS;
import static io.pvnet.engine.netif.NetifConstants.NETIF_RSP_ERROR;
import static io.pvnet.engine.netif.NetifConstants.NETIF_RSP_NULL;
import static io.pvnet.engine.netif.NetifConstants.NETIF_RSP_OKAY;
import static io.pvnet.engine.netif.NetifConstants.NETTXF_EXTRA_INFO;
import static io.pvnet.engine.netif.NetifConstants.TX_SLOT_LENGTH;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_EXTRA_FLAG_MORE;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_EXTRA_TYPE_MCAST_DEL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile-frontend fuzz for the control ring and the multicast extras, for {@code -Dpvnet.fuzz.controlSeconds}
 * (default 3): random control requests (every type, edge and random parameters, good, read-only, writable and bogus
 * grants) and random MCAST_ADD/DEL dummies, each checked against a small model of Linux netback's hash.c and
 * interface.c (status of every response, the hash state and the multicast list after every request); then chaos
 * (random bytes in the control ring's slots, random producer indices) that may only cost the vif its control ring.
 * Throughout, no exception escapes, the data rings stay connected and no guest memory outside writable grants changes.
 */
class XnbControlFuzzTest
{
    private static final long SECONDS = Long.getLong("pvnet.fuzz.controlSeconds", 3);
    private static final long SEED = Long.getLong("pvnet.fuzz.seed", System.nanoTime());

    /** Linux netback's hash state and multicast list, written from hash.c and interface.c. */
    private static final class Model
    {
        int algorithm;
        int flags;
        final byte[] key = new byte[40];
        int size;
        final int[] mapping = new int[128];
        final List<Long> groups = new ArrayList<>();

        int apply(final int type, final long d0, final long d1, final long d2, final byte[] granted, final int queues)
        {
            switch (type)
            {
                case 7:
                    if (d0 > 1)
                    {
                        return STATUS_INVALID_PARAMETER;
                    }
                    algorithm = (int)d0;
                    return STATUS_SUCCESS;
                case 1:
                    return algorithm == 0 ? STATUS_NOT_SUPPORTED : STATUS_SUCCESS;
                case 2:
                    if ((d0 & ~0xFL) != 0 || algorithm == 0)
                    {
                        return STATUS_INVALID_PARAMETER;
                    }
                    flags = (int)d0;
                    return STATUS_SUCCESS;
                case 3:
                    if (d1 > 40 || d1 != 0 && granted == null)
                    {
                        return STATUS_INVALID_PARAMETER;
                    }
                    Arrays.fill(key, (byte)0);
                    System.arraycopy(granted == null ? new byte[0] : granted, 0, key, 0, (int)d1);
                    return STATUS_SUCCESS;
                case 4:
                    return STATUS_SUCCESS;
                case 5:
                    if (d0 > 128)
                    {
                        return STATUS_INVALID_PARAMETER;
                    }
                    size = (int)d0;
                    Arrays.fill(mapping, 0, size, 0);
                    return STATUS_SUCCESS;
                case 6:
                    if (d2 + d1 > size || d1 > 1024 || d1 != 0 && granted == null)
                    {
                        return STATUS_INVALID_PARAMETER;
                    }
                    final int[] shadow = mapping.clone();
                    for (int i = 0; i < d1; i++)
                    {
                        shadow[(int)d2 + i] = readLe(granted, 4 * i);
                        if (Integer.compareUnsigned(shadow[(int)d2 + i], queues) >= 0)
                        {
                            return STATUS_INVALID_PARAMETER;
                        }
                    }
                    System.arraycopy(shadow, 0, mapping, 0, 128);
                    return STATUS_SUCCESS;
                default:
                    return STATUS_NOT_SUPPORTED;
            }
        }

        private static int readLe(final byte[] bytes, final int at)
        {
            return bytes[at] & 0xFF | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16 | bytes[at + 3] << 24;
        }
    }

    @Test
    void shouldMatchLinuxForRandomControlRequestsAndMulticastExtrasAndSurviveChaos()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
        long requests = 0;
        long chaosRounds = 0;
        try (HostileFrontend front = new HostileFrontend(VifConfig.of(1, 0)))
        {
            front.controlRing = true;
            front.connect();
            assertEquals(XenbusState.CONNECTED, front.xnb.state(), "seed " + SEED);
            final Model model = new Model();
            final VifHash hash = front.xnb.hash();
            final int dataBase = front.grants.pageOffset(HostileFrontend.CTRL_DATA_FRAME);
            int txId = 0;
            while (System.nanoTime() - deadline < 0)
            {
                // ---- structured: one control request or one multicast dummy, checked against the model
                if (random.nextInt(4) != 0)
                {
                    final int type = random.nextInt(5) == 0 ? random.nextInt(0x10000) : random.nextInt(12);
                    final long d0 = edge(random, type == 2 ? 0x1F : type == 5 ? 130 : 2);
                    final long d1 = edge(random, type == 3 ? 44 : 1030);
                    final long d2 = edge(random, 130);
                    final byte[] data = new byte[4096];
                    random.nextBytes(data);
                    if (random.nextBoolean())
                    {
                        for (int i = 0; i < 4096; i += 4)
                        {
                            data[i] = (byte)random.nextInt(6); // mostly valid queue numbers (queues = 1)
                            data[i + 1] = 0;
                            data[i + 2] = 0;
                            data[i + 3] = 0;
                        }
                    }
                    front.pages.putBytes(dataBase, data);
                    final int refChoice = random.nextInt(4);
                    final long gref = refChoice == 0 ? front.ctrlDataGref : refChoice == 1 ? front.rxGref[0] :
                        refChoice == 2 ? (random.nextBoolean() ? 0 : 1024 + random.nextInt(1000)) :
                            (1L << 31) + random.nextLong(1L << 31); // never granted: invalid, past the table, huge
                    final long data0 = type == 3 || type == 6 ? gref : d0;
                    final byte[] granted = gref == front.ctrlDataGref ? data :
                        gref == front.rxGref[0] ? rxPage(front) : null;
                    final int expected = model.apply(type, data0, d1, d2, granted, hash.queues());
                    final int slot = front.ctrl.claimRequest();
                    CtrlRequestDescriptor.write(front.ctrl.buffer(), slot, (int)requests, type, (int)data0, (int)d1,
                        (int)d2);
                    front.ctrl.pushRequests();
                    front.xnb.doWork();
                    assertEquals(1, front.ctrl.unconsumedResponses(), "seed " + SEED);
                    final int response = front.ctrl.responseOffset(front.ctrl.responseConsumer());
                    front.ctrl.consumeResponse();
                    final String where = "seed " + SEED + " request " + requests + " type " + type + " data " +
                        Long.toHexString(data0) + "/" + Long.toHexString(d1) + "/" + Long.toHexString(d2);
                    assertEquals((int)requests & 0xFFFF, CtrlResponseDescriptor.id(front.ctrl.buffer(), response));
                    assertEquals(type, CtrlResponseDescriptor.type(front.ctrl.buffer(), response), where);
                    assertEquals(expected, CtrlResponseDescriptor.status(front.ctrl.buffer(), response), where);
                    assertEquals(model.algorithm, hash.algorithm(), where);
                    assertEquals(model.flags, hash.flags(), where);
                    assertArrayEquals(model.key, hash.key(), where);
                    assertEquals(model.size, hash.mappingSize(), where);
                    for (int i = 0; i < model.size; i++)
                    {
                        assertEquals(model.mapping[i], hash.mapping(i), where + " entry " + i);
                    }
                    requests++;
                }
                else
                {
                    final boolean add = random.nextBoolean();
                    final long mac = 0x01_00_5E_00_00_00L + random.nextInt(80);
                    final int first = front.tx(NETTXF_EXTRA_INFO, random.nextInt(3) * 700, txId++ & 0x3F,
                        random.nextInt(HostileFrontend.GRANTED_TX), 0);
                    final int index = front.txReqProd++;
                    ExtraInfoDescriptor.writeMcast(front.txRing, HostileFrontend.slot(index, TX_SLOT_LENGTH),
                        add ? XEN_NETIF_EXTRA_TYPE_MCAST_ADD : XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 0, mac);
                    front.pushTx();
                    front.xnb.doWork();
                    final int expected;
                    if (add)
                    {
                        expected = model.groups.size() == MulticastFilter.MAX_ADDRESSES ? NETIF_RSP_ERROR :
                            NETIF_RSP_OKAY;
                        if (expected == NETIF_RSP_OKAY)
                        {
                            model.groups.add(mac);
                        }
                    }
                    else
                    {
                        model.groups.remove(Long.valueOf(mac));
                        expected = NETIF_RSP_OKAY;
                    }
                    assertEquals(expected, front.txRspStatus(first), "seed " + SEED);
                    assertEquals(NETIF_RSP_NULL, front.txRspStatus(first + 1));
                    final MulticastFilter filter = front.xnb.multicastFilter();
                    assertEquals(model.groups.size(), filter.count(), "seed " + SEED);
                    for (int i = 0; i < filter.count(); i++)
                    {
                        assertEquals(model.groups.get(i), filter.address(i), "seed " + SEED);
                    }
                    if (model.groups.size() == MulticastFilter.MAX_ADDRESSES && random.nextInt(4) == 0)
                    {
                        // start over so the list keeps moving around its cap
                        for (final long group : new ArrayList<>(model.groups))
                        {
                            front.tx(NETTXF_EXTRA_INFO, 0, txId++ & 0x3F, 0, 0);
                            ExtraInfoDescriptor.writeMcast(front.txRing,
                                HostileFrontend.slot(front.txReqProd++, TX_SLOT_LENGTH), XEN_NETIF_EXTRA_TYPE_MCAST_DEL,
                                0, group);
                            front.pushTx();
                            front.xnb.doWork();
                        }
                        model.groups.clear();
                        assertEquals(0, filter.count(), "seed " + SEED);
                    }
                }
                assertEquals(front.txReqProd, front.txRspProd(), "seed " + SEED);
            }
            assertTrue(front.xnb.isConnected(), "seed " + SEED);

            // ---- chaos: random bytes in the control ring, random producer; may cost the control ring only
            while (chaosRounds < 2_000)
            {
                final int slots = random.nextInt(1, 8);
                for (int i = 0; i < slots; i++)
                {
                    final int slot = front.ctrl.claimRequest();
                    for (int b = 0; b < 16; b += 4)
                    {
                        front.ctrl.buffer().putInt(slot + b, random.nextInt(), ByteOrder.LITTLE_ENDIAN);
                    }
                }
                if (random.nextInt(50) == 0)
                {
                    front.ctrl.buffer().putIntRelease(0, random.nextInt());
                }
                else
                {
                    front.ctrl.pushRequests();
                }
                front.xnb.doWork();
                chaosRounds++;
                if (!front.xnb.isControlRingAttached())
                {
                    break;
                }
                front.ctrl.consumeResponses(front.ctrl.unconsumedResponses() > 0 ? front.ctrl.unconsumedResponses() : 0);
            }
            assertTrue(front.xnb.isConnected(), "a broken control ring leaves the data rings alone; seed " + SEED);
            assertTrue(front.memoryOutsideWritableGrantsIntact(), "seed " + SEED);
        }
        assertTrue(requests > 100, "requests " + requests);
    }

    private static byte[] rxPage(final HostileFrontend front)
    {
        final byte[] page = new byte[4096];
        front.pages.getBytes(front.grants.pageOffset(io.pvnet.engine.VifSections.RX_BUFFER_FRAME), page);
        return page;
    }

    /** A parameter around the edges that matter: 0, 1, near {@code limit}, near 2^32, or random. */
    private static long edge(final SplittableRandom random, final int limit)
    {
        final long value = switch (random.nextInt(7))
        {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> limit - random.nextInt(4);
            case 3 -> (1L << 32) - 1 - random.nextInt(4);
            case 4 -> random.nextLong(1L << 32);
            default -> random.nextInt(limit + 1);
        };
        return value & 0xFFFF_FFFFL; // as the u32 field carries it
    }
}
