/**
 * The PCI config-space model pciback works on: {@link io.pvnet.pci.PciAddress}, {@link io.pvnet.pci.ConfigSpace} (an
 * image) and {@link io.pvnet.pci.ConfigAccess} (live access; read-only for every real device), the register names of
 * {@link io.pvnet.pci.PciRegisters}, BAR decoding and sizing ({@link io.pvnet.pci.Bar}, {@link io.pvnet.pci.BarDecoder},
 * {@link io.pvnet.pci.Resource}), the capability lists ({@link io.pvnet.pci.CapabilityWalker}) and
 * {@link io.pvnet.pci.PciDevice}, which ties them together. API; see {@code pci-passthrough/README.md}.
 */
package io.pvnet.pci;
