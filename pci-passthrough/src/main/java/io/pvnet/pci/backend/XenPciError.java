package io.pvnet.pci.backend;

/**
 * Error codes of the pcifront/pciback protocol ({@code XEN_PCI_ERR_*} in Xen's {@code io/pciif.h}), plus the errno
 * values Linux's pciback returns from the MSI ops.
 */
public final class XenPciError
{
    public static final int SUCCESS = 0;
    public static final int DEV_NOT_FOUND = -1;
    public static final int INVALID_OFFSET = -2;
    public static final int ACCESS_DENIED = -3;
    public static final int NOT_IMPLEMENTED = -4;
    /** XEN_PCI_ERR_op_failed: the backend could not do what was asked. */
    public static final int OP_FAILED = -5;

    public static final int ENXIO = -6;
    public static final int EINVAL = -22;
    public static final int EALREADY = -114;

    private XenPciError()
    {
    }

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
