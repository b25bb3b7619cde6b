package io.pvnet.engine.xnb;

import io.pvnet.engine.netif.CtrlRequestDescriptor;
import io.pvnet.engine.netif.CtrlResponseDescriptor;
import io.pvnet.engine.netif.CtrlRingDescriptor;
import io.pvnet.ring.BackRing;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import org.agrona.concurrent.UnsafeBuffer;

import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_GET_HASH_FLAGS;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_GET_HASH_MAPPING_SIZE;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_ALGORITHM;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_FLAGS;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_KEY;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_MAPPING;
import static io.pvnet.engine.netif.CtrlRequestDescriptor.TYPE_SET_HASH_MAPPING_SIZE;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_COUNT;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_INVALID_PARAMETER;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_NOT_SUPPORTED;
import static io.pvnet.engine.netif.CtrlResponseDescriptor.STATUS_SUCCESS;

/**
 * The backend's control-ring server (Linux netback {@code xenvif_ctrl_action} / {@code process_ctrl_request}): takes
 * each request off the ring once (a private copy, so the frontend cannot change it while it is checked), answers it
 * in the same slot with the echoed id and type, a status and a datum, and notifies the frontend when it asked.
 * Requests change the vif's {@link VifHash}; every type Linux implements is served with Linux's checks and statuses,
 * anything else is NOT_SUPPORTED. Responses are made in order, one per request.
 * <p>
 * Hostile input: a {@code req_prod} that runs more than a ring ahead of the answered requests is a broken frontend;
 * the control ring is then dropped ({@link #process} returns {@link #BROKEN} and serves nothing more until attached
 * again), which harms only this vif's hashing. Grant copies are bounded by the grant table (a bad reference or
 * offset is INVALID_PARAMETER, never an exception). Off + len of a mapping is checked in 64-bit arithmetic (XSA-270).
 * <p>
 * Threading: the vif's agent thread, the same one that reads {@link VifHash} on the rx path. Allocation-free after
 * construction.
 */
public final class XnbControl
{
    /** {@link #process} result: the frontend broke the ring protocol; the control ring is detached. */
    public static final int BROKEN = -1;

