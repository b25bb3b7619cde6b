package io.pvnet.pci;

/**
 * Offsets and bits of the PCI configuration header and capabilities (PCI Local Bus 3.0, PCIe 4.0), named as in
 * Linux {@code pci_regs.h}. All multi-byte config registers are little-endian.
 */
public final class PciRegisters
{
    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION = 0x08;
    public static final int PROG_IF = 0x09;
    public static final int SUBCLASS = 0x0A;
    public static final int CLASS = 0x0B;
    public static final int CACHE_LINE_SIZE = 0x0C;
    public static final int LATENCY_TIMER = 0x0D;
    public static final int HEADER_TYPE = 0x0E;
    public static final int BIST = 0x0F;
    public static final int BAR0 = 0x10;
    public static final int CARDBUS_CIS = 0x28;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2C;
    public static final int SUBSYSTEM_ID = 0x2E;
    public static final int ROM_ADDRESS = 0x30;
    public static final int CAPABILITY_LIST = 0x34;
    public static final int INTERRUPT_LINE = 0x3C;
    public static final int INTERRUPT_PIN = 0x3D;
    public static final int MIN_GNT = 0x3E;
    public static final int MAX_LAT = 0x3F;

    // type 1 (bridge)
    public static final int PRIMARY_BUS = 0x18;
    public static final int SECONDARY_BUS = 0x19;
    public static final int SUBORDINATE_BUS = 0x1A;
    public static final int SEC_LATENCY_TIMER = 0x1B;
    public static final int IO_BASE = 0x1C;
    public static final int IO_LIMIT = 0x1D;
    public static final int SEC_STATUS = 0x1E;
    public static final int MEMORY_BASE = 0x20;
    public static final int MEMORY_LIMIT = 0x22;
    public static final int PREF_MEMORY_BASE = 0x24;
    public static final int PREF_MEMORY_LIMIT = 0x26;
    public static final int PREF_BASE_UPPER32 = 0x28;
    public static final int PREF_LIMIT_UPPER32 = 0x2C;
    public static final int IO_BASE_UPPER16 = 0x30;
    public static final int IO_LIMIT_UPPER16 = 0x32;
    public static final int ROM_ADDRESS1 = 0x38;
    public static final int BRIDGE_CONTROL = 0x3E;

    public static final int HEADER_TYPE_NORMAL = 0;
    public static final int HEADER_TYPE_BRIDGE = 1;
    public static final int HEADER_TYPE_CARDBUS = 2;
    public static final int HEADER_TYPE_MULTIFUNCTION = 0x80;

    public static final int COMMAND_IO = 0x1;
    public static final int COMMAND_MEMORY = 0x2;
    public static final int COMMAND_MASTER = 0x4;
    public static final int COMMAND_SPECIAL = 0x8;
    public static final int COMMAND_INVALIDATE = 0x10;
    public static final int COMMAND_VGA_PALETTE = 0x20;
    public static final int COMMAND_PARITY = 0x40;
    public static final int COMMAND_WAIT = 0x80;
    public static final int COMMAND_SERR = 0x100;
    public static final int COMMAND_FAST_BACK = 0x200;
    public static final int COMMAND_INTX_DISABLE = 0x400;

    public static final int STATUS_INTERRUPT = 0x8;
    public static final int STATUS_CAP_LIST = 0x10;
    public static final int STATUS_66MHZ = 0x20;
    public static final int STATUS_UDF = 0x40;
    public static final int STATUS_FAST_BACK = 0x80;
    public static final int STATUS_PARITY = 0x100;
    public static final int STATUS_DEVSEL_MASK = 0x600;
    public static final int STATUS_SIG_TARGET_ABORT = 0x800;
    public static final int STATUS_REC_TARGET_ABORT = 0x1000;
    public static final int STATUS_REC_MASTER_ABORT = 0x2000;
    public static final int STATUS_SIG_SYSTEM_ERROR = 0x4000;
    public static final int STATUS_DETECTED_PARITY = 0x8000;
    /** Write-one-to-clear error bits of the status register. */
    public static final int STATUS_RW1C = 0xF900;

    public static final int BIST_START = 0x40;

    public static final int BAR_SPACE_IO = 0x1;
    public static final int BAR_MEM_TYPE_MASK = 0x6;
    public static final int BAR_MEM_TYPE_64 = 0x4;
    public static final int BAR_MEM_PREFETCH = 0x8;
    public static final int BAR_IO_FLAGS_MASK = 0x3;
    public static final int BAR_MEM_FLAGS_MASK = 0xF;
    public static final int ROM_ENABLE = 0x1;
    public static final int ROM_FLAGS_MASK = 0x7FF;

