package io.pvnet.pci.backend;

/** Operation codes of the pcifront/pciback protocol ({@code XEN_PCI_OP_*} in Xen's {@code io/pciif.h}). */
public final class XenPciOp
{
    /** Read a config register. */
    public static final int CONF_READ = 0;
    /** Write a config register. */
    public static final int CONF_WRITE = 1;
    /** Enable MSI; the pirq comes back in the value. */
    public static final int ENABLE_MSI = 2;
    /** Disable MSI. */
    public static final int DISABLE_MSI = 3;
    /** Enable MSI-X for the entries in the op; the vectors come back in the entries. */
    public static final int ENABLE_MSIX = 4;
    /** Disable MSI-X. */
    public static final int DISABLE_MSIX = 5;
    /** AER: an error was detected (backend to frontend). */
    public static final int AER_DETECTED = 6;
    /** AER: resume after recovery. */
    public static final int AER_RESUME = 7;
    /** AER: MMIO enabled again. */
    public static final int AER_MMIO = 8;
    /** AER: slot reset. */
    public static final int AER_SLOTRESET = 9;
    /** Linux 4.16+: enable MSI-X with a vector table address (not implemented by pvnet). */
    public static final int ENABLE_MULTI_MSI = 10;

    /** Maximum MSI-X entries one op carries ({@code SH_INFO_MAX_VEC}). */
    public static final int MAX_MSIX_ENTRIES = 128;

    private XenPciOp()
    {
    }

    /**
     * {@return the op's name, as Xen spells it (for messages, not hot paths)}
     * @param op an op code.
     */
    public static String name(final int op)
    {
        return switch (op)
        {
            case CONF_READ -> "conf_read";
            case CONF_WRITE -> "conf_write";
            case ENABLE_MSI -> "enable_msi";
            case DISABLE_MSI -> "disable_msi";
            case ENABLE_MSIX -> "enable_msix";
            case DISABLE_MSIX -> "disable_msix";
            case AER_DETECTED -> "aer_detected";
            case AER_RESUME -> "aer_resume";
            case AER_MMIO -> "aer_mmio";
            case AER_SLOTRESET -> "aer_slotreset";
            default -> "op " + op;
        };
    }
}
