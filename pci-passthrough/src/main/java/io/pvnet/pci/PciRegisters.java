package io.pvnet.pci;

/**
 * Offsets and bits of the PCI configuration header and capabilities (PCI Local Bus 3.0, PCIe 4.0), named as in
 * Linux {@code pci_regs.h}. All multi-byte config registers are little-endian.
 */
public final class PciRegisters
{
    /** Vendor ID (u16). */
    public static final int VENDOR_ID = 0x00;
    /** Device ID (u16). */
    public static final int DEVICE_ID = 0x02;
    /** Command register (u16): the {@code COMMAND_*} bits. */
    public static final int COMMAND = 0x04;
    /** Status register (u16): the {@code STATUS_*} bits. */
    public static final int STATUS = 0x06;
    /** Revision ID (u8). */
    public static final int REVISION = 0x08;
    /** Programming interface (u8), the low byte of the class code. */
    public static final int PROG_IF = 0x09;
    /** Subclass (u8), the middle byte of the class code. */
    public static final int SUBCLASS = 0x0A;
    /** Base class (u8), the high byte of the class code. */
    public static final int CLASS = 0x0B;
    /** Cache line size in 32-bit words (u8). */
    public static final int CACHE_LINE_SIZE = 0x0C;
    /** Latency timer (u8). */
    public static final int LATENCY_TIMER = 0x0D;
    /** Header type (u8): {@code HEADER_TYPE_*}, with {@link #HEADER_TYPE_MULTIFUNCTION}. */
    public static final int HEADER_TYPE = 0x0E;
    /** Built-in self test (u8). */
    public static final int BIST = 0x0F;
    /** Base address register 0 (u32); BAR n is at {@code BAR0 + 4 * n} (six in a type 0 header, two in a bridge's). */
    public static final int BAR0 = 0x10;
    /** CardBus CIS pointer (u32, type 0). */
    public static final int CARDBUS_CIS = 0x28;
    /** Subsystem vendor ID (u16, type 0). */
    public static final int SUBSYSTEM_VENDOR_ID = 0x2C;
    /** Subsystem ID (u16, type 0). */
    public static final int SUBSYSTEM_ID = 0x2E;
    /** Expansion ROM base address (u32, type 0). */
    public static final int ROM_ADDRESS = 0x30;
    /** Offset of the first capability (u8), valid when {@link #STATUS_CAP_LIST} is set. */
    public static final int CAPABILITY_LIST = 0x34;
    /** Interrupt line (u8): written by software, routed nowhere by the device. */
    public static final int INTERRUPT_LINE = 0x3C;
    /** Interrupt pin (u8): 0 none, 1..4 INTA..INTD. */
    public static final int INTERRUPT_PIN = 0x3D;
    /** Min grant (u8, type 0). */
    public static final int MIN_GNT = 0x3E;
    /** Max latency (u8, type 0). */
    public static final int MAX_LAT = 0x3F;

    // type 1 (bridge)
    /** Bridge: primary bus number (u8). */
    public static final int PRIMARY_BUS = 0x18;
    /** Bridge: secondary bus number (u8). */
    public static final int SECONDARY_BUS = 0x19;
    /** Bridge: highest bus number behind the bridge (u8). */
    public static final int SUBORDINATE_BUS = 0x1A;
    /** Bridge: secondary latency timer (u8). */
    public static final int SEC_LATENCY_TIMER = 0x1B;
    /** Bridge: I/O base (u8). */
    public static final int IO_BASE = 0x1C;
    /** Bridge: I/O limit (u8). */
    public static final int IO_LIMIT = 0x1D;
    /** Bridge: secondary status (u16). */
    public static final int SEC_STATUS = 0x1E;
    /** Bridge: memory base (u16). */
    public static final int MEMORY_BASE = 0x20;
    /** Bridge: memory limit (u16). */
    public static final int MEMORY_LIMIT = 0x22;
    /** Bridge: prefetchable memory base (u16). */
    public static final int PREF_MEMORY_BASE = 0x24;
    /** Bridge: prefetchable memory limit (u16). */
    public static final int PREF_MEMORY_LIMIT = 0x26;
    /** Bridge: upper 32 bits of the prefetchable base (u32). */
    public static final int PREF_BASE_UPPER32 = 0x28;
    /** Bridge: upper 32 bits of the prefetchable limit (u32). */
    public static final int PREF_LIMIT_UPPER32 = 0x2C;
    /** Bridge: upper 16 bits of the I/O base (u16). */
    public static final int IO_BASE_UPPER16 = 0x30;
    /** Bridge: upper 16 bits of the I/O limit (u16). */
    public static final int IO_LIMIT_UPPER16 = 0x32;
    /** Bridge: expansion ROM base address (u32). */
    public static final int ROM_ADDRESS1 = 0x38;
    /** Bridge control (u16). */
    public static final int BRIDGE_CONTROL = 0x3E;

