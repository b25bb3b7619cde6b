package io.pvnet.engine.frame;

/** Offload state a frame carries between the halves of pvnet (independent of the tx/rx bit order of netif flags). */
public final class FrameFlags
{
    /** The L4 checksum holds only the pseudo-header sum; someone downstream must complete it (NETTXF_csum_blank). */
    public static final int CSUM_PARTIAL = 0x1;
    /** The checksums are known good (NETTXF_data_validated / NETRXF_data_validated). */
    public static final int DATA_VALIDATED = 0x2;

    private FrameFlags()
    {
    }
}