    private final VifHash hash;
    private final int backendDomid;
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[CtrlRequestDescriptor.LENGTH]);
    /** One page: the most a key or mapping copy brings in. */
    private final UnsafeBuffer copy = new UnsafeBuffer(new byte[CtrlRingDescriptor.PAGE_SIZE]);
    private final long[] responsesByStatus = new long[STATUS_COUNT];
    private GrantTable grants;
    private BackRing ring;
    private EventChannel channel;
    private long requests;
    private long brokenRings;

    /**
     * @param hash         the vif's hash state the requests change.
     * @param backendDomid this backend's domain id, the grantee of the frontend's key and mapping grants.
     */
    public XnbControl(final VifHash hash, final int backendDomid)
    {
        this.hash = hash;
        this.backendDomid = backendDomid;
    }

    /**
     * Starts serving a control ring mapped at connect, attached at its shared {@code rsp_prod} (Linux's
     * {@code BACK_RING_ATTACH}).
     *
     * @param channel the event channel {@code event-channel-ctrl} names, or null to have the frontend poll.
     */
    public void attach(final BackRing ring, final GrantTable grants, final EventChannel channel)
    {
        this.ring = ring;
        this.grants = grants;
        this.channel = channel;
    }

    /** Stops serving (disconnect). */
    public void detach()
    {
        ring = null;
        grants = null;
        channel = null;
    }

    public boolean isAttached()
    {
        return ring != null;
    }

    /** @return whether the frontend left requests on the control ring (it need not kick for them). */
    boolean hasRequests()
    {
        final BackRing ring = this.ring;
        return ring != null && ring.unconsumedRequests() != 0;
    }

    /**
     * Answers every pending request, at most one ring's worth, then re-arms {@code req_event}.
     *
     * @return requests answered, or {@link #BROKEN}.
     */
    public int process()
    {
        final BackRing ring = this.ring;
        if (ring == null)
        {
            return 0;
        }
        int answered = 0;
        int available = ring.unconsumedRequests();
        while (available != 0 && answered < CtrlRingDescriptor.SLOTS)
        {
            if (available < 0)
            {
                return broken();
            }
            for (int i = 0; i < available && answered < CtrlRingDescriptor.SLOTS; i++)
            {
                ring.copyRequest(ring.requestConsumer(), request, 0);
                ring.consumeRequest();
                answer(ring);
                answered++;
            }
            if (ring.pushResponsesAndCheckNotify() && channel != null)
            {
                channel.notifyPeer();
            }
            available = answered < CtrlRingDescriptor.SLOTS ? ring.finalCheckForRequests() : 0;
        }
        if (available < 0)
        {
            return broken();
        }
        requests += answered;
        return answered;
    }

    private int broken()
    {
        brokenRings++;
        detach();
        return BROKEN;
    }

    private void answer(final BackRing ring)
    {
        final int id = CtrlRequestDescriptor.id(request, 0);
        final int type = CtrlRequestDescriptor.type(request, 0);
        int status = STATUS_NOT_SUPPORTED;
        int data = 0;
        switch (type)
        {
            case TYPE_SET_HASH_ALGORITHM -> status = hash.setAlgorithm(CtrlRequestDescriptor.data(request, 0, 0));
            case TYPE_GET_HASH_FLAGS ->
            {
                final long supported = hash.supportedFlags();
                if (supported >= 0)
                {
                    status = STATUS_SUCCESS;
                    data = (int)supported;
                }
            }
            case TYPE_SET_HASH_FLAGS -> status = hash.setFlags(CtrlRequestDescriptor.data(request, 0, 0));
            case TYPE_SET_HASH_KEY -> status = setKey(CtrlRequestDescriptor.data(request, 0, 0),
                CtrlRequestDescriptor.data(request, 0, 1));
            case TYPE_GET_HASH_MAPPING_SIZE ->
            {
                status = STATUS_SUCCESS;
                data = VifHash.MAX_MAPPING_SIZE;
            }
            case TYPE_SET_HASH_MAPPING_SIZE -> status = hash.setMappingSize(CtrlRequestDescriptor.data(request, 0, 0));
            case TYPE_SET_HASH_MAPPING -> status = setMapping(CtrlRequestDescriptor.data(request, 0, 0),
                CtrlRequestDescriptor.data(request, 0, 1), CtrlRequestDescriptor.data(request, 0, 2));
            default ->
            {
                // INVALID (0), Xen's static-grant types (8-10) and anything else: NOT_SUPPORTED, as Linux
            }
        }
        responsesByStatus[status]++;
        final int slot = ring.claimResponse();
        CtrlResponseDescriptor.write(ring.buffer(), slot, id, type, status, data);
    }

    /** SET_HASH_KEY: a key longer than 40 bytes, or a failed copy, changes nothing. */
    private int setKey(final long gref, final long length)
    {
        if (length > VifHash.MAX_KEY_BYTES)
        {
            return STATUS_INVALID_PARAMETER;
        }
        if (length != 0 && copyIn(gref, (int)length) != GrantStatus.OKAY)
        {
            return STATUS_INVALID_PARAMETER;
        }
        return hash.setKey(copy, 0, (int)length);
    }

    /** SET_HASH_MAPPING: bounds first (64-bit, XSA-270), then the copy, then the values (in {@link VifHash}). */
    private int setMapping(final long gref, final long length, final long offset)
    {
        if (!hash.mappingFits(offset, length))
        {
            return STATUS_INVALID_PARAMETER;
        }
        if (length != 0 && copyIn(gref, (int)length * 4) != GrantStatus.OKAY)
        {
            return STATUS_INVALID_PARAMETER;
        }
        return hash.setMapping(copy, 0, offset, length);
    }

    private int copyIn(final long gref, final int length)
    {
        if (gref > Integer.MAX_VALUE)
        {
            return GrantStatus.BAD_GNTREF;
        }
        return grants.copyFromGrant(backendDomid, (int)gref, 0, copy, 0, length);
    }

    /** @return requests answered since construction. */
    public long requests()
    {
        return requests;
    }

    /** @return responses with {@code status} ({@link CtrlResponseDescriptor#STATUS_SUCCESS} ...). */
    public long responses(final int status)
    {
        return responsesByStatus[status];
    }

    /** @return how often a frontend broke the control ring's protocol. */
    public long brokenRings()
    {
        return brokenRings;
    }
}
