package io.pvnet.engine.xnb;

import io.pvnet.checksum.hash.FlowHash;
import io.pvnet.checksum.hash.ToeplitzHash;
import io.pvnet.engine.netif.CtrlRequestDescriptor;
import io.pvnet.engine.netif.CtrlResponseDescriptor;
import io.pvnet.engine.netif.CtrlRingDescriptor;
import io.pvnet.ring.FrontRing;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.grant.GrantTableDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_GET_HASH_FLAGS;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_GET_HASH_MAPPING_SIZE;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_ALGORITHM;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_FLAGS;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_KEY;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_MAPPING;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_MAPPING_SIZE;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_INVALID_PARAMETER;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_NOT_SUPPORTED;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_SUCCESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control ring served over a real shared page: the frontend side of each test writes requests with a
 * {@link FrontRing} and grants key and mapping pages through a real {@link GrantTable}; every request type Linux
 * implements, each of its error statuses, and the XSA-270 class (off + len wrapping or past the size changes nothing).
 */
class XnbControlTest
{
    private static final int BACKEND = 0;
    private static final int FRONTEND_DOMID = 7;
    private static final int CTRL_FRAME = 0;
    private static final int DATA_FRAME = 1;

    private UnsafeBuffer pages;
    private GrantTable granter;
    private FrontRing front;
    private VifHash hash;
    private XnbControl control;
    private int dataRef;
    private int nextId;