    /** Header type 0: an endpoint. */
    public static final int HEADER_TYPE_NORMAL = 0;
    /** Header type 1: a PCI-to-PCI bridge. */
    public static final int HEADER_TYPE_BRIDGE = 1;
    /** Header type 2: a CardBus bridge. */
    public static final int HEADER_TYPE_CARDBUS = 2;
    /** Header type bit: the device has more than one function. */
    public static final int HEADER_TYPE_MULTIFUNCTION = 0x80;

    /** Command: respond to I/O space accesses. */
    public static final int COMMAND_IO = 0x1;
    /** Command: respond to memory space accesses. */
    public static final int COMMAND_MEMORY = 0x2;
    /** Command: bus mastering (DMA) enabled. */
    public static final int COMMAND_MASTER = 0x4;
    /** Command: respond to special cycles. */
    public static final int COMMAND_SPECIAL = 0x8;
    /** Command: memory write and invalidate enabled. */
    public static final int COMMAND_INVALIDATE = 0x10;
    /** Command: VGA palette snooping. */
    public static final int COMMAND_VGA_PALETTE = 0x20;
    /** Command: parity error response. */
    public static final int COMMAND_PARITY = 0x40;
    /** Command: address/data stepping (obsolete). */
    public static final int COMMAND_WAIT = 0x80;
    /** Command: SERR# enabled. */
    public static final int COMMAND_SERR = 0x100;
    /** Command: fast back-to-back writes enabled. */
    public static final int COMMAND_FAST_BACK = 0x200;
    /** Command: INTx emulation disabled. */
    public static final int COMMAND_INTX_DISABLE = 0x400;

    /** Status: an INTx interrupt is pending. */
    public static final int STATUS_INTERRUPT = 0x8;
    /** Status: the device has a capability list. */
    public static final int STATUS_CAP_LIST = 0x10;
    /** Status: 66 MHz capable. */
    public static final int STATUS_66MHZ = 0x20;
    /** Status: user-definable features (obsolete). */
    public static final int STATUS_UDF = 0x40;
    /** Status: fast back-to-back capable. */
    public static final int STATUS_FAST_BACK = 0x80;
    /** Status: master data parity error (write one to clear). */
    public static final int STATUS_PARITY = 0x100;
    /** Status: DEVSEL timing field. */
    public static final int STATUS_DEVSEL_MASK = 0x600;
    /** Status: signalled target abort (write one to clear). */
    public static final int STATUS_SIG_TARGET_ABORT = 0x800;
    /** Status: received target abort (write one to clear). */
    public static final int STATUS_REC_TARGET_ABORT = 0x1000;
    /** Status: received master abort (write one to clear). */
    public static final int STATUS_REC_MASTER_ABORT = 0x2000;
    /** Status: signalled system error (write one to clear). */
    public static final int STATUS_SIG_SYSTEM_ERROR = 0x4000;
    /** Status: detected parity error (write one to clear). */
    public static final int STATUS_DETECTED_PARITY = 0x8000;
    /** Write-one-to-clear error bits of the status register. */
    public static final int STATUS_RW1C = 0xF900;

    /** BIST: start the self test (cleared by the device when done). */
    public static final int BIST_START = 0x40;

