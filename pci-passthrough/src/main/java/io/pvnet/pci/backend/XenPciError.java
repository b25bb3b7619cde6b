package io.pvnet.pci.backend;

/**
 * Error codes of the pcifront/pciback protocol ({@code XEN_PCI_ERR_*} in Xen's {@code io/pciif.h}), plus the errno
 * values Linux's pciback returns from the MSI ops.
 */
public final class XenPciError
{
    /** The op succeeded. */
    public static final int SUCCESS = 0;
    /** {@code XEN_PCI_ERR_dev_not_found}: no such device for this guest. */
    public static final int DEV_NOT_FOUND = -1;
    /** {@code XEN_PCI_ERR_invalid_offset}: a config access outside the space or misaligned. */
    public static final int INVALID_OFFSET = -2;
    /** {@code XEN_PCI_ERR_access_denied}: the backend refused the access. */
    public static final int ACCESS_DENIED = -3;
    /** {@code XEN_PCI_ERR_not_implemented}: an op the backend does not implement. */
    public static final int NOT_IMPLEMENTED = -4;
    /** XEN_PCI_ERR_op_failed: the backend could not do what was asked. */
    public static final int OP_FAILED = -5;

    /** {@code -ENXIO}: no such device or address. */
    public static final int ENXIO = -6;
    /** {@code -EINVAL}: invalid argument. */
    public static final int EINVAL = -22;
    /** {@code -EALREADY}: MSI or MSI-X already enabled. */
    public static final int EALREADY = -114;

    private XenPciError()
    {
    }

    /**
     * {@return the code's name, as Xen or Linux spells it (for messages, not hot paths)}
     * @param error an error code.
     */
    public static String name(final int error)
    {
        return switch (error)
        {
            case SUCCESS -> "success";
            case DEV_NOT_FOUND -> "dev_not_found";
            case INVALID_OFFSET -> "invalid_offset";
            case ACCESS_DENIED -> "access_denied";
            case NOT_IMPLEMENTED -> "not_implemented";
            case OP_FAILED -> "op_failed";
            case ENXIO -> "-ENXIO";
            case EINVAL -> "-EINVAL";
            case EALREADY -> "-EALREADY";
            default -> "error " + error;
        };
    }
}
