package io.pvnet.pci.backend;

import io.pvnet.pci.PciAddress;

/** Where pciback reports rare, configuration-level events (one dropped-write warning per device, refusals). */
@FunctionalInterface
public interface WarningSink
{
    WarningSink STDERR = (address, message) -> System.err.println("pciback " + address + ": " + message);

    void warn(PciAddress address, String message);
}
