/**
 * Where PCI functions come from: this machine's sysfs, read only ({@link io.pvnet.pci.device.SysfsScanner}),
 * {@code lspci -x} dumps ({@link io.pvnet.pci.device.LspciDump}), and emulated functions that behave like hardware
 * ({@link io.pvnet.pci.device.EmulatedFunction}), defined in code ({@link io.pvnet.pci.device.EmulatedDeviceBuilder},
 * {@link io.pvnet.pci.device.BarSpec}) or in a small file ({@link io.pvnet.pci.device.EmulatedDeviceFile}). API.
 */
package io.pvnet.pci.device;
