package io.pvnet.pci.channel;

import org.agrona.concurrent.AtomicBuffer;

/**
 * Layout of the pcifront/pciback shared page, Xen's {@code struct xen_pci_sharedinfo} ({@code io/pciif.h}): 572 bytes,
 * little-endian 32-bit fields, no padding. It sits at the start of its own page of the pci section
 * ({@link PciSectionDescriptor}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+   0
 *  |  flags: bit 0 op pending, bit 1 AER handler, bit 2 PCIB active|
 *  +---------------------------------------------------------------+   4  struct xen_pci_op
 *  |                         cmd (XEN_PCI_OP_*)                    |
 *  +---------------------------------------------------------------+   8
 *  |                   err (i32, XEN_PCI_ERR_*)                    |
 *  +---------------------------------------------------------------+  12
 *  |                           domain                              |
 *  +---------------------------------------------------------------+  16
 *  |                             bus                               |
 *  +---------------------------------------------------------------+  20
 *  |                    devfn (slot &lt;&lt; 3 | func)                   |
 *  +---------------------------------------------------------------+  24
 *  |                     offset (config register)                  |
 *  +---------------------------------------------------------------+  28
 *  |                        size (1, 2 or 4)                       |
 *  +---------------------------------------------------------------+  32
 *  |                value (written, or read back)                  |
 *  +---------------------------------------------------------------+  36
 *  |                            info                               |
 *  +-------------------------------+-------------------------------+  40
 *  |   msix_entries[0].vector u16  |   msix_entries[0].entry u16   |
 *  |                              ...                              |
 *  |  msix_entries[127].vector u16 |  msix_entries[127].entry u16  |
 *  +-------------------------------+-------------------------------+ 552  struct xen_pcie_aer_op
 *  |                           aer err                             |
 *  |                           aer cmd                             |
 *  |                          aer domain                           |
 *  |                           aer bus                             |
 *  |                          aer devfn                            |
 *  +---------------------------------------------------------------+ 572
 * </pre>
 * Protocol: the frontend fills the op, sets flag bit 0 (release) and notifies; the backend sees the bit (acquire),
 * copies the op into private memory, handles the copy, writes err, value and the MSI-X vectors back, clears bit 0
 * (release) and notifies; the frontend sees the bit clear (acquire) and reads the results. The frontend gives up
 * after {@link #FRONTEND_TIMEOUT_NS} ("pciback not responding!!!") with {@code dev_not_found}.
 * <p>
 * The flags word is changed with compare-and-set in native byte order; pvnet, like Xen, requires a little-endian host.
 */
public final class PciSharedInfoDescriptor
{
    /** Offset of the flags word (i32, changed by compare-and-set). */
    public static final int FLAGS_OFFSET = 0;
    /** Flag: an op is pending ({@code _XEN_PCIF_active}): set by the frontend, cleared by the backend when done. */
    public static final int FLAG_OP_PENDING = 1;
    /** Flag: the frontend handles AER ops ({@code _XEN_PCIB_AERHANDLER}). */
    public static final int FLAG_AER_HANDLER = 1 << 1;
    /** Flag: an AER op from the backend is pending ({@code _XEN_PCIB_active}). */
    public static final int FLAG_PCIB_ACTIVE = 1 << 2;

