/**
 * The backend: {@link io.pvnet.pci.backend.Pciback} hides, attaches and detaches devices at run time and handles
 * pcifront's operations ({@link io.pvnet.pci.backend.PciOp}, {@link io.pvnet.pci.backend.XenPciOp},
 * {@link io.pvnet.pci.backend.XenPciError}) against each guest's {@link io.pvnet.pci.backend.VirtualConfigSpace}
 * (xen-pciback's field rules), in the {@link io.pvnet.pci.backend.PciTopology} chosen. The field classes behind the
 * virtual config space are package-private. API.
 */
package io.pvnet.pci.backend;
