package io.pvnet.pci.backend;

import io.pvnet.pci.PciAddress;

/** Where pciback reports rare, configuration-level events (one dropped-write warning per device, refusals). */
@FunctionalInterface
public interface WarningSink
{
    /** Prints each warning as one line on standard error. */
    WarningSink STDERR = (address, message) -> System.err.println("pciback " + address + ": " + message);

    /**
     * Reports one event.
     * @param address the device it concerns.
     * @param message what happened.
     */
    void warn(PciAddress address, String message);
}
