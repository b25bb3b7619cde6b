package io.pvnet.ring.grant;

/**
 * Per-operation results of {@link GrantTable} calls, with Xen's {@code GNTST_*} values where Xen has one.
 * Returned, never thrown.
 */
public final class GrantStatus
{
    /** {@code GNTST_okay}. */
    public static final int OKAY = 0;
    /** {@code GNTST_general_error}: the grant's frame lies outside the granter's pages. */
    public static final int GENERAL_ERROR = -1;
    /** {@code GNTST_bad_gntref}: no such reference, or not granted (never granted, or revoked). */
    public static final int BAD_GNTREF = -3;
    /** {@code GNTST_permission_denied}: granted to another domain, or a write to a read-only grant. */
    public static final int PERMISSION_DENIED = -8;
    /** {@code GNTST_bad_copy_arg}: the copy crosses its page, has a negative length, or leaves the local buffer. */
    public static final int BAD_COPY_ARG = -10;
    /** {@code GNTST_eagain}: the grant is in use by a copy right now (revoke) or by another copier (copy); retry. */
    public static final int EAGAIN = -12;
    /** {@link GrantTable#grantAccess}: every reference is in use (Linux's {@code -ENOSPC}). */
    public static final int NO_FREE_REFERENCE = -28;

    private GrantStatus()
    {
    }

    /**
     * {@return a short name for a status (not for hot paths)}
     * @param status a {@code GNTST_*} value.
     */
    public static String describe(final int status)
    {
        return switch (status)
        {
            case OKAY -> "OKAY";
            case GENERAL_ERROR -> "GENERAL_ERROR";
            case BAD_GNTREF -> "BAD_GNTREF";
            case PERMISSION_DENIED -> "PERMISSION_DENIED";
            case BAD_COPY_ARG -> "BAD_COPY_ARG";
            case EAGAIN -> "EAGAIN";
            case NO_FREE_REFERENCE -> "NO_FREE_REFERENCE";
            default -> status > 0 ? "REF(" + status + ")" : "UNKNOWN(" + status + ")";
        };
    }
}