    /** BAR bit 0: an I/O BAR (clear: a memory BAR). */
    public static final int BAR_SPACE_IO = 0x1;
    /** Memory BAR: the type field (32-bit, 64-bit). */
    public static final int BAR_MEM_TYPE_MASK = 0x6;
    /** Memory BAR type: 64-bit, the next BAR holds the upper half. */
    public static final int BAR_MEM_TYPE_64 = 0x4;
    /** Memory BAR: prefetchable. */
    public static final int BAR_MEM_PREFETCH = 0x8;
    /** I/O BAR: the flag bits below the address. */
    public static final int BAR_IO_FLAGS_MASK = 0x3;
    /** Memory BAR: the flag bits below the address. */
    public static final int BAR_MEM_FLAGS_MASK = 0xF;
    /** Expansion ROM BAR: address decode enabled. */
    public static final int ROM_ENABLE = 0x1;
    /** Expansion ROM BAR: the bits below the address. */
    public static final int ROM_FLAGS_MASK = 0x7FF;

    // capability ids
    /** Capability ID: power management. */
    public static final int CAP_ID_PM = 0x01;
    /** Capability ID: AGP. */
    public static final int CAP_ID_AGP = 0x02;
    /** Capability ID: vital product data. */
    public static final int CAP_ID_VPD = 0x03;
    /** Capability ID: slot identification. */
    public static final int CAP_ID_SLOTID = 0x04;
    /** Capability ID: MSI. */
    public static final int CAP_ID_MSI = 0x05;
    /** Capability ID: CompactPCI hot swap. */
    public static final int CAP_ID_CHSWP = 0x06;
    /** Capability ID: PCI-X. */
    public static final int CAP_ID_PCIX = 0x07;
    /** Capability ID: HyperTransport. */
    public static final int CAP_ID_HT = 0x08;
    /** Capability ID: vendor specific. */
    public static final int CAP_ID_VNDR = 0x09;
    /** Capability ID: debug port. */
    public static final int CAP_ID_DBG = 0x0A;
    /** Capability ID: CompactPCI central resource control. */
    public static final int CAP_ID_CCRC = 0x0B;
    /** Capability ID: standard hot-plug controller. */
    public static final int CAP_ID_SHPC = 0x0C;
    /** Capability ID: bridge subsystem vendor ID. */
    public static final int CAP_ID_SSVID = 0x0D;
    /** Capability ID: AGP 8x. */
    public static final int CAP_ID_AGP3 = 0x0E;
    /** Capability ID: secure device. */
    public static final int CAP_ID_SECDEV = 0x0F;
    /** Capability ID: PCI Express. */
    public static final int CAP_ID_EXP = 0x10;
    /** Capability ID: MSI-X. */
    public static final int CAP_ID_MSIX = 0x11;
    /** Capability ID: SATA data/index configuration. */
    public static final int CAP_ID_SATA = 0x12;
    /** Capability ID: PCI advanced features. */
    public static final int CAP_ID_AF = 0x13;
    /** Capability ID: enhanced allocation. */
    public static final int CAP_ID_EA = 0x14;

    // extended capability ids
    /** Extended capability ID: advanced error reporting. */
    public static final int EXT_CAP_ID_ERR = 0x0001;
    /** Extended capability ID: virtual channel. */
    public static final int EXT_CAP_ID_VC = 0x0002;
    /** Extended capability ID: device serial number. */
    public static final int EXT_CAP_ID_DSN = 0x0003;
    /** Extended capability ID: power budgeting. */
    public static final int EXT_CAP_ID_PWR = 0x0004;
    /** Extended capability ID: vendor specific. */
    public static final int EXT_CAP_ID_VNDR = 0x000B;
    /** Extended capability ID: access control services. */
    public static final int EXT_CAP_ID_ACS = 0x000D;
    /** Extended capability ID: alternative routing-ID interpretation. */
    public static final int EXT_CAP_ID_ARI = 0x000E;
    /** Extended capability ID: address translation services. */
    public static final int EXT_CAP_ID_ATS = 0x000F;
    /** Extended capability ID: single root I/O virtualization. */
    public static final int EXT_CAP_ID_SRIOV = 0x0010;
    /** Extended capability ID: latency tolerance reporting. */
    public static final int EXT_CAP_ID_LTR = 0x0018;
    /** Extended capability ID: L1 PM substates. */
    public static final int EXT_CAP_ID_L1SS = 0x001E;

