package io.pvnet.pci;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapabilityWalkerTest
{
    /** A type 0 header with the capability list bit and pointer set, nothing else. */
    static ConfigSpace header(final int size)
    {
        final ConfigSpace c = new ConfigSpace(size);
        c.writeWord(PciRegisters.VENDOR_ID, 0x1af4);
        c.writeWord(PciRegisters.DEVICE_ID, 0x10f0);
        c.writeWord(PciRegisters.STATUS, PciRegisters.STATUS_CAP_LIST);
        c.writeByte(PciRegisters.CAPABILITY_LIST, 0x40);
        return c;
    }

    /** 48 capabilities of id 0x1f, one in every dword slot from 0x40 to 0xFC, each pointing at the next. */
    static ConfigSpace fullChain()
    {
        final ConfigSpace c = header(256);
        for (int k = 0; k < 48; k++)
        {
            final int pos = 0x40 + 4 * k;
            c.writeByte(pos, 0x1f);
            c.writeByte(pos + 1, k < 47 ? pos + 4 : 0);
            c.writeByte(pos + 2, k);
        }
        return c;
    }

    /** Extended capabilities in every dword slot from 0x100 to 0xFFC (960), id 0x0B (vendor). */
    static ConfigSpace fullExtendedChain()
    {
        final ConfigSpace c = header(4096);
        c.writeByte(0x40, PciRegisters.CAP_ID_EXP);
        c.writeWord(0x42, 2);
        for (int k = 0; k < 960; k++)
        {
            final int pos = 0x100 + 4 * k;
            c.writeDword(pos, PciRegisters.EXT_CAP_ID_VNDR | 1 << 16 | (k < 959 ? pos + 4 : 0) << 20);
        }
        return c;
    }

    @Test
    void shouldWalkTheEmulatedDevicesChainInOrder()
    {
        final ConfigSpace c = TestDevices.nic(PciAddress.parse("00:03.0")).snapshot();
        final CapabilityWalker.Walk walk = CapabilityWalker.walk(c);
        assertEquals(CapabilityWalker.End.END, walk.end());
        assertEquals(List.of(PciRegisters.CAP_ID_PM, PciRegisters.CAP_ID_MSI, PciRegisters.CAP_ID_MSIX,
            PciRegisters.CAP_ID_EXP), walk.capabilities().stream().map(Capability::id).toList());
        assertEquals(0x40, walk.capabilities().getFirst().offset());
        final CapabilityWalker.Walk extended = CapabilityWalker.walkExtended(c);
        assertEquals(List.of(0x100, 0x148), extended.capabilities().stream().map(Capability::offset).toList());
        assertEquals(2, extended.capabilities().getFirst().version());
    }

    @Test
    void shouldFindAChainThatFillsAllFortyEightSlots()
    {
        final CapabilityWalker.Walk walk = CapabilityWalker.walk(fullChain());
        assertEquals(CapabilityWalker.End.END, walk.end());
        assertEquals(CapabilityWalker.MAX_STANDARD, walk.capabilities().size());
        assertEquals(0xFC, walk.capabilities().getLast().offset());
    }

    @Test
    void shouldFindAnExtendedChainThatFillsAllNineHundredSixtySlots()
    {
        final CapabilityWalker.Walk walk = CapabilityWalker.walkExtended(fullExtendedChain());
        assertEquals(CapabilityWalker.End.END, walk.end());
        assertEquals(CapabilityWalker.MAX_EXTENDED, walk.capabilities().size());
        assertEquals(0xFFC, walk.capabilities().getLast().offset());
    }

    @Test
    void shouldStopAtALoopBackToAnEarlierEntry()
    {
        final ConfigSpace c = fullChain();
        c.writeByte(0x40 + 4 * 10 + 1, 0x48);
        final CapabilityWalker.Walk walk = CapabilityWalker.walk(c);
        assertEquals(CapabilityWalker.End.LOOPED, walk.end());
        assertEquals(0x48, walk.stopOffset());
        assertEquals(11, walk.capabilities().size());
    }

    @Test
    void shouldStopAtASelfLoop()
    {
        final ConfigSpace c = header(256);
        c.writeByte(0x40, PciRegisters.CAP_ID_PM);
        c.writeByte(0x41, 0x40);
        final CapabilityWalker.Walk walk = CapabilityWalker.walk(c);
        assertEquals(CapabilityWalker.End.LOOPED, walk.end());
        assertEquals(1, walk.capabilities().size());
    }

    @Test
    void shouldIgnoreTheLowTwoBitsOfNextPointers()
    {
        final ConfigSpace c = header(256);
        c.writeByte(PciRegisters.CAPABILITY_LIST, 0x43);
        c.writeByte(0x40, PciRegisters.CAP_ID_PM);
        c.writeByte(0x41, 0x53);
        c.writeByte(0x50, PciRegisters.CAP_ID_MSI);
        c.writeByte(0x51, 0x42);
        final CapabilityWalker.Walk walk = CapabilityWalker.walk(c);
        assertEquals(CapabilityWalker.End.LOOPED, walk.end());
        assertEquals(0x40, walk.stopOffset());
        assertEquals(List.of(0x40, 0x50), walk.capabilities().stream().map(Capability::offset).toList());
    }

    @Test
    void shouldStopAtABrokenEntryAndAtPointersIntoTheHeader()
    {
        final ConfigSpace broken = fullChain();
        broken.writeByte(0x50, 0xFF);
        final CapabilityWalker.Walk walk = CapabilityWalker.walk(broken);
        assertEquals(CapabilityWalker.End.BROKEN, walk.end());
        assertEquals(0x50, walk.stopOffset());
        assertEquals(4, walk.capabilities().size());

        final ConfigSpace intoHeader = fullChain();
        intoHeader.writeByte(0x45, 0x10);
        final CapabilityWalker.Walk walk2 = CapabilityWalker.walk(intoHeader);
        assertEquals(CapabilityWalker.End.BAD_POINTER, walk2.end());
        assertEquals(0x10, walk2.stopOffset());
    }

    @Test
    void shouldNotReadPastWhatADumpHolds()
    {
        final byte[] first64 = new byte[64];
        System.arraycopy(fullChain().toByteArray(), 0, first64, 0, 64);
        final CapabilityWalker.Walk walk = CapabilityWalker.walk(ConfigSpace.of(first64, 64));
        assertEquals(CapabilityWalker.End.UNREADABLE, walk.end());
        assertTrue(walk.capabilities().isEmpty());
        assertEquals(CapabilityWalker.End.NO_LIST, CapabilityWalker.walkExtended(ConfigSpace.of(first64, 64)).end());
    }

    @Test
    void shouldReportNoListWithoutTheStatusBit()
    {
        final ConfigSpace c = fullChain();
        c.writeWord(PciRegisters.STATUS, 0);
        assertEquals(CapabilityWalker.End.NO_LIST, CapabilityWalker.walk(c).end());
    }

    @Test
    void shouldStopExtendedLoopsAllOnesAndPointersBelowTheExtendedSpace()
    {
        final ConfigSpace loop = fullExtendedChain();
        loop.writeDword(0x200, PciRegisters.EXT_CAP_ID_VNDR | 1 << 16 | 0x180 << 20);
        final CapabilityWalker.Walk walk = CapabilityWalker.walkExtended(loop);
        assertEquals(CapabilityWalker.End.LOOPED, walk.end());
        assertEquals(0x180, walk.stopOffset());
        assertEquals((0x200 - 0x100) / 4 + 1, walk.capabilities().size());

        final ConfigSpace ones = fullExtendedChain();
        ones.writeDword(0x104, 0xFFFFFFFF);
        assertEquals(CapabilityWalker.End.BROKEN, CapabilityWalker.walkExtended(ones).end());

        final ConfigSpace low = fullExtendedChain();
        low.writeDword(0x108, PciRegisters.EXT_CAP_ID_VNDR | 0x40 << 20);
        assertEquals(CapabilityWalker.End.BAD_POINTER, CapabilityWalker.walkExtended(low).end());
    }

    @Test
    void shouldTerminateOnRandomGarbage()
    {
        final java.util.Random random = new java.util.Random(7);
        for (int n = 0; n < 2000; n++)
        {
            final byte[] bytes = new byte[4096];
            random.nextBytes(bytes);
            bytes[PciRegisters.STATUS] |= PciRegisters.STATUS_CAP_LIST;
            final ConfigSpace c = ConfigSpace.of(bytes, 4096);
            assertTrue(CapabilityWalker.walk(c).capabilities().size() <= CapabilityWalker.MAX_STANDARD);
            assertTrue(CapabilityWalker.walkExtended(c).capabilities().size() <= CapabilityWalker.MAX_EXTENDED);
        }
    }
}
