package io.pvnet.pci.channel;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.TestDevices;
import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.grant.GrantTableDescriptor;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An emulated device reaches guest memory only through grants, and only with bus mastering on. */
class DmaEngineTest
{
    private static final int BACKEND = 0;
    private static final int GUEST = 5;

    private final Region region = Region.createAnonymous(1 << 20);
    private final UnsafeBuffer local = new UnsafeBuffer(new byte[8192]);

    @AfterEach
    void close()
    {
        region.close();
    }

    @Test
    void shouldConfineDmaToGrantedPages()
    {
        final var pages = region.allocateSection("guest-pages", 4 * GrantTableDescriptor.PAGE_SIZE).buffer();
        final var table = region.allocateSection("guest-grants", GrantTableDescriptor.lengthBytes(16)).buffer();
        final GrantTable guest = GrantTable.create(table, pages);
        final int writable = guest.grantAccess(BACKEND, 0, false);
        final int readOnly = guest.grantAccess(BACKEND, 1, true);
        final int otherDomain = guest.grantAccess(7, 2, false);
        pages.putLong(GrantTableDescriptor.PAGE_SIZE + 8, 0x1122334455667788L);

        final PciDevice device = TestDevices.nic(PciAddress.parse("03:00.0"));
        final DmaEngine dma = new DmaEngine(GrantTable.attach(table, pages), BACKEND, device.config());

        device.config().write(PciRegisters.COMMAND, 2, PciRegisters.COMMAND_MEMORY);
        assertEquals(DmaEngine.BUS_MASTER_DISABLED, dma.read(readOnly, 8, local, 0, 8));
        device.config().write(PciRegisters.COMMAND, 2, PciRegisters.COMMAND_MEMORY | PciRegisters.COMMAND_MASTER);

        assertEquals(GrantStatus.OKAY, dma.read(readOnly, 8, local, 0, 8));
        assertEquals(0x1122334455667788L, local.getLong(0));
        local.putLong(16, 42);
        assertEquals(GrantStatus.OKAY, dma.write(writable, 100, local, 16, 8));
        assertEquals(42, pages.getLong(100));

        assertEquals(GrantStatus.PERMISSION_DENIED, dma.write(readOnly, 0, local, 0, 8), "read-only grant");
        assertEquals(GrantStatus.PERMISSION_DENIED, dma.read(otherDomain, 0, local, 0, 8), "granted to domain 7");
        assertEquals(GrantStatus.BAD_COPY_ARG, dma.read(writable, 4090, local, 0, 8), "crosses the page");
        assertEquals(GrantStatus.BAD_GNTREF, dma.read(12, 0, local, 0, 8), "never granted");
        assertEquals(GrantStatus.OKAY, guest.endAccess(writable));
        assertEquals(GrantStatus.BAD_GNTREF, dma.write(writable, 0, local, 0, 8), "revoked");
        assertEquals(DmaEngine.UNTRANSLATED_ADDRESS, dma.readAddress(0x1000, local, 0, 8));
        assertEquals(DmaEngine.UNTRANSLATED_ADDRESS, dma.writeAddress(GUEST, local, 0, 8));

        assertEquals(8, dma.bytesRead());
        assertEquals(8, dma.bytesWritten());
        assertEquals(1, dma.refusedBusMaster());
        assertEquals(5, dma.refusedByGrant());
        assertEquals(2, dma.refusedUntranslated());
        assertEquals(8, dma.refused());
        assertEquals(0, pages.getLong(3 * GrantTableDescriptor.PAGE_SIZE), "the ungranted page was never touched");
    }
}