    // capability ids
    public static final int CAP_ID_PM = 0x01;
    public static final int CAP_ID_AGP = 0x02;
    public static final int CAP_ID_VPD = 0x03;
    public static final int CAP_ID_SLOTID = 0x04;
    public static final int CAP_ID_MSI = 0x05;
    public static final int CAP_ID_CHSWP = 0x06;
    public static final int CAP_ID_PCIX = 0x07;
    public static final int CAP_ID_HT = 0x08;
    public static final int CAP_ID_VNDR = 0x09;
    public static final int CAP_ID_DBG = 0x0A;
    public static final int CAP_ID_CCRC = 0x0B;
    public static final int CAP_ID_SHPC = 0x0C;
    public static final int CAP_ID_SSVID = 0x0D;
    public static final int CAP_ID_AGP3 = 0x0E;
    public static final int CAP_ID_SECDEV = 0x0F;
    public static final int CAP_ID_EXP = 0x10;
    public static final int CAP_ID_MSIX = 0x11;
    public static final int CAP_ID_SATA = 0x12;
    public static final int CAP_ID_AF = 0x13;
    public static final int CAP_ID_EA = 0x14;

    // extended capability ids
    public static final int EXT_CAP_ID_ERR = 0x0001;
    public static final int EXT_CAP_ID_VC = 0x0002;
    public static final int EXT_CAP_ID_DSN = 0x0003;
    public static final int EXT_CAP_ID_PWR = 0x0004;
    public static final int EXT_CAP_ID_VNDR = 0x000B;
    public static final int EXT_CAP_ID_ACS = 0x000D;
    public static final int EXT_CAP_ID_ARI = 0x000E;
    public static final int EXT_CAP_ID_ATS = 0x000F;
    public static final int EXT_CAP_ID_SRIOV = 0x0010;
    public static final int EXT_CAP_ID_LTR = 0x0018;
    public static final int EXT_CAP_ID_L1SS = 0x001E;

    // PM capability
    public static final int PM_PMC = 2;
    public static final int PM_CTRL = 4;
    public static final int PM_CAP_PME_MASK = 0xF800;
    public static final int PM_CTRL_STATE_MASK = 0x3;
    public static final int PM_CTRL_PME_ENABLE = 0x100;
    public static final int PM_CTRL_DATA_SEL_MASK = 0x1E00;
    public static final int PM_CTRL_PME_STATUS = 0x8000;

    // MSI capability
    public static final int MSI_FLAGS = 2;
    public static final int MSI_FLAGS_ENABLE = 0x1;
    public static final int MSI_FLAGS_QMASK = 0xE;
    public static final int MSI_FLAGS_QSIZE = 0x70;
    public static final int MSI_FLAGS_64BIT = 0x80;
    public static final int MSI_FLAGS_MASKBIT = 0x100;

    // MSI-X capability
    public static final int MSIX_FLAGS = 2;
    public static final int MSIX_FLAGS_QSIZE = 0x7FF;
    public static final int MSIX_FLAGS_MASKALL = 0x4000;
    public static final int MSIX_FLAGS_ENABLE = 0x8000;
    public static final int MSIX_TABLE = 4;
    public static final int MSIX_PBA = 8;
    public static final int MSIX_BIR_MASK = 0x7;

    // VPD capability
    public static final int VPD_ADDR = 2;
    public static final int VPD_ADDR_F = 0x8000;

    // PCI Express capability
    public static final int EXP_FLAGS = 2;
    public static final int EXP_FLAGS_VERS = 0x000F;
    public static final int EXP_FLAGS_TYPE = 0x00F0;
    public static final int EXP_FLAGS_IRQ = 0x3E00;
    public static final int EXP_DEVCAP = 4;
    public static final int EXP_DEVCTL = 8;
    public static final int EXP_DEVSTA = 10;

    /** First byte after the standard header, where capabilities may start. */
    public static final int STANDARD_HEADER_SIZE = 0x40;
    public static final int CONFIG_SPACE_SIZE = 256;
    public static final int EXTENDED_CONFIG_SPACE_SIZE = 4096;
    public static final int EXTENDED_CAPABILITY_START = 0x100;

    private PciRegisters()
    {
    }
}