    /** Offset of {@code struct xen_pci_op}. */
    public static final int OP_OFFSET = 4;
    /** Offset of the op's command (i32, {@code XEN_PCI_OP_*}). */
    public static final int CMD_OFFSET = OP_OFFSET;
    /** Offset of the op's result (i32, {@code XEN_PCI_ERR_*}). */
    public static final int ERR_OFFSET = OP_OFFSET + 4;
    /** Offset of the op's PCI domain (i32). */
    public static final int DOMAIN_OFFSET = OP_OFFSET + 8;
    /** Offset of the op's bus (i32). */
    public static final int BUS_OFFSET = OP_OFFSET + 12;
    /** Offset of the op's devfn (i32, slot &lt;&lt; 3 | function). */
    public static final int DEVFN_OFFSET = OP_OFFSET + 16;
    /** Offset of the op's config register offset (i32). */
    public static final int REGISTER_OFFSET = OP_OFFSET + 20;
    /** Offset of the op's access size in bytes (i32: 1, 2 or 4). */
    public static final int SIZE_OFFSET = OP_OFFSET + 24;
    /** Offset of the op's value (i32): written by the frontend, or read back by the backend. */
    public static final int VALUE_OFFSET = OP_OFFSET + 28;
    /** Offset of the op's info (i32): the number of MSI-X entries an MSI-X enable asks for. */
    public static final int INFO_OFFSET = OP_OFFSET + 32;
    /** Offset of the MSI-X entries array. */
    public static final int MSIX_ENTRIES_OFFSET = OP_OFFSET + 36;
    /** Bytes per MSI-X entry. */
    public static final int MSIX_ENTRY_LENGTH = 4;
    /** Offset in an MSI-X entry of the vector (u16), written by the backend. */
    public static final int MSIX_VECTOR_OFFSET = 0;
    /** Offset in an MSI-X entry of the table entry number (u16), written by the frontend. */
    public static final int MSIX_ENTRY_OFFSET = 2;
    /** MSI-X entries in the array ({@code SH_INFO_MAX_VEC}). */
    public static final int MAX_MSIX_ENTRIES = 128;

    /** Offset of {@code struct xen_pcie_aer_op}. */
    public static final int AER_OP_OFFSET = MSIX_ENTRIES_OFFSET + MAX_MSIX_ENTRIES * MSIX_ENTRY_LENGTH;
    /** Offset of the AER op's result (i32). */
    public static final int AER_ERR_OFFSET = AER_OP_OFFSET;
    /** Offset of the AER op's command (i32). */
    public static final int AER_CMD_OFFSET = AER_OP_OFFSET + 4;
    /** Offset of the AER op's PCI domain (i32). */
    public static final int AER_DOMAIN_OFFSET = AER_OP_OFFSET + 8;
    /** Offset of the AER op's bus (i32). */
    public static final int AER_BUS_OFFSET = AER_OP_OFFSET + 12;
    /** Offset of the AER op's devfn (i32). */
    public static final int AER_DEVFN_OFFSET = AER_OP_OFFSET + 16;

    /** {@code sizeof(struct xen_pci_sharedinfo)}. */
    public static final int LENGTH = AER_OP_OFFSET + 20;

    /** Linux pcifront's wait before "pciback not responding!!!". */
    public static final long FRONTEND_TIMEOUT_NS = 2_000_000_000L;

    private PciSharedInfoDescriptor()
    {
    }

    /**
     * {@return offset of MSI-X entry {@code index}'s vector from the shared info's start}
     * @param index the entry.
     */
    public static int msixVectorOffset(final int index)
    {
        return MSIX_ENTRIES_OFFSET + index * MSIX_ENTRY_LENGTH + MSIX_VECTOR_OFFSET;
    }

    /**
     * {@return offset of MSI-X entry {@code index}'s table entry number from the shared info's start}
     * @param index the entry.
     */
    public static int msixEntryOffset(final int index)
    {
        return MSIX_ENTRIES_OFFSET + index * MSIX_ENTRY_LENGTH + MSIX_ENTRY_OFFSET;
    }

    /**
     * Checks that {@code buffer} holds a shared info at {@code offset}.
     * @param buffer the pci section.
     * @param offset the shared info's offset in it.
     * @throws IllegalArgumentException with {@code name=value} when {@code buffer} cannot hold the shared info at
     *                                  {@code offset} or the flags word is not 4-byte aligned.
     */
    public static void checkBuffer(final AtomicBuffer buffer, final int offset)
    {
        if (offset < 0 || offset + LENGTH > buffer.capacity())
        {
            throw new IllegalArgumentException("shared info does not fit: offset=" + offset + " capacity=" +
                buffer.capacity() + " length=" + LENGTH);
        }
        if (((buffer.addressOffset() + offset) & 3) != 0)
        {
            throw new IllegalArgumentException("shared info flags must be 4-byte aligned: offset=" + offset);
        }
    }
}