    // PM capability
    /** Power management capability: offset of the PMC register (u16). */
    public static final int PM_PMC = 2;
    /** Power management capability: offset of the PMCSR control/status register (u16). */
    public static final int PM_CTRL = 4;
    /** PMC: the states from which PME# can be asserted. */
    public static final int PM_CAP_PME_MASK = 0xF800;
    /** PMCSR: the power state (D0..D3hot). */
    public static final int PM_CTRL_STATE_MASK = 0x3;
    /** PMCSR: PME# enabled. */
    public static final int PM_CTRL_PME_ENABLE = 0x100;
    /** PMCSR: data select. */
    public static final int PM_CTRL_DATA_SEL_MASK = 0x1E00;
    /** PMCSR: PME status (write one to clear). */
    public static final int PM_CTRL_PME_STATUS = 0x8000;

    // MSI capability
    /** MSI capability: offset of the message control register (u16). */
    public static final int MSI_FLAGS = 2;
    /** MSI message control: MSI enabled. */
    public static final int MSI_FLAGS_ENABLE = 0x1;
    /** MSI message control: vectors the device asks for (log2, multiple message capable). */
    public static final int MSI_FLAGS_QMASK = 0xE;
    /** MSI message control: vectors enabled (log2, multiple message enable). */
    public static final int MSI_FLAGS_QSIZE = 0x70;
    /** MSI message control: 64-bit message address. */
    public static final int MSI_FLAGS_64BIT = 0x80;
    /** MSI message control: per-vector masking. */
    public static final int MSI_FLAGS_MASKBIT = 0x100;

    // MSI-X capability
    /** MSI-X capability: offset of the message control register (u16). */
    public static final int MSIX_FLAGS = 2;
    /** MSI-X message control: table size minus one. */
    public static final int MSIX_FLAGS_QSIZE = 0x7FF;
    /** MSI-X message control: function mask (every vector masked). */
    public static final int MSIX_FLAGS_MASKALL = 0x4000;
    /** MSI-X message control: MSI-X enabled. */
    public static final int MSIX_FLAGS_ENABLE = 0x8000;
    /** MSI-X capability: offset of the table offset/BIR register (u32). */
    public static final int MSIX_TABLE = 4;
    /** MSI-X capability: offset of the pending-bit-array offset/BIR register (u32). */
    public static final int MSIX_PBA = 8;
    /** MSI-X table and PBA registers: the BAR indicator bits. */
    public static final int MSIX_BIR_MASK = 0x7;

    // VPD capability
    /** VPD capability: offset of the address register (u16). */
    public static final int VPD_ADDR = 2;
    /** VPD address register: the completion flag. */
    public static final int VPD_ADDR_F = 0x8000;

    // PCI Express capability
    /** PCI Express capability: offset of the capabilities register (u16). */
    public static final int EXP_FLAGS = 2;
    /** PCI Express capabilities: the capability version. */
    public static final int EXP_FLAGS_VERS = 0x000F;
    /** PCI Express capabilities: the device/port type. */
    public static final int EXP_FLAGS_TYPE = 0x00F0;
    /** PCI Express capabilities: the interrupt message number. */
    public static final int EXP_FLAGS_IRQ = 0x3E00;
    /** PCI Express capability: offset of the device capabilities register (u32). */
    public static final int EXP_DEVCAP = 4;
    /** PCI Express capability: offset of the device control register (u16). */
    public static final int EXP_DEVCTL = 8;
    /** PCI Express capability: offset of the device status register (u16). */
    public static final int EXP_DEVSTA = 10;

    /** First byte after the standard header, where capabilities may start. */
    public static final int STANDARD_HEADER_SIZE = 0x40;
    /** Bytes of conventional PCI configuration space. */
    public static final int CONFIG_SPACE_SIZE = 256;
    /** Bytes of PCI Express extended configuration space. */
    public static final int EXTENDED_CONFIG_SPACE_SIZE = 4096;
    /** Offset of the first extended capability. */
    public static final int EXTENDED_CAPABILITY_START = 0x100;

    private PciRegisters()
    {
    }
}
