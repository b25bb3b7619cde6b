/**
 * The part in shared memory: one region section per guest ({@link io.pvnet.pci.channel.PciSection}, layout
 * {@link io.pvnet.pci.channel.PciSectionDescriptor}) holding the pcifront/pciback shared page
 * ({@link io.pvnet.pci.channel.PciSharedInfoDescriptor}) and the BAR windows ({@link io.pvnet.pci.channel.BarWindow},
 * real BARs through {@link io.pvnet.pci.channel.RealBarMapper}); the two ends of the op channel,
 * {@link io.pvnet.pci.channel.PcibackAgent} (an Agrona agent) and {@link io.pvnet.pci.channel.PcifrontChannel}. API.
 */
package io.pvnet.pci.channel;