    @BeforeEach
    void setUp()
    {
        pages = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 4096));
        final UnsafeBuffer table = new UnsafeBuffer(ByteBuffer.allocateDirect(GrantTableDescriptor.lengthBytes(16)));
        granter = GrantTable.create(table, pages);
        final int ctrlRef = granter.grantAccess(BACKEND, CTRL_FRAME, false);
        dataRef = granter.grantAccess(BACKEND, DATA_FRAME, true);
        assertTrue(ctrlRef > 0 && dataRef > 0);

        final SharedRing shared = new SharedRing(new UnsafeBuffer(pages, granter.pageOffset(CTRL_FRAME), 4096),
            CtrlRingDescriptor.SLOT_LENGTH);
        shared.init();
        assertEquals(CtrlRingDescriptor.SLOTS, shared.size());
        assertEquals(CtrlRingDescriptor.SLOTS, CtrlRingDescriptor.slotCount(CtrlRingDescriptor.PAGE_SIZE));
        front = shared.frontRing();

        hash = new VifHash();
        hash.queues(4);
        control = new XnbControl(hash, BACKEND);
        final GrantTable grantee = GrantTable.attach(table, pages);
        final SharedRing backView = new SharedRing(new UnsafeBuffer(pages, grantee.pageOffset(CTRL_FRAME), 4096),
            CtrlRingDescriptor.SLOT_LENGTH);
        final var back = backView.backRing();
        back.attach(backView.responseProducer());
        control.attach(back, grantee, null);
    }

    /** Sends one request, lets the backend serve it, returns {@code status << 32 | data} after checking the echo. */
    private long call(final int type, final long data0, final long data1, final long data2)
    {
        final int id = nextId++ & 0xFFFF;
        final int slot = front.claimRequest();
        CtrlRequestDescriptor.write(front.buffer(), slot, id, type, (int)data0, (int)data1, (int)data2);
        front.pushRequests();
        assertEquals(1, control.process());
        assertEquals(1, front.unconsumedResponses());
        final int response = front.responseOffset(front.responseConsumer());
        front.consumeResponse();
        assertEquals(id, CtrlResponseDescriptor.id(front.buffer(), response), "id echoed");
        assertEquals(type, CtrlResponseDescriptor.type(front.buffer(), response), "type echoed");
        return (long)CtrlResponseDescriptor.status(front.buffer(), response) << 32 |
            (CtrlResponseDescriptor.data(front.buffer(), response) & 0xFFFF_FFFFL);
    }

    private static int status(final long result)
    {
        return (int)(result >>> 32);
    }

    private static int data(final long result)
    {
        return (int)result;
    }

    private void putData(final byte[] bytes)
    {
        pages.putBytes(granter.pageOffset(DATA_FRAME), bytes);
    }

    private void putMapping(final int... queues)
    {
        for (int i = 0; i < queues.length; i++)
        {
            pages.putInt(granter.pageOffset(DATA_FRAME) + 4 * i, queues[i], ByteOrder.LITTLE_ENDIAN);
        }
    }

    private int[] table()
    {
        final int[] entries = new int[hash.mappingSize()];
        for (int i = 0; i < entries.length; i++)
        {
            entries[i] = hash.mapping(i);
        }
        return entries;
    }

    @Test
    void shouldAnswerUnknownAndUnimplementedTypesNotSupported()
    {
        for (final int type : new int[] {0, 8, 9, 10, 11, 0xFFFF})
        {
            final long result = call(type, 1, 2, 3);
            assertEquals(STATUS_NOT_SUPPORTED, status(result), "type " + type);
            assertEquals(0, data(result));
        }
        assertEquals(6, control.responses(STATUS_NOT_SUPPORTED));
    }

    @Test
    void shouldSetTheAlgorithmAndRefuseUnknownOnes()
    {
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_ALGORITHM, 2, 0, 0)));
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_ALGORITHM, 0xFFFF_FFFFL, 0, 0)));
        assertEquals(0, hash.algorithm());
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_ALGORITHM, 1, 0, 0)));
        assertEquals(1, hash.algorithm());
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_ALGORITHM, 0, 0, 0)), "back to NONE");
    }

    @Test
    void shouldGetAndSetHashFlagsOnlyWithAnAlgorithm()
    {
        assertEquals(STATUS_NOT_SUPPORTED, status(call(TYPE_GET_HASH_FLAGS, 0, 0, 0)), "algorithm NONE");
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_FLAGS, FlowHash.IPV4, 0, 0)),
            "algorithm NONE");
        call(TYPE_SET_HASH_ALGORITHM, 1, 0, 0);
        final long flags = call(TYPE_GET_HASH_FLAGS, 0, 0, 0);
        assertEquals(STATUS_SUCCESS, status(flags));
        assertEquals(0xF, data(flags));
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_FLAGS, 0x10, 0, 0)), "unknown type bit");
        assertEquals(0, hash.flags());
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_FLAGS, FlowHash.IPV4 | FlowHash.IPV6_TCP, 0, 0)));
        assertEquals(FlowHash.IPV4 | FlowHash.IPV6_TCP, hash.flags());
        assertTrue(hash.isHashing());
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_FLAGS, 0, 0, 0)), "0 turns hashing off");
        assertFalse(hash.isHashing());
    }

    @Test
    void shouldCopyTheKeyFromAGrantAndZeroTheRest()
    {
        putData(ToeplitzHashVectors.MICROSOFT_KEY);
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_KEY, dataRef, 40, 0)), "no algorithm needed");
        assertArrayEquals(ToeplitzHashVectors.MICROSOFT_KEY, hash.key());

        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_KEY, dataRef, 41, 0)), "longer than 40");
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_KEY, dataRef + 5, 40, 0)), "not granted");
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_KEY, 0xFFFF_FFFFL, 40, 0)), "huge gref");
        assertArrayEquals(ToeplitzHashVectors.MICROSOFT_KEY, hash.key(), "refused requests change nothing");

        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_KEY, dataRef, 4, 0)));
        final byte[] expected = new byte[40];
        System.arraycopy(ToeplitzHashVectors.MICROSOFT_KEY, 0, expected, 0, 4);
        assertArrayEquals(expected, hash.key(), "bytes 4..39 zeroed");
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_KEY, 0, 0, 0)), "length 0 needs no grant");
        assertArrayEquals(new byte[40], hash.key());
    }

    @Test
    void shouldGetAndSetTheMappingSize()
    {
        final long size = call(TYPE_GET_HASH_MAPPING_SIZE, 0, 0, 0);
        assertEquals(STATUS_SUCCESS, status(size), "with any algorithm");
        assertEquals(128, data(size));
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING_SIZE, 129, 0, 0)));
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING_SIZE, 0x1_0000_0000L - 1, 0, 0)));
        assertEquals(0, hash.mappingSize());
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_MAPPING_SIZE, 128, 0, 0)));
        assertArrayEquals(new int[128], table(), "a new size reads all zero");
    }

    @Test
    void shouldSetMappingEntriesAndRefuseEveryOverflowChangingNothing()
    {
        call(TYPE_SET_HASH_MAPPING_SIZE, 8, 0, 0);
        putMapping(1, 2, 3);
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_MAPPING, dataRef, 3, 2)));
        final int[] good = {0, 0, 1, 2, 3, 0, 0, 0};
        assertArrayEquals(good, table());

        putMapping(3, 3, 3, 3);
        // XSA-270: off + len wraps in 32 bits, passes the size, or needs more than a page
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING, dataRef, 2, 0xFFFF_FFFFL)));
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING, dataRef, 0xFFFF_FFFFL, 1)));
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING, dataRef, 4, 5)), "5 + 4 > 8");
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING, dataRef, 1, 8)), "8 + 1 > 8");
        call(TYPE_SET_HASH_MAPPING_SIZE, 128, 0, 0);
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING, dataRef, 1025, 0)), "a page's worth");
        call(TYPE_SET_HASH_MAPPING_SIZE, 8, 0, 0);
        assertArrayEquals(new int[8], table());
        call(TYPE_SET_HASH_MAPPING, dataRef, 3, 2);
        putMapping(1, 4, 1);
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING, dataRef, 3, 0)),
            "queue 4 of 4 queues: refused after the copy");
        putMapping(1, 0xFFFF_FFFF, 1);
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING, dataRef, 3, 0)), "unsigned compare");
        assertEquals(STATUS_INVALID_PARAMETER, status(call(TYPE_SET_HASH_MAPPING, dataRef + 5, 1, 0)), "bad grant");
        putMapping(3, 3, 3);
        assertArrayEquals(new int[] {0, 0, 3, 3, 3, 0, 0, 0}, table(), "the good table still steers");
        assertEquals(3, hash.queueFor(FlowHash.TYPE_IPV4 * (1L << 32) | 2));
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_MAPPING, 0, 0, 8)), "len 0 at the end: nothing");
        assertEquals(STATUS_SUCCESS, status(call(TYPE_SET_HASH_MAPPING, dataRef, 8, 0)));
        putMapping(1, 2, 3, 0, 1, 2, 3, 0);
        call(TYPE_SET_HASH_MAPPING, dataRef, 8, 0);
        assertArrayEquals(new int[] {1, 2, 3, 0, 1, 2, 3, 0}, table());
    }

    @Test
    void shouldSteerByTheTableOrByHashModuloQueues()
    {
        putData(ToeplitzHashVectors.MICROSOFT_KEY);
        call(TYPE_SET_HASH_KEY, dataRef, 40, 0);
        call(TYPE_SET_HASH_ALGORITHM, 1, 0, 0);
        call(TYPE_SET_HASH_FLAGS, FlowHash.ALL, 0, 0);
        final long packed = (long)FlowHash.TYPE_IPV4_TCP << 32 | 0x51ccc178L;
        assertEquals((int)(0x51ccc178L % 4), hash.queueFor(packed), "no table: hash modulo queues");
        call(TYPE_SET_HASH_MAPPING_SIZE, 16, 0, 0);
        putMapping(0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0);
        call(TYPE_SET_HASH_MAPPING, dataRef, 16, 0);
        final int[] expected = {0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0};
        assertEquals(expected[(int)(0x51ccc178L % 16)], hash.queueFor(packed));
        assertEquals(0, hash.queueFor(FlowHash.NONE), "no hash reads as 0");
    }

    @Test
    void shouldAnswerABatchInOrderAndDetachFromAHostileProducer()
    {
        for (int i = 0; i < 5; i++)
        {
            CtrlRequestDescriptor.write(front.buffer(), front.claimRequest(), 100 + i, TYPE_GET_HASH_MAPPING_SIZE, 0,
                0, 0);
        }
        front.pushRequests();
        assertEquals(5, control.process());
        assertEquals(5, front.unconsumedResponses());
        for (int i = 0; i < 5; i++)
        {
            assertEquals(100 + i, CtrlResponseDescriptor.id(front.buffer(), front.responseOffset(front.responseConsumer())));
            front.consumeResponse();
        }
        // req_prod far beyond what the backend owes answers for: a broken frontend
        front.buffer().putIntRelease(front.ring().layout().reqProdOffset(), front.requestProducer() + 1000);
        assertEquals(XnbControl.BROKEN, control.process());
        assertFalse(control.isAttached());
        assertEquals(1, control.brokenRings());
        assertEquals(0, control.process(), "serves nothing more");
    }
}
