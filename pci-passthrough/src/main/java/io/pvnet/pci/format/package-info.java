/**
 * {@link io.pvnet.pci.format.LspciFormatter}: config space decoded as {@code lspci -vvn} prints it. API.
 */
package io.pvnet.pci.format;
