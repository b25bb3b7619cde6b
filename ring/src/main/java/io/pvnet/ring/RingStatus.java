package io.pvnet.ring;

/**
 * Negative results of {@link FrontRing} and {@link BackRing} data-path calls. A call returning an {@code int} count or
 * slot offset returns one of these instead when it cannot do what was asked; none of them is ever thrown.
 */
public final class RingStatus
{
    /** {@link FrontRing#claimRequest()}: every slot holds a request not yet answered and consumed. */
    public static final int RING_FULL = -1;
    /** {@link BackRing#claimResponse()}: every consumed request has been answered already. */
    public static final int NOTHING_TO_ANSWER = -2;
    /**
     * {@link BackRing#unconsumedRequests()}: the front's req_prod lies outside {@code [req_cons, rsp_prod_pvt + n]}
     * (Xen's {@code RING_REQUEST_PROD_OVERFLOW}); a buggy or hostile frontend. Nothing was consumed.
     */
    public static final int REQUEST_PROD_OVERFLOW = -3;
    /**
     * {@link FrontRing#unconsumedResponses()}: the back's rsp_prod claims more responses than requests outstanding
     * (Xen's {@code RING_RESPONSE_PROD_OVERFLOW}, tightened); a buggy or hostile backend.
     */
    public static final int RESPONSE_PROD_OVERFLOW = -4;

    private RingStatus()
    {
    }

    /**
     * {@return a short name for a status, for logs and error messages (not for hot paths)}
     * @param status a negative {@link RingStatus} value.
     */
    public static String describe(final int status)
    {
        return switch (status)
        {
            case RING_FULL -> "RING_FULL";
            case NOTHING_TO_ANSWER -> "NOTHING_TO_ANSWER";
            case REQUEST_PROD_OVERFLOW -> "REQUEST_PROD_OVERFLOW";
            case RESPONSE_PROD_OVERFLOW -> "RESPONSE_PROD_OVERFLOW";
            default -> status >= 0 ? "OK(" + status + ")" : "UNKNOWN(" + status + ")";
        };
    }
}
