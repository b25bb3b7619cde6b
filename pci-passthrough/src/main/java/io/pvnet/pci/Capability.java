package io.pvnet.pci;

/**
 * One entry of the capability list (standard, at 0x40..0xFF) or of the extended capability list (0x100..0xFFF).
 *
 * @param offset   config-space offset of the capability header.
 * @param id       capability id (8 bits standard, 16 bits extended).
 * @param version  extended capability version (bits 19:16); 0 for standard capabilities.
 * @param next     offset of the next entry, 0 at the end.
 * @param extended true for the extended (PCIe) list.
 */
public record Capability(int offset, int id, int version, int next, boolean extended)
{
}
